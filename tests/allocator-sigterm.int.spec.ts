// Given the allocator process (services/allocator/src/main.ts) working through a backlog,
// when it receives SIGTERM, then it answers not-ready at once (still alive), exits 0
// within seconds, and has committed exactly the inputs whose outputs it produced: a
// restarted allocator decides every other case, re-emits nothing, and each case ends with
// one decision and the ledger whole.
import { createKafka, EventProducer } from "@fangcang/bus";
import { Redis } from "ioredis";
import type { Admin } from "kafkajs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { checkRun, ledgerSeq, readOutputs, readToEnd, workload } from "./faults/harness.ts";
import { AllocatorProcess, MAIN_ENTRY } from "./harness/allocator-process.ts";
import { createTestTopics, testBrokers, testNamespace } from "./harness/namespace.ts";
import { sleep, waitFor } from "./harness/wait.ts";

const ns = testNamespace("sigterm");
const started = Date.now();
/** Where the spec is, so a slow run shows which step took the time. */
const trace = (step: string) =>
  process.stderr.write(`[sigterm +${((Date.now() - started) / 1000).toFixed(1)}s] ${step}\n`);
const CASES = 4_000;
const w = workload("sigterm", 20_220_410, CASES);
const groupId = `${ns.redisPrefix.replace(/:$/, "")}-allocator`;
const settings = () => ({
  brokers: testBrokers(),
  redisUrl: inject("redisUrl"),
  ns,
  entry: MAIN_ENTRY,
  // Small batches: many of them, so the signal lands mid-backlog.
  env: { FANGCANG_MAX_BATCH_BYTES: "32768" },
});

let admin: Admin;
let redis: Redis;
const running: AllocatorProcess[] = [];

interface Answer {
  path: "/healthz" | "/readyz";
  status: number | "refused";
  stopping?: boolean;
}

/** Asks both endpoints over and over until `done`, keeping every answer in order. */
async function watchHealth(port: number, done: () => boolean): Promise<Answer[]> {
  const answers: Answer[] = [];
  const ask = async (path: Answer["path"]) => {
    try {
      const response = await fetch(`http://127.0.0.1:${port}${path}`);
      const body = (await response.json()) as { stopping?: boolean };
      answers.push({ path, status: response.status, stopping: body.stopping });
    } catch {
      answers.push({ path, status: "refused" });
    }
  };
  while (!done()) {
    await Promise.all([ask("/healthz"), ask("/readyz")]);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return answers;
}

/** Sends SIGTERM; resolves to the exit code, how long the exit took, and what health said meanwhile. */
async function terminate(p: AllocatorProcess): Promise<{ code: number | null; tookMs: number; answers: Answer[] }> {
  p.expectedExit = true;
  const watching = watchHealth(p.healthPort, () => p.exitedAlready);
  const sent = Date.now();
  p.child.kill("SIGTERM");
  const code = await Promise.race([p.exited, sleep(60_000).then(() => "hung" as const)]);
  if (code === "hung") throw new Error(`${p.name} still runs 60 s after SIGTERM; its last lines:\n${p.lastLines()}`);
  return { code, tookMs: Date.now() - sent, answers: await watching };
}

/** caseId of every input below its partition's committed offset. */
async function committedCases(): Promise<Set<string>> {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [ns.topics.cases] });
  const committed = new Map((offsets?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
  const cases = new Set<string>();
  await readToEnd(testBrokers(), admin, [ns.topics.cases], (_topic, partition, message) => {
    if (Number(message.offset) < (committed.get(partition) ?? -1))
      cases.add((JSON.parse(message.value?.toString() ?? "{}") as { caseId: string }).caseId);
  });
  return cases;
}

beforeAll(async () => {
  await createTestTopics(ns, 3);
  admin = createKafka({ brokers: testBrokers(), clientId: "test-sigterm" }).admin();
  await admin.connect();
  redis = new Redis(inject("redisUrl"));
  const producer = new EventProducer(createKafka({ brokers: testBrokers(), clientId: "test-sigterm" }));
  await producer.connect();
  await producer.send([
    { topic: ns.topics.facilities, events: w.registrations },
    { topic: ns.topics.cases, events: w.reports },
  ]);
  await producer.disconnect();
});

afterAll(async () => {
  await Promise.all(running.map((p) => p.kill("SIGKILL")));
  await admin?.disconnect();
  redis?.disconnect();
});

describe("SIGTERM", () => {
  it("stops the allocator gracefully, committing exactly the work whose outputs it produced", async () => {
    trace("starting the first allocator");
    const first = await AllocatorProcess.start("sigterm-1", settings());
    running.push(first);
    await waitFor(
      "a fifth of the backlog decided",
      async () => (await ledgerSeq(redis, ns)) >= w.registrations.length + CASES / 5,
      60_000,
    );

    trace("SIGTERM to the first allocator");
    const stopped = await terminate(first);
    trace(`exited ${stopped.code} after ${stopped.tookMs} ms`);
    expect(stopped.code, first.lastLines()).toBe(0);
    expect(stopped.tookMs).toBeLessThan(10_000);
    // Alive until it exits; not ready from the signal on, never ready again.
    const ready = stopped.answers.filter((a) => a.path === "/readyz");
    const stopping = ready.findIndex((a) => a.stopping === true);
    expect(stopping, JSON.stringify(ready.slice(0, 5))).toBeGreaterThanOrEqual(0);
    expect(ready.slice(stopping).every((a) => a.status === "refused" || (a.status === 503 && a.stopping))).toBe(true);
    expect(stopped.answers.filter((a) => a.path === "/healthz").every((a) => a.status !== 503)).toBe(true);

    // Mid-backlog, and what was committed is exactly what was decided.
    const committed = await committedCases();
    const afterStop = await readOutputs(testBrokers(), admin, ns);
    expect(committed.size).toBeGreaterThan(0);
    expect(committed.size).toBeLessThan(CASES);
    expect([...afterStop.decided].sort()).toEqual([...committed].sort());

    trace(`${committed.size} cases committed and decided; restarting`);
    const second = await AllocatorProcess.start("sigterm-2", settings());
    running.push(second);
    await waitFor(
      "every case decided after the restart",
      async () => (await readOutputs(testBrokers(), admin, ns)).decided.size === CASES,
      90_000,
    );
    trace("every case decided; SIGTERM to the second allocator");
    expect((await terminate(second)).code, second.lastLines()).toBe(0);

    const outputs = await readOutputs(testBrokers(), admin, ns);
    const verdict = await checkRun(inject("redisUrl"), ns, outputs, w.caseIds);
    expect(verdict.violations).toEqual([]);
    // One decision per case, none produced twice: the stop left no batch half done.
    expect(verdict.distinctDecisions).toBe(CASES);
    expect(outputs.decisions).toHaveLength(CASES);
    for (const decision of afterStop.decisions)
      expect(outputs.decisions.find((d) => d.id === decision.id)?.raw).toBe(decision.raw);
  }, 240_000);
});
