// The fault suite's harness: a seeded workload, a light reader of the output topics, a wait
// for quiescence, and the checks run after every scenario.
import { createKafka } from "@fangcang/bus";
import { type AnyCloudEvent, cloudEvent, toKafkaMessage } from "@fangcang/contracts";
import { checkLedgerInvariants, type LedgerSnapshot, RedisLedger } from "@fangcang/ledger";
import { seededRandom } from "@fangcang/scenario";
import { Redis } from "ioredis";
import type { Admin, KafkaMessage } from "kafkajs";
import type { TestNamespace } from "../harness/namespace.ts";
import { sleep, waitFor } from "../harness/wait.ts";

export { sleep, waitFor };

// ---- randomness --------------------------------------------------------------------------

/** mulberry32 (the scenarios' generator): a seed replays a run exactly. */
export const random = seededRandom;

// ---- workload ----------------------------------------------------------------------------

const T0 = Date.parse("2022-04-10T08:00:00.000Z");
const DISTRICTS = ["Pudong", "Xuhui", "Minhang", "Baoshan", "Jingan", "Yangpu"] as const;
const SEVERITIES = ["asymptomatic", "asymptomatic", "mild", "mild", "moderate"] as const;
const SOURCE = "test/faults";

export interface Workload {
  registrations: AnyCloudEvent[];
  reports: AnyCloudEvent[];
  /** Capacity opened mid-run: beds-changed events, produced in `openings.length` steps. */
  openings: AnyCloudEvent[][];
  caseIds: string[];
  beds: { initial: number; opened: number };
}

/**
 * `cases` reports over 2 fangcang kinds of need (shelter for asymptomatic/mild, general for
 * moderate), in facilities with `bedRatio` × cases beds at first, so many cases wait, then
 * `openRatio` × cases more opened in `openSteps` steps. Event times span minutes, far inside
 * the 12 h hold window, so no hold expires and every decision is a placement or a wait.
 */
export function workload(
  label: string,
  seed: number,
  cases: number,
  bedRatio = 0.6,
  openRatio = 0.15,
  openSteps = 2,
): Workload {
  const rng = random(seed);
  const at = (ms: number) => new Date(T0 + ms).toISOString();
  const shelterBeds = Math.floor(cases * 0.6 * bedRatio);
  const generalBeds = Math.floor(cases * 0.2 * bedRatio);
  const fangcang = DISTRICTS.map((district, i) => ({ id: `${label}-FC-${i}`, district }));
  const hospitals = DISTRICTS.slice(0, 3).map((district, i) => ({ id: `${label}-DH-${i}`, district }));
  const split = (total: number, parts: number) =>
    Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
  const shelterSplit = split(shelterBeds, fangcang.length);
  const generalSplit = split(generalBeds, hospitals.length);
  const registrations: AnyCloudEvent[] = [
    ...fangcang.map((f, i) =>
      cloudEvent(
        "facility.registered",
        { id: `${label}-reg-${f.id}`, source: SOURCE, time: at(0) },
        {
          facilityId: f.id,
          name: f.id,
          kind: "fangcang",
          district: f.district,
          beds: { shelter: shelterSplit[i] ?? 0 },
          capabilities: [],
        },
      ),
    ),
    ...hospitals.map((f, i) =>
      cloudEvent(
        "facility.registered",
        { id: `${label}-reg-${f.id}`, source: SOURCE, time: at(0) },
        {
          facilityId: f.id,
          name: f.id,
          kind: "designated_hospital",
          district: f.district,
          beds: { general: generalSplit[i] ?? 0 },
          capabilities: [],
        },
      ),
    ),
  ];
  const caseIds: string[] = [];
  const reports: AnyCloudEvent[] = [];
  for (let i = 0; i < cases; i++) {
    const caseId = `${label}-c${i}`;
    caseIds.push(caseId);
    const time = at(1_000 + i * 5);
    reports.push(
      cloudEvent(
        "case.reported",
        { id: `${label}-rep-${i}`, source: SOURCE, time },
        {
          caseId,
          reportedAt: time,
          district: DISTRICTS[Math.floor(rng() * DISTRICTS.length)] ?? "Xuhui",
          ageYears: 20 + Math.floor(rng() * 40),
          sex: rng() < 0.5 ? "female" : "male",
          severity: SEVERITIES[Math.floor(rng() * SEVERITIES.length)] ?? "mild",
          detectedIn: "community",
        },
      ),
    );
  }
  // Each step raises every facility's total by its share of the opened beds.
  const opened = { shelter: Math.floor(cases * 0.6 * openRatio), general: Math.floor(cases * 0.2 * openRatio) };
  const totals = new Map<string, number>([
    ...fangcang.map((f, i): [string, number] => [f.id, shelterSplit[i] ?? 0]),
    ...hospitals.map((f, i): [string, number] => [f.id, generalSplit[i] ?? 0]),
  ]);
  const openings: AnyCloudEvent[][] = [];
  for (let step = 0; step < openSteps; step++) {
    const time = at(1_000 + Math.floor(((step + 1) * cases * 5) / (openSteps + 1)));
    const events: AnyCloudEvent[] = [];
    const add = (list: { id: string }[], bedClass: "shelter" | "general", beds: number) => {
      const each = split(Math.floor(beds / openSteps), list.length);
      list.forEach((f, i) => {
        const total = (totals.get(f.id) ?? 0) + (each[i] ?? 0);
        totals.set(f.id, total);
        events.push(
          cloudEvent(
            "facility.beds-changed",
            { id: `${label}-open-${step}-${f.id}`, source: SOURCE, time },
            { facilityId: f.id, at: time, bedClass, total },
          ),
        );
      });
    };
    add(fangcang, "shelter", opened.shelter);
    add(hospitals, "general", opened.general);
    openings.push(events);
  }
  return {
    registrations,
    reports,
    openings,
    caseIds,
    beds: { initial: shelterBeds + generalBeds, opened: opened.shelter + opened.general },
  };
}

// ---- reading the outputs -----------------------------------------------------------------

export interface Decision {
  id: string;
  type: string;
  caseId: string;
  transferId: string | undefined;
  /** The event's data as produced, to tell a re-emission from a changed decision. */
  raw: string;
}

export interface Outputs {
  /** In topic order per partition (a case's decisions share its key, so one partition). */
  decisions: Decision[];
  deadLetters: string[];
  decided: Set<string>;
}

async function highWatermarks(admin: Admin, topic: string): Promise<Map<number, number>> {
  return new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
}

/** Sum of the high watermarks of `topics`: grows with every message produced to them. */
export async function messageCount(admin: Admin, topics: string[]): Promise<number> {
  let sum = 0;
  for (const topic of topics) for (const high of (await highWatermarks(admin, topic)).values()) sum += high;
  return sum;
}

/**
 * Reads `topics` from the beginning up to their current ends with a fresh consumer, handing
 * each message to `each` in partition order.
 */
export async function readToEnd(
  brokers: string[],
  admin: Admin,
  topics: string[],
  each: (topic: string, partition: number, message: KafkaMessage) => void,
  timeoutMs = 60_000,
): Promise<void> {
  const ends = new Map<string, Map<number, number>>();
  for (const topic of topics) ends.set(topic, await highWatermarks(admin, topic));
  const remaining = new Set<string>();
  for (const [topic, parts] of ends)
    for (const [partition, high] of parts) if (high > 0) remaining.add(`${topic}/${partition}`);
  const consumer = createKafka({ brokers, clientId: "faults-reader" }).consumer({
    groupId: `faults-reader-${Math.random().toString(36).slice(2)}`,
    maxBytesPerPartition: 4 * 1024 * 1024,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        const high = ends.get(batch.topic)?.get(batch.partition) ?? 0;
        for (const message of batch.messages) {
          if (Number(message.offset) >= high) break;
          each(batch.topic, batch.partition, message);
          if (Number(message.offset) >= high - 1) remaining.delete(`${batch.topic}/${batch.partition}`);
        }
      },
    });
    await waitFor(
      `${topics.join(", ")} read to their ends (${remaining.size} partitions left)`,
      () => remaining.size === 0,
      timeoutMs,
    );
  } finally {
    await consumer.disconnect();
  }
}

/** Reads the transfers and dead-letter topics to their current ends, keeping what the checks need. */
export async function readOutputs(brokers: string[], admin: Admin, ns: TestNamespace): Promise<Outputs> {
  const perPartition = new Map<number, Decision[]>();
  const deadLetters: string[] = [];
  await readToEnd(brokers, admin, [ns.topics.transfers, ns.topics.deadLetter], (topic, partition, message) => {
    const value = message.value?.toString() ?? "";
    if (topic === ns.topics.deadLetter) {
      deadLetters.push(value.slice(0, 500));
      return;
    }
    const data = JSON.parse(value) as { caseId?: string; transferId?: string };
    const header = (name: string) => message.headers?.[name]?.toString() ?? "";
    const list = perPartition.get(partition) ?? [];
    perPartition.set(partition, list);
    list.push({
      id: header("ce_id"),
      type: header("ce_type"),
      caseId: data.caseId ?? "",
      transferId: data.transferId,
      raw: value,
    });
  });
  const decisions = [...perPartition.values()].flat();
  return { decisions, deadLetters, decided: new Set(decisions.map((d) => d.caseId)) };
}

/** The ledger's sequence number: advances with every state change, never with a replayed input. */
export async function ledgerSeq(redis: Redis, ns: TestNamespace): Promise<number> {
  try {
    return Number((await redis.get(`${ns.redisPrefix.replace(/:$/, "")}:{ledger}:seq`)) ?? 0);
  } catch {
    return -1;
  }
}

// ---- quiescence --------------------------------------------------------------------------

/**
 * One critical case per partition of the cases topic, which no facility here can take (it
 * needs an ICU): each waits, and its decision shows every input before it on its partition
 * has been handled, whatever the committed offsets say.
 */
export async function sendSentinels(
  brokers: string[],
  ns: TestNamespace,
  label: string,
  partitions: number,
): Promise<string[]> {
  const producer = createKafka({ brokers, clientId: "faults-sentinels" }).producer({
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  const ids: string[] = [];
  try {
    const time = new Date(T0 + 600_000).toISOString(); // after every workload event, well inside the hold window
    const messages = Array.from({ length: partitions }, (_, partition) => {
      const caseId = `${label}-p${partition}`;
      ids.push(caseId);
      const event = cloudEvent(
        "case.reported",
        { id: `${label}-p${partition}`, source: SOURCE, time },
        {
          caseId,
          reportedAt: time,
          district: "Xuhui",
          ageYears: 50,
          sex: "female",
          severity: "critical",
          detectedIn: "community",
        },
      );
      return { ...toKafkaMessage(event), partition };
    });
    await producer.send({ topic: ns.topics.cases, messages, acks: -1 });
  } finally {
    await producer.disconnect();
  }
  return ids;
}

/**
 * Waits until the allocator group is stable with `members` members, nothing has been
 * produced to the cases, transfers or dead-letter topics for `quietMs`, and the outputs
 * hold a decision for every one of `caseIds`; returns those outputs.
 */
export async function waitForQuiescence(
  brokers: string[],
  admin: Admin,
  ns: TestNamespace,
  caseIds: string[],
  members: number,
  timeoutMs: number,
  quietMs = 3_000,
): Promise<Outputs> {
  const groupId = `${ns.redisPrefix.replace(/:$/, "")}-allocator`;
  const topics = [ns.topics.cases, ns.topics.transfers, ns.topics.deadLetter];
  const deadline = Date.now() + timeoutMs;
  let state = "";
  let missing = caseIds.length;
  for (;;) {
    let seen = -1;
    let quietSince = Date.now();
    await waitFor(
      `the allocators to go quiet (group ${state}, ${missing} cases without a decision)`,
      async () => {
        let group: Awaited<ReturnType<Admin["describeGroups"]>>["groups"][number] | undefined;
        let count: number;
        try {
          group = (await admin.describeGroups([groupId])).groups[0];
          count = await messageCount(admin, topics);
        } catch (error) {
          // A broker just restarted may not answer yet: not quiet, ask again.
          state = `unknown (${(error as Error).message})`;
          quietSince = Date.now();
          return false;
        }
        state = `${group?.state} with ${group?.members.length} members`;
        if (group?.state !== "Stable" || group.members.length !== members || count !== seen) {
          seen = count;
          quietSince = Date.now();
          return false;
        }
        return Date.now() - quietSince >= quietMs;
      },
      Math.max(deadline - Date.now(), 1),
    );
    const outputs = await readOutputs(brokers, admin, ns);
    missing = caseIds.filter((c) => !outputs.decided.has(c)).length;
    if (missing === 0) return outputs;
    if (Date.now() > deadline)
      throw new Error(`${missing} cases still have no decision after ${timeoutMs} ms (group ${state})`);
  }
}

// ---- checks ------------------------------------------------------------------------------

export interface Verdict {
  violations: string[];
  held: number;
  waiting: number;
  decisions: number;
  distinctDecisions: number;
  decisionIds: string[];
  /** Distinct decisions, first emission of each. */
  decisionList: Decision[];
  snapshot: LedgerSnapshot;
}

/**
 * Every check the issue asks for: the ledger's invariants, every case in exactly one state
 * (ledger and patient machine agreeing), no conflicting decisions for one case, nothing lost,
 * nothing dead-lettered.
 */
export async function checkRun(
  redisUrl: string,
  ns: TestNamespace,
  output: Outputs,
  caseIds: string[],
): Promise<Verdict> {
  const namespace = ns.redisPrefix.replace(/:$/, "");
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
  const violations: string[] = [];
  try {
    const snapshot = await new RedisLedger(redis, namespace).snapshot();
    violations.push(...checkLedgerInvariants(snapshot).map((v) => `ledger: ${v}`));

    // Decisions: a re-emitted decision keeps its id and content; per case, in topic order
    // (one key, one partition), no two transfers held at once, and the last one agrees
    // with the ledger.
    const byId = new Map<string, Decision>();
    const perCase = new Map<string, Decision[]>();
    for (const d of output.decisions) {
      const first = byId.get(d.id);
      if (first !== undefined) {
        if (first.raw !== d.raw) violations.push(`decision ${d.id} re-emitted with different content`);
        continue;
      }
      byId.set(d.id, d);
      const list = perCase.get(d.caseId) ?? [];
      list.push(d);
      perCase.set(d.caseId, list);
    }
    const expected = new Set(caseIds);
    for (const caseId of perCase.keys())
      if (!expected.has(caseId)) violations.push(`decision for unknown case ${caseId}`);

    const patientKeys = caseIds.map((c) => `${namespace}:{patients}:${c}`);
    const patients: (string | null)[] = [];
    for (let i = 0; i < patientKeys.length; i += 1_000)
      patients.push(...(await redis.mget(...patientKeys.slice(i, i + 1_000))));

    let held = 0;
    let waiting = 0;
    caseIds.forEach((caseId, i) => {
      const allocation = snapshot.cases[caseId];
      const decisions = perCase.get(caseId) ?? [];
      if (decisions.length === 0) violations.push(`case ${caseId} was reported and has no decision (lost)`);
      if (allocation === undefined) violations.push(`case ${caseId} has no state in the ledger`);
      else if (allocation.state === "held") held++;
      else if (allocation.state === "waiting") waiting++;
      else violations.push(`case ${caseId} is ${allocation.state}, which this workload never causes`);

      let holding: string | undefined;
      for (const d of decisions) {
        if (d.type === "transfer.ordered") {
          if (holding !== undefined && holding !== d.transferId)
            violations.push(`case ${caseId} ordered ${d.transferId} while holding ${holding}`);
          holding = d.transferId;
        } else if (d.type === "transfer.cancelled") {
          if (holding === d.transferId) holding = undefined;
        } else if (d.type === "case.waitlisted") {
          if (holding !== undefined) violations.push(`case ${caseId} waitlisted while holding ${holding}`);
        }
      }
      const last = decisions.at(-1);
      if (last?.type === "transfer.ordered") {
        if (allocation?.state !== "held" || allocation.transferId !== last.transferId)
          violations.push(
            `case ${caseId}: last decision orders ${last.transferId}, ledger has ${JSON.stringify(allocation)}`,
          );
      } else if (last?.type === "case.waitlisted") {
        if (allocation?.state !== "waiting")
          violations.push(`case ${caseId}: last decision waitlists, ledger has ${JSON.stringify(allocation)}`);
      } else if (last !== undefined) {
        violations.push(`case ${caseId}: unexpected last decision ${last.type}`);
      }

      const stored = patients[i];
      if (stored === null || stored === undefined) {
        violations.push(`case ${caseId} has no stored patient`);
      } else {
        const patient = JSON.parse(stored) as { state: string; context: { allocation?: { transferId: string } } };
        const agrees =
          allocation === undefined
            ? false
            : allocation.state === "waiting"
              ? patient.state === "waiting"
              : allocation.state === "held"
                ? patient.state === "ordered" && patient.context.allocation?.transferId === allocation.transferId
                : patient.state === "admitted";
        if (!agrees)
          violations.push(`case ${caseId}: patient is ${patient.state}, ledger has ${JSON.stringify(allocation)}`);
      }
    });
    for (const caseId of Object.keys(snapshot.cases))
      if (!expected.has(caseId)) violations.push(`ledger has unknown case ${caseId}`);
    for (const letter of output.deadLetters.slice(0, 20)) violations.push(`dead letter: ${letter}`);
    if (output.deadLetters.length > 20) violations.push(`… and ${output.deadLetters.length - 20} more dead letters`);
    return {
      violations,
      held,
      waiting,
      decisions: output.decisions.length,
      distinctDecisions: byId.size,
      decisionIds: [...byId.keys()],
      decisionList: [...byId.values()],
      snapshot,
    };
  } finally {
    redis.disconnect();
  }
}

// ---- the report --------------------------------------------------------------------------

export interface ResultRow {
  scenario: string;
  events: number;
  faults: string;
  violations: number;
  seconds: number;
  notes: string;
}

export function table(rows: ResultRow[]): string {
  const lines = [
    "| scenario | input events | faults | violations | time (s) | outcome |",
    "|---|---:|---|---:|---:|---|",
    ...rows.map((r) => `| ${r.scenario} | ${r.events} | ${r.faults} | ${r.violations} | ${r.seconds} | ${r.notes} |`),
  ];
  return lines.join("\n");
}
