// The event catalog: every contract event type, the topic it travels on, its data schema,
// and which field is its Kafka key. One table, so producers, consumers and the generated
// JSON Schema / AsyncAPI documents cannot disagree.
import type { z } from "zod";
import {
  CaseBedOffered,
  CaseHoldExpired,
  CaseReclassified,
  CaseReported,
  CaseTestResult,
  CaseWithdrawn,
  PatientDischarged,
  TransferAdmitted,
  TransferRejected,
} from "./case-events.ts";
import { FacilityBedsChanged, FacilityRegistered, FacilityStatusChanged } from "./facility-events.ts";
import { LedgerReceipts } from "./ledger-events.ts";
import type { TopicRole } from "./topics.ts";
import {
  CaseClosed,
  CaseEscalated,
  CaseReleaseEligible,
  CaseWaitlisted,
  TransferCancelled,
  TransferOrdered,
} from "./transfer-events.ts";

interface CatalogEntry<S extends z.ZodType> {
  topic: TopicRole;
  schema: S;
  key: "caseId" | "facilityId" | "batchId";
  summary: string;
}

function entry<S extends z.ZodType>(e: CatalogEntry<S>): CatalogEntry<S> {
  return e;
}

export const eventCatalog = {
  "case.reported": entry({ topic: "cases", schema: CaseReported, key: "caseId", summary: "A new positive case." }),
  "case.reclassified": entry({
    topic: "cases",
    schema: CaseReclassified,
    key: "caseId",
    summary: "A case's clinical severity changed.",
  }),
  "case.test-result": entry({
    topic: "cases",
    schema: CaseTestResult,
    key: "caseId",
    summary: "A nucleic-acid test result (Ct values) for a case.",
  }),
  "case.withdrawn": entry({
    topic: "cases",
    schema: CaseWithdrawn,
    key: "caseId",
    summary: "A case is withdrawn (duplicate, false positive, deceased, left jurisdiction).",
  }),
  "transfer.admitted": entry({
    topic: "cases",
    schema: TransferAdmitted,
    key: "caseId",
    summary: "An intake system admitted the patient of a transfer.",
  }),
  "transfer.rejected": entry({
    topic: "cases",
    schema: TransferRejected,
    key: "caseId",
    summary: "An intake system rejected a transfer.",
  }),
  "patient.discharged": entry({
    topic: "cases",
    schema: PatientDischarged,
    key: "caseId",
    summary: "A patient left a facility; the bed is free.",
  }),
  "case.bed-offered": entry({
    topic: "cases",
    schema: CaseBedOffered,
    key: "caseId",
    summary: "Internal (allocator to itself): a freed bed was held for this waiting case.",
  }),
  "case.hold-expired": entry({
    topic: "cases",
    schema: CaseHoldExpired,
    key: "caseId",
    summary: "Internal (allocator to itself): a hold expired unadmitted and the case waits again.",
  }),
  "facility.registered": entry({
    topic: "facilities",
    schema: FacilityRegistered,
    key: "facilityId",
    summary: "A facility and its beds are registered.",
  }),
  "facility.beds-changed": entry({
    topic: "facilities",
    schema: FacilityBedsChanged,
    key: "facilityId",
    summary: "A facility's total for one bed class changed. Lowering never evicts.",
  }),
  "facility.status-changed": entry({
    topic: "facilities",
    schema: FacilityStatusChanged,
    key: "facilityId",
    summary: "A facility opened, paused or closed. Paused and closed facilities get no new patients.",
  }),
  "transfer.ordered": entry({
    topic: "transfers",
    schema: TransferOrdered,
    key: "caseId",
    summary: "A bed is held for a case; the intake system should admit it before holdExpiresAt.",
  }),
  "case.waitlisted": entry({
    topic: "transfers",
    schema: CaseWaitlisted,
    key: "caseId",
    summary: "No fitting bed is free; the case waits in the priority queue.",
  }),
  "transfer.cancelled": entry({
    topic: "transfers",
    schema: TransferCancelled,
    key: "caseId",
    summary: "A transfer was cancelled and its bed hold released.",
  }),
  "case.escalated": entry({
    topic: "transfers",
    schema: CaseEscalated,
    key: "caseId",
    summary: "A case worsened in a facility that cannot treat it.",
  }),
  "case.release-eligible": entry({
    topic: "transfers",
    schema: CaseReleaseEligible,
    key: "caseId",
    summary: "Two qualifying negative tests: the case may be released.",
  }),
  "case.closed": entry({
    topic: "transfers",
    schema: CaseClosed,
    key: "caseId",
    summary: "A case is closed (discharged, withdrawn, deceased); its bed is free.",
  }),
  "ledger.receipts": entry({
    topic: "ledger",
    schema: LedgerReceipts,
    key: "batchId",
    summary: "Which ledger sequence number each input of a batch took, so an auditor can replay them in order.",
  }),
} as const;

export type EventCatalog = typeof eventCatalog;
export type EventType = keyof EventCatalog;
export type EventData<T extends EventType> = z.infer<EventCatalog[T]["schema"]>;

export const eventTypes = Object.keys(eventCatalog) as EventType[];

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(eventCatalog, type);
}

export function eventTypesOn(topic: TopicRole): EventType[] {
  return eventTypes.filter((t) => eventCatalog[t].topic === topic);
}
