// One valid example of every contract event: a single case's story in Shanghai, April 2022.
// The unit specs check each against its zod schema and the published JSON Schemas, and the
// generated AsyncAPI document (docs/contract/asyncapi.yaml) shows them as message examples.
// Keep them ASCII and realistic; add one when you add an event type (the types insist).
import type { EventData, EventType } from "./catalog.ts";
import type { DeadLetter } from "./dead-letter.ts";

export type ContractExamples = { [T in EventType]: EventData<T> };

/** The envelope attributes of an example (CloudEvents id, source, time, subject). */
export interface ExampleEnvelope {
  id: string;
  source: string;
  time: string;
  subject: string;
}

const provenance = {
  policyVersion: "shanghai-2022-04-09.v1",
  decidedAt: "2022-04-10T08:30:00+08:00",
  causationId: "lab-pudong-220410-0001",
};

export const contractExamples: ContractExamples = {
  "case.reported": {
    caseId: "SH-220410-0001",
    reportedAt: "2022-04-10T08:30:00+08:00",
    district: "Pudong",
    ageYears: 67,
    sex: "female",
    severity: "mild",
    detectedIn: "quarantine",
    conditions: ["hypertension", "diabetes"],
    vitals: { spo2: 96, respiratoryRate: 18 },
    householdId: "HH-PD-1042",
  },
  "case.reclassified": {
    caseId: "SH-220410-0001",
    at: "2022-04-12T14:05:00+08:00",
    severity: "moderate",
    vitals: { spo2: 94, respiratoryRate: 24 },
  },
  "case.test-result": {
    caseId: "SH-220410-0001",
    sampledAt: "2022-04-20T07:00:00+08:00",
    nGeneCt: 36.2,
    orfGeneCt: 37.5,
  },
  "case.withdrawn": {
    caseId: "SH-220410-0002",
    at: "2022-04-10T11:00:00+08:00",
    reason: "duplicate",
  },
  "transfer.admitted": {
    caseId: "SH-220410-0001",
    transferId: "TR-220410-0001",
    facilityId: "PD-SUB-07",
    at: "2022-04-10T13:40:00+08:00",
  },
  "transfer.rejected": {
    caseId: "SH-220410-0003",
    transferId: "TR-220410-0003",
    facilityId: "FC-NECC",
    at: "2022-04-10T15:10:00+08:00",
    reason: "Patient needs a wheelchair-accessible bed; none on this ward.",
  },
  "patient.discharged": {
    caseId: "SH-220410-0001",
    facilityId: "PD-DH-01",
    at: "2022-04-22T10:00:00+08:00",
    outcome: "recovered",
  },
  "case.bed-offered": {
    caseId: "SH-220410-0004",
    transferId: "TR-220411-0012",
    facilityId: "FC-NECC",
    bedClass: "shelter",
    route: "fangcang",
    holdExpiresAt: "2022-04-11T21:00:00+08:00",
    ledgerSeq: 1207,
    causationId: "intake-necc-220411-0093",
  },
  "case.hold-expired": {
    caseId: "SH-220410-0006",
    transferId: "TR-220410-0006",
    facilityId: "FC-NECC",
    expiredAt: "2022-04-10T22:00:00+08:00",
    ledgerSeq: 1098,
    causationId: "lab-pudong-220410-0733",
  },
  "facility.registered": {
    facilityId: "FC-NECC",
    name: "National Exhibition and Convention Center Fangcang",
    kind: "fangcang",
    district: "Qingpu",
    beds: { shelter: 40000 },
    capabilities: [],
  },
  "facility.beds-changed": {
    facilityId: "PD-DH-01",
    at: "2022-04-11T06:00:00+08:00",
    bedClass: "icu",
    total: 24,
  },
  "facility.status-changed": {
    facilityId: "PD-SUB-07",
    at: "2022-04-15T20:00:00+08:00",
    status: "paused",
  },
  "transfer.ordered": {
    ...provenance,
    decisionId: "dec-220410-0001",
    ledgerSeq: 1001,
    transferId: "TR-220410-0001",
    caseId: "SH-220410-0001",
    facilityId: "PD-SUB-07",
    bedClass: "general",
    route: "sub_designated_hospital",
    priority: 40,
    reasons: ["severity.mild", "risk.elderly", "risk.hypertension", "risk.diabetes", "route.high_risk"],
    holdExpiresAt: "2022-04-10T20:30:00+08:00",
  },
  "case.waitlisted": {
    ...provenance,
    decisionId: "dec-220410-0002",
    caseId: "SH-220410-0001",
    route: "sub_designated_hospital",
    priority: 40,
    reasons: ["severity.mild", "risk.elderly", "route.high_risk"],
  },
  "transfer.cancelled": {
    ...provenance,
    decidedAt: "2022-04-10T20:30:00+08:00",
    causationId: "clock-220410-2030",
    decisionId: "dec-220410-0003",
    transferId: "TR-220410-0001",
    caseId: "SH-220410-0001",
    reason: "hold_expired",
  },
  "case.escalated": {
    ...provenance,
    decidedAt: "2022-04-12T14:05:00+08:00",
    causationId: "clinic-pdsub07-220412-0017",
    decisionId: "dec-220412-0001",
    caseId: "SH-220410-0001",
    fromFacilityId: "PD-SUB-07",
    reason: "severity.moderate needs a designated hospital",
  },
  "case.release-eligible": {
    ...provenance,
    decidedAt: "2022-04-21T09:00:00+08:00",
    causationId: "lab-pudong-220421-0311",
    decisionId: "dec-220421-0001",
    caseId: "SH-220410-0001",
    facilityId: "PD-DH-01",
    tests: [
      { sampledAt: "2022-04-20T07:00:00+08:00", nGeneCt: 36.2, orfGeneCt: 37.5 },
      { sampledAt: "2022-04-21T07:30:00+08:00", nGeneCt: 38, orfGeneCt: 40 },
    ],
  },
  "case.closed": {
    ...provenance,
    decidedAt: "2022-04-22T10:00:00+08:00",
    causationId: "intake-pddh01-220422-0042",
    decisionId: "dec-220422-0001",
    caseId: "SH-220410-0001",
    reason: "discharged",
  },
  "ledger.receipts": {
    batchId: "fangcang.cases/3@118204-118206",
    receipts: [
      { causationId: "lab-pudong-220410-0001", opId: "op-3f2a9c0d5e7b1a4c6d8e0f12", seq: 1205 },
      { causationId: "offer-TR-220411-0012", opId: "op-9b1c2d3e4f5a6b7c8d9e0f1a", seq: 1208 },
    ],
  },
};

/** Who writes each example, and when: the CloudEvents attributes the examples travel with. */
export const contractExampleEnvelopes: { [T in EventType]: ExampleEnvelope } = {
  "case.reported": envelope("lab-pudong-220410-0001", "lab/pudong", "2022-04-10T08:30:00+08:00", "SH-220410-0001"),
  "case.reclassified": envelope(
    "clinic-pdsub07-220412-0017",
    "clinic/pd-sub-07",
    "2022-04-12T14:05:00+08:00",
    "SH-220410-0001",
  ),
  "case.test-result": envelope("lab-pudong-220420-0207", "lab/pudong", "2022-04-20T12:00:00+08:00", "SH-220410-0001"),
  "case.withdrawn": envelope("cdc-pudong-220410-0009", "cdc/pudong", "2022-04-10T11:00:00+08:00", "SH-220410-0002"),
  "transfer.admitted": envelope(
    "intake-pdsub07-220410-0031",
    "intake/pd-sub-07",
    "2022-04-10T13:40:00+08:00",
    "SH-220410-0001",
  ),
  "transfer.rejected": envelope(
    "intake-necc-220410-0088",
    "intake/fc-necc",
    "2022-04-10T15:10:00+08:00",
    "SH-220410-0003",
  ),
  "patient.discharged": envelope(
    "intake-pddh01-220422-0042",
    "intake/pd-dh-01",
    "2022-04-22T10:00:00+08:00",
    "SH-220410-0001",
  ),
  "case.bed-offered": envelope(
    "offer-TR-220411-0012",
    "fangcang/allocator",
    "2022-04-11T09:00:00+08:00",
    "SH-220410-0004",
  ),
  "case.hold-expired": envelope(
    "expiry-TR-220410-0006",
    "fangcang/allocator",
    "2022-04-10T22:03:00+08:00",
    "SH-220410-0006",
  ),
  "facility.registered": envelope("ops-220409-0001", "ops/shanghai", "2022-04-09T18:00:00+08:00", "FC-NECC"),
  "facility.beds-changed": envelope("ops-220411-0014", "ops/shanghai", "2022-04-11T06:00:00+08:00", "PD-DH-01"),
  "facility.status-changed": envelope("ops-220415-0020", "ops/shanghai", "2022-04-15T20:00:00+08:00", "PD-SUB-07"),
  "ledger.receipts": envelope(
    "receipts-fangcang.cases/3@118204-118206-0",
    "fangcang/allocator",
    "2022-04-11T09:00:01+08:00",
    "fangcang.cases/3@118204-118206",
  ),
  "transfer.ordered": envelope("dec-220410-0001", "fangcang/allocator", "2022-04-10T08:30:00+08:00", "SH-220410-0001"),
  "case.waitlisted": envelope("dec-220410-0002", "fangcang/allocator", "2022-04-10T08:30:00+08:00", "SH-220410-0001"),
  "transfer.cancelled": envelope(
    "dec-220410-0003",
    "fangcang/allocator",
    "2022-04-10T20:30:00+08:00",
    "SH-220410-0001",
  ),
  "case.escalated": envelope("dec-220412-0001", "fangcang/allocator", "2022-04-12T14:05:00+08:00", "SH-220410-0001"),
  "case.release-eligible": envelope(
    "dec-220421-0001",
    "fangcang/allocator",
    "2022-04-21T09:00:00+08:00",
    "SH-220410-0001",
  ),
  "case.closed": envelope("dec-220422-0001", "fangcang/allocator", "2022-04-22T10:00:00+08:00", "SH-220410-0001"),
};

/** A case.reported whose severity is not in the vocabulary, as the allocator dead-letters it. */
export const deadLetterExample: DeadLetter = {
  originalTopic: "fangcang.cases",
  partition: 3,
  offset: "18234",
  key: "SH-220410-0005",
  headers: {
    ce_specversion: "1.0",
    ce_id: "lab-minhang-220410-0417",
    ce_source: "lab/minhang",
    ce_type: "case.reported",
    ce_time: "2022-04-10T09:10:00+08:00",
    "content-type": "application/json",
  },
  value:
    '{"caseId":"SH-220410-0005","reportedAt":"2022-04-10T09:10:00+08:00","district":"Minhang","ageYears":34,' +
    '"sex":"male","severity":"serious","detectedIn":"community"}',
  errors: [
    {
      code: "invalid_data",
      message: 'Invalid option: expected one of "asymptomatic"|"mild"|"moderate"|"severe"|"critical"',
      path: "data.severity",
    },
  ],
  deadLetteredAt: "2022-04-10T01:10:02.318Z",
};

function envelope(id: string, source: string, time: string, subject: string): ExampleEnvelope {
  return { id, source, time, subject };
}
