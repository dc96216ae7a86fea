// `fangcang export`: writes the contract topics to JSON Lines, resumably.
//
// Layout of the output directory:
//   <topic>.jsonl              one structured CloudEvent per line (the contract's file form)
//   <topic>.undecodable.jsonl  messages on an event topic that are not contract events, kept
//                              with their raw value and the decoding errors (never dropped)
//   <dead-letter topic>.jsonl  dead letters are not CloudEvents: one JSON object per message,
//                              {topic, partition, offset, key, headers, value}, value parsed
//   manifest.json              per topic: each file's committed byte length and line count,
//                              and per partition the next offset to export
//
// Order: within a run, topic by topic, partition by partition (ascending), offset by offset.
// A rerun appends what arrived since, again partition by partition, so every partition's
// events are in offset order in the file (and one case's events, which share a partition,
// in the order they were written); events of different partitions are not merged by time.
//
// Crash safety: lines are appended and fsynced first, then the manifest is replaced
// atomically (write a temporary file, fsync, rename, fsync the directory). On a rerun every
// file is truncated to the length the manifest records, so lines written after the last
// manifest update are dropped and read again from the recorded offsets: nothing is written
// twice and nothing is skipped, wherever the previous run stopped.
import { existsSync } from "node:fs";
import { type FileHandle, mkdir, open, readFile, rename, stat, truncate } from "node:fs/promises";
import { join } from "node:path";
import { createKafka, waitForBroker } from "@fangcang/bus";
import { fromKafkaMessage, type TopicRole, toJsonLine, topicNames } from "@fangcang/contracts";
import { parseOptions, runCommand } from "./command.ts";
import {
  fetchPartitionOffsets,
  type PartitionOffsets,
  type PartitionRange,
  type RangeChunk,
  type RawRecord,
  readRanges,
} from "./event-log.ts";
import { ProgressBar } from "./progress.ts";
import { UsageError } from "./usage-error.ts";

export { UsageError };

export const exportUsage = `usage: fangcang export --out DIR [--topics cases,facilities,transfers,dead-letter,ledger]
                       [--topic-prefix P] [--brokers host:port[,host:port...]]

  --out DIR           directory to write <topic>.jsonl files and manifest.json into; rerunning
                      with the same DIR resumes where the last run stopped and appends what is new
  --topics LIST       which contract topics (default: all five)
  --topic-prefix P    prefix of the topic names (default FANGCANG_TOPIC_PREFIX, or none)
  --brokers LIST      Kafka bootstrap servers (default KAFKA_BROKERS, or 127.0.0.1:9092)

Every partition is read from where the last run stopped (or its beginning) to its high-water
mark when the run starts, so the export ends on a live topic. Events are written topic by
topic, partition by partition, in offset order. Messages that are not contract events go to
<topic>.undecodable.jsonl; dead letters are written as {topic, partition, offset, key,
headers, value} objects. Ctrl-C stops cleanly; rerun to continue.`;

/** Thrown when the output directory does not agree with its manifest. */
export class ExportStateError extends Error {
  override name = "ExportStateError";
}

const roleNames: Record<string, TopicRole> = {
  cases: "cases",
  facilities: "facilities",
  transfers: "transfers",
  "dead-letter": "deadLetter",
  ledger: "ledger",
};

export interface ExportArgs {
  out: string;
  roles: TopicRole[];
  topicPrefix: string;
  brokers: string[];
}

const hostPort = /^[A-Za-z0-9.-]+:\d{1,5}$/;

/** Parses and checks the arguments after `export`; throws UsageError on any mistake. */
export function parseExportArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): ExportArgs {
  const values = parseOptions(argv, {
    out: { type: "string" },
    topics: { type: "string" },
    "topic-prefix": { type: "string" },
    brokers: { type: "string" },
  });
  const out = values.out as string | undefined;
  if (out === undefined || out.trim() === "") throw new UsageError("--out DIR is required");
  const topicsText = (values.topics as string | undefined) ?? Object.keys(roleNames).join(",");
  const roles: TopicRole[] = [];
  for (const name of topicsText.split(",").map((s) => s.trim())) {
    const role = roleNames[name];
    if (role === undefined) {
      throw new UsageError(`unknown topic "${name}" in --topics: choose from ${Object.keys(roleNames).join(", ")}`);
    }
    if (!roles.includes(role)) roles.push(role);
  }
  const topicPrefix = (values["topic-prefix"] as string | undefined) ?? env.FANGCANG_TOPIC_PREFIX ?? "";
  if (!/^[A-Za-z0-9._-]*$/.test(topicPrefix)) {
    throw new UsageError(`--topic-prefix may use only letters, digits, '.', '_' and '-', got "${topicPrefix}"`);
  }
  const brokersText = (values.brokers as string | undefined) ?? env.KAFKA_BROKERS ?? "127.0.0.1:9092";
  const brokers = brokersText.split(",").map((s) => s.trim());
  const bad = brokers.filter((b) => !hostPort.test(b));
  if (bad.length > 0) throw new UsageError(`--brokers takes host:port[,host:port...], got "${brokersText}"`);
  return { out, roles, topicPrefix, brokers };
}

// ---------------------------------------------------------------------------------------
// The manifest and the files it vouches for.

export const MANIFEST_FILE = "manifest.json";
const FORMAT = "fangcang-export/1";

export interface ManifestFile {
  file: string;
  /** Bytes of the file that are committed; anything after them is from an interrupted run. */
  bytes: number;
  lines: number;
}

export interface ManifestTopic {
  role: TopicRole;
  events: ManifestFile;
  undecodable: ManifestFile;
  /** Partition -> the next offset to export (a decimal string). */
  partitions: Record<string, string>;
}

export interface ExportManifest {
  format: typeof FORMAT;
  order: "topic, partition, offset";
  createdAt: string;
  updatedAt: string;
  /** The last run reached every high-water mark it captured at its start. */
  complete: boolean;
  /** The high-water marks the last run set out to reach. */
  target: Record<string, Record<string, string>>;
  topics: Record<string, ManifestTopic>;
}

export interface ExportTopic {
  name: string;
  role: TopicRole;
}

type FileKind = "events" | "undecodable";

export interface CommitHooks {
  /** Runs after the lines are written and fsynced, before the manifest is replaced (tests simulate a crash here). */
  beforeManifestWrite?: () => void | Promise<void>;
}

/** The export directory: appends lines, and commits them together with the offsets they reach. */
export class ExportStore {
  readonly dir: string;
  private manifest: ExportManifest;
  private readonly buffers = new Map<string, { kind: FileKind; topic: string; lines: string[]; bytes: number }>();
  private readonly handles = new Map<string, FileHandle>();
  private readonly pendingOffsets = new Map<string, Map<number, bigint>>();
  private pending = 0;

  private constructor(dir: string, manifest: ExportManifest) {
    this.dir = dir;
    this.manifest = manifest;
  }

  /**
   * Opens (or starts) an export in `dir` for these topics. Every file is truncated to the
   * length the manifest records, which drops what an interrupted run wrote after its last commit.
   */
  static async open(dir: string, topics: ExportTopic[], now: () => Date = () => new Date()): Promise<ExportStore> {
    await mkdir(dir, { recursive: true });
    const manifest = (await readManifest(dir)) ?? {
      format: FORMAT,
      order: "topic, partition, offset",
      createdAt: now().toISOString(),
      updatedAt: now().toISOString(),
      complete: false,
      target: {},
      topics: {},
    };
    for (const { name, role } of topics) {
      const entry = manifest.topics[name];
      if (entry === undefined) {
        const events = `${name}.jsonl`;
        const undecodable = `${name}.undecodable.jsonl`;
        for (const file of [events, undecodable]) {
          if ((await sizeOf(join(dir, file))) > 0) {
            throw new ExportStateError(
              `${join(dir, file)} exists but ${join(dir, MANIFEST_FILE)} does not record it: export to a new directory, or remove it`,
            );
          }
        }
        // The events file exists from the start, even while the topic is empty.
        await (await open(join(dir, events), "a")).close();
        manifest.topics[name] = {
          role,
          events: { file: events, bytes: 0, lines: 0 },
          undecodable: { file: undecodable, bytes: 0, lines: 0 },
          partitions: {},
        };
        continue;
      }
      if (entry.role !== role) {
        throw new ExportStateError(`${MANIFEST_FILE} records ${name} as the ${entry.role} topic, not ${role}`);
      }
      for (const file of [entry.events, entry.undecodable]) {
        const path = join(dir, file.file);
        const size = await sizeOf(path);
        if (size < file.bytes) {
          throw new ExportStateError(
            `${path} has ${size} bytes but ${MANIFEST_FILE} records ${file.bytes}: the export was changed; start a new one`,
          );
        }
        if (size > file.bytes) await truncate(path, file.bytes);
      }
    }
    const store = new ExportStore(dir, manifest);
    await store.writeManifest(now);
    return store;
  }

  get state(): ExportManifest {
    return structuredClone(this.manifest);
  }

  /** The next offset to export from a partition, if an earlier run recorded one. */
  nextOffset(topic: string, partition: number): bigint | undefined {
    const next = this.manifest.topics[topic]?.partitions[String(partition)];
    return next === undefined ? undefined : BigInt(next);
  }

  /** Lines buffered since the last commit. */
  get pendingLines(): number {
    return this.pending;
  }

  append(topic: string, kind: FileKind, line: string): void {
    const entry = this.topic(topic);
    const file = entry[kind].file;
    let buffer = this.buffers.get(file);
    if (buffer === undefined) {
      buffer = { kind, topic, lines: [], bytes: 0 };
      this.buffers.set(file, buffer);
    }
    const text = `${line}\n`;
    buffer.lines.push(text);
    buffer.bytes += Buffer.byteLength(text);
    this.pending += 1;
  }

  /** Records that every offset of the partition below `next` is in the appended lines. */
  advance(topic: string, partition: number, next: bigint): void {
    this.topic(topic);
    let offsets = this.pendingOffsets.get(topic);
    if (offsets === undefined) {
      offsets = new Map();
      this.pendingOffsets.set(topic, offsets);
    }
    offsets.set(partition, next);
  }

  setTarget(target: ExportManifest["target"], complete: boolean): void {
    this.manifest.target = target;
    this.manifest.complete = complete;
  }

  markComplete(complete: boolean): void {
    this.manifest.complete = complete;
  }

  /** Writes and fsyncs the buffered lines, then replaces the manifest to vouch for them. */
  async commit(hooks: CommitHooks = {}, now: () => Date = () => new Date()): Promise<void> {
    const next = structuredClone(this.manifest);
    for (const [file, buffer] of this.buffers) {
      if (buffer.lines.length === 0) continue;
      let handle = this.handles.get(file);
      if (handle === undefined) {
        handle = await open(join(this.dir, file), "a");
        this.handles.set(file, handle);
      }
      await handle.write(buffer.lines.join(""));
      await handle.sync();
      const record = this.topicIn(next, buffer.topic)[buffer.kind];
      record.bytes += buffer.bytes;
      record.lines += buffer.lines.length;
    }
    for (const [topic, offsets] of this.pendingOffsets) {
      const entry = this.topicIn(next, topic);
      for (const [partition, offset] of offsets) entry.partitions[String(partition)] = offset.toString();
    }
    await hooks.beforeManifestWrite?.();
    this.manifest = next;
    await this.writeManifest(now);
    this.buffers.clear();
    this.pendingOffsets.clear();
    this.pending = 0;
  }

  async close(): Promise<void> {
    for (const handle of this.handles.values()) await handle.close().catch(() => undefined);
    this.handles.clear();
  }

  private topic(name: string): ManifestTopic {
    return this.topicIn(this.manifest, name);
  }

  private topicIn(manifest: ExportManifest, name: string): ManifestTopic {
    const entry = manifest.topics[name];
    if (entry === undefined) throw new Error(`topic ${name} is not part of this export`);
    return entry;
  }

  private async writeManifest(now: () => Date): Promise<void> {
    this.manifest.updatedAt = now().toISOString();
    await writeFileAtomically(join(this.dir, MANIFEST_FILE), `${JSON.stringify(this.manifest, null, 2)}\n`);
  }
}

/** The manifest of an export directory, or undefined when there is none yet. */
export async function readManifest(dir: string): Promise<ExportManifest | undefined> {
  const path = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  let manifest: ExportManifest;
  try {
    manifest = JSON.parse(text) as ExportManifest;
  } catch (error) {
    throw new ExportStateError(`${path} is not JSON: ${(error as Error).message}`);
  }
  if (manifest.format !== FORMAT || typeof manifest.topics !== "object" || manifest.topics === null) {
    throw new ExportStateError(`${path} is not a ${FORMAT} manifest`);
  }
  return manifest;
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw error;
  }
}

/** Write a temporary file, fsync it, rename it over `path`, fsync the directory. */
export async function writeFileAtomically(path: string, content: string): Promise<void> {
  const temporary = `${path}.tmp`;
  const handle = await open(temporary, "w");
  try {
    await handle.write(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
  const dir = await open(join(path, ".."), "r");
  try {
    await dir.sync();
  } catch {
    // Some file systems cannot fsync a directory; the rename is still atomic.
  } finally {
    await dir.close();
  }
}

// ---------------------------------------------------------------------------------------
// Turning Kafka records into lines.

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** UTF-8 text when the bytes are valid UTF-8, else base64 with a "base64:" prefix (as dead letters do). */
export function rawText(value: Buffer | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  try {
    return utf8.decode(value);
  } catch {
    return `base64:${value.toString("base64")}`;
  }
}

function headersText(headers: RawRecord["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const one = Array.isArray(value) ? value[value.length - 1] : value;
    const text = rawText(one);
    if (text !== null) out[name] = text;
  }
  return out;
}

function parsedValue(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The line a record becomes, and which file it goes to. */
export function recordLine(record: RawRecord, role: TopicRole): { kind: FileKind; line: string } {
  const position = { topic: record.topic, partition: record.partition, offset: record.offset };
  if (role === "deadLetter") {
    return {
      kind: "events",
      line: JSON.stringify({
        ...position,
        key: rawText(record.key),
        headers: headersText(record.headers),
        value: parsedValue(rawText(record.value)),
      }),
    };
  }
  const decoded = fromKafkaMessage(record, { topic: role });
  if (decoded.ok) return { kind: "events", line: toJsonLine(decoded.event) };
  return {
    kind: "undecodable",
    line: JSON.stringify({
      ...position,
      key: rawText(record.key),
      headers: headersText(record.headers),
      value: rawText(record.value),
      errors: decoded.errors,
    }),
  };
}

// ---------------------------------------------------------------------------------------
// The export itself, independent of where the records come from.

export interface TopicCounts {
  events: number;
  undecodable: number;
}

export interface ExportResult {
  complete: boolean;
  /** Messages read in this run, per topic. */
  counts: Record<string, TopicCounts>;
  /** Offsets the broker no longer has (retention) that the manifest expected to export. */
  lost: { topic: string; partition: number; from: string; to: string }[];
  total: number;
}

export interface ExportPlanOptions extends CommitHooks {
  dir: string;
  topics: ExportTopic[];
  /** Each topic's partitions with their low and high-water marks, captured at start. */
  offsets: Map<string, PartitionOffsets[]>;
  read: (ranges: PartitionRange[]) => AsyncIterable<RangeChunk>;
  progress?: { stream: NodeJS.WriteStream } | undefined;
  /** Commit after this many lines, or this many milliseconds, whichever comes first. */
  commitEveryLines?: number;
  commitEveryMs?: number;
  /** Checked after every batch: true stops the run cleanly (committed, resumable). */
  shouldStop?: () => boolean;
}

/** Exports every range between the manifest's offsets and the given high-water marks. */
export async function exportTopics(options: ExportPlanOptions): Promise<ExportResult> {
  const store = await ExportStore.open(options.dir, options.topics);
  const roles = new Map(options.topics.map((t) => [t.name, t.role]));
  const ranges: PartitionRange[] = [];
  const lost: ExportResult["lost"] = [];
  const target: ExportManifest["target"] = {};
  for (const { name } of options.topics) {
    const partitions = options.offsets.get(name);
    if (partitions === undefined) throw new Error(`no offsets for topic ${name}`);
    target[name] = {};
    for (const p of partitions) {
      (target[name] as Record<string, string>)[String(p.partition)] = p.high.toString();
      const recorded = store.nextOffset(name, p.partition);
      if (recorded !== undefined && recorded > p.high) {
        throw new ExportStateError(
          `${MANIFEST_FILE} says ${name} partition ${p.partition} was exported up to offset ${recorded}, ` +
            `but the broker's high-water mark is ${p.high}: was the topic recreated? export to a new directory`,
        );
      }
      let from = recorded ?? p.low;
      if (from < p.low) {
        lost.push({ topic: name, partition: p.partition, from: from.toString(), to: p.low.toString() });
        from = p.low;
      }
      if (recorded === undefined || from !== recorded) store.advance(name, p.partition, from);
      ranges.push({ topic: name, partition: p.partition, from, to: p.high });
    }
  }
  const total = ranges.reduce((sum, r) => sum + Number(r.to - r.from), 0);
  store.setTarget(target, false);
  await store.commit(options);

  const counts: Record<string, TopicCounts> = Object.fromEntries(
    options.topics.map((t) => [t.name, { events: 0, undecodable: 0 }]),
  );
  const commitEveryLines = options.commitEveryLines ?? 5_000;
  const commitEveryMs = options.commitEveryMs ?? 1_000;
  const bar =
    options.progress === undefined
      ? undefined
      : new ProgressBar({ unit: "messages", total, stream: options.progress.stream });
  let done = 0;
  let lastCommit = performance.now();
  let complete = true;
  try {
    for await (const chunk of options.read(ranges)) {
      const { topic, partition } = chunk.range;
      const role = roles.get(topic);
      const count = counts[topic];
      if (role === undefined || count === undefined) throw new Error(`read returned a range of unknown topic ${topic}`);
      for (const record of chunk.records) {
        const { kind, line } = recordLine(record, role);
        store.append(topic, kind, line);
        count[kind] += 1;
      }
      store.advance(topic, partition, chunk.next);
      done += chunk.records.length;
      bar?.update(done, `${topic} p${partition}`);
      if (store.pendingLines >= commitEveryLines || performance.now() - lastCommit >= commitEveryMs) {
        await store.commit(options);
        lastCommit = performance.now();
      }
      if (options.shouldStop?.() === true) {
        complete = false;
        break;
      }
    }
    store.markComplete(complete);
    await store.commit(options);
    bar?.finish(complete ? undefined : "stopped; rerun to resume");
  } finally {
    await store.close();
  }
  return { complete, counts, lost, total };
}

// ---------------------------------------------------------------------------------------
// The command.

export interface ExportIo {
  stderr: NodeJS.WriteStream;
  print: (line: string) => void;
}

/** Runs a parsed `export` against Kafka. */
export async function runExport(args: ExportArgs, io: ExportIo): Promise<ExportResult> {
  const names = topicNames(args.topicPrefix);
  const topics: ExportTopic[] = args.roles.map((role) => ({ name: names[role], role }));
  try {
    await waitForBroker(args.brokers, 10_000);
  } catch (error) {
    throw new Error(`cannot reach Kafka: ${(error as Error).message} (pass --brokers or set KAFKA_BROKERS)`);
  }
  const kafka = createKafka({ brokers: args.brokers, clientId: "fangcang-export" });
  const offsets = await fetchPartitionOffsets(
    kafka,
    topics.map((t) => t.name),
  );
  let stop = false;
  const interrupt = () => {
    stop = true;
  };
  process.once("SIGINT", interrupt);
  process.once("SIGTERM", interrupt);
  let result: ExportResult;
  try {
    result = await exportTopics({
      dir: args.out,
      topics,
      offsets,
      read: (ranges) => readRanges(kafka, ranges, { clientId: "fangcang-export" }),
      progress: { stream: io.stderr },
      shouldStop: () => stop,
    });
  } finally {
    process.removeListener("SIGINT", interrupt);
    process.removeListener("SIGTERM", interrupt);
  }
  for (const gap of result.lost) {
    io.stderr.write(
      `warning: ${gap.topic} partition ${gap.partition} offsets ${gap.from}..${BigInt(gap.to) - 1n} were deleted by the broker (retention) before they were exported\n`,
    );
  }
  const manifest = await readManifest(args.out);
  const lines = topics.map(({ name, role }) => {
    const c = result.counts[name] ?? { events: 0, undecodable: 0 };
    const entry = manifest?.topics[name];
    const what = role === "deadLetter" ? "dead letters" : "events";
    const bad =
      c.undecodable > 0 ? `, ${c.undecodable.toLocaleString("en")} undecodable -> ${entry?.undecodable.file}` : "";
    return `  ${name}: +${c.events.toLocaleString("en")} ${what}${bad} (${(entry?.events.lines ?? 0).toLocaleString("en")} in ${entry?.events.file})`;
  });
  io.print(
    [`${result.complete ? "exported" : "stopped (rerun the same command to resume)"}: ${args.out}`, ...lines].join(
      "\n",
    ),
  );
  return result;
}

/** `fangcang export ...`: returns the exit code (2 for a usage mistake, 130 when interrupted). */
export function exportCommand(argv: string[]): Promise<number> {
  return runCommand("export", exportUsage, argv, parseExportArgs, exportWithProgress);
}

async function exportWithProgress(args: ExportArgs): Promise<number> {
  if (existsSync(args.out) && !(await stat(args.out)).isDirectory()) {
    console.error(`fangcang export: --out ${args.out} is not a directory`);
    return 2;
  }
  const result = await runExport(args, { stderr: process.stderr, print: (line) => console.log(line) });
  return result.complete ? 0 : 130;
}
