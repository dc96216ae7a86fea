// The console's read model: a fold over the contract's events, as read from the cases,
// facilities and transfers topics. `apply(model, event)` is the whole of it; it does no
// I/O and reads no clock (the model's clock is the latest event time it has seen). It
// updates the model in place: the model is rebuilt from the log on every start, and a wave
// of 600,000 cases would not survive copying.
//
// The topics are read concurrently, so events about one case can arrive in a different
// order than they happened across topics (an admission on the cases topic before the
// transfer order it answers on the transfers topic). Every step below accepts that.
import type { AnyCloudEvent, BedClass, FacilityKind, FacilityStatus, Route } from "@fangcang/contracts";
import { isKnownDistrict } from "@fangcang/placement";
import { shanghaiDay } from "./district-clearing.ts";
import { emptySeries, recordSample, type TimeSeries } from "./time-series.ts";

export interface HistoryEntry {
  id: string;
  source: string;
  type: AnyCloudEvent["type"];
  time: string;
  data: Record<string, unknown>;
}

export type CaseStatus = "reported" | "placing" | "waiting" | "ordered" | "admitted" | "release_eligible" | "closed";

export interface CurrentTransfer {
  transferId: string;
  facilityId: string;
  bedClass: BedClass;
  route: Route;
  orderedAt: string;
  holdExpiresAt: string;
  decisionId: string;
}

export interface CaseRecord {
  caseId: string;
  status: CaseStatus;
  district?: string;
  detectedIn?: "quarantine" | "community";
  severity?: string;
  reportedAt?: string;
  priority?: number;
  route?: Route;
  reasons?: string[];
  policyVersion?: string;
  /** Orders the waiting queue after priority, as the ledger does: when the case was reported. */
  waitingSince?: string;
  transfer?: CurrentTransfer;
  /** An admission read before the order it answers (they travel on different topics). */
  earlyAdmission?: string;
  closedReason?: string;
  history: HistoryEntry[];
}

export interface FacilityRecord {
  facilityId: string;
  name?: string;
  kind?: FacilityKind;
  district?: string;
  capabilities: string[];
  status: FacilityStatus;
  /** The totals operations asked for; the effective total never drops below the beds in use. */
  capacity: Partial<Record<BedClass, number>>;
  registeredAt?: string;
  updatedAt?: string;
  history: HistoryEntry[];
}

export interface BedUse {
  held: number;
  occupied: number;
}

export interface Escalation {
  caseId: string;
  fromFacilityId: string;
  reason: string;
  at: string;
  decisionId: string;
  policyVersion: string;
}

export interface ReadModel {
  /** Latest event time seen (epoch ms); undefined before the first event. */
  clock: number | undefined;
  /** Bumped by every applied event; views cache on it. */
  version: number;
  facilities: Map<string, FacilityRecord>;
  /** Beds in use per facility and class, kept apart from the registrations they may precede. */
  usage: Map<string, Map<BedClass, BedUse>>;
  /** All facilities' beds, kept up to date with every change (a sum on every event is too slow). */
  beds: BedTotals;
  cases: Map<string, CaseRecord>;
  waiting: Set<string>;
  waitingByPriority: Map<number, number>;
  inFlight: Set<string>;
  escalations: Escalation[];
  /** Community cases per district per Shanghai day, by reporting time. */
  communityCases: Map<string, Map<string, number>>;
  /** The first Shanghai day with a reported case (community or not): earlier days are unknown. */
  dataSince: string | undefined;
  series: TimeSeries;
  applied: number;
  duplicates: number;
  /** Events the allocator refuses too (a facility in an unknown district), left out. */
  refused: number;
}

export const HISTORY_LIMIT = 500;
export const bedClasses: readonly BedClass[] = ["general", "icu", "shelter"];

export function emptyModel(series: TimeSeries = emptySeries()): ReadModel {
  return {
    clock: undefined,
    version: 0,
    facilities: new Map(),
    usage: new Map(),
    beds: { total: 0, free: 0, held: 0, occupied: 0 },
    cases: new Map(),
    waiting: new Set(),
    waitingByPriority: new Map(),
    inFlight: new Set(),
    escalations: [],
    communityCases: new Map(),
    dataSince: undefined,
    series,
    applied: 0,
    duplicates: 0,
    refused: 0,
  };
}

/** Applies one event; false when it changed nothing (a redelivery of the same source and id, or refused). */
export function apply(model: ReadModel, event: AnyCloudEvent): boolean {
  // Ledger receipts are for auditors; the console does not read their topic.
  if (event.type === "ledger.receipts") return false;
  if (event.type === "facility.registered" && !isKnownDistrict(event.data.district)) {
    model.refused++;
    return false;
  }
  const at = Date.parse(event.time);
  if (model.clock !== undefined && at > model.clock) closeSample(model, at);
  const applied = event.type.startsWith("facility.")
    ? applyToFacility(model, event)
    : applyToCase(model, event as CaseEvent);
  if (!applied) {
    model.duplicates++;
    return false;
  }
  if (model.clock === undefined || at > model.clock) model.clock = at;
  model.applied++;
  model.version++;
  return true;
}

type FacilityEvent = Extract<AnyCloudEvent, { type: `facility.${string}` }>;
type CaseEvent = Exclude<AnyCloudEvent, FacilityEvent | { type: "ledger.receipts" }>;

function remember(history: HistoryEntry[], event: AnyCloudEvent): boolean {
  if (history.some((entry) => entry.id === event.id && entry.source === event.source)) return false;
  if (history.length >= HISTORY_LIMIT) history.shift();
  history.push({
    id: event.id,
    source: event.source,
    type: event.type,
    time: event.time,
    data: event.data as Record<string, unknown>,
  });
  return true;
}

// ---- facilities ----------------------------------------------------------------------

function facilityRecord(model: ReadModel, facilityId: string): FacilityRecord {
  let record = model.facilities.get(facilityId);
  if (record === undefined) {
    record = { facilityId, capabilities: [], status: "open", capacity: {}, history: [] };
    model.facilities.set(facilityId, record);
  }
  return record;
}

function applyToFacility(model: ReadModel, event: AnyCloudEvent): boolean {
  const facility = event as FacilityEvent;
  const record = facilityRecord(model, facility.data.facilityId);
  if (!remember(record.history, event)) return false;
  record.updatedAt = event.time;
  switch (facility.type) {
    case "facility.registered": {
      const { name, kind, district, beds, capabilities } = facility.data;
      // A registration again updates the facility; classes it leaves out keep their beds, as in the ledger.
      Object.assign(record, { name, kind, district, capabilities: [...capabilities] });
      for (const [bedClass, total] of Object.entries(beds) as [BedClass, number][]) {
        changeBeds(model, record.facilityId, bedClass, () => {
          record.capacity[bedClass] = total;
        });
      }
      record.registeredAt = event.time;
      break;
    }
    case "facility.beds-changed": {
      const { bedClass, total } = facility.data;
      changeBeds(model, record.facilityId, bedClass, () => {
        record.capacity[bedClass] = total;
      });
      break;
    }
    case "facility.status-changed":
      record.status = facility.data.status;
      break;
    default: {
      const unreachable: never = facility;
      return unreachable;
    }
  }
  return true;
}

// ---- cases ---------------------------------------------------------------------------

function caseRecord(model: ReadModel, caseId: string): CaseRecord {
  let record = model.cases.get(caseId);
  if (record === undefined) {
    record = { caseId, status: "reported", history: [] };
    model.cases.set(caseId, record);
  }
  return record;
}

/** What a case counts towards: a bed, the queue, the transfers in flight. */
interface Footprint {
  bed?: { facilityId: string; bedClass: BedClass; state: keyof BedUse };
  waitingPriority?: number;
  inFlight: boolean;
}

function footprintOf(record: CaseRecord): Footprint {
  const { status, transfer } = record;
  const footprint: Footprint = { inFlight: status === "ordered" && transfer !== undefined };
  if (transfer !== undefined && (status === "ordered" || status === "admitted" || status === "release_eligible")) {
    footprint.bed = {
      facilityId: transfer.facilityId,
      bedClass: transfer.bedClass,
      state: status === "ordered" ? "held" : "occupied",
    };
  }
  if (status === "waiting") footprint.waitingPriority = record.priority ?? 0;
  return footprint;
}

function count(model: ReadModel, record: CaseRecord, footprint: Footprint, sign: 1 | -1): void {
  if (footprint.bed !== undefined) {
    const { facilityId, bedClass, state } = footprint.bed;
    let byClass = model.usage.get(facilityId);
    if (byClass === undefined) {
      byClass = new Map();
      model.usage.set(facilityId, byClass);
    }
    const use = byClass.get(bedClass) ?? { held: 0, occupied: 0 };
    byClass.set(bedClass, use);
    changeBeds(model, facilityId, bedClass, () => {
      use[state] += sign;
    });
  }
  if (footprint.waitingPriority !== undefined) {
    const p = footprint.waitingPriority;
    model.waitingByPriority.set(p, (model.waitingByPriority.get(p) ?? 0) + sign);
    if (model.waitingByPriority.get(p) === 0) model.waitingByPriority.delete(p);
    if (sign > 0) model.waiting.add(record.caseId);
    else model.waiting.delete(record.caseId);
  }
  if (footprint.inFlight) {
    if (sign > 0) model.inFlight.add(record.caseId);
    else model.inFlight.delete(record.caseId);
  }
}

function applyToCase(model: ReadModel, event: CaseEvent): boolean {
  const record = caseRecord(model, event.data.caseId);
  if (!remember(record.history, event)) return false;
  const before = footprintOf(record);
  evolveCase(model, record, event);
  count(model, record, before, -1);
  count(model, record, footprintOf(record), 1);
  return true;
}

function decided(
  record: CaseRecord,
  data: { priority: number; route: Route; reasons: string[]; policyVersion: string },
) {
  record.priority = data.priority;
  record.route = data.route;
  record.reasons = [...data.reasons];
  record.policyVersion = data.policyVersion;
}

function evolveCase(model: ReadModel, record: CaseRecord, event: CaseEvent): void {
  if (record.status === "closed" && event.type !== "case.reported") return;
  switch (event.type) {
    case "case.reported": {
      if (record.reportedAt !== undefined) return; // a second report of the case is refused upstream
      const { district, detectedIn, severity, reportedAt } = event.data;
      Object.assign(record, { district, detectedIn, severity, reportedAt, waitingSince: reportedAt });
      const day = shanghaiDay(Date.parse(reportedAt));
      if (model.dataSince === undefined || day < model.dataSince) model.dataSince = day;
      if (detectedIn === "community") countCommunityCase(model, district, day);
      return;
    }
    case "case.waitlisted":
      decided(record, event.data);
      record.transfer = undefined;
      record.status = "waiting";
      record.waitingSince ??= event.data.decidedAt;
      return;
    case "transfer.ordered": {
      const d = event.data;
      decided(record, d);
      record.transfer = {
        transferId: d.transferId,
        facilityId: d.facilityId,
        bedClass: d.bedClass,
        route: d.route,
        orderedAt: d.decidedAt,
        holdExpiresAt: d.holdExpiresAt,
        decisionId: d.decisionId,
      };
      record.status = record.earlyAdmission === d.transferId ? "admitted" : "ordered";
      record.earlyAdmission = undefined;
      return;
    }
    case "transfer.admitted":
      if (record.transfer?.transferId === event.data.transferId) {
        if (record.status === "ordered") record.status = "admitted";
      } else {
        record.earlyAdmission = event.data.transferId;
      }
      return;
    case "transfer.cancelled":
      if (record.transfer?.transferId !== event.data.transferId) return;
      record.transfer = undefined;
      record.status = "placing";
      return;
    case "case.escalated":
      record.transfer = undefined;
      record.status = "placing";
      model.escalations.push({
        caseId: record.caseId,
        fromFacilityId: event.data.fromFacilityId,
        reason: event.data.reason,
        at: event.data.decidedAt,
        decisionId: event.data.decisionId,
        policyVersion: event.data.policyVersion,
      });
      return;
    case "case.release-eligible":
      if (record.status === "admitted") record.status = "release_eligible";
      return;
    case "case.closed":
      record.transfer = undefined;
      record.status = "closed";
      record.closedReason = event.data.reason;
      return;
    case "case.reclassified":
      record.severity = event.data.severity;
      return;
    // Inputs whose effect the allocator announces on the transfers topic: history only.
    case "case.test-result":
    case "case.withdrawn":
    case "transfer.rejected":
    case "patient.discharged":
    case "case.bed-offered":
    case "case.hold-expired":
      return;
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}

function countCommunityCase(model: ReadModel, district: string, day: string): void {
  let byDay = model.communityCases.get(district);
  if (byDay === undefined) {
    byDay = new Map();
    model.communityCases.set(district, byDay);
  }
  byDay.set(day, (byDay.get(day) ?? 0) + 1);
}

// ---- capacity and samples -----------------------------------------------------------

export interface BedCount {
  /** Requested by operations. */
  capacity: number;
  /** Effective: lowering capacity never evicts, so it stays at least the beds in use. */
  total: number;
  free: number;
  held: number;
  occupied: number;
}

export function bedCount(model: ReadModel, facilityId: string, bedClass: BedClass): BedCount {
  const capacity = model.facilities.get(facilityId)?.capacity[bedClass] ?? 0;
  const use = model.usage.get(facilityId)?.get(bedClass) ?? { held: 0, occupied: 0 };
  const inUse = use.held + use.occupied;
  const total = Math.max(capacity, inUse);
  return { capacity, total, free: total - inUse, held: use.held, occupied: use.occupied };
}

export interface BedTotals {
  total: number;
  free: number;
  held: number;
  occupied: number;
}

export function bedTotals(model: ReadModel): BedTotals {
  return { ...model.beds };
}

/** Changes one facility's beds of one class, and the running totals by the difference. */
function changeBeds(model: ReadModel, facilityId: string, bedClass: BedClass, change: () => void): void {
  const before = bedCount(model, facilityId, bedClass);
  change();
  const after = bedCount(model, facilityId, bedClass);
  model.beds.total += after.total - before.total;
  model.beds.free += after.free - before.free;
  model.beds.held += after.held - before.held;
  model.beds.occupied += after.occupied - before.occupied;
}

/** Closes the time bucket the clock is in, with the state before the event that leaves it. */
function closeSample(model: ReadModel, nextAt: number): void {
  const clock = model.clock as number;
  const bucket = Math.floor(clock / model.series.resolutionMs);
  if (Math.floor(nextAt / model.series.resolutionMs) === bucket) return;
  const { total, occupied, held } = bedTotals(model);
  recordSample(model.series, { t: clock, total, occupied, held, waiting: model.waiting.size });
}
