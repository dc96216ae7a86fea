// `fangcang simulate`: plays a scenario's event stream into a JSON Lines file (structured
// CloudEvents, one per line) or onto Kafka (facility events to the facilities topic, the
// rest to the cases topic), with a progress bar on stderr and a summary at the end.
import { once } from "node:events";
import { createWriteStream, statSync } from "node:fs";
import type { Writable } from "node:stream";
import { createKafka, EventProducer } from "@fangcang/bus";
import { type AnyCloudEvent, eventCatalog, toJsonLine, topicNames } from "@fangcang/contracts";
import { loadInfraConfig, up } from "@fangcang/infra";
import {
  isIsoDate,
  type ScenarioName,
  type ScenarioOptions,
  ScenarioOptionsError,
  ScenarioTally,
  scenarioNames,
  scenarios,
} from "@fangcang/scenario";
import { parseOptions, runCommand } from "./command.ts";
import { ProgressBar } from "./progress.ts";
import { table } from "./table.ts";
import { UsageError } from "./usage-error.ts";

export { UsageError };

export const simulateUsage = `usage: fangcang simulate --scenario NAME [--seed N] [--scale F] [--from YYYY-MM-DD] [--to YYYY-MM-DD]
                         (--out FILE.jsonl | --produce [--rate N] [--topic-prefix P] | --plan)

  --scenario NAME     ${scenarioNames.join(", ")}
  --seed N            integer 0..4294967295 (default 1); the same seed gives the same events
  --scale F           fraction (0, 1] of the cases, and of the beds (default 1)
  --from, --to        first and last Shanghai day of the run (default: the whole scenario)
  --out FILE          write JSON Lines (one structured CloudEvent per line); "-" for stdout
  --produce           produce to Kafka (KAFKA_BROKERS, default 127.0.0.1:9092; started locally if absent)
  --rate N            events per second to produce at (default: as fast as the broker takes them)
  --topic-prefix P    prefix for the topic names (default FANGCANG_TOPIC_PREFIX, or none)
  --plan              print the run day by day (cases, beds open) without generating it`;

export type SimulateOutput =
  | { kind: "file"; path: string }
  | { kind: "kafka"; rate?: number; topicPrefix?: string }
  | { kind: "plan" };

export interface SimulateArgs {
  scenario: ScenarioName;
  options: Required<Pick<ScenarioOptions, "seed" | "scale">> & Pick<ScenarioOptions, "from" | "to">;
  output: SimulateOutput;
}

const MAX_SEED = 0xffffffff;

/** Parses and checks the arguments after `simulate`; throws UsageError on any mistake. */
export function parseSimulateArgs(argv: string[]): SimulateArgs {
  const values = parseOptions(argv, {
    scenario: { type: "string" },
    seed: { type: "string" },
    scale: { type: "string" },
    from: { type: "string" },
    to: { type: "string" },
    out: { type: "string" },
    produce: { type: "boolean" },
    plan: { type: "boolean" },
    rate: { type: "string" },
    "topic-prefix": { type: "string" },
  });
  const text = (name: string) => values[name] as string | undefined;

  const scenario = text("scenario");
  if (scenario === undefined) throw new UsageError(`--scenario is required: one of ${scenarioNames.join(", ")}`);
  if (!(scenarioNames as string[]).includes(scenario)) {
    throw new UsageError(`unknown scenario "${scenario}": choose one of ${scenarioNames.join(", ")}`);
  }

  const seedText = text("seed") ?? "1";
  if (!/^\d+$/.test(seedText) || Number(seedText) > MAX_SEED) {
    throw new UsageError(`--seed must be an integer from 0 to ${MAX_SEED}, got "${seedText}"`);
  }
  const scaleText = text("scale") ?? "1";
  const scale = Number(scaleText);
  if (scaleText.trim() === "" || !Number.isFinite(scale) || scale <= 0 || scale > 1) {
    throw new UsageError(`--scale must be a fraction in (0, 1], e.g. 0.01, got "${scaleText}"`);
  }
  for (const name of ["from", "to"]) {
    const date = text(name);
    if (date !== undefined && !isIsoDate(date)) {
      throw new UsageError(`--${name} must be a date written YYYY-MM-DD, got "${date}"`);
    }
  }

  const out = text("out");
  const produce = values.produce === true;
  const plan = values.plan === true;
  const destinations = [out !== undefined, produce, plan].filter(Boolean).length;
  if (destinations > 1) throw new UsageError("give one of --out FILE, --produce or --plan, not several");
  if (destinations === 0) throw new UsageError("say where the events go: --out FILE.jsonl or --produce (or --plan)");
  if (out === "") throw new UsageError("--out needs a file name (or - for stdout)");
  const rateText = text("rate");
  const topicPrefix = text("topic-prefix");
  if (!produce && (rateText !== undefined || topicPrefix !== undefined)) {
    throw new UsageError("--rate and --topic-prefix only apply with --produce");
  }
  let rate: number | undefined;
  if (rateText !== undefined) {
    rate = Number(rateText);
    if (rateText.trim() === "" || !Number.isFinite(rate) || rate <= 0) {
      throw new UsageError(`--rate must be a positive number of events per second, got "${rateText}"`);
    }
  }
  if (topicPrefix !== undefined && !/^[A-Za-z0-9._-]*$/.test(topicPrefix)) {
    throw new UsageError(`--topic-prefix may use only letters, digits, '.', '_' and '-', got "${topicPrefix}"`);
  }

  const options: SimulateArgs["options"] = { seed: Number(seedText), scale };
  const from = text("from");
  const to = text("to");
  if (from !== undefined) options.from = from;
  if (to !== undefined) options.to = to;
  try {
    scenarios[scenario as ScenarioName].plannedDays(options);
  } catch (error) {
    if (error instanceof ScenarioOptionsError) throw new UsageError(error.message);
    throw error;
  }
  const output: SimulateOutput = plan
    ? { kind: "plan" }
    : out !== undefined
      ? { kind: "file", path: out }
      : {
          kind: "kafka",
          ...(rate === undefined ? {} : { rate }),
          ...(topicPrefix === undefined ? {} : { topicPrefix }),
        };
  return { scenario: scenario as ScenarioName, options, output };
}

export interface SimulateIo {
  /** Progress and diagnostics. */
  stderr: NodeJS.WriteStream;
  /** The summary (stderr instead when the events themselves go to stdout). */
  print: (line: string) => void;
  /** Where `--out -` writes. */
  stdout: Writable;
}

export interface SimulateResult {
  tally: ScenarioTally;
  seconds: number;
  interrupted: boolean;
  /** Bytes written, for file output. */
  bytes?: number;
}

/** Where the events go: a sink takes them one at a time and flushes at the end. */
interface Sink {
  describe: string;
  write(event: AnyCloudEvent): Promise<void> | undefined;
  close(): Promise<{ bytes?: number }>;
}

/** The run day by day, as `--plan` prints it. */
export function planTable(args: SimulateArgs): string {
  let total = 0;
  const rows = scenarios[args.scenario].plannedDays(args.options).map((day) => {
    total += day.cases;
    return [
      day.date,
      count(day.cases),
      `${(day.symptomaticShare * 100).toFixed(1)}%`,
      count(total),
      count(day.beds.designated_hospital),
      count(day.beds.sub_designated_hospital),
      count(day.beds.fangcang),
    ];
  });
  return table(
    ["date", "cases", "symptomatic", "cumulative", "designated beds", "sub-designated beds", "fangcang beds"],
    rows,
  );
}

/** Runs a parsed `simulate` command that writes or produces events. */
export async function simulate(args: SimulateArgs, io: SimulateIo): Promise<SimulateResult> {
  if (args.output.kind === "plan") throw new Error("a --plan run generates no events: print planTable(args) instead");
  const scenario = scenarios[args.scenario];
  const totalCases = scenario.plannedDays(args.options).reduce((sum, day) => sum + day.cases, 0);
  const sink =
    args.output.kind === "file" ? await fileSink(args.output.path, io.stdout) : await kafkaSink(args.output, io);
  const tally = new ScenarioTally();
  const progress = new ProgressBar({ unit: "cases", total: totalCases, stream: io.stderr });
  let interrupted = false;
  const interrupt = () => {
    interrupted = true;
  };
  process.once("SIGINT", interrupt);
  const started = performance.now();
  try {
    for (const event of scenario.events(args.options)) {
      const pending = sink.write(event);
      if (pending !== undefined) await pending;
      tally.add(event);
      if ((tally.events & 0x3ff) === 0) {
        progress.update(tally.byType["case.reported"] ?? 0, `${tally.events.toLocaleString("en")} events`);
      }
      if (interrupted) break;
    }
  } catch (error) {
    progress.finish();
    await sink.close().catch(() => undefined);
    throw error;
  } finally {
    process.removeListener("SIGINT", interrupt);
  }
  const { bytes } = await sink.close();
  const cases = tally.byType["case.reported"] ?? 0;
  progress.update(cases);
  progress.finish(`${tally.events.toLocaleString("en")} events${interrupted ? " (interrupted)" : ""}`);
  const seconds = (performance.now() - started) / 1000;
  io.print(summary(args, sink.describe, tally, seconds, bytes, interrupted));
  return { tally, seconds, interrupted, ...(bytes === undefined ? {} : { bytes }) };
}

/** Events are written in blocks of lines, waiting for the stream to drain when it asks. */
async function fileSink(path: string, stdout: Writable): Promise<Sink> {
  const toStdout = path === "-";
  const stream = toStdout ? stdout : createWriteStream(path, { highWaterMark: 1 << 20 });
  let failure: Error | undefined;
  stream.on("error", (error: Error) => {
    failure = error;
  });
  if (!toStdout) {
    try {
      await once(stream, "open");
    } catch (error) {
      throw new Error(`cannot write ${path}: ${(error as Error).message}`);
    }
  }
  let lines: string[] = [];
  const flush = async () => {
    if (failure) throw new Error(`writing ${path} failed: ${failure.message}`);
    if (lines.length === 0) return;
    const block = `${lines.join("\n")}\n`;
    lines = [];
    if (!stream.write(block)) await once(stream, "drain");
  };
  return {
    describe: toStdout ? "stdout" : path,
    write(event) {
      lines.push(toJsonLine(event));
      return lines.length >= 1_000 ? flush() : undefined;
    },
    async close() {
      await flush();
      if (toStdout) return {};
      stream.end();
      await once(stream, "finish");
      if (failure) throw new Error(`writing ${path} failed: ${failure.message}`);
      return { bytes: statSync(path).size };
    },
  };
}

const MAX_BATCH = 2_000;

/**
 * Facility events go to the facilities topic and case events to the cases topic, in
 * batches of up to 2,000 (one request each). With a rate, batches are smaller (about 20
 * a second) and each waits until the schedule start + sent / rate allows it.
 */
async function kafkaSink(output: Extract<SimulateOutput, { kind: "kafka" }>, io: SimulateIo): Promise<Sink> {
  const env = { ...process.env };
  if (output.topicPrefix !== undefined) env.FANGCANG_TOPIC_PREFIX = output.topicPrefix;
  const config = loadInfraConfig(env);
  await up({ config, log: (line) => io.stderr.write(`  ${line}\n`) });
  const topics = topicNames(config.topicPrefix);
  const producer = new EventProducer(createKafka({ brokers: config.kafkaBrokers, clientId: "fangcang-simulate" }));
  await producer.connect();
  const batchSize =
    output.rate === undefined ? MAX_BATCH : Math.max(1, Math.min(MAX_BATCH, Math.floor(output.rate / 20)));
  const started = performance.now();
  let sent = 0;
  let facilities: AnyCloudEvent[] = [];
  let cases: AnyCloudEvent[] = [];
  const flush = async () => {
    if (facilities.length + cases.length === 0) return;
    const batch = [
      { topic: topics.facilities, events: facilities },
      { topic: topics.cases, events: cases },
    ];
    sent += facilities.length + cases.length;
    facilities = [];
    cases = [];
    await producer.send(batch);
    if (output.rate !== undefined) {
      const due = started + (sent / output.rate) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  };
  return {
    describe: `Kafka ${config.kafkaBrokers.join(",")} (${topics.facilities}, ${topics.cases})`,
    write(event) {
      (eventCatalog[event.type].topic === "facilities" ? facilities : cases).push(event);
      return facilities.length + cases.length >= batchSize ? flush() : undefined;
    },
    async close() {
      try {
        await flush();
      } finally {
        await producer.disconnect();
      }
      return {};
    },
  };
}

const count = (n: number | undefined) => Math.round(n ?? 0).toLocaleString("en");
const percent = (part: number | undefined, whole: number) =>
  `${(((part ?? 0) / Math.max(1, whole)) * 100).toFixed(1)}%`;

function summary(
  args: SimulateArgs,
  destination: string,
  tally: ScenarioTally,
  seconds: number,
  bytes: number | undefined,
  interrupted: boolean,
): string {
  const { seed, scale, from, to } = args.options;
  const scenario = scenarios[args.scenario];
  const cases = tally.byType["case.reported"] ?? 0;
  const peak = tally.peakDay("case.reported");
  const s = tally.bySeverity;
  const size = bytes === undefined ? "" : `, ${(bytes / 1e6).toFixed(1)} MB`;
  const capacity = Object.entries(tally.capacity()).map(([kind, c]) => [
    kind,
    c.facilities,
    Object.entries(c.beds)
      .map(([bedClass, n]) => `${count(n)} ${bedClass}`)
      .join(", "),
  ]);
  return [
    `${interrupted ? "interrupted: " : ""}${args.scenario} (seed ${seed}, scale ${scale}, ${from ?? scenario.firstDay} to ${to ?? scenario.lastDay}) -> ${destination}`,
    `${count(tally.events)} events in ${seconds.toFixed(1)} s (${count(tally.events / Math.max(seconds, 1e-3))} events/s)${size}`,
    "",
    table(
      ["event type", "count"],
      Object.entries(tally.byType).map(([type, n]) => [type, count(n)]),
    ),
    "",
    `cases: ${count(cases)}, peak ${count(peak?.count)} on ${peak?.date ?? "-"}; ` +
      `${percent(s.asymptomatic, cases)} asymptomatic, ${percent(s.mild, cases)} mild, ` +
      `${percent((s.moderate ?? 0) + (s.severe ?? 0) + (s.critical ?? 0), cases)} moderate or worse ` +
      `(${count(s.severe)} severe, ${count(s.critical)} critical)`,
    `       ${percent(tally.byDetection.quarantine, cases)} found in quarantine; ${percent(tally.children, cases)} children, ` +
      `${percent(tally.over60, cases)} aged 60+, ${count(tally.pregnant)} pregnant, ${percent(tally.withConditions, cases)} with chronic conditions`,
    "",
    "capacity at the end:",
    table(["facility kind", "facilities", "beds"], capacity),
  ].join("\n");
}

/** `fangcang simulate ...`: returns the exit code (2 for a usage mistake). */
export function simulateCommand(argv: string[]): Promise<number> {
  return runCommand("simulate", simulateUsage, argv, parseSimulateArgs, runSimulate);
}

async function runSimulate(args: SimulateArgs): Promise<number> {
  if (args.output.kind === "plan") {
    console.log(planTable(args));
    return 0;
  }
  const toStdout = args.output.kind === "file" && args.output.path === "-";
  const result = await simulate(args, {
    stderr: process.stderr,
    stdout: process.stdout,
    print: (line) => (toStdout ? console.error(line) : console.log(line)),
  });
  return result.interrupted ? 130 : 0;
}
