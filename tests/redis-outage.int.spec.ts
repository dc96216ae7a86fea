// Given the allocator working through a stream of cases, when its Redis goes away for ten
// seconds and comes back (append-only file on), then it reports not-ready meanwhile and
// afterwards every case has its decision, none applied twice, and the ledger is whole.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningAllocator } from "@fangcang/allocator";
import { createKafka, EventProducer, TopicReader } from "@fangcang/bus";
import { type AnyCloudEvent, caseIdOf, cloudEvent } from "@fangcang/contracts";
import { checkLedgerInvariants, RedisLedger } from "@fangcang/ledger";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestAllocator } from "./harness/allocator.ts";
import { createTestTopics, testBrokers, testNamespace } from "./harness/namespace.ts";

const ns = testNamespace("redis-outage");
const namespace = ns.redisPrefix.replace(/:$/, "");
const port = 26_000 + Math.floor(Math.random() * 1000);
const redisUrl = `redis://127.0.0.1:${port}`;
const dir = mkdtempSync(join(tmpdir(), "fangcang-redis-outage-"));
const CASES = 300;
const T0 = Date.parse("2022-04-10T08:00:00.000Z");

let redisProcess: ChildProcess | undefined;
let allocator: RunningAllocator;
let producer: EventProducer;
let reader: TopicReader;

async function startRedis(): Promise<void> {
  redisProcess = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "yes", "--save", ""],
    { stdio: "ignore" },
  );
  const probe = new Redis(redisUrl, { lazyConnect: true, retryStrategy: () => 100, maxRetriesPerRequest: 1 });
  probe.on("error", () => {}); // refused connections are expected until the server is up
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await probe.connect().catch(() => {});
      if ((await probe.ping()) === "PONG") break;
    } catch {
      if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not start`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  probe.disconnect();
}

async function stopRedis(): Promise<void> {
  const exited = new Promise((resolve) => redisProcess?.once("exit", resolve));
  redisProcess?.kill("SIGTERM"); // redis-server flushes its append-only file on SIGTERM
  await exited;
}

const ready = async () => (await fetch(`http://127.0.0.1:${allocator.healthPort}/readyz`)).status;

const report = (i: number) =>
  cloudEvent(
    "case.reported",
    { id: `outage-${i}`, source: "test/lab", time: new Date(T0 + i * 1000).toISOString() },
    {
      caseId: `c-${i}`,
      reportedAt: new Date(T0 + i * 1000).toISOString(),
      district: "Xuhui",
      ageYears: 40,
      sex: "female",
      severity: i % 5 === 0 ? "moderate" : "asymptomatic",
      detectedIn: "quarantine",
    },
  );

beforeAll(async () => {
  await startRedis();
  await createTestTopics(ns, 3);
  allocator = await startTestAllocator(ns, { REDIS_URL: redisUrl });
  producer = new EventProducer(createKafka({ brokers: testBrokers(), clientId: "test-outage" }));
  await producer.connect();
  reader = await TopicReader.start(testBrokers(), [ns.topics.transfers, ns.topics.deadLetter], "test-outage");
}, 60_000);

afterAll(async () => {
  await reader?.stop();
  await producer?.disconnect();
  await allocator?.stop().catch(() => {});
  redisProcess?.kill("SIGKILL");
});

describe("a Redis outage", () => {
  it("pauses the allocator, which resumes with nothing lost or applied twice", async () => {
    const facilities: AnyCloudEvent[] = [
      cloudEvent(
        "facility.registered",
        { id: "f-1", source: "test/ops", time: new Date(T0).toISOString() },
        {
          facilityId: "FC-1",
          name: "FC 1",
          kind: "fangcang",
          district: "Xuhui",
          beds: { shelter: 150 },
          capabilities: [],
        },
      ),
      cloudEvent(
        "facility.registered",
        { id: "f-2", source: "test/ops", time: new Date(T0).toISOString() },
        {
          facilityId: "DH-1",
          name: "DH 1",
          kind: "designated_hospital",
          district: "Xuhui",
          beds: { general: 30 },
          capabilities: [],
        },
      ),
    ];
    await producer.send([{ topic: ns.topics.facilities, events: facilities }]);
    const decided = () => new Set(reader.events(ns.topics.transfers).map(caseIdOf)).size;
    await producer.send([{ topic: ns.topics.cases, events: Array.from({ length: CASES / 2 }, (_, i) => report(i)) }]);
    await reader.waitUntil(() => decided() > 0, 30_000);

    await stopRedis();
    await expect.poll(ready, { timeout: 10_000 }).toBe(503);
    await producer.send([
      { topic: ns.topics.cases, events: Array.from({ length: CASES / 2 }, (_, i) => report(CASES / 2 + i)) },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    expect(await ready()).toBe(503);
    await startRedis();

    await reader.waitUntil(() => decided() === CASES, 60_000);
    await expect.poll(ready, { timeout: 10_000 }).toBe(200);
    const decisions = reader.events(ns.topics.transfers);
    // A redelivered batch may repeat an output, always with the same id: consumers dedupe on it.
    const byId = new Map(decisions.map((e) => [e.id, e]));
    const perCase = new Map<string, string[]>();
    for (const e of byId.values()) {
      const caseId = caseIdOf(e) as string;
      perCase.set(caseId, [...(perCase.get(caseId) ?? []), e.type]);
    }
    expect(perCase.size).toBe(CASES);
    for (const [caseId, types] of perCase) expect(types, caseId).toHaveLength(1);
    expect(reader.messages.filter((m) => m.topic === ns.topics.deadLetter)).toEqual([]);

    const redis = new Redis(redisUrl);
    const snapshot = await new RedisLedger(redis, namespace).snapshot();
    await redis.quit();
    expect(checkLedgerInvariants(snapshot)).toEqual([]);
    const held = snapshot.facilities.reduce(
      (sum, f) => sum + (f.counts.shelter?.held ?? 0) + (f.counts.general?.held ?? 0),
      0,
    );
    const ordered = [...perCase.values()].filter((t) => t[0] === "transfer.ordered").length;
    expect(held).toBe(ordered);
  });
});
