// Given the allocator working through tens of thousands of cases, with fewer beds than
// cases and beds opening mid-run, when its processes are SIGKILLed and restarted, its Redis
// is stopped and restarted, its consumer group is rebalanced, or its whole input is
// replayed, then afterwards the ledger is whole, every case is in exactly one state that
// the ledger, the patient machine and the last decision agree on, no decision conflicts
// with another, and no input is lost. See docs/reliability.md.
import { writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { auditLog } from "@fangcang/audit";
import { createKafka, EventProducer, ensureTopics } from "@fangcang/bus";
import type { AnyCloudEvent } from "@fangcang/contracts";
import { KafkaNode } from "@fangcang/infra";
import { Redis } from "ioredis";
import type { Admin } from "kafkajs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parseAuditArgs, readAuditLog } from "../../services/cli/src/audit.ts";
import { AllocatorProcess, type AllocatorSettings } from "../harness/allocator-process.ts";
import { type TestNamespace, testBrokers, testNamespace } from "../harness/namespace.ts";
import { RedisServer } from "../harness/redis-server.ts";
import {
  checkRun,
  ledgerSeq,
  type Outputs,
  type ResultRow,
  random,
  sendSentinels,
  sleep,
  table,
  type Verdict,
  type Workload,
  waitFor,
  waitForQuiescence,
  workload,
} from "./harness.ts";

const SEED = Number(process.env.FAULTS_SEED ?? 20_220_410);
const KILL_CASES = Number(process.env.FAULTS_KILL_CASES ?? 50_000);
const KILLS = Number(process.env.FAULTS_KILLS ?? 22);
const REDIS_CASES = Number(process.env.FAULTS_REDIS_CASES ?? 12_000);
const BROKER_CASES = Number(process.env.FAULTS_BROKER_CASES ?? 12_000);
const GROUP_CASES = Number(process.env.FAULTS_GROUP_CASES ?? 15_000);
const REPLAY_CASES = Number(process.env.FAULTS_REPLAY_CASES ?? 10_000);
const QUIESCE_MS = 180_000;
const PROGRESS_MS = 120_000;

const suiteStart = Date.now();
/** Progress lines, so a slow or stuck run shows where it is. */
function trace(message: string): void {
  process.stderr.write(`[faults +${((Date.now() - suiteStart) / 1000).toFixed(1)}s] ${message}\n`);
}

const rows: ResultRow[] = [];
const live = new Set<AllocatorProcess>();
const redisServers: RedisServer[] = [];
const kafkaNodes: KafkaNode[] = [];
const clients: Redis[] = [];
const clusters: Cluster[] = [];
/** The broker the integration tests share, which no scenario stops. */
let shared: Cluster;

/** A broker as the suite talks to it: to produce the input and to watch the group. */
interface Cluster {
  brokers: string[];
  producer: EventProducer;
  admin: Admin;
}

async function connect(brokers: string[]): Promise<Cluster> {
  const producer = new EventProducer(createKafka({ brokers, clientId: "faults-producer" }));
  await producer.connect();
  const admin = createKafka({ brokers, clientId: "faults-admin" }).admin();
  await admin.connect();
  const cluster = { brokers, producer, admin };
  clusters.push(cluster);
  return cluster;
}

beforeAll(async () => {
  shared = await connect(testBrokers());
});

afterAll(async () => {
  await Promise.all([...live].map((p) => p.kill("SIGKILL")));
  await Promise.all(redisServers.map((r) => r.remove()));
  for (const client of clients) client.disconnect();
  for (const cluster of clusters) {
    await cluster.producer.disconnect().catch(() => {});
    await cluster.admin.disconnect().catch(() => {});
  }
  await Promise.all(kafkaNodes.map((node) => node.remove()));
  if (rows.length > 0) {
    console.log(`\n${table(rows)}\n`);
    writeFileSync(new URL("../../docs/reliability.md", import.meta.url), reliabilityDoc(rows));
  }
});

/** Allocators in one group; an allocator that exits on its own is restarted, as a supervisor would. */
class Group {
  readonly members: AllocatorProcess[] = [];
  restarts = 0;
  /** Crashed members not yet replaced. */
  private wanted = 0;
  private started = 0;
  private readonly label: string;
  private readonly settings: AllocatorSettings;

  constructor(label: string, settings: AllocatorSettings) {
    this.label = label;
    this.settings = settings;
  }

  async add(): Promise<AllocatorProcess> {
    const p = await AllocatorProcess.start(`${this.label}-${this.started++}`, this.settings);
    live.add(p);
    this.members.push(p);
    return p;
  }

  async kill(p: AllocatorProcess, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    await p.kill(signal);
    live.delete(p);
    this.members.splice(this.members.indexOf(p), 1);
  }

  /** The supervision under way: waits poll it concurrently, and must not restart a member twice. */
  private supervising: Promise<true> | undefined;

  /**
   * Restarts members that crashed, as a supervisor would; a restart that fails (the broker
   * still away) is tried again on the next call. Returns true so it can sit inside a wait.
   * Concurrent calls share one pass: two passes would each start a replacement for the same
   * crashed member while the first is still starting, and the group would never settle.
   */
  supervise(): Promise<true> {
    this.supervising ??= this.replaceCrashed().finally(() => {
      this.supervising = undefined;
    });
    return this.supervising;
  }

  private async replaceCrashed(): Promise<true> {
    for (const p of [...this.members]) {
      if (p.exitedAlready && !p.expectedExit) {
        console.log(`${p.name} exited on its own; restarting. Its last lines:\n${p.lastLines()}`);
        live.delete(p);
        this.members.splice(this.members.indexOf(p), 1);
        this.restarts++;
        this.wanted++;
      }
    }
    for (; this.wanted > 0; this.wanted--) {
      try {
        await this.add();
      } catch (error) {
        console.log(`restarting a ${this.label} allocator failed; trying again: ${(error as Error).message}`);
        return true;
      }
    }
    return true;
  }

  /** The members as the supervisor sees them, e.g. "broker-0, broker-4 (exited)". */
  describe(): string {
    return this.members.map((p) => `${p.name}${p.exitedAlready ? " (exited)" : ""}`).join(", ") || "none";
  }

  async stopAll(): Promise<void> {
    for (const p of [...this.members]) await this.kill(p, "SIGTERM");
  }
}

interface Run {
  label: string;
  cluster: Cluster;
  ns: TestNamespace;
  w: Workload;
  group: Group;
  redisUrl: string;
  /** For progress: the ledger's sequence number. */
  redis: Redis;
  partitions: number;
  sentinels: string[];
  events: number;
  started: number;
}

async function prepare(
  label: string,
  cases: number,
  partitions: number,
  redisUrl = inject("redisUrl"),
  cluster = shared,
): Promise<Run> {
  const started = Date.now();
  const ns = testNamespace(`faults-${label}`);
  await ensureTopics({ brokers: cluster.brokers, topics: Object.values(ns.topics), partitions });
  const w = workload(label, SEED + cases, cases);
  const group = new Group(label, { brokers: cluster.brokers, redisUrl, ns });
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, retryStrategy: () => 200 });
  redis.on("error", () => {});
  clients.push(redis);
  return { label, cluster, ns, w, group, redisUrl, redis, partitions, sentinels: [], events: 0, started };
}

/**
 * Produces as the labs and operations would: through a broker outage by retrying (a retry
 * after a partial failure repeats some events with the same ids, which the allocator dedupes).
 */
async function send(run: Run, topic: "cases" | "facilities", events: AnyCloudEvent[]): Promise<void> {
  const deadline = Date.now() + PROGRESS_MS;
  for (;;) {
    try {
      await run.cluster.producer.send([{ topic: run.ns.topics[topic], events }]);
      break;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      trace(`${run.label}: producing to ${topic} failed, retrying: ${(error as Error).message}`);
      await sleep(1_000);
    }
  }
  run.events += events.length;
  trace(`${run.label}: produced ${events.length} to ${topic}`);
}

/** Registers the facilities and waits until the ledger knows them all, so placements start at once. */
async function registerFacilities(run: Run): Promise<void> {
  await send(run, "facilities", run.w.registrations);
  const key = `${run.ns.redisPrefix.replace(/:$/, "")}:{ledger}:facilities`;
  await waitFor(
    "the facilities to be registered",
    async () => (await run.group.supervise()) && (await run.redis.scard(key)) === run.w.registrations.length,
    60_000,
  );
}

/** Waits until the allocator group has settled on `members` members after a join or a death. */
async function groupStable(run: Run, members: number): Promise<void> {
  const groupId = `${run.ns.redisPrefix.replace(/:$/, "")}-allocator`;
  // Each change of what the broker and the supervisor see is traced, so a group that never
  // settles shows where it stuck.
  let seen = "";
  try {
    await waitFor(
      `${run.label}: group stable with ${members} members`,
      async () => {
        await run.group.supervise();
        const group = (await run.cluster.admin.describeGroups([groupId])).groups[0];
        const now = `group ${group?.state ?? "unknown"} with ${group?.members.length ?? 0} members; allocators ${run.group.describe()}`;
        if (now !== seen) trace(`${run.label}: ${now}`);
        seen = now;
        return group?.state === "Stable" && group.members.length === members;
      },
      PROGRESS_MS,
    );
  } catch (error) {
    for (const p of run.group.members) console.log(`${p.name}'s last lines:\n${p.lastLines()}`);
    throw error;
  }
}

/** Waits until the ledger has made about `fraction` × cases state changes (replays make none). */
async function progress(run: Run, fraction: number): Promise<number> {
  const target = run.w.registrations.length + Math.floor(fraction * run.w.caseIds.length);
  let seq = 0;
  await waitFor(
    `${run.label}: ledger seq ${target}`,
    async () => {
      await run.group.supervise();
      seq = await ledgerSeq(run.redis, run.ns);
      return seq >= target;
    },
    PROGRESS_MS,
  );
  return seq;
}

/** Produces the capacity openings as the run passes each fraction of the cases. */
async function openCapacity(run: Run, fractions: number[]): Promise<void> {
  for (const [i, fraction] of fractions.entries()) {
    await progress(run, fraction);
    await send(run, "facilities", run.w.openings[i] ?? []);
  }
}

async function settle(run: Run): Promise<Verdict> {
  const sentinels = await sendSentinels(
    run.cluster.brokers,
    run.ns,
    `${run.label}-s${run.sentinels.length}`,
    run.partitions,
  );
  run.sentinels.push(...sentinels);
  trace(`${run.label}: settling at ledger seq ${await ledgerSeq(run.redis, run.ns)}`);
  let watching = true;
  // Keep supervising while waiting: a crashed allocator must not be mistaken for a stuck one.
  const supervising = (async () => {
    while (watching) await run.group.supervise().then(() => sleep(200));
  })();
  let outputs: Outputs;
  try {
    outputs = await waitForQuiescence(
      run.cluster.brokers,
      run.cluster.admin,
      run.ns,
      [...run.w.caseIds, ...run.sentinels],
      run.group.members.length,
      QUIESCE_MS,
    );
  } finally {
    watching = false;
    await supervising;
  }
  trace(`${run.label}: quiescent; checking`);
  const verdict = await checkRun(run.redisUrl, run.ns, outputs, [...run.w.caseIds, ...run.sentinels]);
  verdict.violations.push(...(await audited(run)));
  return verdict;
}

/** `fangcang audit` on the run's log: every recorded decision must come back from the replay. */
async function audited(run: Run): Promise<string[]> {
  const args = parseAuditArgs(["--from-kafka", "--topic-prefix", run.ns.topicPrefix], {
    KAFKA_BROKERS: run.cluster.brokers.join(","),
  });
  const report = await auditLog((await readAuditLog(args)).log);
  trace(
    `${run.label}: audit ${report.ok ? "passed" : "FAILED"}: ${report.decisions.reproduced} of ${report.decisions.recorded} decisions reproduced from ${report.inputs.replayed} inputs`,
  );
  return [
    ...report.mismatches.slice(0, 20).map((m) => `audit: [${m.kind}] ${m.message}`),
    ...report.invariantViolations.map((v) => `audit: replayed ledger: ${v}`),
  ];
}

function record(run: Run, scenario: string, faults: string, verdict: Verdict, extra = ""): void {
  const seconds = Math.round((Date.now() - run.started) / 1000);
  const notes = `${run.w.caseIds.length} cases: ${verdict.held} held, ${verdict.waiting - run.sentinels.length} waiting; ${verdict.distinctDecisions} decisions, ${verdict.decisions - verdict.distinctDecisions} re-emitted${extra}`;
  rows.push({ scenario, events: run.events, faults, violations: verdict.violations.length, seconds, notes });
  trace(`${scenario}: ${faults}; ${verdict.violations.length} violations; ${seconds} s; ${notes}`);
  for (const v of verdict.violations.slice(0, 30)) trace(`  violation: ${v}`);
}

interface Outage {
  name: string;
  server: { stop(signal: "SIGTERM" | "SIGKILL"): Promise<void>; start(): Promise<void> };
  /** How long it stays down after the SIGTERM, and after the SIGKILL. */
  downMs: [number, number];
  /** Waited for after the first restart, before the second fault. */
  recovered?: () => Promise<void>;
}

/**
 * Runs the workload on `members` allocators while `outage.server` is stopped with SIGTERM
 * at 25 % progress and SIGKILLed at 55 %, restarted each time; returns the settled verdict.
 */
async function throughOutages(run: Run, members: number, outage: Outage): Promise<Verdict> {
  await Promise.all(Array.from({ length: members }, () => run.group.add()));
  await registerFacilities(run);
  await send(run, "cases", run.w.reports);
  const opening = openCapacity(run, [0.4, 0.7]);
  const faults = [
    { at: 0.25, signal: "SIGTERM", downMs: outage.downMs[0] },
    { at: 0.55, signal: "SIGKILL", downMs: outage.downMs[1] },
  ] as const;
  for (const [i, fault] of faults.entries()) {
    if (i > 0) await outage.recovered?.();
    await progress(run, fault.at);
    await outage.server.stop(fault.signal);
    trace(`${outage.name}: ${fault.signal}`);
    await sleep(fault.downMs);
    await outage.server.start();
    trace(`${outage.name}: restarted`);
  }
  await opening;
  const verdict = await settle(run);
  await run.group.stopAll();
  return verdict;
}

const restarts = (group: Group) => (group.restarts ? `, ${group.restarts} crash restarts` : "");

describe("the allocator under faults", () => {
  it(`survives ${KILLS} SIGKILLs at random points during ${KILL_CASES} cases`, async () => {
    const run = await prepare("sigkill", KILL_CASES, 12);
    let current = await run.group.add();
    await registerFacilities(run);
    await send(run, "cases", run.w.reports);
    const opening = openCapacity(run, [0.35, 0.65]);
    const rng = random(SEED + 1);
    const points = Array.from({ length: KILLS }, () => 0.02 + rng() * 0.93).sort((a, b) => a - b);
    for (const [k, point] of points.entries()) {
      // Every fourth kill lands at a random moment shortly after a restart (joining, waiting for
      // the dead member's session to expire, rebalancing); the others once the new allocator
      // owns the partitions, at a random point of progress or, when that point has passed,
      // a random moment into its replay of the uncommitted input.
      if (k % 4 === 3) await sleep(rng() * 3_000);
      else {
        await groupStable(run, 1);
        const target = run.w.registrations.length + Math.floor(point * run.w.caseIds.length);
        // A point already passed: kill while the new allocator replays or resumes work.
        if ((await ledgerSeq(run.redis, run.ns)) >= target) await sleep(rng() * 2_000);
        else await progress(run, point);
      }
      await sleep(rng() * 300);
      const seq = await ledgerSeq(run.redis, run.ns);
      await run.group.kill(current, "SIGKILL");
      trace(`sigkill: kill ${k + 1}/${KILLS} of ${current.name} at ledger seq ${seq}`);
      current = await run.group.add();
    }
    await opening;
    const verdict = await settle(run);
    await run.group.stopAll();
    record(run, "1. SIGKILL + restart", `${KILLS} × SIGKILL of the allocator${restarts(run.group)}`, verdict);
    expect(verdict.violations).toEqual([]);
  }, 900_000);

  it("survives its Redis (append-only, fsync always) stopped and restarted mid-run", async () => {
    const redis = await RedisServer.create();
    redisServers.push(redis);
    await redis.start();
    const run = await prepare("redis", REDIS_CASES, 6, redis.url);
    const verdict = await throughOutages(run, 1, { name: "redis", server: redis, downMs: [5_000, 3_000] });
    await redis.stop("SIGTERM");
    record(
      run,
      "2. Redis stop/restart",
      `Redis SIGTERM (down 5 s) at 25 %, Redis SIGKILL (down 3 s) at 55 %${restarts(run.group)}`,
      verdict,
    );
    expect(verdict.violations).toEqual([]);
  }, 300_000);

  it("survives its Kafka broker stopped and restarted mid-run", async () => {
    // Its own broker and Redis: the shared broker serves every other test and is never stopped.
    const node = await KafkaNode.create({ partitions: 6 });
    kafkaNodes.push(node);
    await node.start();
    const redis = await RedisServer.create();
    redisServers.push(redis);
    await redis.start();
    const run = await prepare("broker", BROKER_CASES, 6, redis.url, await connect(node.brokers));
    const verdict = await throughOutages(run, 2, {
      name: "broker",
      server: node,
      downMs: [8_000, 5_000],
      // The allocators' batches in hand reach Redis during the outage; the second fault waits
      // until the group has recovered and works again.
      recovered: () => groupStable(run, 2),
    });
    record(
      run,
      "3. Kafka broker stop/restart",
      `2 allocators; broker SIGTERM (down 8 s) at 25 %, broker SIGKILL (down 5 s) at 55 % once recovered${restarts(run.group)}`,
      verdict,
    );
    expect(verdict.violations).toEqual([]);
  }, 300_000);

  it("survives a rebalancing group: three allocators, one SIGKILLed and one added mid-run", async () => {
    const run = await prepare("group", GROUP_CASES, 12);
    await Promise.all([run.group.add(), run.group.add(), run.group.add()]);
    await registerFacilities(run);
    await send(run, "cases", run.w.reports);
    const opening = openCapacity(run, [0.4, 0.7]);
    await progress(run, 0.25);
    const victim = run.group.members[Math.floor(random(SEED + 3)() * run.group.members.length)];
    if (victim !== undefined) await run.group.kill(victim, "SIGKILL");
    trace(`group: SIGKILLed ${victim?.name}`);
    await progress(run, 0.55);
    await run.group.add();
    trace("group: added a member");
    await opening;
    const verdict = await settle(run);
    await run.group.stopAll();
    record(
      run,
      "4. consumer group rebalance",
      `3 allocators; 1 SIGKILLed at 25 %, 1 added at 55 %${restarts(run.group)}`,
      verdict,
    );
    expect(verdict.violations).toEqual([]);
  }, 300_000);

  it("changes no decision when the whole input is replayed", async () => {
    const run = await prepare("replay", REPLAY_CASES, 6);
    await run.group.add();
    await registerFacilities(run);
    await send(run, "cases", run.w.reports);
    await openCapacity(run, [0.4, 0.7]);
    const first = await settle(run);
    const firstOutputs = new Set(first.decisionIds);

    // The same events again, same CloudEvent ids, in the same order.
    await send(run, "facilities", run.w.registrations);
    await send(run, "cases", run.w.reports);
    for (const step of run.w.openings) await send(run, "facilities", step);
    const second = await settle(run);
    await run.group.stopAll();

    const sentinels = new Set(run.sentinels);
    const violations = [...second.violations];
    const added = second.decisionList.filter((d) => !firstOutputs.has(d.id) && !sentinels.has(d.caseId));
    for (const d of added.slice(0, 20))
      violations.push(`replay produced a new decision ${d.id} (${d.type} for ${d.caseId})`);
    if (added.length > 20) violations.push(`… and ${added.length - 20} more new decisions`);
    const withoutSentinels = (cases: Record<string, unknown>) =>
      JSON.stringify(Object.entries(cases).filter(([caseId]) => !sentinels.has(caseId)));
    if (withoutSentinels(first.snapshot.cases) !== withoutSentinels(second.snapshot.cases))
      violations.push("the ledger's case allocations changed on replay");
    if (JSON.stringify(first.snapshot.facilities) !== JSON.stringify(second.snapshot.facilities))
      violations.push("the ledger's facility counts changed on replay");
    record(
      run,
      "5. whole input replayed",
      "every input produced twice (same ids)",
      { ...second, violations },
      `; ledger seq ${first.snapshot.seq} → ${second.snapshot.seq} (${run.sentinels.length / 2} sentinels a round)`,
    );
    expect(violations).toEqual([]);
  }, 300_000);
});

function reliabilityDoc(results: ResultRow[]): string {
  const cpu = cpus();
  const machine = `${cpu.length} × ${cpu[0]?.model ?? "unknown CPU"}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, ${process.platform}`;
  return `# Reliability: the fault-injection suite

\`npm run test:faults\` (the last step of \`npm test\`, so CI runs it) runs the allocator as
real child processes (\`tests/faults/allocator-process.ts\`, the same start and SIGTERM
handling as \`services/allocator/src/main.ts\`) on a real broker and Redis, injects faults
for real, and checks the outcome. Every scenario uses its own topics (6–12 partitions) and
Redis namespace, a seeded workload (\`FAULTS_SEED\`, default ${SEED}) with fewer beds than
cases (60 % at first, so many cases wait) and capacity opened twice mid-run (15 % more beds).
Scenarios 1, 4 and 5 run on the broker and Redis the integration tests use; scenarios 2 and
3 start their own \`redis-server\` and, for 3, their own single-node Kafka (KRaft, the same
jars as \`infra/\`, fetched on first use; \`infra/src/kafka-node.ts\`) on other ports and
data directories, because they stop them.

## Scenarios

1. **SIGKILL + restart**: ${KILL_CASES.toLocaleString("en")} \`case.reported\`, one allocator SIGKILLed
   ${KILLS} times at seeded random points, restarted each time: three kills in four once the new
   allocator owns the partitions, at a random point of progress (the ledger's sequence number)
   or, when that point has passed, a random moment into its replay of uncommitted input; every
   fourth at a random moment shortly after the restart (joining, waiting for the dead member's
   session to expire, rebalancing).
2. **Redis stop/restart**: a dedicated \`redis-server\` (\`--appendonly yes --appendfsync always\`)
   is stopped with SIGTERM for 5 s at 25 % progress, then SIGKILLed for 3 s at 55 %.
3. **Kafka broker stop/restart**: two allocators on a dedicated broker (and Redis); the broker
   is stopped with SIGTERM (controlled shutdown) for 8 s at 25 % progress, then, once the group
   is stable again, SIGKILLed for 5 s at 55 % (restarted with log recovery). The suite's own
   producer keeps retrying through the outages like a lab system would, so capacity openings
   land while the broker is away.
4. **Consumer group rebalance**: three allocators in one group; one SIGKILLed at 25 %, a
   fourth added at 55 %.
5. **Whole input replayed**: once everything is decided, every input event is produced a
   second time with the same CloudEvent ids; no new decision may appear and the ledger may
   not change.

An allocator that exits on its own is restarted, as a supervisor would (the table counts
these as crash restarts). To know when the allocators are done, the suite sends one
sentinel case per partition (a critical case no facility here can take, so it only waits)
and waits until every case and sentinel has a decision, the group is stable, and nothing
has been produced for 3 s. It then reads the transfers and dead-letter topics from the
beginning and checks:

- the ledger invariants (\`checkLedgerInvariants\`): free + held + occupied = total for every
  facility and bed class, no bed held by two cases, no case holding two beds or waiting in
  two queues, no case waiting while a bed that fits it is free;
- every reported case is in exactly one state, and the ledger, the stored patient machine and
  the case's last decision agree on it (ordered ⇔ held with that \`transferId\`, waitlisted ⇔
  waiting);
- the transfers topic: a re-emitted decision keeps its id and content; per case no order while
  another transfer is still held, no waitlisting while holding;
- nothing is lost (every case has a decision) and nothing lands in the dead-letter topic;
- the audit (\`fangcang audit\`, docs/decisions/0002-audit-replay.md) replays the run's log in
  ledger-receipt order and reproduces every recorded decision and internal event, whatever
  was killed or restarted on the way.

## Last run

${new Date().toISOString()} on ${machine}.

${table(results)}

"Re-emitted" counts output messages that repeat an earlier decision's id: a batch that was
being handled when a process died is handled again and its outputs produced again with the
same ids, which consumers dedupe on.

## Dependencies down, and SIGTERM (integration specs in \`npm test\`)

| spec | fault | what it shows |
|---|---|---|
| \`tests/redis-outage.int.spec.ts\` | a dedicated Redis stopped for 10 s | consumer paused, \`/readyz\` 503 meanwhile; resumes, each case decided once, ledger whole |
| \`tests/broker-outage.int.spec.ts\` | a dedicated broker stopped for 10 s mid-backlog | \`/readyz\` 503 naming the broker within seconds (\`broker.reachable: false\`), 200 again after; the producer and consumer retry through it; each case decided once, none lost, ledger whole |
| \`tests/allocator-sigterm.int.spec.ts\` | SIGTERM to \`services/allocator/src/main.ts\` mid-backlog | \`/readyz\` 503 (\`stopping: true\`) at once while \`/healthz\` stays 200; exit 0 within seconds; the committed offsets cover exactly the cases whose decisions were produced; a restart decides the rest and re-emits nothing |
| \`tests/bad-input.int.spec.ts\` | 10,620 malformed inputs | each dead-lettered once with its reason; valid events interleaved are all decided |

\`/readyz\` answers 200 only when the allocator consumes as a member of its group, the broker
answers a metadata request (asked every 2 s with 1.5 s timeouts, no retries), Redis is
connected, the last batch succeeded and it is not stopping; otherwise 503, and \`problems\`
in the body says why (\`broker unreachable: …\`, \`consumer restarting\`, \`redis reconnecting\`,
\`stopping\`, …). \`/healthz\` answers 200 while the process runs.

## Found and fixed

- **Offsets were never committed** (kafkajs 2.2.4's \`commitOffsetsIfNecessary\` commits
  nothing with \`autoCommit: false\` unless an auto-commit interval or threshold is set), so
  every restart replayed each partition from its beginning. The idempotent ledger and patient
  store kept every decision right, but recovery time grew with the whole history. The
  consumer now commits each batch's next offset explicitly, after its effects and outputs
  (\`shared/bus/src/consumer.ts\`); the walking-skeleton spec checks the committed offsets.
- **A graceful stop did not commit the batches it finished** (found by the SIGTERM spec):
  kafkajs's \`consumer.commitOffsets\` returns without committing once \`stop()\` has begun,
  which is exactly when a graceful stop lets the batches in hand finish. Their outputs were
  produced but their offsets not committed, so the next start replayed and re-emitted them.
  The consumer now commits through the batch's own \`commitOffsetsIfNecessary(offsets)\`,
  which commits during the stop too.
- **Creating a topic failed although it worked** (found by this suite on a busy broker):
  kafkajs's \`createTopics({ waitForLeaders: true })\` retries only \`LEADER_NOT_AVAILABLE\`,
  and a broker that has not caught up with the new topic answers
  \`UNKNOWN_TOPIC_OR_PARTITION\`. \`ensureTopics\` (\`shared/bus/src/admin.ts\`) now waits for
  the leaders itself and tolerates both.

The allocators run with \`FANGCANG_SESSION_TIMEOUT_MS=6000\` (the broker's minimum; default
30 s), so that after each SIGKILL the group reassigns the dead member's partitions quickly
enough to fit ${KILLS} kills in the time budget; nothing else differs from production.

## Running it

\`\`\`sh
npm run test:faults                         # finds or starts Kafka and Redis like the integration tests
FAULTS_SEED=7 FAULTS_KILLS=30 npm run test:faults
\`\`\`

Sizes: \`FAULTS_KILL_CASES\`, \`FAULTS_KILLS\`, \`FAULTS_REDIS_CASES\`, \`FAULTS_BROKER_CASES\`,
\`FAULTS_GROUP_CASES\`, \`FAULTS_REPLAY_CASES\`. This file is rewritten by every run.
`;
}
