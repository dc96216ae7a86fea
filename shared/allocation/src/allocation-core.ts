// The allocation core: one input event in, its effect on the bed ledger and the case
// record, and the events it causes out. It decides only from the event, the stored record,
// the policy and the ledger's answer, so the service (Redis ledger) and the auditor or
// simulator (memory ledger) reach the same decisions from the same log.
import {
  type AnyCloudEvent,
  type CaseBedOffered,
  type CaseReported,
  type CloudEvent,
  cloudEvent,
  type EventData,
  type EventType,
  type FacilityBedsChanged,
  type FacilityRegistered,
  type FacilityStatusChanged,
} from "@fangcang/contracts";
import { type BedLedger, LedgerError, type Offer } from "@fangcang/ledger";
import { isKnownDistrict } from "@fangcang/placement";
import { type ClinicalPolicy, triage } from "@fangcang/triage";
import type { CaseRecord, CaseStore } from "./case-record.ts";
import { decisionIdFor, opIdOf, transferIdFor } from "./identity.ts";

export interface Rejection {
  code: string;
  message: string;
  path?: string;
}

export interface Outcome {
  /** Decisions, for the transfers topic. */
  outputs: AnyCloudEvent[];
  /** Events for other cases' owners, for the cases topic. */
  followUps: AnyCloudEvent[];
  /** Set when no rule accepts the event: it goes to the dead-letter topic with these reasons. */
  rejected?: { errors: Rejection[]; state?: string };
}

export interface AllocationCoreOptions {
  ledger: BedLedger;
  cases: CaseStore;
  policy: ClinicalPolicy;
  /** The CloudEvents `source` of everything the allocator emits. */
  source: string;
}

const nothing = (): Outcome => ({ outputs: [], followUps: [] });
const reject = (code: string, message: string, state?: string): Outcome => ({
  outputs: [],
  followUps: [],
  rejected: { errors: [{ code, message }], ...(state === undefined ? {} : { state }) },
});

type OutputType = "transfer.ordered" | "case.waitlisted";
type ProvenanceFields = "decisionId" | "policyVersion" | "decidedAt" | "causationId" | "ledgerSeq";

export class AllocationCore {
  private readonly ledger: BedLedger;
  private readonly cases: CaseStore;
  private readonly policy: ClinicalPolicy;
  private readonly holdMs: number;
  private readonly source: string;

  constructor(options: AllocationCoreOptions) {
    this.ledger = options.ledger;
    this.cases = options.cases;
    this.policy = options.policy;
    this.holdMs = options.policy.holdWindowHours * 3_600_000;
    this.source = options.source;
  }

  async handle(event: AnyCloudEvent): Promise<Outcome> {
    switch (event.type) {
      case "facility.registered":
        return this.registerFacility(event);
      case "facility.beds-changed":
        return this.resize(event);
      case "facility.status-changed":
        return this.setStatus(event);
      case "case.reported":
        return this.report(event);
      case "case.bed-offered":
        return this.acceptOffer(event);
      case "case.reclassified":
      case "case.test-result":
      case "case.withdrawn":
      case "transfer.admitted":
      case "transfer.rejected":
      case "patient.discharged":
        return reject("not_handled", `${event.type} is not handled by this allocator version`);
      case "transfer.ordered":
      case "case.waitlisted":
      case "transfer.cancelled":
      case "case.escalated":
      case "case.release-eligible":
      case "case.closed":
        return reject("wrong_topic", `${event.type} is an allocator output, not an input`);
      default: {
        const unreachable: never = event;
        return unreachable;
      }
    }
  }

  private op(event: AnyCloudEvent) {
    return { opId: opIdOf(event), at: Date.parse(event.time), holdMs: this.holdMs };
  }

  private async registerFacility(event: CloudEvent<"facility.registered">): Promise<Outcome> {
    const f: FacilityRegistered = event.data;
    if (!isKnownDistrict(f.district)) {
      return reject("unknown_district", `district ${f.district} is not one of the configured districts`);
    }
    const result = await this.ledger.registerFacility({
      ...this.op(event),
      facility: {
        facilityId: f.facilityId,
        kind: f.kind,
        district: f.district,
        capabilities: f.capabilities,
        beds: f.beds,
      },
    });
    return { outputs: [], followUps: this.offerEvents(event, result.seq, result.offers) };
  }

  private async resize(event: CloudEvent<"facility.beds-changed">): Promise<Outcome> {
    const d: FacilityBedsChanged = event.data;
    return this.capacityChange(event, () =>
      this.ledger.resize({ ...this.op(event), facilityId: d.facilityId, bedClass: d.bedClass, total: d.total }),
    );
  }

  private async setStatus(event: CloudEvent<"facility.status-changed">): Promise<Outcome> {
    const d: FacilityStatusChanged = event.data;
    return this.capacityChange(event, () =>
      this.ledger.setStatus({ ...this.op(event), facilityId: d.facilityId, status: d.status }),
    );
  }

  private async capacityChange(
    event: AnyCloudEvent,
    change: () => Promise<{ seq: number; offers: Offer[] }>,
  ): Promise<Outcome> {
    try {
      const result = await change();
      return { outputs: [], followUps: this.offerEvents(event, result.seq, result.offers) };
    } catch (error) {
      if (error instanceof LedgerError) return reject(error.code, error.message);
      throw error;
    }
  }

  private offerEvents(cause: AnyCloudEvent, ledgerSeq: number, offers: Offer[]): AnyCloudEvent[] {
    return offers.map((offer) =>
      cloudEvent(
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

  private async report(event: CloudEvent<"case.reported">): Promise<Outcome> {
    const reported: CaseReported = event.data;
    const op = this.op(event);
    const existing = await this.cases.get(reported.caseId);
    if (existing !== undefined && existing.reportedBy !== op.opId) {
      return reject("duplicate_case", `case ${reported.caseId} was already reported`, existing.status);
    }
    const decision = triage(this.policy, reported);
    const placed = await this.ledger.place({
      ...op,
      caseId: reported.caseId,
      transferId: transferIdFor(op.opId, reported.caseId),
      district: reported.district,
      need: { alternatives: decision.alternatives, capabilities: decision.requiredCapabilities },
      priority: decision.priority,
      waitingSince: Date.parse(reported.reportedAt),
    });
    const record: CaseRecord = {
      caseId: reported.caseId,
      status: "waiting",
      reported,
      reportedBy: op.opId,
      policyVersion: decision.policyVersion,
      route: decision.route,
      priority: decision.priority,
      reasons: decision.reasons,
    };
    const provenance = { opId: op.opId, seq: placed.seq, cause: event, record };
    if (placed.outcome === "held") {
      record.status = "ordered";
      record.transferId = placed.transferId;
      record.facilityId = placed.facilityId;
      await this.cases.put(record);
      return {
        outputs: [
          this.decision("transfer.ordered", provenance, {
            transferId: placed.transferId,
            caseId: record.caseId,
            facilityId: placed.facilityId,
            bedClass: placed.bedClass,
            route: placed.route,
            priority: record.priority,
            reasons: record.reasons,
            holdExpiresAt: new Date(placed.holdExpiresAt).toISOString(),
          }),
        ],
        followUps: [],
      };
    }
    if (placed.outcome === "already_placed") {
      // Another input already placed this case (a retried delivery of the same input gets
      // the ledger's recorded answer instead, never this one).
      return reject("duplicate_case", `case ${reported.caseId} already has a ${placed.state.state} allocation`);
    }
    await this.cases.put(record);
    return {
      outputs: [
        this.decision("case.waitlisted", provenance, {
          caseId: record.caseId,
          route: record.route,
          priority: record.priority,
          reasons: record.reasons,
        }),
      ],
      followUps: [],
    };
  }

  private async acceptOffer(event: CloudEvent<"case.bed-offered">): Promise<Outcome> {
    const offer: CaseBedOffered = event.data;
    const record = await this.cases.get(offer.caseId);
    if (record === undefined) return reject("unknown_case", `no case ${offer.caseId} to offer a bed to`);
    const redelivered = record.status === "ordered" && record.transferId === offer.transferId;
    if (record.status !== "waiting" && !redelivered) {
      // The case moved on (withdrawn, placed otherwise) after the ledger held this bed; the
      // ledger released the hold when the case moved on, so there is nothing to order.
      return nothing();
    }
    record.status = "ordered";
    record.transferId = offer.transferId;
    record.facilityId = offer.facilityId;
    await this.cases.put(record);
    const provenance = { opId: opIdOf(event), seq: offer.ledgerSeq, cause: event, record };
    return {
      outputs: [
        this.decision("transfer.ordered", provenance, {
          transferId: offer.transferId,
          caseId: record.caseId,
          facilityId: offer.facilityId,
          bedClass: offer.bedClass,
          route: offer.route,
          priority: record.priority,
          reasons: record.reasons,
          holdExpiresAt: offer.holdExpiresAt,
        }),
      ],
      followUps: [],
    };
  }

  private decision<T extends OutputType>(
    type: T,
    p: { opId: string; seq: number; cause: AnyCloudEvent; record: CaseRecord },
    data: Omit<EventData<T>, ProvenanceFields>,
  ): AnyCloudEvent {
    const decisionId = decisionIdFor(p.opId, p.record.caseId, 0);
    return cloudEvent(
      type as EventType,
      { id: decisionId, source: this.source, time: p.cause.time, subject: p.record.caseId },
      {
        ...data,
        decisionId,
        policyVersion: p.record.policyVersion,
        decidedAt: p.cause.time,
        causationId: p.cause.id,
        ledgerSeq: p.seq,
      } as EventData<T>,
    ) as AnyCloudEvent;
  }
}
