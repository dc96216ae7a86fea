// Given facilities and cases on a real broker, the allocator places each case, waitlists
// what does not fit, dead-letters what is invalid, and gives opened beds to waiting cases.

import type { RunningAllocator } from "@fangcang/allocator";
import { createKafka, EventProducer, TopicReader } from "@fangcang/bus";
import { type AnyCloudEvent, type CaseReported, caseIdOf, cloudEvent } from "@fangcang/contracts";
import { RedisLedger } from "@fangcang/ledger";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startTestAllocator } from "./harness/allocator.ts";
import { createTestTopics, testBrokers, testNamespace } from "./harness/namespace.ts";

const ns = testNamespace("walking-skeleton");
const namespace = ns.redisPrefix.replace(/:$/, "");
const T = "2022-04-10T08:00:00.000Z";
let seq = 0;
const meta = (time = T) => ({ id: `lab-${++seq}`, source: "test/lab", time });

function reported(caseId: string, severity: CaseReported["severity"], extra: Partial<CaseReported> = {}) {
  return cloudEvent("case.reported", meta(), {
    caseId,
    reportedAt: T,
    district: "Xuhui",
    ageYears: 35,
    sex: "female",
    severity,
    detectedIn: "community",
    ...extra,
  });
}

let allocator: RunningAllocator;
let producer: EventProducer;
let probe: TopicReader;
let redis: Redis;

beforeAll(async () => {
  await createTestTopics(ns, 3);
  allocator = await startTestAllocator(ns);
  producer = new EventProducer(createKafka({ brokers: testBrokers(), clientId: "test-producer" }));
  await producer.connect();
  probe = await TopicReader.start(testBrokers(), [ns.topics.transfers, ns.topics.deadLetter], "test-probe");
  redis = new Redis(inject("redisUrl"));
});

afterAll(async () => {
  await probe?.stop();
  await producer?.disconnect();
  await allocator?.stop();
  await redis?.quit();
});

const caseOf = caseIdOf;
const send = (topic: string, events: AnyCloudEvent[]) => producer.send([{ topic, events }]);

describe("the allocator walking skeleton", () => {
  it("places, waitlists, dead-letters and fills opened beds, through Kafka and Redis", async () => {
    await send(ns.topics.facilities, [
      cloudEvent("facility.registered", meta(), {
        facilityId: "FC-XH-1",
        name: "Xuhui Fangcang 1",
        kind: "fangcang",
        district: "Xuhui",
        beds: { shelter: 1 },
        capabilities: [],
      }),
      cloudEvent("facility.registered", meta(), {
        facilityId: "DH-PD-1",
        name: "Pudong designated hospital",
        kind: "designated_hospital",
        district: "Pudong",
        beds: { general: 5, icu: 1 },
        capabilities: ["icu"],
      }),
    ]);
    const ledger = new RedisLedger(redis, namespace);
    await expect.poll(async () => (await ledger.snapshot()).facilities.length, { timeout: 30_000 }).toBe(2);

    await send(ns.topics.cases, [
      reported("c-asym", "asymptomatic"),
      reported("c-mild", "mild"),
      reported("c-severe", "severe"),
    ]);
    await producer.sendRaw(ns.topics.cases, [
      {
        key: "c-bad",
        value: "{not json",
        headers: { ce_specversion: "1.0", ce_id: "bad-1", ce_source: "test/lab", ce_type: "case.reported", ce_time: T },
      },
    ]);

    await probe.waitUntil(
      (p) => p.events(ns.topics.transfers).length >= 3 && p.messages.some((m) => m.topic === ns.topics.deadLetter),
    );
    // c-asym and c-mild travel on different partitions and compete for the one shelter bed:
    // either may win it, and the other must wait.
    const decisions = probe.events(ns.topics.transfers);
    const decisionOf = (caseId: string) => decisions.find((e) => caseOf(e) === caseId);
    const shelterWinner = decisionOf("c-asym")?.type === "transfer.ordered" ? "c-asym" : "c-mild";
    const shelterLoser = shelterWinner === "c-asym" ? "c-mild" : "c-asym";
    expect(decisions.map((e) => [e.type, caseOf(e)]).sort()).toEqual(
      [
        ["transfer.ordered", shelterWinner],
        ["case.waitlisted", shelterLoser],
        ["transfer.ordered", "c-severe"],
      ].sort(),
    );
    expect(decisionOf(shelterWinner)?.data).toMatchObject({
      facilityId: "FC-XH-1",
      bedClass: "shelter",
      route: "fangcang",
    });
    expect(decisionOf(shelterWinner)?.data).toMatchObject({
      policyVersion: "shanghai-2022-04-09.v1",
      decidedAt: T,
      causationId: expect.any(String),
      decisionId: expect.any(String),
    });
    expect(decisionOf(shelterLoser)?.data).toMatchObject({ route: "fangcang", priority: expect.any(Number) });
    expect(decisionOf("c-severe")?.data).toMatchObject({
      facilityId: "DH-PD-1",
      bedClass: "general",
      route: "designated_hospital",
    });

    const dead = probe.messages.find((m) => m.topic === ns.topics.deadLetter);
    const letter = JSON.parse(dead?.value ?? "{}");
    expect(letter).toMatchObject({ originalTopic: ns.topics.cases, key: "c-bad", value: "{not json" });
    expect(letter.errors[0].code).toBe("invalid_json");

    await send(ns.topics.facilities, [
      cloudEvent("facility.beds-changed", meta(), { facilityId: "FC-XH-1", at: T, bedClass: "shelter", total: 2 }),
    ]);
    const orderedFor = (caseId: string) =>
      probe.events(ns.topics.transfers).find((e) => e.type === "transfer.ordered" && caseOf(e) === caseId);
    await probe.waitUntil(() => orderedFor(shelterLoser) !== undefined);
    expect(orderedFor(shelterLoser)?.data).toMatchObject({ facilityId: "FC-XH-1", bedClass: "shelter" });

    // Handled work is committed: the group's offsets reach the end of every partition read.
    const admin = createKafka({ brokers: testBrokers(), clientId: "test-offsets" }).admin();
    await admin.connect();
    try {
      for (const topic of [ns.topics.cases, ns.topics.facilities]) {
        const ends = await admin.fetchTopicOffsets(topic);
        await expect
          .poll(
            async () => {
              const [committed] = await admin.fetchOffsets({ groupId: `${namespace}-allocator`, topics: [topic] });
              // A partition nothing was written to has no committed offset (-1).
              return committed?.partitions.map((p) => [p.partition, p.offset === "-1" ? "0" : p.offset]).sort();
            },
            { timeout: 15_000 },
          )
          .toEqual(ends.map((p) => [p.partition, p.high]).sort());
      }
    } finally {
      await admin.disconnect();
    }
  });
});
