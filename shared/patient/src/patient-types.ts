// The patient machine's context and events, and their persisted, validated form.
import { BedClass, Capability, CaseReported, Route, Severity, Vitals } from "@fangcang/contracts";
import { z } from "zod";

export const Allocation = z.object({
  transferId: z.string(),
  facilityId: z.string(),
  bedClass: BedClass,
  route: Route,
  holdExpiresAt: z.string(),
});
export type Allocation = z.infer<typeof Allocation>;

export const TestResult = z.object({ sampledAt: z.string(), nGeneCt: z.number(), orfGeneCt: z.number() });
export type TestResult = z.infer<typeof TestResult>;

/** The clinical facts triage reads; reclassification replaces severity and vitals. */
export const ClinicalFacts = CaseReported.pick({
  ageYears: true,
  severity: true,
  pregnancyWeeks: true,
  conditions: true,
  vitals: true,
});
export type ClinicalFacts = z.infer<typeof ClinicalFacts>;

export const TriageSummary = z.object({
  policyVersion: z.string(),
  severity: Severity,
  priority: z.number(),
  route: Route,
  alternatives: z.array(z.object({ kind: Route, bedClass: BedClass })).min(1),
  requiredCapabilities: z.array(Capability),
  reasons: z.array(z.string()),
});
export type TriageSummary = z.infer<typeof TriageSummary>;

export const PatientContext = z.object({
  caseId: z.string(),
  district: z.string(),
  /** Waiting order among equal priorities: when the case was reported. */
  reportedAt: z.string(),
  /** The ledger operation id of the report, to tell a redelivery from a second report. */
  reportedBy: z.string(),
  facts: ClinicalFacts,
  triage: TriageSummary,
  allocation: Allocation.optional(),
  lastTest: TestResult.optional(),
  releaseTests: z.tuple([TestResult, TestResult]).optional(),
  /** Ledger operation ids of the latest inputs applied, newest last: a redelivery is skipped. */
  appliedOps: z.array(z.string()).max(8),
});
export type PatientContext = z.infer<typeof PatientContext>;

export const PatientState = z.enum(["placing", "waiting", "ordered", "admitted", "releaseEligible", "closed"]);
export type PatientState = z.infer<typeof PatientState>;

export interface Triaged {
  facts: ClinicalFacts;
  triage: TriageSummary;
}

export type PatientEvent =
  | { type: "PLACED"; allocation: Allocation }
  | { type: "WAITLISTED" }
  | { type: "OFFERED"; allocation: Allocation }
  | { type: "ADMITTED"; transferId: string }
  | { type: "REJECTED"; transferId: string }
  | { type: "HOLD_EXPIRED"; transferId: string }
  | ({
      type: "RECLASSIFIED";
      /** The bed the case holds or occupies can serve the new triage's need. */
      currentBedServes: boolean;
      /** Priority or need differ from the current triage. */
      triageChanged: boolean;
    } & Triaged)
  | { type: "TESTED"; test: TestResult; releaseTests?: [TestResult, TestResult] }
  | { type: "WITHDRAWN"; reason: string }
  | { type: "DISCHARGED"; facilityId: string; outcome: string };

/** The stored form of a patient: untrusted on load, so validated. */
export const PATIENT_SNAPSHOT_VERSION = 1;
export const PersistedPatient = z.object({
  version: z.literal(PATIENT_SNAPSHOT_VERSION),
  state: PatientState,
  context: PatientContext,
});
export type PersistedPatient = z.infer<typeof PersistedPatient>;

/** The clinical part of a case report. */
export function factsOf(reported: CaseReported): ClinicalFacts {
  const facts: ClinicalFacts = { ageYears: reported.ageYears, severity: reported.severity };
  if (reported.pregnancyWeeks !== undefined) facts.pregnancyWeeks = reported.pregnancyWeeks;
  if (reported.conditions !== undefined) facts.conditions = reported.conditions;
  if (reported.vitals !== undefined) facts.vitals = reported.vitals;
  return facts;
}

export type { Vitals };
