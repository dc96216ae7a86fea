// The production ledger: every operation is one atomic Lua script (see lua/), so the
// ledger and the waiting queue change together or not at all.
import type { BedClass, FacilityKind, FacilityStatus } from "@fangcang/contracts";
import { districtsByDistance, queueNameOf, waitingScore } from "@fangcang/placement";
import type { Redis } from "ioredis";
import { type LedgerKeys, ledgerKeys } from "./keys.ts";
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
import { type BatchRunner, ledgerScript, type OperationCall, type OperationName } from "./script-loader.ts";

const bedClasses: BedClass[] = ["general", "icu", "shelter"];
/** The most holds one operation expires (EXPIRY_BATCH in common.lua); the next expires the rest. */
export const EXPIRY_BATCH = 1000;

/** cjson encodes an empty Lua table as {}; the contract's lists are lists. */
function list<T>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

/** place-1.lua's and relocate-1.lua's arguments from ARGV[5] on. */
function placementArgs(request: PlaceRequest): (string | number)[] {
  const { need } = request;
  return [
    request.caseId,
    request.transferId,
    queueNameOf(need),
    need.alternatives.map((a) => `${a.kind}.${a.bedClass}`).join(","),
    [...need.capabilities].sort().join(","),
    waitingScore(request.priority, request.waitingSince),
    districtsByDistance(request.district).join(","),
    (request.exclude ?? []).join(","),
    request.district,
  ];
}

function placementFrom(raw: Record<string, unknown>): Placement {
  switch (raw.outcome) {
    case "held":
      return {
        outcome: "held",
        transferId: raw.transferId as string,
        facilityId: raw.facilityId as string,
        bedClass: raw.bedClass as BedClass,
        route: raw.route as FacilityKind,
        holdExpiresAt: raw.holdExpiresAt as number,
      };
    case "waitlisted":
      return { outcome: "waitlisted", queue: raw.queue as string };
    default:
      return { outcome: "already_placed", state: allocationFrom(raw.state as Record<string, string>) };
  }
}

function allocationFrom(raw: Record<string, string>): CaseAllocation {
  switch (raw.state) {
    case "waiting":
      return { state: "waiting", queue: raw.queue ?? "", score: Number(raw.score) };
    case "held":
      return {
        state: "held",
        facilityId: raw.facilityId ?? "",
        bedClass: raw.bedClass as BedClass,
        transferId: raw.transferId ?? "",
        holdExpiresAt: Number(raw.holdExpiresAt),
      };
    default:
      return {
        state: "occupied",
        facilityId: raw.facilityId ?? "",
        bedClass: raw.bedClass as BedClass,
        transferId: raw.transferId ?? "",
      };
  }
}

/**
 * The most operations one script call runs: Redis runs nothing else meanwhile, so a call is
 * kept to a few milliseconds; the calls of a bigger batch still share one round trip.
 */
export const MAX_OPERATIONS_PER_CALL = 100;

interface PendingOperation {
  call: OperationCall;
  resolve: (raw: string) => void;
  reject: (error: Error) => void;
}

export class RedisLedger implements BedLedger {
  readonly keys: LedgerKeys;
  private readonly redis: Redis;
  private readonly runBatch: BatchRunner;
  private pending: PendingOperation[] = [];

  constructor(redis: Redis, namespace = "fangcang") {
    this.redis = redis;
    this.keys = ledgerKeys(namespace);
    this.runBatch = ledgerScript(redis);
  }

  /**
   * Operations asked for at the same moment (the cases of a batch, each awaiting its own)
   * are run together, in the order asked, by one script call per MAX_OPERATIONS_PER_CALL:
   * the same order and results as one call each, without each call's overhead. Gathered
   * until the current microtasks have run, as ioredis gathers its auto-pipeline.
   */
  private call(name: OperationName, op: OpContext, args: (string | number)[]): Promise<string> {
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0) process.nextTick(() => this.flush());
      this.pending.push({ call: { name, args: [op.opId, op.at, op.holdMs, ...args] }, resolve, reject });
    });
  }

  private flush(): void {
    const pending = this.pending;
    this.pending = [];
    for (let start = 0; start < pending.length; start += MAX_OPERATIONS_PER_CALL) {
      const chunk = pending.slice(start, start + MAX_OPERATIONS_PER_CALL);
      this.runBatch(
        this.keys.seq,
        this.keys.prefix,
        chunk.map((p) => p.call),
      ).then(
        (results) => {
          chunk.forEach((p, i) => {
            const raw = results[i];
            if (raw === undefined)
              p.reject(new Error(`ledger script returned ${results.length} of ${chunk.length} results`));
            else p.resolve(raw);
          });
        },
        (error: Error) => {
          for (const p of chunk) p.reject(error);
        },
      );
    }
  }

  private async run(
    name: OperationName,
    op: OpContext,
    ...args: (string | number)[]
  ): Promise<Record<string, unknown>> {
    const raw = await this.call(name, op, args);
    const result = JSON.parse(raw) as Record<string, unknown>;
    if (typeof result.error === "string") {
      throw new LedgerError(result.error as "unknown_facility", `${name}: ${result.error} (op ${op.opId})`);
    }
    return result;
  }

  /** The fields every script's result ends with (see settle in common.lua). */
  private settled(result: Record<string, unknown>): Settled {
    return {
      seq: result.seq as number,
      offers: list<Offer>(result.offers),
      expired: list<Expired>(result.expired),
      nextDue: typeof result.nextDue === "number" ? result.nextDue : null,
    };
  }

  async registerFacility(op: OpContext & { facility: FacilityDefinition }): Promise<CapacityResult> {
    const f = op.facility;
    const beds = Object.entries(f.beds)
      .map(([bedClass, total]) => `${bedClass}=${total}`)
      .join(",");
    const caps = [...f.capabilities].sort().join(",");
    return this.settled(await this.run("registerFacility", op, f.facilityId, f.kind, f.district, caps, beds));
  }

  async resize(op: OpContext & { facilityId: string; bedClass: BedClass; total: number }): Promise<CapacityResult> {
    return this.settled(await this.run("resize", op, op.facilityId, op.bedClass, op.total));
  }

  async setStatus(op: OpContext & { facilityId: string; status: FacilityStatus }): Promise<CapacityResult> {
    return this.settled(await this.run("setStatus", op, op.facilityId, op.status));
  }

  async place(request: PlaceRequest): Promise<PlaceResult> {
    const result = await this.run("place", request, ...placementArgs(request));
    return { ...placementFrom(result), ...this.settled(result) };
  }

  async relocate(request: PlaceRequest): Promise<RelocateResult> {
    const result = await this.run("relocate", request, ...placementArgs(request));
    const released = result.released as Record<string, string> | undefined;
    return {
      ...this.settled(result),
      released: released ? allocationFrom(released) : null,
      placed: placementFrom(result.placed as Record<string, unknown>),
    };
  }

  async admit(op: OpContext & { caseId: string; transferId: string; facilityId: string }): Promise<AdmitResult> {
    const result = await this.run("admit", op, op.caseId, op.transferId, op.facilityId);
    const settled = this.settled(result);
    return result.outcome === "admitted"
      ? {
          outcome: "admitted",
          facilityId: result.facilityId as string,
          bedClass: result.bedClass as BedClass,
          ...settled,
        }
      : { outcome: "rejected", code: result.code as LedgerErrorCode, ...settled };
  }

  async release(op: OpContext & { caseId: string }): Promise<ReleaseResult> {
    const result = await this.run("release", op, op.caseId);
    const released = result.released as Record<string, string> | undefined;
    return { ...this.settled(result), released: released ? allocationFrom(released) : null };
  }

  async confirmOffer(op: OpContext & { caseId: string; transferId: string }): Promise<OfferCheck> {
    const result = await this.run("confirmOffer", op, op.caseId, op.transferId);
    return { ...this.settled(result), current: result.current === true };
  }

  async expireHolds(op: OpContext): Promise<ExpiryResult> {
    return this.settled(await this.run("expireHolds", op));
  }

  async allocationOf(caseId: string): Promise<CaseAllocation | undefined> {
    const raw = await this.redis.hgetall(this.keys.caseAllocation(caseId));
    return raw.state === undefined ? undefined : allocationFrom(raw);
  }

  async facilityInfo(facilityId: string): Promise<FacilityInfo | undefined> {
    const [kind, district, caps, status] = await this.redis.hmget(
      this.keys.facility(facilityId),
      "kind",
      "district",
      "caps",
      "status",
    );
    if (kind === null) return undefined;
    return {
      kind: kind as FacilityInfo["kind"],
      district: district ?? "",
      capabilities: (caps ?? "").split(",").filter(Boolean) as FacilityInfo["capabilities"],
      status: status as FacilityStatus,
    };
  }

  /** A point-in-time read for tests, invariant checks and consoles; not atomic with writers. */
  async snapshot(): Promise<LedgerSnapshot> {
    const seq = Number((await this.redis.get(this.keys.seq)) ?? 0);
    const ids = (await this.redis.smembers(this.keys.facilities)).sort();
    const facilities: FacilityState[] = [];
    for (const id of ids) {
      const h = await this.redis.hgetall(this.keys.facility(id));
      const counts: Partial<Record<BedClass, BedCounts>> = {};
      for (const bedClass of bedClasses) {
        if (h[`cap:${bedClass}`] === undefined) continue;
        const total = Number(h[`total:${bedClass}`] ?? 0);
        const held = Number(h[`held:${bedClass}`] ?? 0);
        const occupied = Number(h[`occ:${bedClass}`] ?? 0);
        counts[bedClass] = {
          total,
          held,
          occupied,
          free: total - held - occupied,
          capacity: Number(h[`cap:${bedClass}`]),
        };
      }
      facilities.push({
        facilityId: id,
        kind: h.kind as FacilityState["kind"],
        district: h.district ?? "",
        capabilities: (h.caps ?? "").split(",").filter(Boolean) as FacilityState["capabilities"],
        beds: Object.fromEntries(Object.entries(counts).map(([c, v]) => [c, v.capacity])),
        status: h.status as FacilityStatus,
        counts,
      });
    }
    const cases: Record<string, CaseAllocation> = {};
    const casePrefix = this.keys.caseAllocation("");
    let cursor = "0";
    do {
      const [next, found] = await this.redis.scan(cursor, "MATCH", `${casePrefix}*`, "COUNT", 1000);
      cursor = next;
      for (const k of found) cases[k.slice(casePrefix.length)] = allocationFrom(await this.redis.hgetall(k));
    } while (cursor !== "0");
    const queues: Record<string, string[]> = {};
    for (const name of (await this.redis.smembers(this.keys.queues)).sort()) {
      queues[name] = await this.redis.zrange(this.keys.queue(name), 0, -1);
    }
    return { seq, facilities, cases, queues };
  }
}
