// Input events on the facilities topic: written by operations.
import { z } from "zod";
import { BedClass, Capability, FacilityKind, FacilityStatus, Id, Time } from "./vocabulary.ts";

const BedCount = z.number().int().min(0).max(1_000_000);

/**
 * Who asked for a change made through an operations tool on a person's behalf (the console
 * adds it to every operator action). Optional: other producers may leave it out.
 */
export const Actor = z.object({
  subject: z.string().min(1).max(256).describe("The person or system as authenticated, e.g. a token's subject."),
  role: z.string().min(1).max(64).describe("The role they acted in, e.g. operator or admin."),
});
export type Actor = z.infer<typeof Actor>;

export const FacilityRegistered = z.object({
  facilityId: Id,
  name: z.string().min(1).max(200),
  kind: FacilityKind,
  district: z.string().min(1).max(64),
  beds: z.partialRecord(BedClass, BedCount),
  capabilities: z.array(Capability).max(Capability.options.length),
  actor: Actor.optional(),
});
export type FacilityRegistered = z.infer<typeof FacilityRegistered>;

export const FacilityBedsChanged = z.object({
  facilityId: Id,
  at: Time,
  bedClass: BedClass,
  total: BedCount,
  actor: Actor.optional(),
});
export type FacilityBedsChanged = z.infer<typeof FacilityBedsChanged>;

export const FacilityStatusChanged = z.object({
  facilityId: Id,
  at: Time,
  status: FacilityStatus,
  actor: Actor.optional(),
});
export type FacilityStatusChanged = z.infer<typeof FacilityStatusChanged>;
