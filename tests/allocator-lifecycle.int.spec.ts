// The running allocator, on a real broker and Redis, emits every decision of the contract:
// given inputs from labs, intake systems and operations on Kafka, then these decisions
// appear on the transfers topic.
import { type RunningAllocator } from "@fangcang/allocator";
import { createKafka, EventProducer, TopicReader } from "@fangcang/bus";
import { type AnyCloudEvent, type CaseReported, caseIdOf, cloudEvent, type EventData } from "@fangcang/contracts";
import { checkLedgerInvariants, RedisLedger } from "@fangcang/ledger";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startTestAllocator } from "./harness/allocator.ts";
import { createTestTopics, testBrokers, testNamespace } from "./harness/namespace.ts";

const ns = testNamespace("lifecycle");
const namespace = ns.redisPrefix.replace(/:$/, "");
const T0 = Date.parse("2022-04-10T08:00:00.000Z");
const at = (hours: number) => new Date(T0 + hours * 3_600_000).toISOString();
let n = 0;
const meta = (time: string) => ({ id: `it-${++n}`, source: "test/intake", time });

const reported = (caseId: string, data: Partial<CaseReported> = {}, hour = 0) =>
  cloudEvent("case.reported", meta(at(hour)), {
    caseId,
    reportedAt: at(hour),
    district: "Xuhui",
    ageYears: 30,
    sex: "male",
    severity: "mild",
    detectedIn: "community",
    ...data,
  });

let allocator: RunningAllocator;
let producer: EventProducer;
let reader: TopicReader;
let redis: Redis;

beforeAll(async () => {
  // One partition: this spec asserts on the order of decisions across cases.
  await createTestTopics(ns, 1);
  allocator = await startTestAllocator(ns);
  producer = new EventProducer(createKafka({ brokers: testBrokers(), clientId: "test-lifecycle" }));
  await producer.connect();
  reader = await TopicReader.start(testBrokers(), [ns.topics.transfers, ns.topics.deadLetter], "test-lifecycle");
  redis = new Redis(inject("redisUrl"));
});

afterAll(async () => {
  await reader?.stop();
  await producer?.disconnect();
  await allocator?.stop();
  await redis?.quit();
});

const cases = (...events: AnyCloudEvent[]) => producer.send([{ topic: ns.topics.cases, events }]);
const decisionsFor = (caseId: string) => reader.events(ns.topics.transfers).filter((e) => caseIdOf(e) === caseId);
const typesFor = (caseId: string) => decisionsFor(caseId).map((e) => e.type);
const until = (caseId: string, types: string[]) =>
  reader.waitUntil(() => JSON.stringify(typesFor(caseId)) === JSON.stringify(types), 30_000);
const lastOrder = (caseId: string) =>
  decisionsFor(caseId)
    .filter((e) => e.type === "transfer.ordered")
    .at(-1)?.data as EventData<"transfer.ordered">;

describe("the allocator on Kafka and Redis", () => {
  it("emits every contract decision over a patient's lifecycle", async () => {
    await producer.send([
      {
        topic: ns.topics.facilities,
        events: [
          cloudEvent("facility.registered", meta(at(0)), {
            facilityId: "FC-1",
            name: "Fangcang 1",
            kind: "fangcang",
            district: "Xuhui",
            beds: { shelter: 1 },
            capabilities: [],
          }),
          cloudEvent("facility.registered", meta(at(0)), {
            facilityId: "DH-1",
            name: "Designated 1",
            kind: "designated_hospital",
            district: "Pudong",
            beds: { general: 3 },
            capabilities: [],
          }),
        ],
      },
    ]);
    const ledger = new RedisLedger(redis, namespace);
    await expect.poll(async () => (await ledger.snapshot()).facilities.length, { timeout: 30_000 }).toBe(2);

    // transfer.ordered and case.waitlisted
    await cases(reported("a"), reported("b", {}, 0.5));
    await until("a", ["transfer.ordered"]);
    await until("b", ["case.waitlisted"]);
    const aOrder = lastOrder("a");
    expect(aOrder).toMatchObject({ facilityId: "FC-1", bedClass: "shelter", route: "fangcang" });

    // admission, two negative tests 24 h apart → case.release-eligible
    await cases(
      cloudEvent("transfer.admitted", meta(at(2)), {
        caseId: "a",
        transferId: aOrder.transferId,
        facilityId: "FC-1",
        at: at(2),
      }),
      cloudEvent("case.test-result", meta(at(100)), { caseId: "a", sampledAt: at(100), nGeneCt: 37, orfGeneCt: 36 }),
      cloudEvent("case.test-result", meta(at(124)), { caseId: "a", sampledAt: at(124), nGeneCt: 38, orfGeneCt: 35 }),
    );
    await until("a", ["transfer.ordered", "case.release-eligible"]);

    // discharge → case.closed, and the freed bed goes to b (through b's own key)
    await cases(
      cloudEvent("patient.discharged", meta(at(125)), {
        caseId: "a",
        facilityId: "FC-1",
        at: at(125),
        outcome: "recovered",
      }),
    );
    await until("a", ["transfer.ordered", "case.release-eligible", "case.closed"]);
    await until("b", ["case.waitlisted", "transfer.ordered"]);
    expect(lastOrder("b")).toMatchObject({ facilityId: "FC-1" });

    // worsening in a Fangcang → case.escalated, then a transfer to a designated hospital
    const bOrder = lastOrder("b");
    await cases(
      cloudEvent("transfer.admitted", meta(at(126)), {
        caseId: "b",
        transferId: bOrder.transferId,
        facilityId: "FC-1",
        at: at(126),
      }),
      cloudEvent("case.reclassified", meta(at(130)), { caseId: "b", at: at(130), severity: "severe" }),
    );
    await until("b", ["case.waitlisted", "transfer.ordered", "case.escalated", "transfer.ordered"]);
    expect(lastOrder("b")).toMatchObject({ facilityId: "DH-1", route: "designated_hospital" });

    // rejection → transfer.cancelled, then re-placed; withdrawal → transfer.cancelled + case.closed
    await cases(reported("c", { severity: "moderate" }, 131));
    await until("c", ["transfer.ordered"]);
    await cases(
      cloudEvent("transfer.rejected", meta(at(132)), {
        caseId: "c",
        transferId: lastOrder("c").transferId,
        facilityId: "DH-1",
        at: at(132),
        reason: "no oxygen supply",
      }),
    );
    await until("c", ["transfer.ordered", "transfer.cancelled", "case.waitlisted"]);
    await cases(cloudEvent("case.withdrawn", meta(at(133)), { caseId: "c", at: at(133), reason: "duplicate" }));
    await until("c", ["transfer.ordered", "transfer.cancelled", "case.waitlisted", "case.closed"]);

    // hold expiry: d's hold is not admitted; a report 12 h later expires it
    await cases(reported("d", { severity: "moderate" }, 140));
    await until("d", ["transfer.ordered"]);
    await cases(reported("e", { severity: "asymptomatic" }, 152));
    await until("d", ["transfer.ordered", "transfer.cancelled", "case.waitlisted", "transfer.ordered"]);

    // a refused event (a discharge before admission) goes to the dead-letter topic, state named
    await cases(
      cloudEvent("patient.discharged", meta(at(153)), {
        caseId: "e",
        facilityId: "FC-1",
        at: at(153),
        outcome: "recovered",
      }),
    );
    await reader.waitUntil((r) => r.messages.some((m) => m.topic === ns.topics.deadLetter));
    const letter = JSON.parse(reader.messages.find((m) => m.topic === ns.topics.deadLetter)?.value ?? "{}");
    expect(letter).toMatchObject({ key: "e", state: "ordered", errors: [{ code: "not_accepted" }] });

    const all = reader.events(ns.topics.transfers);
    expect(new Set(all.map((e) => e.type))).toEqual(
      new Set([
        "transfer.ordered",
        "case.waitlisted",
        "transfer.cancelled",
        "case.escalated",
        "case.release-eligible",
        "case.closed",
      ]),
    );
    for (const e of all) {
      expect(e.data).toMatchObject({
        decisionId: e.id,
        policyVersion: "shanghai-2022-04-09.v1",
        decidedAt: e.time,
        causationId: expect.any(String),
        ledgerSeq: expect.any(Number),
      });
    }
    expect(checkLedgerInvariants(await ledger.snapshot())).toEqual([]);
  });
});
