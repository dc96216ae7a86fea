// The in-process ledger: the rules of RedisLedger and its Lua scripts (lua/), kept in plain
// data structures, for audit replay, simulation, what-if planning and fast tests. Results,
// counts and snapshots equal Redis's for the same operations (the contract suite holds
// the two together). Each method below names the script it mirrors; read them side by side.
//
// Cost per operation: Map lookups, plus O(log n) for a queue or hold heap change. Placing
// looks at the facilities available in the nearest districts only, through an index
// of open facilities that have a free bed, as the Lua's `avail` sets do. A freed bed
// checks the head of each waiting queue that could take it; there are few queues, one
// per distinct need.
//
// Ids compare with JavaScript's `<` (UTF-16 code units). That matches Redis's byte order
// (ZSET members; Lua `<` in the C locale) because contract ids are ASCII.
import { hash } from "node:crypto";
import type { BedClass, Capability, FacilityKind, FacilityStatus } from "@fangcang/contracts";
import {
  type AvailableFacilities,
  chooseFacility,
  districtsByDistance,
  type FacilityView,
  type Need,
  queueNameOf,
  waitingScore,
} from "@fangcang/placement";
import {
  type AdmitResult,
  type BedCounts,
  type BedLedger,
  type CapacityResult,
  type CaseAllocation,
  type Expired,
  type ExpiryResult,
  type FacilityDefinition,
  type FacilityInfo,
  type FacilityState,
  LedgerError,
  type LedgerErrorCode,
  type LedgerSnapshot,
  type Offer,
  type OfferCheck,
  type OpContext,
  type Placement,
  type PlaceRequest,
  type PlaceResult,
  type ReleaseResult,
  type RelocateResult,
  type Settled,
} from "./ledger.ts";
import { EXPIRY_BATCH } from "./redis-ledger.ts";

const BED_CLASSES: readonly BedClass[] = ["general", "icu", "shelter"];

/**
 * How many operation results are remembered for idempotency by default: the most recent
 * ones, in the order they were recorded. Redis keeps them 30 days; a replay or simulation
 * re-sends an op id only shortly after its first delivery. 1,000,000 results take about
 * 200-300 MB (measured with a 600,000-case simulation).
 */
export const REMEMBERED_OPS = 1_000_000;

export interface MemoryLedgerOptions {
  /**
   * The most recent operation results kept for idempotency. An op id older than that is
   * forgotten, and repeating it applies the operation again.
   */
  rememberedOps?: number;
}

/** One facility's beds of one class. It exists once the class has had a capacity. */
class BedStock {
  readonly facility: Facility;
  readonly bedClass: BedClass;
  /** What operations asked for; `total` follows it down only as beds in use are freed. */
  capacity = 0;
  total = 0;
  held = 0;
  occupied = 0;

  constructor(facility: Facility, bedClass: BedClass) {
    this.facility = facility;
    this.bedClass = bedClass;
  }

  get free(): number {
    return this.total - this.held - this.occupied;
  }
}

class Facility implements FacilityView {
  readonly facilityId: string;
  kind: FacilityKind;
  district: string;
  status: FacilityStatus = "open";
  /** Sorted, as the Redis ledger stores them. */
  capabilities: Capability[];
  readonly beds = new Map<BedClass, BedStock>();

  constructor(definition: FacilityDefinition) {
    this.facilityId = definition.facilityId;
    this.kind = definition.kind;
    this.district = definition.district;
    this.capabilities = [...definition.capabilities].sort();
  }

  usage(bedClass: BedClass): { used: number; total: number } {
    const beds = this.beds.get(bedClass);
    return beds === undefined ? { used: 0, total: 0 } : { used: beds.held + beds.occupied, total: beds.total };
  }
}

/**
 * A case the ledger knows. Like the Lua's case hash, it keeps its queue and score while it
 * holds a bed, so an expired hold puts the case back in its original place.
 */
class CaseRecord {
  readonly caseId: string;
  state: "waiting" | "held" | "occupied" = "waiting";
  readonly queue: WaitingQueue;
  readonly score: number;
  /** The bed it holds or occupies; null while waiting. */
  bed: BedStock | null = null;
  transferId = "";
  holdExpiresAt = 0;
  /** The one heap the case is in (its queue while waiting, the holds while held), and its entry there. */
  heap: CaseHeap | null = null;
  ticket = 0;
  /** Districts nearest the case's first, to place it again when its hold expires. */
  readonly nearest: readonly string[];

  constructor(caseId: string, queue: WaitingQueue, score: number, nearest: readonly string[]) {
    this.caseId = caseId;
    this.queue = queue;
    this.score = score;
    this.nearest = nearest;
  }

  bedInUse(): BedStock {
    if (this.bed === null) throw new Error(`ledger state broken: case ${this.caseId} is ${this.state} without a bed`);
    return this.bed;
  }
}

/**
 * A binary min-heap of cases ordered by (key, caseId), as a Redis sorted set orders equal
 * scores by member. Keys sit in an array of their own, so sifting reads contiguous memory
 * rather than case records spread over the heap. A case taken out of the middle (released,
 * or admitted out of the holds) stays as a dead entry until it reaches the top, or until
 * dead entries outnumber live ones and the heap is compacted: O(1) amortized.
 */
abstract class CaseHeap {
  private readonly keys: number[] = [];
  private readonly items: CaseRecord[] = [];
  /** Which push made each entry; an entry is live while its case still carries that ticket. */
  private readonly tickets: number[] = [];
  private lastTicket = 0;
  private live = 0;

  protected abstract keyOf(c: CaseRecord): number;

  get size(): number {
    return this.live;
  }

  /** The best live case, or undefined when none is left. */
  peek(): CaseRecord | undefined {
    this.dropDeadHeads();
    return this.items[0];
  }

  push(c: CaseRecord): void {
    c.heap = this;
    c.ticket = ++this.lastTicket;
    this.live++;
    this.keys.push(0);
    this.items.push(c);
    this.tickets.push(0);
    this.siftUp(this.keyOf(c), c, c.ticket, this.items.length - 1);
  }

  /** Takes out the best live case. */
  pop(): CaseRecord | undefined {
    const head = this.peek();
    if (head !== undefined) {
      this.forget(head);
      this.removeHead();
    }
    return head;
  }

  /** Takes out any case it holds; its entry stays behind, dead. */
  discard(c: CaseRecord): void {
    this.forget(c);
    const dead = this.items.length - this.live;
    if (dead > 64 && dead > this.live) this.compact();
  }

  /** Best first, as ZRANGE lists a sorted set. */
  ordered(): CaseRecord[] {
    const live = this.items.filter((c, i) => this.isLive(c, i));
    return live.sort((a, b) => (this.before(this.keyOf(a), a, this.keyOf(b), b) ? -1 : 1));
  }

  private forget(c: CaseRecord): void {
    c.heap = null;
    c.ticket = 0;
    this.live--;
  }

  private isLive(c: CaseRecord, i: number): boolean {
    return c.heap === this && c.ticket === this.tickets[i];
  }

  private dropDeadHeads(): void {
    while (this.items.length > 0 && !this.isLive(this.items[0] as CaseRecord, 0)) this.removeHead();
  }

  private removeHead(): void {
    const key = this.keys.pop() as number;
    const c = this.items.pop() as CaseRecord;
    const ticket = this.tickets.pop() as number;
    if (this.items.length > 0) this.siftDown(key, c, ticket, 0);
  }

  private compact(): void {
    let kept = 0;
    for (let i = 0; i < this.items.length; i++) {
      const c = this.items[i] as CaseRecord;
      if (!this.isLive(c, i)) continue;
      this.keys[kept] = this.keys[i] as number;
      this.items[kept] = c;
      this.tickets[kept] = this.tickets[i] as number;
      kept++;
    }
    this.keys.length = kept;
    this.items.length = kept;
    this.tickets.length = kept;
    for (let i = (kept >> 1) - 1; i >= 0; i--) {
      this.siftDown(this.keys[i] as number, this.items[i] as CaseRecord, this.tickets[i] as number, i);
    }
  }

  private before(ka: number, a: CaseRecord, kb: number, b: CaseRecord): boolean {
    return ka < kb || (ka === kb && a.caseId < b.caseId);
  }

  private set(i: number, key: number, c: CaseRecord, ticket: number): void {
    this.keys[i] = key;
    this.items[i] = c;
    this.tickets[i] = ticket;
  }

  private siftUp(key: number, c: CaseRecord, ticket: number, from: number): void {
    let i = from;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const parentKey = this.keys[parent] as number;
      const parentCase = this.items[parent] as CaseRecord;
      if (!this.before(key, c, parentKey, parentCase)) break;
      this.set(i, parentKey, parentCase, this.tickets[parent] as number);
      i = parent;
    }
    this.set(i, key, c, ticket);
  }

  private siftDown(key: number, c: CaseRecord, ticket: number, from: number): void {
    const n = this.items.length;
    let i = from;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      let childKey = this.keys[child] as number;
      let childCase = this.items[child] as CaseRecord;
      const right = child + 1;
      if (right < n) {
        const rightKey = this.keys[right] as number;
        const rightCase = this.items[right] as CaseRecord;
        if (this.before(rightKey, rightCase, childKey, childCase)) {
          child = right;
          childKey = rightKey;
          childCase = rightCase;
        }
      }
      if (!this.before(childKey, childCase, key, c)) break;
      this.set(i, childKey, childCase, this.tickets[child] as number);
      i = child;
    }
    this.set(i, key, c, ticket);
  }
}

/** The cases with one need, best first: lowest waiting score, then case id. */
class WaitingQueue extends CaseHeap {
  readonly name: string;
  readonly need: Need;
  readonly capabilities: readonly Capability[];

  constructor(name: string, need: Need) {
    super();
    this.name = name;
    this.need = need;
    this.capabilities = [...need.capabilities];
  }

  protected override keyOf(c: CaseRecord): number {
    return c.score;
  }
}

/** Held beds by expiry, then case id, as ZRANGEBYSCORE returns them. */
class HoldsByExpiry extends CaseHeap {
  protected override keyOf(c: CaseRecord): number {
    return c.holdExpiresAt;
  }
}

/** Open facilities with a free bed of one kind and class: the Lua's `avail` sets. */
interface Availability {
  count: number;
  byDistrict: Map<string, Set<Facility>>;
}

type Recorded = Settled;

const none: ReadonlySet<Facility> = new Set();

function hasAll(have: readonly Capability[], need: readonly Capability[]): boolean {
  for (const capability of need) if (!have.includes(capability)) return false;
  return true;
}

function allocationOf(c: CaseRecord): CaseAllocation {
  switch (c.state) {
    case "waiting":
      return { state: "waiting", queue: c.queue.name, score: c.score };
    case "held": {
      const bed = c.bedInUse();
      return {
        state: "held",
        facilityId: bed.facility.facilityId,
        bedClass: bed.bedClass,
        transferId: c.transferId,
        holdExpiresAt: c.holdExpiresAt,
      };
    }
    case "occupied": {
      const bed = c.bedInUse();
      return {
        state: "occupied",
        facilityId: bed.facility.facilityId,
        bedClass: bed.bedClass,
        transferId: c.transferId,
      };
    }
    default: {
      const unknown: never = c.state;
      throw new Error(`unknown case state ${String(unknown)}`);
    }
  }
}

/**
 * The ledger in memory. Returned results are the recorded ones (a repeated op id gets the
 * same object back), so treat them as read-only.
 */
export class MemoryLedger implements BedLedger {
  private seq = 0;
  private readonly facilities = new Map<string, Facility>();
  private readonly cases = new Map<string, CaseRecord>();
  private readonly queues = new Map<string, WaitingQueue>();
  /** Every queue that could take a bed of a kind and class, before capabilities. */
  private readonly queuesByBed = new Map<FacilityKind, Map<BedClass, WaitingQueue[]>>();
  private readonly available = new Map<FacilityKind, Map<BedClass, Availability>>();
  private readonly holds = new HoldsByExpiry();
  private readonly results = new Map<string, Recorded>();
  /**
   * The op ids in `results`, as a ring in the order they were recorded: the slot written
   * next holds the oldest. (Evicting through `results.keys().next()` instead slows to a
   * crawl: V8 leaves deleted Map entries as holes that each new iterator walks past.)
   */
  private readonly recordedOpIds: string[] = [];
  private oldestSlot = 0;
  private readonly rememberedOps: number;

  constructor(options: MemoryLedgerOptions = {}) {
    this.rememberedOps = options.rememberedOps ?? REMEMBERED_OPS;
    if (!Number.isInteger(this.rememberedOps) || this.rememberedOps < 1) {
      throw new RangeError(`rememberedOps must be a positive integer, got ${this.rememberedOps}`);
    }
  }

  /** lua/registerFacility.lua */
  async registerFacility(op: OpContext & { facility: FacilityDefinition }): Promise<CapacityResult> {
    const earlier = this.results.get(op.opId);
    if (earlier !== undefined) return earlier;
    const definition = op.facility;
    const beds = Object.entries(definition.beds) as [BedClass, number | undefined][];
    for (const [bedClass, total] of beds) {
      // The Lua reads only digits here and fails half-way through on anything else.
      if (!Number.isSafeInteger(total) || (total as number) < 0) {
        throw new RangeError(
          `registerFacility: ${definition.facilityId} ${bedClass} beds must be a whole number >= 0, got ${total} (op ${op.opId})`,
        );
      }
    }
    let facility = this.facilities.get(definition.facilityId);
    if (facility === undefined) {
      facility = new Facility(definition);
      this.facilities.set(facility.facilityId, facility);
    } else {
      for (const bedClass of BED_CLASSES) this.unlist(facility, bedClass);
      facility.kind = definition.kind;
      facility.district = definition.district;
      facility.capabilities = [...definition.capabilities].sort();
    }
    const seq = ++this.seq;
    for (const [bedClass, total] of beds) {
      const stock = this.stockOf(facility, bedClass);
      stock.capacity = total as number;
      stock.total = Math.max(stock.capacity, stock.held + stock.occupied);
    }
    const offers: Offer[] = [];
    for (const bedClass of BED_CLASSES) {
      this.refreshAvailability(facility, bedClass);
      this.offerFreeBeds(facility, bedClass, op, offers);
    }
    return this.settle(op, { seq }, offers);
  }

  /** lua/resize.lua */
  async resize(op: OpContext & { facilityId: string; bedClass: BedClass; total: number }): Promise<CapacityResult> {
    const earlier = this.results.get(op.opId);
    if (earlier !== undefined) return earlier;
    const facility = this.facilityOrThrow("resize", op);
    const seq = ++this.seq;
    const stock = this.stockOf(facility, op.bedClass);
    stock.capacity = op.total;
    stock.total = Math.max(op.total, stock.held + stock.occupied);
    const offers: Offer[] = [];
    this.refreshAvailability(facility, op.bedClass);
    this.offerFreeBeds(facility, op.bedClass, op, offers);
    return this.settle(op, { seq }, offers);
  }

  /** lua/setStatus.lua */
  async setStatus(op: OpContext & { facilityId: string; status: FacilityStatus }): Promise<CapacityResult> {
    const earlier = this.results.get(op.opId);
    if (earlier !== undefined) return earlier;
    const facility = this.facilityOrThrow("setStatus", op);
    const seq = ++this.seq;
    facility.status = op.status;
    const offers: Offer[] = [];
    for (const bedClass of BED_CLASSES) {
      this.refreshAvailability(facility, bedClass);
      this.offerFreeBeds(facility, bedClass, op, offers);
    }
    return this.settle(op, { seq }, offers);
  }

  /** lua/place.lua */
  async place(request: PlaceRequest): Promise<PlaceResult> {
    // Computed before the idempotency check, as RedisLedger computes the script's arguments.
    const placing = this.placing(request);
    const earlier = this.results.get(request.opId);
    // An op id first used by another kind of operation comes back as it was, as from Redis.
    if (earlier !== undefined) return earlier as PlaceResult;
    const seq = ++this.seq;
    return this.settle(request, { seq, ...this.placeCase(placing, request) }, []);
  }

  /** lua/relocate.lua */
  async relocate(request: PlaceRequest): Promise<RelocateResult> {
    const placing = this.placing(request);
    const earlier = this.results.get(request.opId);
    if (earlier !== undefined) return earlier as RelocateResult;
    const seq = ++this.seq;
    const offers: Offer[] = [];
    const released = this.releaseCase(request.caseId, request, offers);
    const placed = this.placeCase(placing, request);
    return this.settle(request, { seq, released, placed }, offers);
  }

  /** lua/admit.lua */
  async admit(op: OpContext & { caseId: string; transferId: string; facilityId: string }): Promise<AdmitResult> {
    const earlier = this.results.get(op.opId);
    if (earlier !== undefined) return earlier as AdmitResult;
    const seq = ++this.seq;
    const c = this.cases.get(op.caseId);
    const reject = (code: LedgerErrorCode) => this.settle(op, { outcome: "rejected" as const, seq, code }, []);
    if (c?.state === "occupied" && c.transferId === op.transferId) return reject("already_admitted");
    if (c?.state !== "held") return reject("no_such_hold");
    const stock = c.bedInUse();
    if (c.transferId !== op.transferId || stock.facility.facilityId !== op.facilityId) {
      return reject("transfer_mismatch");
    }
    stock.held--;
    stock.occupied++;
    c.state = "occupied";
    this.holds.discard(c);
    return this.settle(
      op,
      { outcome: "admitted" as const, seq, facilityId: op.facilityId, bedClass: stock.bedClass },
      [],
    );
  }

  /** lua/release.lua */
  async release(op: OpContext & { caseId: string }): Promise<ReleaseResult> {
    const earlier = this.results.get(op.opId);
    if (earlier !== undefined) return earlier as ReleaseResult;
    const seq = ++this.seq;
    const offers: Offer[] = [];
    const released = this.releaseCase(op.caseId, op, offers);
    return this.settle(op, { seq, released }, offers);
  }

  /** lua/confirmOffer.lua */
  async confirmOffer(op: OpContext & { caseId: string; transferId: string }): Promise<OfferCheck> {
    const earlier = this.results.get(op.opId);
    if (earlier !== undefined) return earlier as OfferCheck;
    const seq = ++this.seq;
    const c = this.cases.get(op.caseId);
    return this.settle(op, { seq, current: c?.state === "held" && c.transferId === op.transferId }, []);
  }

  /** lua/expireHolds.lua */
  async expireHolds(op: OpContext): Promise<ExpiryResult> {
    const earlier = this.results.get(op.opId);
    if (earlier !== undefined) return earlier;
    return this.settle(op, { seq: ++this.seq }, []);
  }

  /** place-1.lua's arguments, as RedisLedger computes them. */
  private placing(request: PlaceRequest) {
    return {
      queueName: queueNameOf(request.need),
      score: waitingScore(request.priority, request.waitingSince),
      nearest: districtsByDistance(request.district),
    };
  }

  /** common.lua placeCase */
  private placeCase(placing: ReturnType<MemoryLedger["placing"]>, request: PlaceRequest): Placement {
    const { queueName, score, nearest } = placing;
    const existing = this.cases.get(request.caseId);
    if (existing !== undefined) return { outcome: "already_placed", state: allocationOf(existing) };
    const queue = this.queueFor(queueName, request.need);
    const c = new CaseRecord(request.caseId, queue, score, nearest);
    this.cases.set(c.caseId, c);
    const excluded = request.exclude ?? [];
    const available = excluded.length === 0 ? this.availableFacilities : this.availableExcept(excluded);
    const choice = this.anyAvailable(request.need) ? chooseFacility(request.need, nearest, available) : null;
    if (choice !== null) {
      const facility = this.facilities.get(choice.facilityId) as Facility;
      const stock = this.stockOf(facility, choice.bedClass);
      this.holdBed(c, stock, request.transferId, request);
      return {
        outcome: "held",
        transferId: c.transferId,
        facilityId: facility.facilityId,
        bedClass: stock.bedClass,
        route: facility.kind,
        holdExpiresAt: c.holdExpiresAt,
      };
    }
    queue.push(c);
    return { outcome: "waitlisted", queue: queueName };
  }

  /** common.lua releaseCase */
  private releaseCase(caseId: string, op: OpContext, offers: Offer[]): CaseAllocation | null {
    const c = this.cases.get(caseId);
    if (c === undefined) return null;
    const released = allocationOf(c);
    this.cases.delete(c.caseId);
    if (c.state === "waiting") {
      c.queue.discard(c);
    } else {
      const stock = c.bedInUse();
      if (c.state === "held") {
        stock.held--;
        this.holds.discard(c);
      } else {
        stock.occupied--;
      }
      c.bed = null;
      shrinkToCapacity(stock);
      this.refreshAvailability(stock.facility, stock.bedClass);
      this.offerFreeBeds(stock.facility, stock.bedClass, op, offers);
    }
    return released;
  }

  /**
   * common.lua settle: every operation ends by expiring the holds due at its event time,
   * then is recorded under its op id.
   */
  private settle<T extends { seq: number }>(op: OpContext, result: T, offers: Offer[]): T & Settled {
    const expired = this.expireDueHolds(op, offers);
    return this.record(op.opId, { ...result, offers, expired, nextDue: this.nextDue() });
  }

  /** common.lua expireDueHolds */
  private expireDueHolds(op: OpContext, offers: Offer[]): Expired[] {
    // Most operations find no hold due: nothing more to build than the empty result.
    const first = this.holds.peek();
    if (first === undefined || first.holdExpiresAt > op.at) return [];
    const due: CaseRecord[] = [];
    while (due.length < EXPIRY_BATCH) {
      const next = this.holds.peek();
      if (next === undefined || next.holdExpiresAt > op.at) break;
      this.holds.pop();
      due.push(next);
    }
    const expired: Expired[] = [];
    if (due.length === 0) return expired;
    const freed: BedStock[] = [];
    for (const c of due) {
      const stock = c.bedInUse();
      stock.held--;
      expired.push({
        caseId: c.caseId,
        transferId: c.transferId,
        facilityId: stock.facility.facilityId,
        bedClass: stock.bedClass,
      });
      freed.push(stock);
      c.state = "waiting";
      c.bed = null;
      c.transferId = "";
      c.holdExpiresAt = 0;
      c.queue.push(c);
    }
    const toOffer = new Set(freed);
    for (const stock of toOffer) {
      shrinkToCapacity(stock);
      this.refreshAvailability(stock.facility, stock.bedClass);
    }
    // Each freed bed is offered once, in the order its first hold expired.
    for (const stock of freed) {
      if (toOffer.delete(stock)) this.offerFreeBeds(stock.facility, stock.bedClass, op, offers);
    }
    // An expired case still waiting takes any other fitting free bed.
    for (const c of due) {
      if (c.state !== "waiting" || !this.anyAvailable(c.queue.need)) continue;
      const choice = chooseFacility(c.queue.need, c.nearest, this.availableFacilities);
      if (choice === null) continue;
      const facility = this.facilities.get(choice.facilityId) as Facility;
      const stock = this.stockOf(facility, choice.bedClass);
      c.queue.discard(c);
      this.holdBed(c, stock, transferIdFor(op.opId, c.caseId), op);
      offers.push({
        caseId: c.caseId,
        transferId: c.transferId,
        facilityId: facility.facilityId,
        bedClass: stock.bedClass,
        route: facility.kind,
        holdExpiresAt: c.holdExpiresAt,
      });
    }
    return expired;
  }

  async allocationOf(caseId: string): Promise<CaseAllocation | undefined> {
    const c = this.cases.get(caseId);
    return c === undefined ? undefined : allocationOf(c);
  }

  async facilityInfo(facilityId: string): Promise<FacilityInfo | undefined> {
    const facility = this.facilities.get(facilityId);
    if (facility === undefined) return undefined;
    return {
      kind: facility.kind,
      district: facility.district,
      capabilities: [...facility.capabilities],
      status: facility.status,
    };
  }

  /** The same shape and order as RedisLedger.snapshot; a fresh copy. */
  async snapshot(): Promise<LedgerSnapshot> {
    const facilities: FacilityState[] = [];
    for (const id of [...this.facilities.keys()].sort()) {
      const facility = this.facilities.get(id) as Facility;
      const counts: Partial<Record<BedClass, BedCounts>> = {};
      const beds: Partial<Record<BedClass, number>> = {};
      for (const bedClass of BED_CLASSES) {
        const stock = facility.beds.get(bedClass);
        if (stock === undefined) continue;
        const { total, held, occupied, capacity } = stock;
        counts[bedClass] = { total, held, occupied, free: stock.free, capacity };
        beds[bedClass] = capacity;
      }
      facilities.push({
        facilityId: id,
        kind: facility.kind,
        district: facility.district,
        capabilities: [...facility.capabilities],
        beds,
        status: facility.status,
        counts,
      });
    }
    const cases: Record<string, CaseAllocation> = {};
    for (const [caseId, c] of this.cases) cases[caseId] = allocationOf(c);
    const queues: Record<string, string[]> = {};
    for (const name of [...this.queues.keys()].sort()) {
      const queue = this.queues.get(name) as WaitingQueue;
      if (queue.size > 0) queues[name] = queue.ordered().map((c) => c.caseId);
    }
    return { seq: this.seq, facilities, cases, queues };
  }

  /** When the earliest remaining hold expires, after this operation's own holds. */
  private nextDue(): number | null {
    return this.holds.peek()?.holdExpiresAt ?? null;
  }

  private record<T extends Settled>(opId: string, result: T): T {
    this.results.set(opId, result);
    if (this.recordedOpIds.length < this.rememberedOps) {
      this.recordedOpIds.push(opId);
    } else {
      this.results.delete(this.recordedOpIds[this.oldestSlot] as string);
      this.recordedOpIds[this.oldestSlot] = opId;
      this.oldestSlot = (this.oldestSlot + 1) % this.rememberedOps;
    }
    return result;
  }

  /** Unknown facilities are an error, not a result: like the Lua, it is not recorded. */
  private facilityOrThrow(operation: string, op: OpContext & { facilityId: string }): Facility {
    const facility = this.facilities.get(op.facilityId);
    if (facility === undefined) {
      throw new LedgerError("unknown_facility", `${operation}: unknown_facility (op ${op.opId})`);
    }
    return facility;
  }

  private stockOf(facility: Facility, bedClass: BedClass): BedStock {
    let stock = facility.beds.get(bedClass);
    if (stock === undefined) {
      stock = new BedStock(facility, bedClass);
      facility.beds.set(bedClass, stock);
    }
    return stock;
  }

  private queueFor(name: string, need: Need): WaitingQueue {
    let queue = this.queues.get(name);
    if (queue === undefined) {
      queue = new WaitingQueue(name, need);
      this.queues.set(name, queue);
      for (const { kind, bedClass } of need.alternatives) {
        let byClass = this.queuesByBed.get(kind);
        if (byClass === undefined) {
          byClass = new Map();
          this.queuesByBed.set(kind, byClass);
        }
        const list = byClass.get(bedClass);
        if (list === undefined) byClass.set(bedClass, [queue]);
        else if (!list.includes(queue)) list.push(queue);
      }
    }
    return queue;
  }

  /** Whether any alternative has an open facility with a free bed (the Lua's SCARD check). */
  private anyAvailable(need: Need): boolean {
    for (const { kind, bedClass } of need.alternatives) {
      if ((this.available.get(kind)?.get(bedClass)?.count ?? 0) > 0) return true;
    }
    return false;
  }

  /** Skips facilities a request excludes (one that just rejected the case); rare, so it may allocate. */
  private availableExcept(excluded: readonly string[]): AvailableFacilities {
    return (kind, bedClass, district) =>
      [...this.availableFacilities(kind, bedClass, district)].filter((f) => !excluded.includes(f.facilityId));
  }

  private readonly availableFacilities: AvailableFacilities = (kind, bedClass, district) => {
    return this.available.get(kind)?.get(bedClass)?.byDistrict.get(district) ?? none;
  };

  /** common.lua refreshAvailability: listed exactly while open with a free bed. */
  private refreshAvailability(facility: Facility, bedClass: BedClass): void {
    const stock = facility.beds.get(bedClass);
    if (facility.status === "open" && stock !== undefined && stock.free > 0) this.list(facility, bedClass);
    else this.unlist(facility, bedClass);
  }

  private list(facility: Facility, bedClass: BedClass): void {
    let byClass = this.available.get(facility.kind);
    if (byClass === undefined) {
      byClass = new Map();
      this.available.set(facility.kind, byClass);
    }
    let availability = byClass.get(bedClass);
    if (availability === undefined) {
      availability = { count: 0, byDistrict: new Map() };
      byClass.set(bedClass, availability);
    }
    let inDistrict = availability.byDistrict.get(facility.district);
    if (inDistrict === undefined) {
      inDistrict = new Set();
      availability.byDistrict.set(facility.district, inDistrict);
    }
    if (!inDistrict.has(facility)) {
      inDistrict.add(facility);
      availability.count++;
    }
  }

  private unlist(facility: Facility, bedClass: BedClass): void {
    const availability = this.available.get(facility.kind)?.get(bedClass);
    if (availability?.byDistrict.get(facility.district)?.delete(facility) === true) availability.count--;
  }

  /** common.lua holdBed */
  private holdBed(c: CaseRecord, stock: BedStock, transferId: string, op: OpContext): void {
    stock.held++;
    c.state = "held";
    c.bed = stock;
    c.transferId = transferId;
    c.holdExpiresAt = op.at + op.holdMs;
    this.holds.push(c);
    this.refreshAvailability(stock.facility, stock.bedClass);
  }

  /**
   * common.lua offerFreeBeds: each free bed goes to the best head among the queues it fits
   * (lowest score, then case id), held atomically with the pop.
   */
  private offerFreeBeds(facility: Facility, bedClass: BedClass, op: OpContext, offers: Offer[]): void {
    if (facility.status !== "open") return;
    const stock = facility.beds.get(bedClass);
    const candidates = this.queuesByBed.get(facility.kind)?.get(bedClass);
    if (stock === undefined || candidates === undefined) return;
    while (stock.free > 0) {
      let best: CaseRecord | undefined;
      for (const queue of candidates) {
        const head = queue.peek();
        if (head === undefined || !hasAll(facility.capabilities, queue.capabilities)) continue;
        if (best === undefined || head.score < best.score || (head.score === best.score && head.caseId < best.caseId)) {
          best = head;
        }
      }
      if (best === undefined) return;
      best.queue.pop();
      this.holdBed(best, stock, transferIdFor(op.opId, best.caseId), op);
      offers.push({
        caseId: best.caseId,
        transferId: best.transferId,
        facilityId: facility.facilityId,
        bedClass,
        route: facility.kind,
        holdExpiresAt: best.holdExpiresAt,
      });
    }
  }
}

/** common.lua shrinkToCapacity: the total follows freed beds down to the capacity. */
function shrinkToCapacity(stock: BedStock): void {
  if (stock.total > stock.capacity) stock.total = Math.max(stock.capacity, stock.held + stock.occupied);
}

/** common.lua transferIdFor: derived from the op id, so a replay offers the same transfer. */
function transferIdFor(opId: string, caseId: string): string {
  return `tr-${hash("sha1", `${opId}|${caseId}`, "hex").slice(0, 20)}`;
}
