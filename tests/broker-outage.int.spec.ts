// Given the allocator working through a backlog of cases on its own Kafka broker, when the
// broker stops mid-run and comes back after ten seconds, then the allocator reports
// not-ready (naming the broker) while it is away, its producer and consumer ride out the
// outage by retrying, and afterwards it is ready again with every case decided once, none
// lost, none applied twice, and the ledger whole.
import type { RunningAllocator } from "@fangcang/allocator";
import { createKafka, EventProducer, ensureTopics, TopicReader } from "@fangcang/bus";
import { KafkaNode } from "@fangcang/infra";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startTestAllocator } from "./harness/allocator.ts";
import { testNamespace } from "./harness/namespace.ts";
import {
  decidedCases,
  expectEachCaseDecidedOnce,
  outageFacilities,
  outageReports,
  readiness,
} from "./harness/outage-workload.ts";

const ns = testNamespace("broker-outage");
const CASES = 3_000;
const OUTAGE_MS = 10_000;

let node: KafkaNode;
let allocator: RunningAllocator;
let producer: EventProducer;
let reader: TopicReader;

beforeAll(async () => {
  node = await KafkaNode.create({ partitions: 3 });
  await node.start();
  await ensureTopics({ brokers: node.brokers, topics: Object.values(ns.topics), partitions: 3 });
  // Small batches, so the allocator is still working through the backlog when the broker stops.
  allocator = await startTestAllocator(ns, {
    KAFKA_BROKERS: node.brokers.join(","),
    FANGCANG_MAX_BATCH_BYTES: "16384",
  });
  producer = new EventProducer(createKafka({ brokers: node.brokers, clientId: "test-broker-outage" }));
  await producer.connect();
  reader = await TopicReader.start(node.brokers, [ns.topics.transfers, ns.topics.deadLetter], "test-broker-outage");
}, 150_000);

afterAll(async () => {
  await reader?.stop().catch(() => {});
  await producer?.disconnect().catch(() => {});
  await allocator?.stop().catch(() => {});
  await node?.remove();
}, 60_000);

describe("a Kafka broker outage", () => {
  it("makes the allocator not-ready until the broker is back, with nothing lost or applied twice", async () => {
    expect(await readiness(allocator.healthPort)).toMatchObject({
      status: 200,
      body: { broker: { reachable: true }, consumer: "member", redis: "ready" },
    });
    await producer.send([{ topic: ns.topics.facilities, events: outageFacilities }]);
    await producer.send([{ topic: ns.topics.cases, events: outageReports(0, CASES) }]);
    await reader.waitUntil(() => decidedCases(reader, ns) >= CASES / 10, 60_000);

    await node.stop("SIGTERM");
    // Mid-backlog: the allocator has handled only part of the input when the broker goes.
    const handled = allocator.worker.stats.events;
    expect(handled).toBeLessThan(CASES);
    const before = allocator.worker.stats.batches;
    await expect
      .poll(() => readiness(allocator.healthPort).catch(() => undefined), { timeout: 10_000, interval: 200 })
      .toMatchObject({ status: 503, body: { broker: { reachable: false } } });
    const down = await readiness(allocator.healthPort);
    expect(down.body.problems).toEqual(expect.arrayContaining([expect.stringMatching(/^broker unreachable: /)]));
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    expect((await readiness(allocator.healthPort)).status).toBe(503);

    await node.start();
    await reader.waitUntil(() => decidedCases(reader, ns) === CASES, 120_000);
    await expect
      .poll(() => readiness(allocator.healthPort), { timeout: 30_000, interval: 200 })
      .toMatchObject({ status: 200, body: { problems: [] } });
    // The backlog was finished by this allocator, not by a restarted one.
    expect(allocator.worker.stats.batches).toBeGreaterThan(before);
    await expectEachCaseDecidedOnce(reader, ns, inject("redisUrl"), CASES);
  }, 300_000);
});
