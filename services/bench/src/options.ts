// What one benchmark run measures and how big each step is: the full run the issue asks
// for, or `--quick`, a smoke run of every step at a tiny size that tests the harness itself.
import { parseArgs } from "node:util";

export const steps = ["audit", "throughput", "latency", "wave"] as const;
export type Step = (typeof steps)[number];

export interface BenchOptions {
  quick: boolean;
  /** Each step that has repetitions runs this many times; the report gives medians. */
  repetitions: number;
  steps: Step[];
  /** case.reported events in each throughput backlog. */
  backlogCases: number;
  /** Input rates (cases/s) the latency step holds, each for `latencySeconds`. */
  latencyRates: number[];
  latencySeconds: number;
  /**
   * Seconds of input at the first rate before any is measured, their decisions awaited: the
   * targets are a running allocator's, not its first second's (a fresh process compiles its
   * hot path then, which put p99 at 500/s at ~200-300 ms on a slow machine).
   */
  latencyWarmupSeconds: number;
  /** Cases in the recorded log the audit step replays. */
  auditCases: number;
  /** Fraction of the Shanghai wave the wave step plays (1: all of it). */
  waveScale: number;
  /** Event-seconds per wall-second the wave is played at; unset: its busiest day at ~1,000 inputs/s. */
  waveSpeed?: number;
  /** Hours of event time the wave may run ahead of the oldest input the allocator has not answered. */
  waveLeadHours: number;
  /** Last day (YYYY-MM-DD) of the wave to play; unset: all of it. */
  waveTo?: string;
  /** Cases processed at which the allocator's resident memory is read, in any backlog it drains. */
  rssCheckpoints: number[];
  /** Partitions of every topic the run creates (the allocator's default deployment has 12). */
  partitions: number;
  /** Run the allocator with --cpu-prof and summarise where its time goes. */
  cpuProfile: boolean;
  /** Where profiles and the JSON report go. */
  outDir: string;
  seed: number;
}

export const usage = `usage: npm run bench -- [--quick] [--repetitions N] [--steps audit,throughput,latency,wave]
                       [--cases N] [--wave-scale F] [--wave-speed S] [--wave-lead H]
                       [--wave-to DATE] [--cpu-prof] [--out DIR]

  --quick           every step at a tiny size (seconds): a smoke test of the harness
  --repetitions N   runs of each repeated step; the report shows medians (default 3, quick 1)
  --steps LIST      which steps to run (default: all)
  --cases N         case.reported events per throughput backlog (default 200,000)
  --wave-scale F    fraction (0, 1] of the Shanghai wave to play (default 1)
  --wave-speed S    event-seconds per wall-second the wave plays at (default: its busiest
                    day at ~1,000 inputs/s; the allocator slows it further if it lags)
  --wave-lead H     hours of event time the wave may run ahead of the oldest input the
                    allocator has not answered, (0, 10) (default 2: intake answers, due 2 h
                    after the order, are never later than the 12 h holds allow)
  --wave-to DATE    play the wave up to this day, YYYY-MM-DD (default: to its end, 05-31)
  --cpu-prof        profile the allocator child processes and summarise self-time
  --out DIR         where the JSON report and profiles go (default bench-results)

Kafka and Redis come from KAFKA_BROKERS (default 127.0.0.1:9092) and REDIS_URL (default
redis://127.0.0.1:6380). Every run uses fresh topic and key prefixes and removes them.`;

export class BenchUsageError extends Error {
  override name = "BenchUsageError";
}

const full = {
  repetitions: 3,
  backlogCases: 200_000,
  latencyRates: [500, 2_000, 5_000],
  latencySeconds: 10,
  latencyWarmupSeconds: 2,
  auditCases: 50_000,
  waveScale: 1,
  waveTo: undefined,
  rssCheckpoints: [100_000, 600_000],
};

const quick = {
  repetitions: 1,
  backlogCases: 2_000,
  latencyRates: [200, 500],
  latencySeconds: 2,
  latencyWarmupSeconds: 1,
  auditCases: 2_000,
  waveScale: 0.01,
  // The wave's first 25 days: seconds, not minutes, with admissions and discharges in them.
  waveTo: "2022-03-25",
  rssCheckpoints: [300, 1_000],
};

export function parseBenchArgs(argv: string[]): BenchOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        quick: { type: "boolean" },
        repetitions: { type: "string" },
        steps: { type: "string" },
        cases: { type: "string" },
        "wave-scale": { type: "string" },
        "wave-speed": { type: "string" },
        "wave-lead": { type: "string" },
        "wave-to": { type: "string" },
        "cpu-prof": { type: "boolean" },
        out: { type: "string" },
        seed: { type: "string" },
      },
    }).values;
  } catch (error) {
    throw new BenchUsageError((error as Error).message);
  }
  const isQuick = values.quick === true;
  const base = isQuick ? quick : full;
  const integer = (name: string, fallback: number, min: number) => {
    const text = values[name] as string | undefined;
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < min)
      throw new BenchUsageError(`--${name} must be an integer >= ${min}, got "${text}"`);
    return n;
  };
  const chosen = ((values.steps as string | undefined) ?? steps.join(",")).split(",").map((s) => s.trim());
  const unknown = chosen.filter((s) => !(steps as readonly string[]).includes(s));
  if (unknown.length > 0)
    throw new BenchUsageError(`unknown steps ${unknown.join(", ")}: choose from ${steps.join(", ")}`);
  const waveText = values["wave-scale"] as string | undefined;
  const waveScale = waveText === undefined ? base.waveScale : Number(waveText);
  if (!(waveScale > 0 && waveScale <= 1))
    throw new BenchUsageError(`--wave-scale must be in (0, 1], got "${waveText}"`);
  const speedText = values["wave-speed"] as string | undefined;
  const waveSpeed = speedText === undefined ? undefined : Number(speedText);
  if (waveSpeed !== undefined && !(waveSpeed > 0 && Number.isFinite(waveSpeed)))
    throw new BenchUsageError(`--wave-speed must be a number > 0 (event-seconds per second), got "${speedText}"`);
  const leadText = values["wave-lead"] as string | undefined;
  const waveLeadHours = leadText === undefined ? 2 : Number(leadText);
  // Past 10 h an admission (2 h after its order) could come after the order's 12 h hold expired.
  if (!(waveLeadHours > 0 && waveLeadHours < 10))
    throw new BenchUsageError(`--wave-lead must be in (0, 10) hours, got "${leadText}"`);
  const waveTo = (values["wave-to"] as string | undefined) ?? base.waveTo;
  if (waveTo !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(waveTo))
    throw new BenchUsageError(`--wave-to must be a date written YYYY-MM-DD, got "${waveTo}"`);
  return {
    quick: isQuick,
    repetitions: integer("repetitions", base.repetitions, 1),
    steps: steps.filter((s) => chosen.includes(s)),
    backlogCases: integer("cases", base.backlogCases, 1),
    latencyRates: base.latencyRates,
    latencySeconds: base.latencySeconds,
    latencyWarmupSeconds: base.latencyWarmupSeconds,
    auditCases: base.auditCases,
    waveScale,
    ...(waveSpeed === undefined ? {} : { waveSpeed }),
    waveLeadHours,
    ...(waveTo === undefined ? {} : { waveTo }),
    rssCheckpoints: base.rssCheckpoints,
    partitions: 12,
    cpuProfile: values["cpu-prof"] === true,
    outDir: (values.out as string | undefined) ?? "bench-results",
    seed: integer("seed", 1, 0),
  };
}
