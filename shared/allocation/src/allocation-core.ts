// The allocation core: one input event in; its effect on the bed ledger, the patient's
// next state, and the events it causes out. It decides only from the event, the stored
// patient, the policy and the ledger's answers, so the service (Redis ledger) and the
// auditor or simulator (memory ledger) reach the same decisions from the same log.
import {
  type AnyCloudEvent,
  type CloudEvent,
  caseIdOf,
  cloudEvent,
  type EventData,
  type EventType,
  trustedCloudEvent,
} from "@fangcang/contracts";
import {
  type BedLedger,
  LedgerError,
  type Offer,
  type OpContext,
  type PlaceRequest,
  type Settled,
} from "@fangcang/ledger";
import {
  type Allocation,
  type ClinicalFacts,
  type Emission,
  factsOf,
  newPatient,
  type PatientEvent,
  type PatientSnapshot,
  patientCan,
  stateOf,
  type TestResult,
  type TriageSummary,
  transitionPatient,
  withContext,
} from "@fangcang/patient";
import { isKnownDistrict, servesNeed } from "@fangcang/placement";
import { type ClinicalPolicy, policyByVersion, triage } from "@fangcang/triage";
import { decisionIdFor, opIdOf, transferIdFor } from "./identity.ts";
import type { PatientStore } from "./patient-store.ts";

export interface Rejection {
  code: string;
  message: string;
  path?: string;
}

export interface Outcome {
  /** Decisions, for the transfers topic. */
  outputs: AnyCloudEvent[];
  /** Events for cases' owners, for the cases topic. */
  followUps: AnyCloudEvent[];
  /** Set when nothing accepts the event: it goes to the dead-letter topic with these reasons. */
  rejected?: { errors: Rejection[]; state?: string };
  /** The one ledger operation the input made, if it made one: its op id and sequence number. */
  receipt?: LedgerReceipt;
}

/** Which ledger sequence number an input took: an auditor replays inputs in this order. */
export interface LedgerReceipt {
  opId: string;
  seq: number;
}

export interface AllocationCoreOptions {
  ledger: BedLedger;
  patients: PatientStore;
  /** The policy new decisions are made under. */
  policy: ClinicalPolicy;
  /** The CloudEvents `source` of everything the allocator emits. */
  source: string;
  /** Shared by the cores of one worker, so concurrent batches check expiry no more than needed. */
  expiryWatch?: ExpiryWatch;
  /** The policy a new case is triaged under, when it is not `policy` (a replay of old decisions). */
  policyFor?: (caseId: string) => ClinicalPolicy | undefined;
  /**
   * Validate every event made against its schema (default true). Off only where each one is
   * compared with a recorded event that was validated when it was produced (the audit).
   */
  validateOutputs?: boolean;
}

/** Earliest hold expiry the ledger reported; no expiry check is needed before it. */
export interface ExpiryWatch {
  nextDue: number;
}

const HOUR = 3_600_000;
/** How many recent input ids a patient remembers, to skip redeliveries. */
const REMEMBERED_INPUTS = 8;

/** The ledger operation id of a tick (see AllocationCore.expireDue). */
export function tickOpId(tickId: string): string {
  return opIdOf({ source: "tick", id: tickId }, "tick");
}

/** Events are never changed once made, so an input's op id is worked out once, however often it is asked for. */
const opIdsOfInputs = new WeakMap<AnyCloudEvent, string>();

/** The ledger operation id of an input: the key an event travels under is its case or its facility. */
export function inputOpId(event: AnyCloudEvent): string {
  let opId = opIdsOfInputs.get(event);
  if (opId === undefined) {
    opId = opIdOf(event, caseIdOf(event) ?? (event.data as { facilityId: string }).facilityId);
    opIdsOfInputs.set(event, opId);
  }
  return opId;
}

const reject = (code: string, message: string, state?: string): Outcome => ({
  outputs: [],
  followUps: [],
  rejected: { errors: [{ code, message }], ...(state === undefined ? {} : { state }) },
});

const nothing = (): Outcome => ({ outputs: [], followUps: [] });

type DecisionType =
  | "transfer.ordered"
  | "case.waitlisted"
  | "transfer.cancelled"
  | "case.escalated"
  | "case.release-eligible"
  | "case.closed";
type ProvenanceFields = "decisionId" | "policyVersion" | "decidedAt" | "causationId" | "ledgerSeq";

/** What one input did to one patient, while it is being worked out. */
interface Step {
  input: AnyCloudEvent;
  opId: string;
  at: number;
  patient: PatientSnapshot;
  emissions: Emission[];
  followUps: AnyCloudEvent[];
  ledgerSeq: number;
  receipt?: LedgerReceipt;
}

export class AllocationCore {
  private readonly ledger: BedLedger;
  private readonly patients: PatientStore;
  private readonly policy: ClinicalPolicy;
  private readonly source: string;
  private readonly expiryWatch: ExpiryWatch;
  private readonly policyFor: (caseId: string) => ClinicalPolicy | undefined;
  private readonly cloudEvent: typeof cloudEvent;

  constructor(options: AllocationCoreOptions) {
    this.ledger = options.ledger;
    this.patients = options.patients;
    this.policy = options.policy;
    this.source = options.source;
    this.expiryWatch = options.expiryWatch ?? { nextDue: Number.NEGATIVE_INFINITY };
    this.policyFor = options.policyFor ?? (() => undefined);
    this.cloudEvent = options.validateOutputs === false ? trustedCloudEvent : cloudEvent;
  }

  /**
   * One input, at most one ledger operation (see ledger.ts), made where the input stands
   * in its key's order. Every operation ends by expiring the holds due at the input's
   * time, whose owners hear of it as follow-ups.
   */
  handle(event: AnyCloudEvent): Promise<Outcome> {
    return this.decide(event);
  }

  /** Whether holds may have fallen due by this event time since the last operation looked. */
  expiryDue(time: string): boolean {
    return Date.parse(time) >= this.expiryWatch.nextDue;
  }

  /**
   * An expiry check of its own (a tick), for a stream whose inputs make no ledger
   * operations for a while: the worker ticks once per batch when `expiryDue` says so,
   * named by the batch. A tick belongs to no input, so an auditor replays it at its
   * sequence number wherever the inputs around it stand.
   */
  async expireDue(tick: { id: string; time: string }): Promise<{ followUps: AnyCloudEvent[]; receipt: LedgerReceipt }> {
    const op = { opId: tickOpId(tick.id), at: Date.parse(tick.time), holdMs: this.policy.holdWindowHours * HOUR };
    const result = await this.ledger.expireHolds(op);
    const into: { receipt?: LedgerReceipt } = {};
    const followUps = this.settled(tick, op, result, into);
    return { followUps, receipt: into.receipt as LedgerReceipt };
  }

  // Not async: each case hands back its handler's own promise rather than one more wrapped
  // around it (an async function returning a promise costs extra microtask turns per input).
  private decide(event: AnyCloudEvent): Promise<Outcome> {
    switch (event.type) {
      case "facility.registered":
        return this.registerFacility(event);
      case "facility.beds-changed":
        return this.capacityChange(event, (op) =>
          this.ledger.resize({
            ...op,
            facilityId: event.data.facilityId,
            bedClass: event.data.bedClass,
            total: event.data.total,
          }),
        );
      case "facility.status-changed":
        return this.capacityChange(event, (op) =>
          this.ledger.setStatus({ ...op, facilityId: event.data.facilityId, status: event.data.status }),
        );
      case "case.reported":
        return this.report(event);
      case "case.bed-offered":
      case "case.hold-expired":
      case "case.reclassified":
      case "case.test-result":
      case "case.withdrawn":
      case "transfer.admitted":
      case "transfer.rejected":
      case "patient.discharged":
        return this.advance(event);
      case "transfer.ordered":
      case "case.waitlisted":
      case "transfer.cancelled":
      case "case.escalated":
      case "case.release-eligible":
      case "case.closed":
      case "ledger.receipts":
        return Promise.resolve(reject("wrong_topic", `${event.type} is an allocator output, not an input`));
      default: {
        const unreachable: never = event;
        return unreachable;
      }
    }
  }

  private op(event: AnyCloudEvent): OpContext {
    return { opId: inputOpId(event), at: Date.parse(event.time), holdMs: this.policy.holdWindowHours * HOUR };
  }

  /** The operation of a step's input, from what the step already worked out. */
  private opOf(step: Step): OpContext {
    return { opId: step.opId, at: step.at, holdMs: this.policy.holdWindowHours * HOUR };
  }

  // ---- facilities --------------------------------------------------------------------

  private async registerFacility(event: CloudEvent<"facility.registered">): Promise<Outcome> {
    const f = event.data;
    if (!isKnownDistrict(f.district)) {
      return reject("unknown_district", `district ${f.district} is not one of the configured districts`);
    }
    const op = this.op(event);
    const result = await this.ledger.registerFacility({
      ...op,
      facility: {
        facilityId: f.facilityId,
        kind: f.kind,
        district: f.district,
        capabilities: f.capabilities,
        beds: f.beds,
      },
    });
    const outcome = nothing();
    outcome.followUps = this.settled(event, op, result, outcome);
    return outcome;
  }

  private async capacityChange(
    event: AnyCloudEvent,
    change: (op: ReturnType<AllocationCore["op"]>) => Promise<Settled>,
  ): Promise<Outcome> {
    try {
      const op = this.op(event);
      const result = await change(op);
      const outcome = nothing();
      outcome.followUps = this.settled(event, op, result, outcome);
      return outcome;
    } catch (error) {
      if (error instanceof LedgerError) return reject(error.code, error.message);
      throw error;
    }
  }

  // ---- time --------------------------------------------------------------------------

  /**
   * What every ledger operation ends with, as follow-ups: the holds the input's time
   * expired (their owners hear of it) and the beds held for waiting cases. Also records
   * the input's receipt and moves the expiry watch.
   */
  private settled(
    cause: { id: string; time: string },
    op: OpContext,
    result: Settled,
    into: { receipt?: LedgerReceipt },
  ): AnyCloudEvent[] {
    into.receipt = { opId: op.opId, seq: result.seq };
    // Holds made meanwhile by other workers expire no earlier than their event time plus the
    // hold window, so checking again within the hour bounds how late an expiry can be.
    this.expiryWatch.nextDue = Math.min(result.nextDue ?? Number.POSITIVE_INFINITY, op.at + HOUR);
    const expired: AnyCloudEvent[] = result.expired.map((e) =>
      this.cloudEvent(
        "case.hold-expired",
        { id: `expired-${e.transferId}`, source: this.source, time: cause.time, subject: e.caseId },
        {
          caseId: e.caseId,
          transferId: e.transferId,
          facilityId: e.facilityId,
          expiredAt: cause.time,
          ledgerSeq: result.seq,
          causationId: cause.id,
        },
      ),
    );
    const offered = this.offerEvents(cause, result.seq, result.offers);
    // Most operations expire nothing: then the offers' own array will do.
    if (expired.length === 0) return offered;
    for (const event of offered) expired.push(event);
    return expired;
  }

  private offerEvents(cause: { id: string; time: string }, ledgerSeq: number, offers: Offer[]): AnyCloudEvent[] {
    return offers.map((offer) =>
      this.cloudEvent(
        "case.bed-offered",
        { id: `offer-${offer.transferId}`, source: this.source, time: cause.time, subject: offer.caseId },
        {
          caseId: offer.caseId,
          transferId: offer.transferId,
          facilityId: offer.facilityId,
          bedClass: offer.bedClass,
          route: offer.route,
          holdExpiresAt: new Date(offer.holdExpiresAt).toISOString(),
          ledgerSeq,
          causationId: cause.id,
        },
      ),
    );
  }

  // ---- cases -------------------------------------------------------------------------

  private triage(facts: ClinicalFacts, policy: ClinicalPolicy): TriageSummary {
    const d = triage(policy, facts);
    return {
      policyVersion: d.policyVersion,
      severity: d.severity,
      priority: d.priority,
      route: d.route,
      alternatives: d.alternatives.map((a) => ({ kind: a.kind, bedClass: a.bedClass })),
      requiredCapabilities: d.requiredCapabilities,
      reasons: d.reasons,
    };
  }

  private async report(event: CloudEvent<"case.reported">): Promise<Outcome> {
    const reported = event.data;
    const opId = inputOpId(event);
    const existing = await this.patients.get(reported.caseId);
    if (existing !== undefined) {
      if (existing.context.appliedOps.includes(opId)) return { outputs: [], followUps: [] };
      return reject("duplicate_case", `case ${reported.caseId} was already reported`, stateOf(existing));
    }
    const facts = factsOf(reported);
    const patient = newPatient({
      caseId: reported.caseId,
      district: reported.district,
      reportedAt: reported.reportedAt,
      reportedBy: opId,
      facts,
      triage: this.triage(facts, this.policyFor(reported.caseId) ?? this.policy),
      appliedOps: [],
    });
    const step = this.step(event, patient, opId);
    await this.place(step);
    return this.finish(step);
  }

  /** Any case event after the report: the patient's machine decides whether it applies. */
  private async advance(event: AnyCloudEvent): Promise<Outcome> {
    if ((event.type === "case.bed-offered" || event.type === "case.hold-expired") && event.source !== this.source) {
      return reject("forbidden_source", `${event.type} is the allocator's own event; ${event.source} may not send it`);
    }
    const caseId = (event.data as { caseId: string }).caseId;
    const patient = await this.patients.get(caseId);
    if (patient === undefined) return reject("unknown_case", `no case ${caseId} has been reported`);
    const step = this.step(event, patient);
    if (patient.context.appliedOps.includes(step.opId)) return nothing();
    const state = stateOf(patient);
    const pending = this.machineEventFor(event, patient);
    // Only a reclassification asks the ledger; every other event is known at once.
    const machineEvent = pending instanceof Promise ? await pending : pending;
    if (event.type === "case.bed-offered") return this.offered(step, event, machineEvent);
    if (machineEvent === "stale") return nothing();
    if (machineEvent === undefined || !patientCan(patient, machineEvent)) {
      return reject("not_accepted", `${event.type} is not accepted for a case in state ${state}`, state);
    }
    const releases = this.releases(patient, machineEvent);
    this.apply(step, machineEvent);
    const placing = stateOf(step.patient) === "placing";
    if (machineEvent.type === "ADMITTED") {
      const refusal = await this.admit(step, patient.context.allocation as Allocation, machineEvent.transferId);
      if (refusal) return this.refuse(step, refusal, `the ledger refused ${event.type}: ${refusal}`, state);
    } else if (releases && placing) {
      await this.place(step, "relocate");
    } else if (releases) {
      await this.release(step);
    } else if (placing) {
      await this.place(step);
    }
    return this.finish(step);
  }

  /**
   * A bed the ledger held for a waiting case: confirmed in the ledger's order, since the
   * case may have been withdrawn, placed again or its hold expired since.
   */
  private async offered(
    step: Step,
    event: CloudEvent<"case.bed-offered">,
    machineEvent: PatientEvent | "stale" | undefined,
  ): Promise<Outcome> {
    const caseId = event.data.caseId;
    const op = this.opOf(step);
    const check = await this.ledger.confirmOffer({ ...op, caseId, transferId: event.data.transferId });
    step.ledgerSeq = check.seq;
    step.followUps.push(...this.settled(event, op, check, step));
    if (!check.current) return this.unchanged(step);
    const state = stateOf(step.patient);
    if (machineEvent === undefined || machineEvent === "stale" || !patientCan(step.patient, machineEvent)) {
      return this.refuse(step, "not_accepted", `${event.type} is not accepted for a case in state ${state}`, state);
    }
    this.apply(step, machineEvent);
    return this.finish(step);
  }

  /** The patient stays as it was; what the ledger operation caused still goes out. */
  private unchanged(step: Step): Outcome {
    return { outputs: [], followUps: step.followUps, ...(step.receipt ? { receipt: step.receipt } : {}) };
  }

  /** Refused after a ledger operation ran: its follow-ups and receipt still count. */
  private refuse(step: Step, code: string, message: string, state: string): Outcome {
    return { ...this.unchanged(step), rejected: { errors: [{ code, message }], state } };
  }

  private machineEventFor(
    event: AnyCloudEvent,
    patient: PatientSnapshot,
  ): PatientEvent | "stale" | undefined | Promise<PatientEvent> {
    const context = patient.context;
    switch (event.type) {
      case "case.bed-offered": {
        const { transferId, facilityId, bedClass, route, holdExpiresAt } = event.data;
        return { type: "OFFERED", allocation: { transferId, facilityId, bedClass, route, holdExpiresAt } };
      }
      case "case.hold-expired":
        if (context.allocation?.transferId !== event.data.transferId) return "stale";
        return { type: "HOLD_EXPIRED", transferId: event.data.transferId };
      case "transfer.admitted":
        if (context.allocation?.facilityId !== event.data.facilityId) return undefined;
        return { type: "ADMITTED", transferId: event.data.transferId };
      case "transfer.rejected":
        if (context.allocation?.facilityId !== event.data.facilityId) return undefined;
        return { type: "REJECTED", transferId: event.data.transferId };
      case "case.withdrawn":
        return { type: "WITHDRAWN", reason: event.data.reason };
      case "patient.discharged":
        return { type: "DISCHARGED", facilityId: event.data.facilityId, outcome: event.data.outcome };
      case "case.test-result":
        return this.tested(event.data, patient);
      case "case.reclassified":
        return this.reclassified(event.data, context);
      default:
        return undefined;
    }
  }

  private async reclassified(
    data: EventData<"case.reclassified">,
    context: PatientSnapshot["context"],
  ): Promise<PatientEvent> {
    const facts: ClinicalFacts = { ...context.facts, severity: data.severity };
    if (data.vitals !== undefined) facts.vitals = data.vitals;
    const policy = policyByVersion(context.triage.policyVersion);
    const next = this.triage(facts, policy);
    const need = { alternatives: next.alternatives, capabilities: next.requiredCapabilities };
    let currentBedServes = false;
    if (context.allocation) {
      const facility = await this.ledger.facilityInfo(context.allocation.facilityId);
      currentBedServes =
        facility !== undefined && servesNeed(need, facility.kind, context.allocation.bedClass, facility.capabilities);
    }
    const triageChanged =
      next.priority !== context.triage.priority ||
      JSON.stringify(need) !==
        JSON.stringify({
          alternatives: context.triage.alternatives,
          capabilities: context.triage.requiredCapabilities,
        });
    return { type: "RECLASSIFIED", facts, triage: next, currentBedServes, triageChanged };
  }

  /** Release eligibility: two consecutive results at or above the threshold, far enough apart. */
  private tested(data: EventData<"case.test-result">, patient: PatientSnapshot): PatientEvent {
    const policy = policyByVersion(patient.context.triage.policyVersion);
    const test: TestResult = { sampledAt: data.sampledAt, nGeneCt: data.nGeneCt, orfGeneCt: data.orfGeneCt };
    const negative = (t: TestResult) =>
      t.nGeneCt >= policy.releaseCtThreshold && t.orfGeneCt >= policy.releaseCtThreshold;
    const previous = patient.context.lastTest;
    const apart = previous
      ? Date.parse(test.sampledAt) - Date.parse(previous.sampledAt) >= policy.releaseMinGapHours * HOUR
      : false;
    if (previous && negative(previous) && negative(test) && apart) {
      return { type: "TESTED", test, releaseTests: [previous, test] };
    }
    return { type: "TESTED", test };
  }

  /** Whether an accepted event gives up the case's bed or queue place. */
  private releases(patient: PatientSnapshot, event: PatientEvent): boolean {
    switch (event.type) {
      case "REJECTED":
      case "WITHDRAWN":
      case "DISCHARGED":
        return true;
      case "RECLASSIFIED": {
        const state = stateOf(patient);
        return state === "waiting"
          ? event.triageChanged
          : state !== "placing" && state !== "closed" && !event.currentBedServes;
      }
      default:
        return false;
    }
  }

  /** The intake system admitted the case; a refusal code when the ledger holds no such transfer. */
  private async admit(step: Step, allocation: Allocation, transferId: string): Promise<string | undefined> {
    const op = this.opOf(step);
    const result = await this.ledger.admit({
      ...op,
      caseId: step.patient.context.caseId,
      transferId,
      facilityId: allocation.facilityId,
    });
    step.ledgerSeq = result.seq;
    step.followUps.push(...this.settled(step.input, op, result, step));
    return result.outcome === "admitted" ? undefined : result.code;
  }

  private async release(step: Step): Promise<void> {
    const op = this.opOf(step);
    const result = await this.ledger.release({ ...op, caseId: step.patient.context.caseId });
    step.ledgerSeq = result.seq;
    step.followUps.push(...this.settled(step.input, op, result, step));
  }

  /** Holds the best fitting bed, or queues the case (after giving up what it had, to relocate). */
  private async place(step: Step, how: "place" | "relocate" = "place"): Promise<void> {
    const context = step.patient.context;
    const op = this.opOf(step);
    const request: PlaceRequest = {
      ...op,
      caseId: context.caseId,
      transferId: transferIdFor(op.opId, context.caseId),
      district: context.district,
      need: { alternatives: context.triage.alternatives, capabilities: context.triage.requiredCapabilities },
      priority: context.triage.priority,
      waitingSince: Date.parse(context.reportedAt),
      ...(step.input.type === "transfer.rejected" ? { exclude: [step.input.data.facilityId] } : {}),
    };
    const result = how === "place" ? await this.ledger.place(request) : await this.ledger.relocate(request);
    const placed = "placed" in result ? result.placed : result;
    step.ledgerSeq = result.seq;
    step.followUps.push(...this.settled(step.input, op, result, step));
    if (placed.outcome === "held") {
      const { transferId, facilityId, bedClass, route, holdExpiresAt } = placed;
      this.apply(step, {
        type: "PLACED",
        allocation: { transferId, facilityId, bedClass, route, holdExpiresAt: new Date(holdExpiresAt).toISOString() },
      });
    } else if (placed.outcome === "waitlisted") {
      this.apply(step, { type: "WAITLISTED" });
    } else {
      throw new Error(`ledger already holds ${placed.state.state} for case ${context.caseId} it was asked to place`);
    }
  }

  // ---- steps -------------------------------------------------------------------------

  private step(input: AnyCloudEvent, patient: PatientSnapshot, opId = inputOpId(input)): Step {
    return {
      input,
      opId,
      at: Date.parse(input.time),
      patient,
      emissions: [],
      followUps: [],
      ledgerSeq: 0,
    };
  }

  private apply(step: Step, event: PatientEvent): void {
    const [next, actions] = transitionPatient(step.patient, event);
    step.patient = next;
    for (const action of actions) {
      if (action.type === "emit") step.emissions.push(action.params as Emission);
    }
  }

  private async finish(step: Step): Promise<Outcome> {
    const context = step.patient.context;
    // The last REMEMBERED_INPUTS op ids, this one included, built in one array.
    const earlier = context.appliedOps;
    const from = Math.max(0, earlier.length + 1 - REMEMBERED_INPUTS);
    const appliedOps = earlier.slice(from);
    appliedOps.push(step.opId);
    step.patient = withContext(step.patient, { ...context, appliedOps });
    await this.patients.putMany([step.patient]);
    const outcome: Outcome = {
      outputs: step.emissions.map((emission, n) => this.decision(step, emission, n)),
      followUps: step.followUps,
    };
    if (step.receipt) outcome.receipt = step.receipt;
    return outcome;
  }

  private decision(step: Step, emission: Emission, n: number): AnyCloudEvent {
    const context = step.patient.context;
    const caseId = context.caseId;
    const t = context.triage;
    switch (emission.output) {
      case "transfer.ordered": {
        const a = emission.allocation;
        return this.event(step, n, "transfer.ordered", {
          transferId: a.transferId,
          caseId,
          facilityId: a.facilityId,
          bedClass: a.bedClass,
          route: a.route,
          priority: t.priority,
          reasons: t.reasons,
          holdExpiresAt: a.holdExpiresAt,
        });
      }
      case "case.waitlisted":
        return this.event(step, n, "case.waitlisted", {
          caseId,
          route: t.route,
          priority: t.priority,
          reasons: t.reasons,
        });
      case "transfer.cancelled":
        return this.event(step, n, "transfer.cancelled", {
          transferId: emission.transferId,
          caseId,
          reason: emission.reason,
        });
      case "case.escalated":
        return this.event(step, n, "case.escalated", {
          caseId,
          fromFacilityId: emission.fromFacilityId,
          reason: emission.reason,
        });
      case "case.release-eligible":
        return this.event(step, n, "case.release-eligible", {
          caseId,
          facilityId: emission.facilityId,
          tests: emission.tests,
        });
      case "case.closed":
        return this.event(step, n, "case.closed", { caseId, reason: emission.reason });
      default: {
        const unreachable: never = emission;
        return unreachable;
      }
    }
  }

  private event<T extends DecisionType>(step: Step, n: number, type: T, data: Omit<EventData<T>, ProvenanceFields>) {
    const caseId = step.patient.context.caseId;
    const decisionId = decisionIdFor(step.opId, caseId, n);
    return this.cloudEvent(
      type as EventType,
      { id: decisionId, source: this.source, time: step.input.time, subject: caseId },
      // Provenance first, then the decision's own fields, each in its schema's order.
      {
        decisionId,
        policyVersion: step.patient.context.triage.policyVersion,
        decidedAt: step.input.time,
        causationId: step.input.id,
        ledgerSeq: step.ledgerSeq,
        ...data,
      } as EventData<T>,
    ) as AnyCloudEvent;
  }
}
