// Bad input never stops the allocator. Given more than 10,000 generated malformed inputs
// (see harness/malformed-inputs.ts) interleaved with valid events on a real broker and
// Redis, then every malformed input lands in the dead-letter topic exactly once, with the
// reason known in advance and the original message intact, every valid case is decided,
// and the consumer is still running afterwards.
import { createHash } from "node:crypto";
import {
  loadAllocatorConfig,
  MAX_DEAD_LETTER_VALUE_CHARS,
  type RunningAllocator,
  startAllocator,
} from "@fangcang/allocator";
import {
  BatchConsumer,
  createKafka,
  EventProducer,
  type InboundMessage,
  type RawOutbound,
  TopicReader,
} from "@fangcang/bus";
import { caseIdOf, cloudEvent, DeadLetter } from "@fangcang/contracts";
import { RedisLedger } from "@fangcang/ledger";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { testAllocatorEnv } from "./harness/allocator.ts";
import {
  type Category,
  categories,
  deadLetterText,
  type MalformedInput,
  markerOf,
  planInputs,
  type RawInput,
  SOURCE,
} from "./harness/malformed-inputs.ts";
import { createTestTopics, testBrokers, testNamespace } from "./harness/namespace.ts";

const ns = testNamespace("bad-input");
const namespace = ns.redisPrefix.replace(/:$/, "");
/** Set BAD_INPUT_SEED to explore other streams; a failure names the seed that produced it. */
const seed = Number(process.env.BAD_INPUT_SEED ?? 20220410);
const plan = planInputs({ seed });
/** Bounds one produce request: below the broker's 1 MB record-batch limit even if it all lands on one partition. */
const MAX_REQUEST_BYTES = 512 * 1024;
const MAX_REQUEST_MESSAGES = 2_000;
/** Nothing new for this long after producing: the allocator has handled everything it will. */
const QUIET_MS = 5_000;

/** Every message on the input and dead-letter topics, as the broker stored it. */
class RawLog {
  readonly inputs = new Map<string, InboundMessage>();
  readonly letters: InboundMessage[] = [];
  private consumer: BatchConsumer | undefined;

  async start(): Promise<void> {
    this.consumer = new BatchConsumer(createKafka({ brokers: testBrokers(), clientId: "test-bad-input-log" }), {
      groupId: `${namespace}-raw-log`,
      topics: [ns.topics.cases, ns.topics.facilities, ns.topics.deadLetter],
    });
    await this.consumer.start(async (messages) => {
      for (const m of messages) {
        if (m.topic === ns.topics.deadLetter) this.letters.push(m);
        else this.inputs.set(RawLog.at(m.topic, m.partition, m.offset), m);
      }
      return messages.length;
    });
  }

  static at(topic: string, partition: number, offset: string): string {
    return `${topic}/${partition}/${offset}`;
  }

  stop(): Promise<void> {
    return this.consumer?.stop() ?? Promise.resolve();
  }
}

let allocator: RunningAllocator;
let producer: EventProducer;
let transfers: TopicReader;
let redis: Redis;
/** Set when the allocator's consumer stops for good: no input may ever do that. */
let crashed: Error | undefined;
const log = new RawLog();

beforeAll(async () => {
  await createTestTopics(ns, 4);
  allocator = await startAllocator(loadAllocatorConfig(testAllocatorEnv(ns)), (error) => {
    crashed = error;
  });
  producer = new EventProducer(createKafka({ brokers: testBrokers(), clientId: "test-bad-input" }));
  await producer.connect();
  transfers = await TopicReader.start(testBrokers(), [ns.topics.transfers], "test-bad-input");
  await log.start();
  redis = new Redis(inject("redisUrl"));
});

afterAll(async () => {
  await log.stop();
  await transfers?.stop();
  await producer?.disconnect();
  await allocator?.stop();
  await redis?.quit();
});

const bytes = (value: string | Buffer | null): Buffer | null =>
  value === null ? null : typeof value === "string" ? Buffer.from(value) : value;
const size = (m: RawInput) =>
  (bytes(m.value)?.length ?? 0) +
  (bytes(m.key)?.length ?? 0) +
  Object.entries(m.headers).reduce((sum, [name, value]) => sum + name.length + (bytes(value)?.length ?? 0), 0);

/** Produces the stream in order, as a few large requests per topic. */
async function produce(stream: RawInput[]): Promise<void> {
  const pending = { cases: [] as RawOutbound[], facilities: [] as RawOutbound[] };
  let pendingBytes = 0;
  const flush = async () => {
    await producer.sendRaw(ns.topics.cases, pending.cases);
    await producer.sendRaw(ns.topics.facilities, pending.facilities);
    pending.cases = [];
    pending.facilities = [];
    pendingBytes = 0;
  };
  for (const m of stream) {
    if (pendingBytes + size(m) > MAX_REQUEST_BYTES || pending.cases.length >= MAX_REQUEST_MESSAGES) await flush();
    pending[m.topic].push({ key: m.key, value: m.value, headers: m.headers });
    pendingBytes += size(m);
  }
  await flush();
}

const same = (a: Buffer | null, b: Buffer | null) => (a === null ? b === null : b !== null && a.equals(b));

/** Differences between a stored message's bytes and what was sent, in words. */
function bytesDiffer(stored: InboundMessage, sent: RawInput): string[] {
  const problems: string[] = [];
  if (!same(stored.key, bytes(sent.key))) problems.push("key");
  if (!same(stored.value, bytes(sent.value))) problems.push("value");
  const names = new Set([...Object.keys(stored.headers), ...Object.keys(sent.headers)]);
  for (const name of names) {
    const value = stored.headers[name];
    const one = Array.isArray(value) ? undefined : value === undefined ? null : bytes(value);
    if (one === undefined || !same(one, bytes(sent.headers[name] ?? null))) problems.push(`header ${name}`);
  }
  return problems;
}

/** What is wrong with the dead letter of `input`, in words; empty when it is right. */
function letterProblems(input: MalformedInput, message: InboundMessage, letter: DeadLetter): string[] {
  const problems: string[] = [];
  const { expected } = input;
  const [first] = letter.errors;
  if (first?.code !== expected.code) problems.push(`code ${first?.code}, expected ${expected.code}`);
  const otherCodes = letter.errors.slice(1).filter((e) => e.code !== expected.code);
  if (otherCodes.length > 0) problems.push(`further codes ${otherCodes.map((e) => e.code).join(",")}`);
  if (expected.path !== undefined && first?.path !== expected.path) {
    problems.push(`path ${first?.path}, expected ${expected.path}`);
  }
  if (letter.state !== expected.state) problems.push(`state ${letter.state}, expected ${expected.state}`);
  if (letter.originalTopic !== ns.topics[input.topic]) problems.push(`originalTopic ${letter.originalTopic}`);
  const stored = log.inputs.get(RawLog.at(letter.originalTopic, letter.partition, letter.offset));
  if (stored === undefined) problems.push(`no input at partition ${letter.partition} offset ${letter.offset}`);
  else problems.push(...bytesDiffer(stored, input).map((what) => `the input at its partition/offset differs: ${what}`));
  const key = input.key === null ? null : deadLetterText(input.key);
  if (letter.key !== key) problems.push(`key ${JSON.stringify(letter.key)}, expected ${JSON.stringify(key)}`);
  const value = input.value === null ? null : deadLetterText(input.value);
  if (value !== null && value.length > MAX_DEAD_LETTER_VALUE_CHARS) {
    // Too large to carry: the beginning, the size and the hash of the original bytes.
    const bytes = Buffer.isBuffer(input.value) ? input.value : Buffer.from(input.value as string);
    if (letter.valueTruncated !== true || !value.startsWith(letter.value ?? "\u0000"))
      problems.push("value not truncated");
    if (letter.valueBytes !== bytes.length) problems.push(`valueBytes ${letter.valueBytes}, expected ${bytes.length}`);
    if (letter.valueSha256 !== createHash("sha256").update(bytes).digest("hex")) problems.push("valueSha256 wrong");
  } else if (letter.value !== value || letter.valueTruncated !== undefined) {
    problems.push("value not preserved");
  }
  const names = new Set([...Object.keys(letter.headers), ...Object.keys(input.headers)]);
  for (const name of names) {
    const sent = input.headers[name];
    if (letter.headers[name] !== (sent === undefined ? undefined : deadLetterText(sent))) {
      problems.push(`header ${name} not preserved`);
    }
  }
  if (!same(message.key, bytes(input.key))) problems.push("the dead letter is not keyed by the original key");
  if (message.headers.dl_reason?.toString() !== expected.code) problems.push("dl_reason header");
  return problems;
}

function decisionsByCase(): Map<string, string[]> {
  const byCase = new Map<string, string[]>();
  for (const event of transfers.events(ns.topics.transfers)) {
    const caseId = caseIdOf(event) ?? "";
    const { causationId } = event.data as { causationId: string };
    byCase.set(caseId, [...(byCase.get(caseId) ?? []), causationId]);
  }
  return byCase;
}

/**
 * Waits until `done`, or until nothing has arrived for a while (the allocator has handled
 * all it will: the assertions then say what is missing), or fails when the consumer stops.
 */
async function settle(done: () => boolean, timeoutMs: number, progress: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const arrived = () => log.letters.length + transfers.messages.length;
  let last = arrived();
  let lastChange = Date.now();
  while (!done()) {
    if (crashed) throw new Error(`the allocator's consumer stopped: ${crashed.message}; ${progress()}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${progress()}`);
    if (arrived() !== last) {
      last = arrived();
      lastChange = Date.now();
    } else if (Date.now() - lastChange > QUIET_MS) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function table(count: Map<Category, number>, matched: Map<Category, number>): string {
  const row = (name: string, n: number, ok: number) =>
    `${name.padEnd(18)} ${String(n).padStart(6)} ${String(ok).padStart(14)}`;
  const sum = (m: Map<Category, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  return [
    `${"category".padEnd(18)} ${"count".padStart(6)} ${"dead-lettered".padStart(14)}`,
    ...categories.map((c) => row(c, count.get(c) ?? 0, matched.get(c) ?? 0)),
    row("total", sum(count), sum(matched)),
  ].join("\n");
}

describe("the allocator given bad input", () => {
  it("dead-letters every malformed input once, with its reason, and decides every valid case", async () => {
    expect(plan.malformed.length).toBeGreaterThanOrEqual(10_000);
    await producer.send([{ topic: ns.topics.facilities, events: plan.setup }]);
    const ledger = new RedisLedger(redis, namespace);
    await expect
      .poll(async () => (await ledger.snapshot()).facilities.length, { timeout: 20_000 })
      .toBe(plan.setup.length);

    const started = Date.now();
    await produce(plan.stream.map((item) => item.input));
    const produced = Date.now();
    const undecided = () => {
      const decided = decisionsByCase();
      return [...plan.validCases.keys()].filter((caseId) => !decided.has(caseId));
    };
    await settle(
      () => log.letters.length >= plan.malformed.length && undecided().length === 0,
      45_000,
      () =>
        `${log.letters.length} of ${plan.malformed.length} dead letters; undecided cases: ${undecided().slice(0, 10).join(", ")}; ` +
        `allocator: ${JSON.stringify({ ...allocator.worker.stats, lastError: allocator.worker.lastError?.message })}`,
    );
    const settled = Date.now();

    // Still consuming: one more valid case is decided, and the service says it is ready.
    const time = "2022-04-10T08:30:00.000Z";
    const after = cloudEvent(
      "case.reported",
      { id: "ok-after", source: SOURCE, time },
      {
        caseId: "ok-after",
        reportedAt: time,
        district: "Xuhui",
        ageYears: 40,
        sex: "female",
        severity: "mild",
        detectedIn: "community",
      },
    );
    await producer.send([{ topic: ns.topics.cases, events: [after] }]);
    await settle(
      () => decisionsByCase().has("ok-after"),
      15_000,
      () => "no decision for a case sent afterwards",
    );
    const problems: string[] = [];
    if (!decisionsByCase().has("ok-after")) problems.push("a valid case sent afterwards was not decided");
    const health = await fetch(`http://127.0.0.1:${allocator.healthPort}/readyz`);
    if (health.status !== 200) problems.push(`readiness ${health.status}: ${await health.text()}`);

    // Every letter is a DeadLetter and belongs to exactly one generated input.
    const byMarker = new Map(plan.malformed.map((m) => [m.marker, m]));
    const letters = new Map<string, { message: InboundMessage; letter: DeadLetter }[]>();
    for (const message of log.letters) {
      const letter = DeadLetter.parse(JSON.parse(message.value?.toString() ?? "null"));
      const marker = markerOf(letter);
      if (marker === null || !byMarker.has(marker)) {
        const id = letter.headers.ce_id ?? letter.key;
        problems.push(`a dead letter for ${id}, not a generated malformed input: ${JSON.stringify(letter.errors)}`);
        continue;
      }
      letters.set(marker, [...(letters.get(marker) ?? []), { message, letter }]);
    }
    const count = new Map<Category, number>();
    const matched = new Map<Category, number>();
    for (const input of plan.malformed) {
      count.set(input.category, (count.get(input.category) ?? 0) + 1);
      const found = letters.get(input.marker) ?? [];
      const [only] = found;
      if (found.length !== 1 || only === undefined) {
        problems.push(`${input.marker} (${input.category}: ${input.variant}): ${found.length} dead letters`);
        continue;
      }
      const wrong = letterProblems(input, only.message, only.letter);
      if (wrong.length > 0) problems.push(`${input.marker} (${input.category}: ${input.variant}): ${wrong.join("; ")}`);
      else matched.set(input.category, (matched.get(input.category) ?? 0) + 1);
    }

    // Every valid case is decided on its report; nothing malformed is acted on.
    const decided = decisionsByCase();
    for (const [caseId, reportId] of plan.validCases) {
      if (!decided.get(caseId)?.includes(reportId)) problems.push(`valid case ${caseId} has no decision on its report`);
    }
    for (const caseId of decided.keys()) {
      if (!plan.validCases.has(caseId) && caseId !== "ok-after") problems.push(`a decision for ${caseId}`);
    }
    const facilities = (await ledger.snapshot()).facilities.map((f) => f.facilityId).sort();
    const registered = [...plan.validFacilities].sort();
    if (JSON.stringify(facilities) !== JSON.stringify(registered)) {
      problems.push(
        `the ledger's facilities are not the valid ones: ${facilities.filter((f) => !registered.includes(f))}`,
      );
    }
    const { failedBatches, deadLetters } = allocator.worker.stats;
    if (failedBatches !== 0) problems.push(`${failedBatches} failed batches`);
    if (deadLetters !== plan.malformed.length) problems.push(`the allocator counts ${deadLetters} dead letters`);

    console.log(
      [
        `bad input, seed ${seed}: ${plan.malformed.length} malformed and ${plan.stream.length - plan.malformed.length} valid events, ${plan.validCases.size} valid cases`,
        `produced in ${produced - started} ms; every letter and decision in after ${settled - started} ms`,
        table(count, matched),
      ].join("\n"),
    );
    expect(problems.slice(0, 30), `${problems.length} problems (seed ${seed})`).toEqual([]);
  });
});
