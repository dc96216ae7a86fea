// Input events on the cases topic: written by labs, clinicians and intake systems.
import { z } from "zod";
import {
  BedClass,
  Condition,
  DetectedIn,
  DischargeOutcome,
  Id,
  Route,
  Severity,
  Sex,
  Time,
  WithdrawalReason,
} from "./vocabulary.ts";

export const Vitals = z.strictObject({
  spo2: z.number().min(0).max(100).optional(),
  respiratoryRate: z.number().min(0).max(200).optional(),
});
export type Vitals = z.infer<typeof Vitals>;

export const CaseReported = z.object({
  caseId: Id,
  reportedAt: Time,
  district: z.string().min(1).max(64),
  ageYears: z.number().min(0).max(130),
  sex: Sex,
  severity: Severity,
  detectedIn: DetectedIn,
  pregnancyWeeks: z.number().min(0).max(45).optional(),
  conditions: z.array(Condition).max(Condition.options.length).optional(),
  vitals: Vitals.optional(),
  householdId: Id.optional(),
  guardianCaseId: Id.optional(),
});
export type CaseReported = z.infer<typeof CaseReported>;

export const CaseReclassified = z.object({
  caseId: Id,
  at: Time,
  severity: Severity,
  vitals: Vitals.optional(),
});
export type CaseReclassified = z.infer<typeof CaseReclassified>;

const Ct = z.number().min(0).max(50);

export const CaseTestResult = z.object({
  caseId: Id,
  sampledAt: Time,
  nGeneCt: Ct,
  orfGeneCt: Ct,
});
export type CaseTestResult = z.infer<typeof CaseTestResult>;

export const CaseWithdrawn = z.object({
  caseId: Id,
  at: Time,
  reason: WithdrawalReason,
});
export type CaseWithdrawn = z.infer<typeof CaseWithdrawn>;

export const TransferAdmitted = z.object({
  caseId: Id,
  transferId: Id,
  facilityId: Id,
  at: Time,
});
export type TransferAdmitted = z.infer<typeof TransferAdmitted>;

export const TransferRejected = z.object({
  caseId: Id,
  transferId: Id,
  facilityId: Id,
  at: Time,
  reason: z.string().max(500),
});
export type TransferRejected = z.infer<typeof TransferRejected>;

export const PatientDischarged = z.object({
  caseId: Id,
  facilityId: Id,
  at: Time,
  outcome: DischargeOutcome,
});
export type PatientDischarged = z.infer<typeof PatientDischarged>;

/**
 * Internal: the ledger held a freed bed for this waiting case (inside the atomic script
 * that freed it). Sent on the case's own key so that only the case's owner changes it.
 */
export const CaseBedOffered = z.object({
  caseId: Id,
  transferId: Id,
  facilityId: Id,
  bedClass: BedClass,
  route: Route,
  holdExpiresAt: Time,
  ledgerSeq: z.number().int().min(0),
  /** The CloudEvent id of the input whose effect freed the bed. */
  causationId: z.string().min(1).max(256),
});
export type CaseBedOffered = z.infer<typeof CaseBedOffered>;

/**
 * Internal: the ledger released this case's hold because the intake system did not admit
 * it in time, and put the case back in its queue. Sent on the case's own key.
 */
export const CaseHoldExpired = z.object({
  caseId: Id,
  transferId: Id,
  facilityId: Id,
  expiredAt: Time,
  ledgerSeq: z.number().int().min(0),
  /** The CloudEvent id of the input whose time passed the hold's expiry. */
  causationId: z.string().min(1).max(256),
});
export type CaseHoldExpired = z.infer<typeof CaseHoldExpired>;
