// Given the allocator working through a stream of cases, when its Redis goes away for ten
// seconds and comes back (append-only file on), then it reports not-ready meanwhile and
// afterwards every case has its decision, none applied twice, and the ledger is whole.
import type { RunningAllocator } from "@fangcang/allocator";
import { createKafka, EventProducer, TopicReader } from "@fangcang/bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestAllocator } from "./harness/allocator.ts";
import { createTestTopics, testBrokers, testNamespace } from "./harness/namespace.ts";
import {
  decidedCases,
  expectEachCaseDecidedOnce,
  outageFacilities,
  outageReports,
  readiness,
} from "./harness/outage-workload.ts";
import { RedisServer } from "./harness/redis-server.ts";

const ns = testNamespace("redis-outage");
const CASES = 300;

let redisServer: RedisServer;
let redisUrl: string;
let allocator: RunningAllocator;
let producer: EventProducer;
let reader: TopicReader;

const ready = async () => (await readiness(allocator.healthPort)).status;

beforeAll(async () => {
  redisServer = await RedisServer.create();
  redisUrl = redisServer.url;
  await redisServer.start();
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
  await redisServer?.remove();
});

describe("a Redis outage", () => {
  it("pauses the allocator, which resumes with nothing lost or applied twice", async () => {
    await producer.send([{ topic: ns.topics.facilities, events: outageFacilities }]);
    const decided = () => decidedCases(reader, ns);
    await producer.send([{ topic: ns.topics.cases, events: outageReports(0, CASES / 2) }]);
    await reader.waitUntil(() => decided() > 0, 30_000);

    await redisServer.stop("SIGTERM");
    await expect.poll(ready, { timeout: 10_000 }).toBe(503);
    await producer.send([{ topic: ns.topics.cases, events: outageReports(CASES / 2, CASES / 2) }]);
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    expect(await ready()).toBe(503);
    await redisServer.start();

    await reader.waitUntil(() => decided() === CASES, 60_000);
    await expect.poll(ready, { timeout: 10_000 }).toBe(200);
    await expectEachCaseDecidedOnce(reader, ns, redisUrl, CASES);
  });
});
