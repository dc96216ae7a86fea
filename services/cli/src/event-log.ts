// Reading a recorded event log back: from a JSON Lines file (an export, a scenario file:
// one structured CloudEvent per line), or from Kafka, each partition from its beginning up
// to the high-water mark captured when reading starts, so that reading a live topic ends.
//
// Kafka order: topic by topic in the order given, partition by partition in ascending
// order, offset by offset. Kafka orders nothing across partitions; all of one case's events
// share a partition (the key is the caseId), so they come in the order they were written.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { createKafka } from "@fangcang/bus";
import {
  type AnyCloudEvent,
  type DecodeError,
  defaultTopics,
  fromJsonLine,
  fromKafkaMessage,
  type TopicRole,
} from "@fangcang/contracts";
import type { Batch, IHeaders, Kafka } from "kafkajs";

/** A log that cannot be read as the contract says: the message names the file and line, or the offset. */
export class EventLogError extends Error {
  override name = "EventLogError";
  readonly errors: DecodeError[];
  constructor(message: string, errors: DecodeError[] = []) {
    super(message);
    this.errors = errors;
  }
}

export function describeErrors(errors: DecodeError[]): string {
  return errors.map((e) => (e.path === undefined || e.path === "" ? e.message : `${e.path}: ${e.message}`)).join("; ");
}

/** The contract role of a topic name, default or prefixed ("x.fangcang.cases" -> "cases"); undefined if none. */
export function roleOfTopic(topic: string): TopicRole | undefined {
  for (const [role, name] of Object.entries(defaultTopics) as [TopicRole, string][]) {
    if (topic.endsWith(name)) return role;
  }
  return undefined;
}

export interface JsonLinesLogOptions {
  /** Reject event types that belong on another topic. */
  topic?: TopicRole;
  /** Called for a line that does not decode, which is then skipped; without it, such a line throws. */
  onInvalid?: (problem: { line: number; text: string; errors: DecodeError[] }) => void;
}

/**
 * The events of a JSON Lines file, one structured CloudEvent per line, in file order. Blank
 * lines are skipped. A line that does not decode throws an EventLogError naming `path:line`
 * (unless `onInvalid` is given).
 */
export async function* readJsonLinesLog(
  path: string,
  options: JsonLinesLogOptions = {},
): AsyncGenerator<AnyCloudEvent> {
  const stream = createReadStream(path, { encoding: "utf8", highWaterMark: 1 << 20 });
  const opened = new Promise<void>((resolve, reject) => {
    stream.once("open", () => resolve());
    stream.once("error", reject);
  });
  try {
    await opened;
  } catch (error) {
    throw new EventLogError(`cannot read ${path}: ${(error as Error).message}`);
  }
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let number = 0;
  try {
    for await (const text of lines) {
      number += 1;
      if (text.trim() === "") continue;
      const decoded = fromJsonLine(text, options.topic === undefined ? {} : { topic: options.topic });
      if (decoded.ok) {
        yield decoded.event;
        continue;
      }
      if (options.onInvalid !== undefined) {
        options.onInvalid({ line: number, text, errors: decoded.errors });
        continue;
      }
      throw new EventLogError(
        `${path}:${number}: not a contract event: ${describeErrors(decoded.errors)}`,
        decoded.errors,
      );
    }
  } finally {
    lines.close();
    stream.destroy();
  }
}

// ---------------------------------------------------------------------------------------
// Kafka: reading partitions between fixed offsets.

/** Offsets [from, to) of one partition: `to` is normally the high-water mark at start. */
export interface PartitionRange {
  topic: string;
  partition: number;
  from: bigint;
  to: bigint;
}

export interface RawRecord {
  topic: string;
  partition: number;
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

/** What one fetched batch contributed to one range, and where the range now stands. */
export interface RangeChunk {
  range: PartitionRange;
  records: RawRecord[];
  /** The next offset to read: every offset below it in the range has been handed out. */
  next: bigint;
  /** `next` reached `range.to`. */
  done: boolean;
}

export interface PartitionOffsets {
  partition: number;
  /** The first offset still on the broker. */
  low: bigint;
  /** The high-water mark: one past the last offset written. */
  high: bigint;
}

/** Each topic's partitions with their low and high-water marks, partitions in ascending order. */
export async function fetchPartitionOffsets(kafka: Kafka, topics: string[]): Promise<Map<string, PartitionOffsets[]>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic));
    if (missing.length > 0) {
      throw new EventLogError(`no such topic on the broker: ${missing.join(", ")}`);
    }
    const result = new Map<string, PartitionOffsets[]>();
    for (const topic of topics) {
      const offsets = await admin.fetchTopicOffsets(topic);
      result.set(
        topic,
        offsets
          .map((o) => ({ partition: o.partition, low: BigInt(o.low), high: BigInt(o.high) }))
          .sort((a, b) => a.partition - b.partition),
      );
    }
    return result;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export interface ReadRangesOptions {
  clientId?: string;
  /** Fetched batches waiting for the reader before fetching stops for a while. */
  maxQueuedBatches?: number;
}

/**
 * Reads the ranges one after the other, in the order given, each in offset order, and ends
 * when the last one is read. One consumer with a throwaway group id that commits nothing:
 * every other partition is paused while one is read, and the one being read is sought to
 * its start, so the order is the ranges' order whatever the broker sends first.
 */
export async function* readRanges(
  kafka: Kafka,
  ranges: PartitionRange[],
  options: ReadRangesOptions = {},
): AsyncGenerator<RangeChunk> {
  const work = ranges.filter((r) => r.from < r.to);
  const first = work[0];
  if (first === undefined) return;
  const maxQueued = options.maxQueuedBatches ?? 16;
  const clientId = options.clientId ?? "fangcang-log-reader";
  const consumer = kafka.consumer({
    groupId: `${clientId}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
    // Nothing to wait for: the ranges end at offsets that exist already.
    maxWaitTimeInMs: 250,
  });
  const partitionsOf = new Map<string, number[]>();
  for (const r of work) partitionsOf.set(r.topic, [...(partitionsOf.get(r.topic) ?? []), r.partition]);

  const queue: RangeChunk[] = [];
  let failure: Error | undefined;
  let closed = false;
  let wakeReader: (() => void) | undefined;
  let wakeFetcher: (() => void) | undefined;
  const signalReader = () => {
    wakeReader?.();
    wakeReader = undefined;
  };
  const signalFetcher = () => {
    wakeFetcher?.();
    wakeFetcher = undefined;
  };

  let index = 0;
  let position = first.from;
  let started = false;

  const startRange = (range: PartitionRange) => {
    position = range.from;
    consumer.seek({ topic: range.topic, partition: range.partition, offset: range.from.toString() });
    consumer.resume([{ topic: range.topic, partitions: [range.partition] }]);
  };

  const eachBatch = async ({ batch, heartbeat }: { batch: Batch; heartbeat: () => Promise<void> }) => {
    const current = work[index];
    if (!started || closed || current === undefined) return;
    if (batch.topic !== current.topic || batch.partition !== current.partition) return;
    const records: RawRecord[] = [];
    const before = position;
    for (const m of batch.messages) {
      const offset = BigInt(m.offset);
      // Stale batches (fetched before a seek) and anything past the end are ignored.
      if (offset < position || offset >= current.to) continue;
      records.push({
        topic: batch.topic,
        partition: batch.partition,
        offset: m.offset,
        timestamp: m.timestamp,
        key: m.key,
        value: m.value,
        headers: m.headers ?? {},
      });
      position = offset + 1n;
    }
    // Offsets with no message (control records, compaction) at the end of a batch.
    const firstOffset = batch.firstOffset();
    if (firstOffset !== null && BigInt(firstOffset) <= before) {
      const last = BigInt(batch.lastOffset()) + 1n;
      if (last > position) position = last < current.to ? last : current.to;
    }
    const done = position >= current.to;
    if (records.length === 0 && !done && position === before) return;
    queue.push({ range: current, records, next: position, done });
    signalReader();
    if (done) {
      consumer.pause([{ topic: current.topic, partitions: [current.partition] }]);
      index += 1;
      const next = work[index];
      if (next !== undefined) startRange(next);
    }
    while (queue.length >= maxQueued && !closed) {
      await new Promise<void>((resolve) => {
        wakeFetcher = resolve;
        setTimeout(resolve, 1_000);
      });
      await heartbeat();
    }
  };

  consumer.on(consumer.events.CRASH, (event) => {
    const { error, restart } = event.payload as { error: Error; restart: boolean };
    if (!restart) {
      failure = new EventLogError(`reading from Kafka failed: ${error.message}`);
      signalReader();
    }
  });

  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [...partitionsOf.keys()], fromBeginning: true });
    await consumer.run({ autoCommit: false, eachBatch });
    consumer.pause([...partitionsOf].map(([topic, partitions]) => ({ topic, partitions })));
    started = true;
    startRange(first);
    for (;;) {
      if (failure !== undefined) throw failure;
      const chunk = queue.shift();
      if (chunk === undefined) {
        if (index >= work.length) return;
        await new Promise<void>((resolve) => {
          wakeReader = resolve;
        });
        continue;
      }
      signalFetcher();
      yield chunk;
    }
  } finally {
    closed = true;
    signalFetcher();
    await consumer.disconnect().catch(() => undefined);
  }
}

export interface KafkaLogOptions {
  brokers: string[];
  /** Full topic names, read one after the other in this order. */
  topics: string[];
  clientId?: string;
  /** Called for a message that is not a contract event, which is then skipped; without it, such a message throws. */
  onUndecodable?: (record: RawRecord, errors: DecodeError[]) => void;
}

export interface KafkaLogEntry {
  topic: string;
  partition: number;
  offset: string;
  event: AnyCloudEvent;
}

/**
 * The contract events on the topics, from the beginning of every partition to its
 * high-water mark when reading starts (topic, then partition, then offset order). Events
 * are checked against the topic's role when the name is a (prefixed) contract topic.
 */
export async function* readKafkaLog(options: KafkaLogOptions): AsyncGenerator<KafkaLogEntry> {
  const kafka = createKafka({ brokers: options.brokers, clientId: options.clientId ?? "fangcang-log-reader" });
  const offsets = await fetchPartitionOffsets(kafka, options.topics);
  const ranges: PartitionRange[] = options.topics.flatMap((topic) =>
    (offsets.get(topic) ?? []).map((p) => ({ topic, partition: p.partition, from: p.low, to: p.high })),
  );
  for await (const chunk of readRanges(
    kafka,
    ranges,
    options.clientId === undefined ? {} : { clientId: options.clientId },
  )) {
    const role = roleOfTopic(chunk.range.topic);
    for (const record of chunk.records) {
      const decoded = fromKafkaMessage(record, role === undefined ? {} : { topic: role });
      if (decoded.ok) {
        yield { topic: record.topic, partition: record.partition, offset: record.offset, event: decoded.event };
        continue;
      }
      if (options.onUndecodable !== undefined) {
        options.onUndecodable(record, decoded.errors);
        continue;
      }
      throw new EventLogError(
        `${record.topic} partition ${record.partition} offset ${record.offset}: not a contract event: ${describeErrors(decoded.errors)}`,
        decoded.errors,
      );
    }
  }
}
