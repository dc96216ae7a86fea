// The audit: the recorded inputs are replayed through the pure allocation core with the
// in-memory ledger, in the order the recorded ledger receipts give, under the policy
// version each case's recorded decisions name; every decision and internal follow-up it
// makes is compared with the recorded one. Anything recorded that the replay does not make,
// anything it makes that is not recorded, and anything that differs is a mismatch, named
// with the first diverging event and both versions.
import { createHash } from "node:crypto";
import { AllocationCore, inputOpId, LivePatientStore } from "@fangcang/allocation";
import { type AnyCloudEvent, caseIdOf } from "@fangcang/contracts";
import { checkLedgerInvariants, MemoryLedger } from "@fangcang/ledger";
import { type ClinicalPolicy, policyByVersion } from "@fangcang/triage";
import type { AuditLog } from "./audit-log.ts";
import { type ReplayItem, replayInOrder } from "./replay-order.ts";

export type MismatchKind =
  /** A recorded decision differs from the replayed one with the same id. */
  | "changed"
  /** The replay made a decision the log does not have. */
  | "missing"
  /** The log has a decision (or internal event) the replay did not make. */
  | "unexpected"
  /** One case's decisions are recorded in another order than the replay made them. */
  | "reordered"
  /** The same decision id was recorded twice with different content. */
  | "conflicting_duplicate"
  /** An input took another ledger sequence number in the replay than its receipt says. */
  | "ledger_seq"
  /** A receipt names a sequence number no input in the log reaches, or two receipts disagree. */
  | "receipt";

export interface Mismatch {
  kind: MismatchKind;
  caseId?: string;
  /** The decision or event id concerned. */
  id?: string;
  /** The CloudEvent id of the input that caused it. */
  causationId?: string;
  /** Where the recorded event is: topic and its index in that topic's log (0-based). */
  at?: { topic: keyof AuditLog; index: number };
  recorded?: unknown;
  replayed?: unknown;
  message: string;
}

export interface AuditReport {
  ok: boolean;
  policyVersions: string[];
  inputs: { cases: number; facilities: number; replayed: number; withReceipt: number; ticks: number };
  decisions: { recorded: number; replayed: number; reproduced: number };
  internalEvents: { recorded: number; replayed: number; reproduced: number };
  receipts: number;
  /** How many mismatches of each kind. */
  mismatchCounts: Partial<Record<MismatchKind, number>>;
  /** The first mismatches, in the order the replay met them (at most `maxMismatches`). */
  mismatches: Mismatch[];
  /** The ledger invariant violations of the replayed ledger at the end. */
  invariantViolations: string[];
  /** Decisions per type, per rule (from reasons) and per route (transfer orders). */
  perType: Record<string, number>;
  perRule: Record<string, number>;
  perRoute: Record<string, number>;
  /** SHA-256 of the replayed decisions, one JSON line each, in replay order. */
  replayDigest: string;
}

export interface AuditOptions {
  /** The allocator's CloudEvents source, whose internal events on the cases topic are its own. */
  source?: string;
  /** The policy of cases with no recorded decision (default: the one most decisions name). */
  defaultPolicyVersion?: string;
  maxMismatches?: number;
  onProgress?: (done: number, total: number) => void;
}

export const DEFAULT_ALLOCATOR_SOURCE = "fangcang/allocator";
const INTERNAL_TYPES = new Set(["case.bed-offered", "case.hold-expired"]);

/** JSON with object keys sorted, so equal events compare equal however they were written. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

/** What a decision says: everything but transport details, as its producer wrote it. */
function comparable(event: AnyCloudEvent) {
  return {
    type: event.type,
    id: event.id,
    source: event.source,
    subject: event.subject,
    time: event.time,
    data: event.data,
  };
}

/**
 * Whether two JSON values would be written as the same text, without writing them: same
 * keys in the same order, same primitives. False may still be equal JSON (an undefined
 * property, NaN, a toJSON): callers fall back to comparing canonical texts.
 */
function sameJsonText(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJsonText(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b) || "toJSON" in a || "toJSON" in b) return false;
  const keys = Object.keys(a);
  const otherKeys = Object.keys(b);
  if (keys.length !== otherKeys.length) return false;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (key !== otherKeys[i]) return false;
    if (!sameJsonText((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  }
  return true;
}

/**
 * The same decision, written alike or differing only in the order of object keys (another
 * producer's JSON). Field by field first: what sameJsonText makes of the two comparables,
 * without building them.
 */
function sameEvent(a: AnyCloudEvent, b: AnyCloudEvent): boolean {
  return (
    (sameJsonText(a.type, b.type) &&
      sameJsonText(a.id, b.id) &&
      sameJsonText(a.source, b.source) &&
      sameJsonText(a.subject, b.subject) &&
      sameJsonText(a.time, b.time) &&
      sameJsonText(a.data, b.data)) ||
    canonicalJson(comparable(a)) === canonicalJson(comparable(b))
  );
}

/**
 * SHA-256 of lines, one after another: fed to the hash in large pieces, since each update
 * costs a call into the native hash however short its line (same digest as line by line).
 */
class DigestLines {
  private readonly hash = createHash("sha256");
  private pending = "";

  add(line: string): void {
    this.pending += `${line}\n`;
    if (this.pending.length >= 1 << 16) this.flush();
  }

  digest(): string {
    this.flush();
    return this.hash.digest("hex");
  }

  private flush(): void {
    this.hash.update(this.pending);
    this.pending = "";
  }
}

interface Recorded {
  event: AnyCloudEvent;
  index: number;
  /** Whether the replay made it (an event made again, by a redelivered input, counts once). */
  matched: boolean;
  /** Its case's decisions, when it is one of them (from the transfers topic). */
  caseOrder: CaseOrder | undefined;
}

/**
 * One case's recorded decisions in log order, and how far the replay's decisions of the
 * case have followed them: the replay's order is `ids` up to `followed`, then `diverged`.
 * Most cases follow all the way, and need no list of their own.
 */
interface CaseOrder {
  caseId: string;
  ids: string[];
  followed: number;
  diverged: string[] | undefined;
  /** The policy version its first recorded decision names. */
  policyVersion: string | undefined;
}

/** What the replay runs: a recorded input, or an expiry check of the allocator's own. */
type Replayed = { input: AnyCloudEvent } | { tick: { id: string; time: string } };

function keyOf(event: AnyCloudEvent): string {
  const caseId = caseIdOf(event);
  return caseId === undefined ? `facility:${(event.data as { facilityId: string }).facilityId}` : `case:${caseId}`;
}

export async function auditLog(log: AuditLog, options: AuditOptions = {}): Promise<AuditReport> {
  const source = options.source ?? DEFAULT_ALLOCATOR_SOURCE;
  const maxMismatches = options.maxMismatches ?? 100;
  const mismatches: Mismatch[] = [];
  const mismatchCounts: Partial<Record<MismatchKind, number>> = {};
  const mismatch = (m: Mismatch) => {
    mismatchCounts[m.kind] = (mismatchCounts[m.kind] ?? 0) + 1;
    if (mismatches.length < maxMismatches) mismatches.push(m);
  };

  // Receipts: op id -> the sequence number it took and the op's number for the replay
  // order; the ticks (expiry checks of their own).
  const receiptOf = new Map<string, { seq: number; op: number }>();
  const ticks: ReplayItem<Replayed>[] = [];
  let receiptCount = 0;
  log.ledger.forEach((event, index) => {
    if (event.type !== "ledger.receipts") return;
    for (const r of event.data.receipts) {
      receiptCount++;
      const earlier = receiptOf.get(r.opId)?.seq;
      if (earlier !== undefined && earlier !== r.seq) {
        mismatch({
          kind: "receipt",
          causationId: r.causationId,
          at: { topic: "ledger", index },
          recorded: earlier,
          replayed: r.seq,
          message: `op ${r.opId} has two receipts: seq ${earlier} and ${r.seq}`,
        });
      }
      if (earlier !== undefined) continue;
      const op = receiptOf.size;
      receiptOf.set(r.opId, { seq: r.seq, op });
      if (r.expiryAt !== undefined) {
        ticks.push({
          key: `tick:${r.opId}`,
          seq: r.seq,
          op,
          value: { tick: { id: r.causationId, time: r.expiryAt } },
        });
      }
    }
  });

  // Recorded decisions and internal events, by id; each case's decision ids in log order.
  const recordedById = new Map<string, Recorded>();
  const recordedOrder = new Map<string, CaseOrder>();
  const versionCounts = new Map<string, number>();
  const record = (event: AnyCloudEvent, topic: keyof AuditLog, index: number) => {
    const earlier = recordedById.get(event.id);
    if (earlier !== undefined) {
      if (!sameEvent(earlier.event, event)) {
        mismatch({
          kind: "conflicting_duplicate",
          id: event.id,
          ...(caseIdOf(event) === undefined ? {} : { caseId: caseIdOf(event) as string }),
          at: { topic, index },
          recorded: earlier.event,
          replayed: event,
          message: `${event.id} is recorded twice with different content (${topic} #${earlier.index} and #${index})`,
        });
      }
      return;
    }
    const caseId = caseIdOf(event);
    let caseOrder: CaseOrder | undefined;
    if (topic === "transfers" && caseId !== undefined) {
      caseOrder = recordedOrder.get(caseId);
      if (caseOrder) caseOrder.ids.push(event.id);
      else {
        caseOrder = { caseId, ids: [event.id], followed: 0, diverged: undefined, policyVersion: undefined };
        recordedOrder.set(caseId, caseOrder);
      }
      const version = (event.data as { policyVersion?: string }).policyVersion;
      if (version !== undefined) {
        caseOrder.policyVersion ??= version;
        versionCounts.set(version, (versionCounts.get(version) ?? 0) + 1);
      }
    }
    recordedById.set(event.id, { event, index, matched: false, caseOrder });
  };
  log.transfers.forEach((event, index) => record(event, "transfers", index));
  log.cases.forEach((event, index) => {
    if (INTERNAL_TYPES.has(event.type) && event.source === source) record(event, "cases", index);
  });

  const defaultVersion =
    options.defaultPolicyVersion ?? [...versionCounts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (defaultVersion === undefined) throw new Error("no decision names a policy version; give defaultPolicyVersion");
  const policies = new Map<string, ClinicalPolicy>();
  const policy = (version: string) => {
    let p = policies.get(version);
    if (p === undefined) {
      p = policyByVersion(version);
      policies.set(version, p);
    }
    return p;
  };

  const ledger = new MemoryLedger();
  const core = new AllocationCore({
    ledger,
    patients: new LivePatientStore(),
    policy: policy(defaultVersion),
    source,
    // Every event the replay makes is compared with a recorded one, validated when produced.
    validateOutputs: false,
    policyFor: (caseId) => {
      const version = recordedOrder.get(caseId)?.policyVersion;
      return version === undefined ? undefined : policy(version);
    },
  });

  // Inputs: every case and facility event but the allocator's own outputs. Internal events
  // are inputs too: the replay makes them again (compared below) and then consumes them.
  // Ticks belong to no input: each runs at its sequence number, wherever the inputs stand.
  // An input without a receipt waits for no op, so its op number need only be its own.
  const items: ReplayItem<Replayed>[] = [...ticks];
  let unreceipted = receiptOf.size;
  const addInputs = (events: AnyCloudEvent[]) => {
    for (const event of events) {
      if (INTERNAL_TYPES.has(event.type) && event.source !== source) continue;
      const receipt = receiptOf.get(inputOpId(event));
      const key = keyOf(event);
      if (receipt === undefined) items.push({ key, seq: undefined, op: unreceipted++, value: { input: event } });
      else items.push({ key, seq: receipt.seq, op: receipt.op, value: { input: event } });
    }
  };
  addInputs(log.facilities);
  addInputs(log.cases);

  const digestLines = new DigestLines();
  const perType: Record<string, number> = {};
  const perRule: Record<string, number> = {};
  const perRoute: Record<string, number> = {};
  let decisionsReplayed = 0;
  let decisionsReproduced = 0;
  let internalReplayed = 0;
  let internalReproduced = 0;
  let done = 0;
  /** Ids the replay made that the log does not have (the others are marked `matched`). */
  const madeUnrecorded = new Set<string>();

  const compare = (made: AnyCloudEvent, cause: { id: string; type?: string }, isDecision: boolean) => {
    const recorded = recordedById.get(made.id);
    // A redelivered input makes the same events again, with the same ids: count them once.
    if (recorded !== undefined) {
      if (recorded.matched) return;
    } else {
      if (madeUnrecorded.has(made.id)) return;
      madeUnrecorded.add(made.id);
    }
    const caseId = caseIdOf(made);
    if (isDecision) {
      decisionsReplayed++;
      digestLines.add(JSON.stringify(comparable(made)));
      perType[made.type] = (perType[made.type] ?? 0) + 1;
      const data = made.data as { reasons?: string[]; route?: string };
      for (const rule of data.reasons ?? []) perRule[rule] = (perRule[rule] ?? 0) + 1;
      if (made.type === "transfer.ordered" && data.route) perRoute[data.route] = (perRoute[data.route] ?? 0) + 1;
      if (caseId !== undefined) {
        const order = recorded?.caseOrder?.caseId === caseId ? recorded.caseOrder : recordedOrder.get(caseId);
        // A case with no recorded decisions has no order to check.
        if (order !== undefined) {
          if (order.diverged === undefined && order.ids[order.followed] === made.id) order.followed++;
          else (order.diverged ??= []).push(made.id);
        }
      }
    } else {
      internalReplayed++;
    }
    if (recorded === undefined) {
      mismatch({
        kind: "missing",
        id: made.id,
        ...(caseId === undefined ? {} : { caseId }),
        causationId: cause.id,
        replayed: made,
        message: `the replay of ${cause.type ?? "expiry check"} ${cause.id} makes ${made.type} ${made.id}, which the log does not have`,
      });
      return;
    }
    recorded.matched = true;
    if (!sameEvent(recorded.event, made)) {
      mismatch({
        kind: "changed",
        id: made.id,
        ...(caseId === undefined ? {} : { caseId }),
        causationId: cause.id,
        at: { topic: isDecision ? "transfers" : "cases", index: recorded.index },
        recorded: recorded.event,
        replayed: made,
        message: `${made.type} ${made.id} differs from its replay (caused by ${cause.type ?? "expiry check"} ${cause.id})`,
      });
      return;
    }
    if (isDecision) decisionsReproduced++;
    else internalReproduced++;
  };

  await replayInOrder(
    items,
    async (item) => {
      if ("tick" in item.value) {
        const { followUps, receipt } = await core.expireDue(item.value.tick);
        const cause = item.value.tick;
        for (const made of followUps) compare(made, cause, false);
        if (receipt.seq !== item.seq) {
          mismatch({
            kind: "ledger_seq",
            causationId: cause.id,
            recorded: item.seq,
            replayed: receipt.seq,
            message: `expiry check ${cause.id} took ledger seq ${receipt.seq} in the replay; its receipt says ${item.seq}`,
          });
        }
        return receipt.seq;
      }
      const input = item.value.input;
      const outcome = await core.handle(input);
      for (const made of outcome.outputs) compare(made, input, true);
      for (const made of outcome.followUps) compare(made, input, false);
      const took = outcome.receipt?.seq;
      if (took !== undefined && item.seq !== undefined && took !== item.seq) {
        mismatch({
          kind: "ledger_seq",
          ...(caseIdOf(input) === undefined ? {} : { caseId: caseIdOf(input) as string }),
          causationId: input.id,
          recorded: item.seq,
          replayed: took,
          message: `${input.type} ${input.id} took ledger seq ${took} in the replay; its receipt says ${item.seq}`,
        });
      } else if (took !== undefined && item.seq === undefined) {
        mismatch({
          kind: "ledger_seq",
          causationId: input.id,
          replayed: took,
          message: `${input.type} ${input.id} made a ledger operation in the replay, but no receipt records one`,
        });
      }
      done++;
      if (done % 10_000 === 0) options.onProgress?.(done, items.length);
      return took ?? 0;
    },
    (problem) =>
      mismatch({
        kind: "receipt",
        message: `no input in the log took ledger seq ${problem.missingSeq} (went on at ${problem.resumedAt})`,
      }),
  );
  options.onProgress?.(items.length, items.length);

  // Recorded events the replay never made.
  for (const [id, recorded] of recordedById) {
    if (recorded.matched) continue;
    const isDecision = recorded.event.type !== "case.bed-offered" && recorded.event.type !== "case.hold-expired";
    const caseId = caseIdOf(recorded.event);
    mismatch({
      kind: "unexpected",
      id,
      ...(caseId === undefined ? {} : { caseId }),
      at: { topic: isDecision ? "transfers" : "cases", index: recorded.index },
      recorded: recorded.event,
      message: `${recorded.event.type} ${id} is in the log, but the replay does not make it`,
    });
  }
  // Each case's decisions in the order the replay made them.
  for (const [caseId, order] of recordedOrder) {
    if (order.diverged === undefined && order.followed === order.ids.length) continue;
    const replayed = [...order.ids.slice(0, order.followed), ...(order.diverged ?? [])].filter(
      (id) => recordedById.get(id)?.matched,
    );
    const recorded = order.ids.filter((id) => recordedById.get(id)?.matched);
    const first = recorded.findIndex((id, i) => replayed[i] !== id);
    if (first >= 0) {
      const id = recorded[first] as string;
      mismatch({
        kind: "reordered",
        caseId,
        id,
        at: { topic: "transfers", index: (recordedById.get(id) as Recorded).index },
        recorded,
        replayed,
        message: `case ${caseId}'s decision ${first + 1} is ${id} in the log, ${replayed[first]} in the replay`,
      });
    }
  }

  const invariantViolations = checkLedgerInvariants(await ledger.snapshot());
  let internalRecorded = 0;
  for (const r of recordedById.values()) if (INTERNAL_TYPES.has(r.event.type)) internalRecorded++;
  const mismatchTotal = Object.values(mismatchCounts).reduce((a, b) => a + b, 0);
  return {
    ok: mismatchTotal === 0 && invariantViolations.length === 0,
    policyVersions: [...versionCounts.keys()].sort(),
    inputs: {
      cases: log.cases.length,
      facilities: log.facilities.length,
      replayed: items.length - ticks.length,
      ticks: ticks.length,
      withReceipt: items.filter((i) => i.seq !== undefined && "input" in i.value).length,
    },
    decisions: {
      recorded: recordedById.size - internalRecorded,
      replayed: decisionsReplayed,
      reproduced: decisionsReproduced,
    },
    internalEvents: { recorded: internalRecorded, replayed: internalReplayed, reproduced: internalReproduced },
    receipts: receiptCount,
    mismatchCounts,
    mismatches,
    invariantViolations,
    perType,
    perRule,
    perRoute,
    replayDigest: digestLines.digest(),
  };
}
