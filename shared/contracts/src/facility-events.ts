// Input events on the facilities topic: written by operations.
import { z } from "zod";
import { BedClass, Capability, FacilityKind, FacilityStatus, Id, Time } from "./vocabulary.ts";

const BedCount = z.number().int().min(0).max(1_000_000);

export const FacilityRegistered = z.object({
  facilityId: Id,
  name: z.string().min(1).max(200),
  kind: FacilityKind,
  district: z.string().min(1).max(64),
  beds: z.partialRecord(BedClass, BedCount),
  capabilities: z.array(Capability).max(Capability.options.length),
});
export type FacilityRegistered = z.infer<typeof FacilityRegistered>;

export const FacilityBedsChanged = z.object({
  facilityId: Id,
  at: Time,
  bedClass: BedClass,
  total: BedCount,
});
export type FacilityBedsChanged = z.infer<typeof FacilityBedsChanged>;

export const FacilityStatusChanged = z.object({
  facilityId: Id,
  at: Time,
  status: FacilityStatus,
});
export type FacilityStatusChanged = z.infer<typeof FacilityStatusChanged>;
