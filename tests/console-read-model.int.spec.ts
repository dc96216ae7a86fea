// The console's read model on a real broker: rebuilt from the beginning of the log at
// start, ready only once everything on the topics then is applied, any number of instances
// side by side (each reads everything), and it keeps following after that.
import type { RunningAllocator } from "@fangcang/allocator";
import { createKafka, EventProducer, TopicReader } from "@fangcang/bus";
import { loadConsoleConfig, type RunningConsole, startConsole } from "@fangcang/console";
import { type AnyCloudEvent, cloudEvent } from "@fangcang/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestAllocator } from "./harness/allocator.ts";
import { createTestTopics, testBrokers, testNamespace } from "./harness/namespace.ts";

const ns = testNamespace("console-read-model");
const token = "read-model-spec-token-0123456789";
let allocator: RunningAllocator;
let producer: EventProducer;
let reader: TopicReader;
const consoles: RunningConsole[] = [];

let n = 0;
const now = () => new Date().toISOString();
const reported = (caseId: string): AnyCloudEvent =>
  cloudEvent(
    "case.reported",
    { id: `rm-${++n}`, source: "test/lab", time: now() },
    {
      caseId,
      reportedAt: now(),
      district: "Pudong",
      ageYears: 50,
      sex: "male",
      severity: "asymptomatic",
      detectedIn: "quarantine",
    },
  );

const startTestConsole = async () => {
  const running = await startConsole(
    loadConsoleConfig({
      KAFKA_BROKERS: testBrokers().join(","),
      FANGCANG_TOPIC_PREFIX: ns.topicPrefix,
      FANGCANG_CONSOLE_PORT: "0",
      FANGCANG_CONSOLE_TOKENS: `spec:viewer:${token}`,
    }),
  );
  consoles.push(running);
  return running;
};

async function get<T>(running: RunningConsole, path: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${running.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as T };
}

interface Overview {
  ready: boolean;
  beds: { total: number; held: number; free: number };
  waiting: number;
  cases: number;
}

/** Polls /readyz; at the first 200, reads the overview at once. */
async function overviewWhenReady(running: RunningConsole): Promise<Overview> {
  const deadline = Date.now() + 60_000;
  while ((await get(running, "/readyz")).status !== 200) {
    if (Date.now() > deadline) throw new Error("the console did not become ready within 60 s");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return (await get<Overview>(running, "/api/overview")).body;
}

beforeAll(async () => {
  await createTestTopics(ns, 3);
  allocator = await startTestAllocator(ns);
  producer = new EventProducer(createKafka({ brokers: testBrokers(), clientId: "test-console-read-model" }));
  await producer.connect();
  reader = await TopicReader.start(testBrokers(), [ns.topics.transfers], "test-console-read-model");
  await producer.send([
    {
      topic: ns.topics.facilities,
      events: [
        cloudEvent(
          "facility.registered",
          { id: `rm-${++n}`, source: "test/ops", time: now() },
          {
            facilityId: "FC-RM",
            name: "Pudong Fangcang",
            kind: "fangcang",
            district: "Pudong",
            beds: { shelter: 3 },
            capabilities: [],
          },
        ),
      ],
    },
  ]);
  await producer.send([{ topic: ns.topics.cases, events: ["a", "b", "c", "d", "e"].map(reported) }]);
  // Not a contract event: the console skips and counts it, and keeps going.
  await producer.sendRaw(ns.topics.cases, [{ key: "junk", value: "{not json", headers: {} }]);
  await reader.waitUntil((r) => r.events().length >= 5);
});

afterAll(async () => {
  for (const running of consoles) await running.stop();
  await reader?.stop();
  await producer?.disconnect();
  await allocator?.stop();
});

describe("the console's read model on Kafka", () => {
  it("is rebuilt from the log at start and is ready only with everything then on the topics applied", async () => {
    const [first, second] = await Promise.all([startTestConsole(), startTestConsole()]);
    for (const running of [first, second] as RunningConsole[]) {
      const overview = await overviewWhenReady(running);
      expect(overview).toMatchObject({ ready: true, cases: 5, waiting: 2, beds: { total: 3, held: 3, free: 0 } });
    }
    const metrics = await (await fetch(`${first?.url}/metrics`)).text();
    expect(metrics).toMatch(/fangcang_console_events_undecodable_total\{topic="[^"]*fangcang\.cases"\} 1/);
    expect(metrics).toContain("fangcang_console_ready 1");
  });

  it("keeps following after it is ready, every instance", async () => {
    await producer.send([{ topic: ns.topics.cases, events: [reported("f")] }]);
    for (const running of consoles) {
      await expect
        .poll(async () => (await get<Overview>(running, "/api/overview")).body.waiting, { timeout: 30_000 })
        .toBe(3);
      // The two topics are read concurrently: the order of these two is not guaranteed.
      const history = await get<{ history: { type: string }[] }>(running, "/api/cases/f");
      expect(history.body.history.map((h) => h.type).sort()).toEqual(["case.reported", "case.waitlisted"]);
    }
  });
});
