import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { appendFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { type AnyCloudEvent, cloudEvent, type DeadLetter, fromJsonLine, toKafkaMessage } from "@fangcang/contracts";
import { describe, expect, it } from "vitest";
import {
  type PartitionOffsets,
  type PartitionRange,
  type RangeChunk,
  type RawRecord,
  readJsonLinesLog,
} from "./event-log.ts";
import {
  ExportStateError,
  ExportStore,
  exportTopics,
  MANIFEST_FILE,
  parseExportArgs,
  readManifest,
  recordLine,
  UsageError,
} from "./export.ts";

const CASES = "t.fangcang.cases";
const deadLetter: DeadLetter = {
  originalTopic: CASES,
  partition: 2,
  offset: "41",
  key: "SH-1",
  headers: { ce_type: "case.reported" },
  value: "{not json",
  errors: [{ code: "invalid_json", message: "Unexpected token" }],
  deadLetteredAt: "2022-04-10T00:31:00Z",
};
const DLQ = "t.fangcang.dead-letter";

function reported(n: number): AnyCloudEvent {
  return cloudEvent(
    "case.reported",
    { id: `ev-${n}`, source: "test/lab", time: "2022-04-10T00:30:00Z" },
    {
      caseId: `SH-${n}`,
      reportedAt: "2022-04-10T08:30:00+08:00",
      district: "Pudong",
      ageYears: 67,
      sex: "female",
      severity: "mild",
      detectedIn: "quarantine",
    },
  );
}

function record(topic: string, partition: number, offset: number, event: AnyCloudEvent): RawRecord {
  const m = toKafkaMessage(event);
  return {
    topic,
    partition,
    offset: String(offset),
    timestamp: "0",
    key: Buffer.from(m.key),
    value: Buffer.from(m.value),
    headers: m.headers,
  };
}

/** An in-memory "broker": records per topic and partition, offsets 0..n-1. */
class FakeLog {
  readonly partitions = new Map<string, RawRecord[][]>();
  private n = 0;

  constructor(topics: Record<string, number>) {
    for (const [topic, count] of Object.entries(topics)) {
      this.partitions.set(
        topic,
        Array.from({ length: count }, () => []),
      );
    }
  }

  /** Appends `count` events to the cases topic, round robin over its partitions. */
  produce(topic: string, count: number): AnyCloudEvent[] {
    const parts = this.partitions.get(topic) ?? [];
    const events: AnyCloudEvent[] = [];
    for (let i = 0; i < count; i++) {
      const event = reported(this.n++);
      const p = this.n % parts.length;
      const list = parts[p] as RawRecord[];
      list.push(record(topic, p, list.length, event));
      events.push(event);
    }
    return events;
  }

  pushRaw(topic: string, partition: number, make: (offset: number) => RawRecord): void {
    const list = this.partitions.get(topic)?.[partition] as RawRecord[];
    list.push(make(list.length));
  }

  offsets(): Map<string, PartitionOffsets[]> {
    return new Map(
      [...this.partitions].map(([topic, parts]) => [
        topic,
        parts.map((list, partition) => ({ partition, low: 0n, high: BigInt(list.length) })),
      ]),
    );
  }

  /** Reads ranges in the given order, `batch` records per chunk. */
  read(batch = 3) {
    const partitions = this.partitions;
    return async function* (ranges: PartitionRange[]): AsyncGenerator<RangeChunk> {
      for (const range of ranges) {
        const list = partitions.get(range.topic)?.[range.partition] ?? [];
        for (let at = range.from; at < range.to; ) {
          const end = at + BigInt(batch) < range.to ? at + BigInt(batch) : range.to;
          const records = list.slice(Number(at), Number(end));
          at = end;
          yield { range, records, next: end, done: end >= range.to };
        }
      }
    };
  }
}

const tmp = () => mkdtempSync(join(tmpdir(), "fangcang-export-"));
const topics = [{ name: CASES, role: "cases" as const }];

async function exportedIds(dir: string, topic = CASES): Promise<string[]> {
  const ids: string[] = [];
  for await (const event of readJsonLinesLog(join(dir, `${topic}.jsonl`))) ids.push(event.id);
  return ids;
}

describe("fangcang export: arguments", () => {
  it("defaults to all five topics, no prefix, the local broker", () => {
    expect(parseExportArgs(["--out", "/tmp/x"], {})).toEqual({
      out: "/tmp/x",
      roles: ["cases", "facilities", "transfers", "deadLetter", "ledger"],
      topicPrefix: "",
      brokers: ["127.0.0.1:9092"],
    });
  });

  it("takes topics, prefix and brokers from flags, or from the environment", () => {
    expect(
      parseExportArgs(["--out=d", "--topics", "transfers,cases", "--topic-prefix", "p.", "--brokers", "a:1,b:2"], {}),
    ).toEqual({ out: "d", roles: ["transfers", "cases"], topicPrefix: "p.", brokers: ["a:1", "b:2"] });
    expect(parseExportArgs(["--out", "d"], { KAFKA_BROKERS: "k:9", FANGCANG_TOPIC_PREFIX: "x." })).toMatchObject({
      topicPrefix: "x.",
      brokers: ["k:9"],
    });
  });

  it("rejects mistakes with a message saying what to pass", () => {
    const rejects = (argv: string[], message: RegExp) => {
      expect(() => parseExportArgs(argv, {})).toThrow(UsageError);
      expect(() => parseExportArgs(argv, {})).toThrow(message);
    };
    rejects([], /--out DIR is required/);
    rejects(
      ["--out", "d", "--topics", "cases,beds"],
      /unknown topic "beds".*cases, facilities, transfers, dead-letter/,
    );
    rejects(["--out", "d", "--brokers", "localhost"], /host:port/);
    rejects(["--out", "d", "--topic-prefix", "a b"], /--topic-prefix/);
    rejects(["--out", "d", "--frobnicate"], /frobnicate/);
  });
});

describe("fangcang export: lines", () => {
  it("writes contract events as structured CloudEvents", () => {
    const event = reported(7);
    const { kind, line } = recordLine(record(CASES, 0, 0, event), "cases");
    expect(kind).toBe("events");
    expect(fromJsonLine(line)).toEqual({ ok: true, event });
  });

  it("keeps an undecodable message with its raw value and the errors", () => {
    const bad = { ...record(CASES, 1, 5, reported(1)), value: Buffer.from("{not json") };
    const { kind, line } = recordLine(bad, "cases");
    expect(kind).toBe("undecodable");
    expect(JSON.parse(line)).toMatchObject({
      topic: CASES,
      partition: 1,
      offset: "5",
      key: "SH-1",
      value: "{not json",
      errors: [{ code: "invalid_json" }],
    });
    const binary = { ...bad, value: Buffer.from([0xff, 0xfe, 0x00]) };
    expect(JSON.parse(recordLine(binary, "cases").line).value).toBe("base64://4A");
  });

  it("writes dead letters as they are, with their position", () => {
    const dl: RawRecord = {
      topic: DLQ,
      partition: 0,
      offset: "3",
      timestamp: "0",
      key: Buffer.from("SH-1"),
      value: Buffer.from(JSON.stringify(deadLetter)),
      headers: { "x-reason": Buffer.from("invalid_data") },
    };
    const { kind, line } = recordLine(dl, "deadLetter");
    expect(kind).toBe("events");
    expect(JSON.parse(line)).toEqual({
      topic: DLQ,
      partition: 0,
      offset: "3",
      key: "SH-1",
      headers: { "x-reason": "invalid_data" },
      value: deadLetter,
    });
  });
});

describe("fangcang export: manifest and resume", () => {
  it("exports every event once, partition by partition in offset order, and records the next offsets", async () => {
    const dir = tmp();
    const log = new FakeLog({ [CASES]: 3 });
    log.produce(CASES, 20);
    const result = await exportTopics({ dir, topics, offsets: log.offsets(), read: log.read(), commitEveryLines: 4 });
    expect(result).toMatchObject({ complete: true, total: 20, counts: { [CASES]: { events: 20, undecodable: 0 } } });
    const expected = [0, 1, 2].flatMap((p) =>
      (log.partitions.get(CASES)?.[p] ?? []).map((r) => String(r.headers.ce_id)),
    );
    expect(await exportedIds(dir)).toEqual(expected);
    const manifest = await readManifest(dir);
    expect(manifest?.complete).toBe(true);
    expect(manifest?.topics[CASES]?.partitions).toEqual({ "0": "6", "1": "7", "2": "7" });
    expect(manifest?.topics[CASES]?.events.lines).toBe(20);
    expect(manifest?.topics[CASES]?.events.bytes).toBe(readFileSync(join(dir, `${CASES}.jsonl`)).length);
  });

  it("a rerun appends only what arrived since", async () => {
    const dir = tmp();
    const log = new FakeLog({ [CASES]: 2 });
    const first = log.produce(CASES, 9);
    await exportTopics({ dir, topics, offsets: log.offsets(), read: log.read() });
    const again = await exportTopics({ dir, topics, offsets: log.offsets(), read: log.read() });
    expect(again.total).toBe(0);
    const second = log.produce(CASES, 5);
    const third = await exportTopics({ dir, topics, offsets: log.offsets(), read: log.read() });
    expect(third.counts[CASES]?.events).toBe(5);
    const ids = await exportedIds(dir);
    expect(ids.sort()).toEqual([...first, ...second].map((e) => e.id).sort());
  });

  it("a crash after lines are written but before the manifest is updated duplicates nothing on resume", async () => {
    const dir = tmp();
    const log = new FakeLog({ [CASES]: 3 });
    const events = log.produce(CASES, 30);
    let commits = 0;
    await expect(
      exportTopics({
        dir,
        topics,
        offsets: log.offsets(),
        read: log.read(2),
        commitEveryLines: 5,
        beforeManifestWrite: () => {
          commits += 1;
          // The first commit records the plan; crash on the third, with lines already on disk.
          if (commits === 3) throw new Error("simulated crash");
        },
      }),
    ).rejects.toThrow("simulated crash");
    const manifest = await readManifest(dir);
    const recorded = manifest?.topics[CASES]?.events.bytes ?? 0;
    expect(readFileSync(join(dir, `${CASES}.jsonl`)).length).toBeGreaterThan(recorded);

    const resumed = await exportTopics({ dir, topics, offsets: log.offsets(), read: log.read(2) });
    expect(resumed.complete).toBe(true);
    const ids = await exportedIds(dir);
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
    expect(ids.sort()).toEqual(events.map((e) => e.id).sort());
  });

  it("a torn last line (killed mid-write) is cut off on resume", async () => {
    const dir = tmp();
    const log = new FakeLog({ [CASES]: 1 });
    log.produce(CASES, 4);
    await exportTopics({ dir, topics, offsets: log.offsets(), read: log.read() });
    await appendFile(join(dir, `${CASES}.jsonl`), '{"specversion":"1.0","id":"half');
    log.produce(CASES, 2);
    await exportTopics({ dir, topics, offsets: log.offsets(), read: log.read() });
    expect(await exportedIds(dir)).toHaveLength(6);
  });

  it("stops cleanly when asked, and the rerun continues", async () => {
    const dir = tmp();
    const log = new FakeLog({ [CASES]: 2 });
    log.produce(CASES, 12);
    let batches = 0;
    const stopped = await exportTopics({
      dir,
      topics,
      offsets: log.offsets(),
      read: log.read(2),
      shouldStop: () => ++batches === 2,
    });
    expect(stopped.complete).toBe(false);
    expect((await readManifest(dir))?.complete).toBe(false);
    expect(await exportedIds(dir)).toHaveLength(4);
    const rest = await exportTopics({ dir, topics, offsets: log.offsets(), read: log.read(2) });
    expect(rest.total).toBe(8);
    expect(new Set(await exportedIds(dir)).size).toBe(12);
  });

  it("counts undecodable messages and keeps them in their own file", async () => {
    const dir = tmp();
    const log = new FakeLog({ [CASES]: 1 });
    log.produce(CASES, 2);
    log.pushRaw(CASES, 0, (offset) => ({ ...record(CASES, 0, offset, reported(99)), value: Buffer.from("oops") }));
    log.produce(CASES, 1);
    const result = await exportTopics({ dir, topics, offsets: log.offsets(), read: log.read() });
    expect(result.counts[CASES]).toEqual({ events: 3, undecodable: 1 });
    const bad = readFileSync(join(dir, `${CASES}.undecodable.jsonl`), "utf8")
      .trim()
      .split("\n");
    expect(bad.map((l) => JSON.parse(l))).toMatchObject([{ offset: "2", value: "oops" }]);
    expect((await readManifest(dir))?.topics[CASES]?.undecodable).toMatchObject({ lines: 1 });
  });

  it("refuses a directory whose files disagree with the manifest", async () => {
    const dir = tmp();
    const log = new FakeLog({ [CASES]: 1 });
    log.produce(CASES, 3);
    await exportTopics({ dir, topics, offsets: log.offsets(), read: log.read() });
    writeFileSync(join(dir, `${CASES}.jsonl`), "");
    await expect(ExportStore.open(dir, topics)).rejects.toThrow(ExportStateError);

    const other = tmp();
    writeFileSync(join(other, `${CASES}.jsonl`), "something\n");
    await expect(ExportStore.open(other, topics)).rejects.toThrow(/does not record it/);
  });

  it("refuses to resume against a topic whose offsets went backwards", async () => {
    const dir = tmp();
    const log = new FakeLog({ [CASES]: 1 });
    log.produce(CASES, 3);
    await exportTopics({ dir, topics, offsets: log.offsets(), read: log.read() });
    const fresh = new FakeLog({ [CASES]: 1 });
    await expect(exportTopics({ dir, topics, offsets: fresh.offsets(), read: fresh.read() })).rejects.toThrow(
      /recreated/,
    );
  });

  it("reports offsets lost to retention and carries on from the low-water mark", async () => {
    const dir = tmp();
    const log = new FakeLog({ [CASES]: 1 });
    log.produce(CASES, 2);
    await exportTopics({ dir, topics, offsets: log.offsets(), read: log.read() });
    log.produce(CASES, 5);
    const offsets = new Map([[CASES, [{ partition: 0, low: 4n, high: 7n }]]]);
    const result = await exportTopics({ dir, topics, offsets, read: log.read() });
    expect(result.lost).toEqual([{ topic: CASES, partition: 0, from: "2", to: "4" }]);
    expect(await exportedIds(dir)).toHaveLength(5);
    expect(readFileSync(join(dir, MANIFEST_FILE), "utf8")).toContain('"0": "7"');
  });

  it("draws a progress bar on the given stream", async () => {
    const dir = tmp();
    const log = new FakeLog({ [CASES]: 1 });
    log.produce(CASES, 3);
    const stream = new PassThrough() as unknown as NodeJS.WriteStream;
    let text = "";
    (stream as unknown as PassThrough).on("data", (chunk: Buffer) => {
      text += chunk.toString();
    });
    await exportTopics({ dir, topics, offsets: log.offsets(), read: log.read(), progress: { stream } });
    expect(text).toContain("3/3 messages");
  });
});
