// The bed ledger: per facility and bed class, total = free + held + occupied; per case, at
// most one bed or one place in the waiting queue. Two implementations share these
// semantics exactly: RedisLedger (atomic Lua scripts, the production effect) and
// MemoryLedger (replay, simulation, fast tests). `ledger-contract.ts` is the one
// specification both must pass.
//
// Every operation is idempotent by the caller's `opId`: repeating an opId returns the first
// result and changes nothing. Every operation takes the next ledger sequence number the
// first time it runs, and the allocator makes at most one operation per input, so the
// inputs handled by several workers have one total order an auditor can replay.
import type { BedClass, Capability, FacilityKind, FacilityStatus } from "@fangcang/contracts";
import type { Need } from "@fangcang/placement";

export interface FacilityDefinition {
  facilityId: string;
  kind: FacilityKind;
  district: string;
  capabilities: Capability[];
  beds: Partial<Record<BedClass, number>>;
}

/** Time in milliseconds since the epoch, always taken from an event, never from a clock. */
export type EventTimeMs = number;

export interface OpContext {
  opId: string;
  /** The event time of the input that caused the operation. */
  at: EventTimeMs;
  /** How long a hold made by this operation lasts before it expires. */
  holdMs: number;
}

/** A bed the ledger held for a waiting case, which that case's owner must now order. */
export interface Offer {
  caseId: string;
  transferId: string;
  facilityId: string;
  bedClass: BedClass;
  /** The kind of the facility, which is the transfer's route. */
  route: FacilityKind;
  holdExpiresAt: EventTimeMs;
}

/** A hold the ledger released because the event time passed its expiry. */
export interface Expired {
  caseId: string;
  transferId: string;
  facilityId: string;
  bedClass: BedClass;
}

/**
 * What every operation's result carries. `seq` is the sequence number the operation took
 * (each operation takes exactly one the first time it runs; a repeated op id returns the
 * first result). Every operation ends by expiring the holds due at its event time:
 * `expired` lists them, `offers` the beds it held for waiting cases (its own freed beds
 * first, then those the expiry freed), `nextDue` when the earliest remaining hold expires.
 */
export interface Settled {
  seq: number;
  offers: Offer[];
  expired: Expired[];
  nextDue: EventTimeMs | null;
}

export interface HeldBed {
  outcome: "held";
  transferId: string;
  facilityId: string;
  bedClass: BedClass;
  route: FacilityKind;
  holdExpiresAt: EventTimeMs;
}

export interface Waitlisted {
  outcome: "waitlisted";
  queue: string;
}

/** The case already has a bed or a queue place; nothing changed. */
export interface AlreadyPlaced {
  outcome: "already_placed";
  state: CaseAllocation;
}

export type Placement = HeldBed | Waitlisted | AlreadyPlaced;
export type PlaceResult = Placement & Settled;

export type CaseAllocation =
  | { state: "waiting"; queue: string; score: number }
  | {
      state: "held";
      facilityId: string;
      bedClass: BedClass;
      transferId: string;
      holdExpiresAt: EventTimeMs;
    }
  | { state: "occupied"; facilityId: string; bedClass: BedClass; transferId: string };

export interface PlaceRequest extends OpContext {
  caseId: string;
  /** The transfer id to use if a bed is held now (derived from the input, so replays agree). */
  transferId: string;
  district: string;
  need: Need;
  /** Higher is more urgent. */
  priority: number;
  /** When the case started waiting; earlier waits first among equal priorities. */
  waitingSince: EventTimeMs;
  /** Facilities not to hold a bed in now (one that just rejected the case). */
  exclude?: string[];
}

export type AdmitResult = (
  | { outcome: "admitted"; facilityId: string; bedClass: BedClass }
  | { outcome: "rejected"; code: LedgerErrorCode }
) &
  Settled;

export interface ReleaseResult extends Settled {
  /** What the case had: a bed (now free) or a queue place (now left), or nothing. */
  released: CaseAllocation | null;
}

export interface RelocateResult extends ReleaseResult {
  placed: Placement;
}

export interface OfferCheck extends Settled {
  /** Whether the case still holds the offered bed under that transfer. */
  current: boolean;
}

export type CapacityResult = Settled;
export type ExpiryResult = Settled;

export interface FacilityInfo {
  kind: FacilityKind;
  district: string;
  capabilities: Capability[];
  status: FacilityStatus;
}

export const LedgerErrorCode = {
  unknownFacility: "unknown_facility",
  noSuchHold: "no_such_hold",
  transferMismatch: "transfer_mismatch",
  alreadyAdmitted: "already_admitted",
} as const;
export type LedgerErrorCode = (typeof LedgerErrorCode)[keyof typeof LedgerErrorCode];

export class LedgerError extends Error {
  readonly code: LedgerErrorCode;
  constructor(code: LedgerErrorCode, message: string) {
    super(message);
    this.name = "LedgerError";
    this.code = code;
  }
}

export interface BedCounts {
  total: number;
  free: number;
  held: number;
  occupied: number;
  /** The total operations asked for; below `total` while beds in use wait to be freed. */
  capacity: number;
}

export interface FacilityState extends FacilityDefinition {
  status: FacilityStatus;
  counts: Partial<Record<BedClass, BedCounts>>;
}

export interface LedgerSnapshot {
  seq: number;
  facilities: FacilityState[];
  cases: Record<string, CaseAllocation>;
  /** Waiting case ids per queue, best first. */
  queues: Record<string, string[]>;
}

export interface BedLedger {
  registerFacility(op: OpContext & { facility: FacilityDefinition }): Promise<CapacityResult>;
  resize(op: OpContext & { facilityId: string; bedClass: BedClass; total: number }): Promise<CapacityResult>;
  setStatus(op: OpContext & { facilityId: string; status: FacilityStatus }): Promise<CapacityResult>;
  place(request: PlaceRequest): Promise<PlaceResult>;
  admit(op: OpContext & { caseId: string; transferId: string; facilityId: string }): Promise<AdmitResult>;
  release(op: OpContext & { caseId: string }): Promise<ReleaseResult>;
  /** release, then place, as one operation. */
  relocate(request: PlaceRequest): Promise<RelocateResult>;
  /** Whether an offered bed is still held for the case, read in the ledger's order. */
  confirmOffer(op: OpContext & { caseId: string; transferId: string }): Promise<OfferCheck>;
  /** Nothing but the expiry every operation ends with. */
  expireHolds(op: OpContext): Promise<ExpiryResult>;
  /** What a case has now: a held or occupied bed, a queue place, or nothing. Not ordered with writers. */
  allocationOf(caseId: string): Promise<CaseAllocation | undefined>;
  facilityInfo(facilityId: string): Promise<FacilityInfo | undefined>;
  snapshot(): Promise<LedgerSnapshot>;
}
