// Output events on the transfers topic: written only by the allocator.
import { z } from "zod";
import { BedClass, Id, Route, Time } from "./vocabulary.ts";

/** Every output carries where it came from, so an auditor can re-derive it. */
export const Provenance = z.object({
  decisionId: Id,
  policyVersion: z.string().min(1).max(64),
  decidedAt: Time,
  causationId: z.string().min(1).max(256),
  /** Position of this decision in the ledger's total order (assigned atomically with the effect). */
  ledgerSeq: z.number().int().min(0).optional(),
});
export type Provenance = z.infer<typeof Provenance>;

const RuleIds = z.array(z.string().min(1).max(64));

export const TransferOrdered = Provenance.extend({
  transferId: Id,
  caseId: Id,
  facilityId: Id,
  bedClass: BedClass,
  route: Route,
  priority: z.number(),
  reasons: RuleIds,
  holdExpiresAt: Time,
});
export type TransferOrdered = z.infer<typeof TransferOrdered>;

export const CaseWaitlisted = Provenance.extend({
  caseId: Id,
  route: Route,
  priority: z.number(),
  reasons: RuleIds,
});
export type CaseWaitlisted = z.infer<typeof CaseWaitlisted>;

export const TransferCancelled = Provenance.extend({
  transferId: Id,
  caseId: Id,
  reason: z.string().min(1).max(200),
});
export type TransferCancelled = z.infer<typeof TransferCancelled>;

export const CaseEscalated = Provenance.extend({
  caseId: Id,
  fromFacilityId: Id,
  reason: z.string().min(1).max(200),
});
export type CaseEscalated = z.infer<typeof CaseEscalated>;

const QualifyingTest = z.object({ sampledAt: Time, nGeneCt: z.number(), orfGeneCt: z.number() });

export const CaseReleaseEligible = Provenance.extend({
  caseId: Id,
  facilityId: Id,
  tests: z.tuple([QualifyingTest, QualifyingTest]),
});
export type CaseReleaseEligible = z.infer<typeof CaseReleaseEligible>;

export const CaseClosed = Provenance.extend({
  caseId: Id,
  reason: z.string().min(1).max(200),
});
export type CaseClosed = z.infer<typeof CaseClosed>;
