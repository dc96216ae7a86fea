// `fangcang export` against the real broker: events produced to a namespaced set of topics
// are exported exactly once across an interrupted run (a simulated crash between writing
// lines and updating the manifest), a clean stop, more events produced in between, and a
// final run of the CLI itself; the files read back equal to what Kafka holds.
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createKafka, EventProducer } from "@fangcang/bus";
import { type AnyCloudEvent, cloudEvent, type DeadLetter } from "@fangcang/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  fetchPartitionOffsets,
  type KafkaLogEntry,
  readJsonLinesLog,
  readKafkaLog,
  readRanges,
} from "../services/cli/src/event-log.ts";
import { type ExportTopic, exportTopics, readManifest } from "../services/cli/src/export.ts";
import { createTestTopics, testBrokers, testNamespace } from "./harness/namespace.ts";

const run = promisify(execFile);
const ns = testNamespace("export");
const dir = mkdtempSync(join(tmpdir(), "fangcang-export-int-"));
const topics: ExportTopic[] = [
  { name: ns.topics.cases, role: "cases" },
  { name: ns.topics.facilities, role: "facilities" },
  { name: ns.topics.transfers, role: "transfers" },
  { name: ns.topics.deadLetter, role: "deadLetter" },
];
let producer: EventProducer;
let serial = 0;

function reported(): AnyCloudEvent {
  const n = serial++;
  return cloudEvent(
    "case.reported",
    { id: `export-int-${n}`, source: "test/export", time: new Date(Date.UTC(2022, 3, 10, 0, 0, n)).toISOString() },
    {
      caseId: `SH-${n % 97}`,
      reportedAt: "2022-04-10T08:30:00+08:00",
      district: "Pudong",
      ageYears: 20 + (n % 60),
      sex: "female",
      severity: "mild",
      detectedIn: "quarantine",
    },
  );
}

function facility(n: number): AnyCloudEvent {
  return cloudEvent(
    "facility.registered",
    { id: `export-int-f${n}`, source: "test/export", time: "2022-04-09T00:00:00Z" },
    {
      facilityId: `F-${n}`,
      name: `Fangcang ${n}`,
      kind: "fangcang",
      district: "Pudong",
      beds: { shelter: 100 },
      capabilities: [],
    },
  );
}

async function exported(topic: string): Promise<AnyCloudEvent[]> {
  const events: AnyCloudEvent[] = [];
  for await (const event of readJsonLinesLog(join(dir, `${topic}.jsonl`))) events.push(event);
  return events;
}

async function onKafka(): Promise<KafkaLogEntry[]> {
  const entries: KafkaLogEntry[] = [];
  const log = readKafkaLog({
    brokers: testBrokers(),
    topics: [ns.topics.cases, ns.topics.facilities],
    onUndecodable: () => {},
  });
  for await (const entry of log) entries.push(entry);
  return entries;
}

const kafka = () => createKafka({ brokers: testBrokers(), clientId: "test-export" });
const exportOnce = async (options: Partial<Parameters<typeof exportTopics>[0]> = {}) => {
  const k = kafka();
  return exportTopics({
    dir,
    topics,
    offsets: await fetchPartitionOffsets(
      k,
      topics.map((t) => t.name),
    ),
    read: (ranges) => readRanges(k, ranges, { clientId: "test-export" }),
    ...options,
  });
};

beforeAll(async () => {
  await createTestTopics(ns, 3);
  producer = new EventProducer(kafka());
  await producer.connect();
});

afterAll(async () => {
  await producer?.disconnect();
});

describe("fangcang export on a real broker", () => {
  const produced: AnyCloudEvent[] = [];
  const facilities = Array.from({ length: 5 }, (_, i) => facility(i));

  it("exports every event exactly once across a crash, a stop and new events, and reads them back equal", async () => {
    const first = Array.from({ length: 400 }, reported);
    produced.push(...first);
    await producer.send([
      { topic: ns.topics.facilities, events: facilities },
      { topic: ns.topics.cases, events: first },
    ]);
    // One message that is not a contract event, and one dead letter.
    await producer.sendRaw(ns.topics.cases, [{ key: "SH-1", value: "{oops", headers: { ce_type: "case.reported" } }]);
    const letter: DeadLetter = {
      originalTopic: ns.topics.cases,
      partition: 0,
      offset: "0",
      key: "SH-1",
      headers: {},
      value: "{oops",
      errors: [{ code: "invalid_json", message: "bad" }],
      deadLetteredAt: "2022-04-10T00:00:00Z",
    };
    await producer.sendRaw(ns.topics.deadLetter, [{ key: "SH-1", value: JSON.stringify(letter) }]);

    // Run 1 dies after lines are on disk but before the manifest vouches for them.
    let commits = 0;
    await expect(
      exportOnce({
        commitEveryLines: 50,
        beforeManifestWrite: () => {
          if (++commits === 4) throw new Error("simulated crash");
        },
      }),
    ).rejects.toThrow("simulated crash");
    const afterCrash = await readManifest(dir);
    expect(afterCrash?.complete).toBe(false);

    // Run 2 is stopped cleanly part of the way.
    let batches = 0;
    const stopped = await exportOnce({ commitEveryLines: 50, shouldStop: () => ++batches === 1 });
    expect(stopped.complete).toBe(false);

    // More events arrive; the CLI itself finishes the export.
    const second = Array.from({ length: 150 }, reported);
    produced.push(...second);
    await producer.send([{ topic: ns.topics.cases, events: second }]);
    const { stdout, stderr } = await run(
      process.execPath,
      [
        "services/cli/src/main.ts",
        "export",
        "--out",
        dir,
        "--topic-prefix",
        ns.topicPrefix,
        "--brokers",
        testBrokers().join(","),
      ],
      { cwd: join(import.meta.dirname, "..") },
    );
    expect(stdout).toContain("exported:");
    expect(stderr).toContain("messages");

    const manifest = await readManifest(dir);
    expect(manifest?.complete).toBe(true);

    const cases = await exported(ns.topics.cases);
    expect(cases.map((e) => e.id).sort()).toEqual(produced.map((e) => e.id).sort());
    expect(new Set(cases.map((e) => e.id)).size).toBe(produced.length);
    // Facilities are spread over partitions: the file is partition by partition.
    const byFacilityId = (a: AnyCloudEvent, b: AnyCloudEvent) => a.id.localeCompare(b.id);
    expect((await exported(ns.topics.facilities)).sort(byFacilityId)).toEqual([...facilities].sort(byFacilityId));
    expect(await exported(ns.topics.transfers)).toEqual([]);

    // Equal to Kafka, event for event, and in offset order within every partition.
    const kafkaLog = await onKafka();
    const byId = new Map(cases.map((e) => [e.id, e]));
    for (const entry of kafkaLog.filter((e) => e.topic === ns.topics.cases))
      expect(byId.get(entry.event.id)).toEqual(entry.event);
    const position = new Map(kafkaLog.map((e) => [e.event.id, e]));
    const lastOffset = new Map<number, bigint>();
    for (const event of cases) {
      const at = position.get(event.id);
      expect(at).toBeDefined();
      if (at === undefined) continue;
      const before = lastOffset.get(at.partition) ?? -1n;
      expect(BigInt(at.offset)).toBeGreaterThan(before);
      lastOffset.set(at.partition, BigInt(at.offset));
    }

    const undecodable = readFileSync(join(dir, `${ns.topics.cases}.undecodable.jsonl`), "utf8")
      .trim()
      .split("\n");
    expect(undecodable.map((line) => JSON.parse(line))).toMatchObject([
      {
        topic: ns.topics.cases,
        key: "SH-1",
        value: "{oops",
        errors: expect.arrayContaining([expect.objectContaining({ code: "missing_header" })]),
      },
    ]);
    const letters = readFileSync(join(dir, `${ns.topics.deadLetter}.jsonl`), "utf8")
      .trim()
      .split("\n");
    expect(letters.map((line) => JSON.parse(line))).toMatchObject([{ key: "SH-1", value: letter }]);

    // A rerun with nothing new writes nothing.
    const idle = await exportOnce();
    expect(idle.total).toBe(0);
    expect(await exported(ns.topics.cases)).toHaveLength(produced.length);
  });

  it("readKafkaLog stops at the high-water marks and can refuse undecodable messages", async () => {
    const entries = await onKafka();
    expect(entries.filter((e) => e.topic === ns.topics.cases)).toHaveLength(produced.length);
    const strict = readKafkaLog({ brokers: testBrokers(), topics: [ns.topics.cases] });
    await expect(
      (async () => {
        for await (const _ of strict) {
          // reading
        }
      })(),
    ).rejects.toThrow(/partition \d+ offset \d+: not a contract event/);
  });

  it("says which topic is missing", async () => {
    await expect(onMissing()).rejects.toThrow(/no such topic on the broker: .*nope/);
  });
});

describe("fangcang export killed with SIGKILL", () => {
  const killNs = testNamespace("export-kill");
  const killDir = mkdtempSync(join(tmpdir(), "fangcang-export-kill-"));
  const cli = ["services/cli/src/main.ts", "export", "--out", killDir, "--topics", "cases"];
  const cwd = join(import.meta.dirname, "..");

  it("resumes after a kill -9 in the middle and holds every event exactly once", async () => {
    await createTestTopics(killNs, 3);
    const events = Array.from({ length: 20_000 }, reported);
    await producer.send([{ topic: killNs.topics.cases, events }]);
    const args = [...cli, "--topic-prefix", killNs.topicPrefix, "--brokers", testBrokers().join(",")];

    const child = spawn(process.execPath, args, { cwd, stdio: "ignore" });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    let killedAt: number | undefined;
    const deadline = Date.now() + 30_000;
    while (killedAt === undefined && Date.now() < deadline) {
      const manifest = await readManifest(killDir).catch(() => undefined);
      const lines = manifest?.topics[killNs.topics.cases]?.events.lines ?? 0;
      if (lines > 0) {
        child.kill("SIGKILL");
        killedAt = lines;
      } else {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
    await exited;
    expect(killedAt).toBeDefined();
    expect(killedAt).toBeLessThan(events.length);
    expect((await readManifest(killDir))?.complete).toBe(false);

    await run(process.execPath, args, { cwd });
    const ids: string[] = [];
    for await (const event of readJsonLinesLog(join(killDir, `${killNs.topics.cases}.jsonl`))) ids.push(event.id);
    expect(ids).toHaveLength(events.length);
    expect(new Set(ids).size).toBe(events.length);
    expect([...ids].sort()).toEqual(events.map((e) => e.id).sort());
    expect((await readManifest(killDir))?.complete).toBe(true);
  });
});

async function onMissing(): Promise<void> {
  for await (const _ of readKafkaLog({ brokers: testBrokers(), topics: [`${ns.topicPrefix}nope`] })) {
    // nothing
  }
}
