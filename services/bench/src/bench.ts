// One benchmark run: audit replay in memory, then on real Kafka and Redis the throughput of
// the allocator draining a backlog next to the bare consume-produce pipe, latency at fixed
// input rates, and the whole Shanghai wave played in compressed event time with intake
// systems in the loop, with the allocator's resident memory along it.
import { mkdirSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { createKafka, EventProducer, GroupProgressProbe } from "@fangcang/bus";
import { ProgressBar } from "@fangcang/cli";
import type { AnyCloudEvent } from "@fangcang/contracts";
import { plannedDays, shanghai2022 } from "@fangcang/scenario";
import { shanghai2022 as shanghaiPolicy } from "@fangcang/triage";
import { recordProductionLog, replayLog } from "./audit-replay.ts";
import { measureDrain } from "./drain.ts";
import { LatencyCollector, summarise } from "./latency.ts";
import { type BenchInfra, type BenchNamespace, Namespaces } from "./namespace.ts";
import type { BenchOptions } from "./options.ts";
import { formatProfileSummary, type ProfileSummary, readProfile, summariseProfile } from "./profile-summary.ts";
import { describeRedisUsage, redisPerCase, redisUsage } from "./redis-usage.ts";
import { type BatchCounts, type ServiceKind, ServiceProcess } from "./service-process.ts";
import { type Measurement, median, targets } from "./targets.ts";
import { runWaveLoop, type WaveLoopResult } from "./wave-loop.ts";
import { defaultWaveSpeed } from "./wave-pacing.ts";
import { compressedBacklog, produceEvents } from "./workload.ts";

export interface BenchIo {
  log: (line: string) => void;
  /** Progress bars and other transient output. */
  stderr: NodeJS.WriteStream;
}

export interface BenchReport {
  runId: string;
  measurements: Measurement[];
  /** Per profiled process, where its time went. */
  profiles: { label: string; file: string; summary: ProfileSummary }[];
  /** What the wave step counted: inputs released, the allocator's outputs, dead letters (its lags are in `measurements`). */
  wave?: Omit<WaveLoopResult, "decisionLagsMs">;
}

const MB = 1024 * 1024;

export async function runBench(options: BenchOptions, infra: BenchInfra, io: BenchIo): Promise<BenchReport> {
  const bench = new BenchRun(options, infra, io);
  try {
    return await bench.run();
  } finally {
    await bench.cleanUp();
  }
}

/** One run; `cleanUp` (also after an interruption) stops its services and removes its topics and keys. */
export class BenchRun {
  private readonly options: BenchOptions;
  private readonly infra: BenchInfra;
  private readonly io: BenchIo;
  private readonly namespaces: Namespaces;
  private readonly measurements = new Map<string, Measurement>();
  private readonly profiles: BenchReport["profiles"] = [];
  /** Running services, by the label their profile is filed under. */
  private readonly services = new Map<ServiceProcess, string>();
  private probe: GroupProgressProbe | undefined;
  private waveCounts: BenchReport["wave"];
  private cleaning: Promise<void> | undefined;

  constructor(options: BenchOptions, infra: BenchInfra, io: BenchIo) {
    this.options = options;
    this.infra = infra;
    this.io = io;
    this.namespaces = new Namespaces(infra);
  }

  async run(): Promise<BenchReport> {
    const { steps, repetitions } = this.options;
    this.io.log(`bench run ${this.namespaces.runId}: ${steps.join(", ")}; ${repetitions} repetition(s)`);
    if (steps.includes("audit")) await this.audit();
    if (steps.some((s) => s !== "audit")) {
      this.probe = await GroupProgressProbe.connect(this.infra.brokers, "fangcang-bench");
    }
    for (let r = 1; r <= repetitions; r++) {
      if (steps.includes("throughput")) await this.throughput(r);
      if (steps.includes("latency")) await this.latency(r);
    }
    if (steps.includes("wave")) await this.wave();
    return {
      runId: this.namespaces.runId,
      measurements: [...this.measurements.values()],
      profiles: this.profiles,
      ...(this.waveCounts === undefined ? {} : { wave: this.waveCounts }),
    };
  }

  /** Safe to call more than once and concurrently (Ctrl-C during a step): one clean-up runs. */
  cleanUp(): Promise<void> {
    this.cleaning ??= this.stopAndRemove();
    return this.cleaning;
  }

  private async stopAndRemove(): Promise<void> {
    for (const service of this.services.keys()) await service.stop().catch(() => undefined);
    await this.probe?.close().catch(() => undefined);
    await this.namespaces.removeAll();
  }

  /**
   * A producer per namespace: kafkajs keeps refreshing the metadata of every topic a producer
   * has written to, and stalls once one of them is deleted.
   */
  private async withProducer<T>(work: (producer: EventProducer) => Promise<T>): Promise<T> {
    const producer = new EventProducer(createKafka({ brokers: this.infra.brokers, clientId: "fangcang-bench" }));
    await producer.connect();
    try {
      return await work(producer);
    } finally {
      await producer.disconnect();
    }
  }

  private record(name: string, unit: string, value: number, target?: Measurement["target"]): void {
    const existing = this.measurements.get(name);
    if (existing) existing.runs.push(value);
    else this.measurements.set(name, { name, unit, runs: [value], ...(target === undefined ? {} : { target }) });
  }

  // ---- audit replay ------------------------------------------------------------------

  private async audit(): Promise<void> {
    const { seed, auditCases, repetitions } = this.options;
    this.io.log(`audit: recording a log of ${auditCases.toLocaleString("en")} cases in memory`);
    const log = await recordProductionLog(waveUntil(seed, auditCases), shanghaiPolicy);
    for (let r = 1; r <= repetitions; r++) {
      const started = performance.now();
      const result = await replayLog(log);
      const seconds = (performance.now() - started) / 1000;
      this.record("audit replay", "events/s", result.events / seconds, targets.auditReplay);
      this.io.log(
        `audit ${r}/${repetitions}: ${result.events.toLocaleString("en")} events, ${result.decisions.toLocaleString("en")} decisions in ${seconds.toFixed(2)} s = ${fmt(result.events / seconds)} events/s`,
      );
    }
  }

  // ---- throughput against the bare pipe ------------------------------------------------

  private async throughput(r: number): Promise<void> {
    const cases = this.options.backlogCases;
    const ns = await this.namespaces.create(`tput${r}`);
    this.io.log(`throughput ${r}: producing a backlog of ${cases.toLocaleString("en")} case.reported events`);
    const backlog = compressedBacklog(this.options.seed, cases, 50);
    await this.produceWithProgress(ns, chain(backlog.facilities, backlog.reports), cases, "backlog");
    const bare = await this.drain("bare-pipe", ns, `tput${r}`);
    const redisBefore = await redisUsage(this.infra.redisUrl);
    const ours = await this.drain("allocator", ns, `tput${r}`, this.rssAt(cases, "backlog"));
    const redisAfter = await redisUsage(this.infra.redisUrl);
    const bareRate = cases / bare.seconds;
    const ourRate = cases / ours.seconds;
    this.record("bare pipe (kafkajs consume -> produce)", "cases/s", bareRate);
    this.record("end-to-end throughput", "cases/s", ourRate, targets.throughput);
    this.record("throughput / bare pipe", "ratio", ourRate / bareRate, targets.ratioToBarePipe);
    this.record("allocator RSS after the backlog", "MB", ours.rss / MB);
    const cpuPerCase = { bare: (bare.cpuSeconds / cases) * 1e6, ours: (ours.cpuSeconds / cases) * 1e6 };
    this.record("bare pipe CPU per case", "µs", cpuPerCase.bare);
    this.record("allocator CPU per case", "µs", cpuPerCase.ours);
    this.recordBatches("backlog", ours.batches);
    this.io.log(
      `throughput ${r}: allocator ${fmt(ourRate)} cases/s (${ours.events.toLocaleString("en")} messages in ${ours.seconds.toFixed(1)} s), ` +
        `bare pipe ${fmt(bareRate)} cases/s (${bare.seconds.toFixed(1)} s): ratio ${(ourRate / bareRate).toFixed(2)}\n` +
        `  CPU per case: allocator ${fmt(cpuPerCase.ours)} µs, bare pipe ${fmt(cpuPerCase.bare)} µs\n` +
        `  ${describeRedisUsage(redisBefore, redisAfter, ours.seconds, cases)}`,
    );
    const redis = redisPerCase(redisBefore, redisAfter, cases);
    this.record("Redis ledger script time per case", "µs", redis.scriptMicros);
    this.record("Redis CPU per case", "µs", redis.cpuMicros);
    await this.namespaces.removeKeys(ns);
  }

  /** The allocator's mean batch: a paced input stream arrives in smaller fetches than a backlog. */
  private recordBatches(step: string, counts: BatchCounts | undefined): void {
    if (counts === undefined) throw new Error("the allocator stopped without logging its batch counters");
    this.record(`allocator inputs per batch, ${step}`, "inputs", counts.inputs / Math.max(1, counts.batches));
  }

  /** Starts a service on the namespace's backlog and times it draining it. */
  private async drain(
    kind: ServiceKind,
    ns: BenchNamespace,
    label: string,
    onPoll?: (committed: number, end: number, service: ServiceProcess) => void,
  ): Promise<{
    seconds: number;
    events: number;
    rss: number;
    cpuSeconds: number;
    batches: BatchCounts | undefined;
  }> {
    const groupId = `${ns.redisNamespace}-${kind}`;
    const service = await this.startService(kind, ns, groupId, `${label}-${kind}`);
    // From the moment it is consuming: what starting took (loading modules, joining) is left out.
    const cpuBefore = service.cpuSeconds();
    let bar: ProgressBar | undefined;
    const result = await measureDrain({
      probe: this.probe as GroupProgressProbe,
      groupId,
      topics: [ns.topics.facilities, ns.topics.cases],
      assertAlive: () => service.assertAlive(),
      onPoll: (committed, end) => {
        // The total is what the first poll finds; the allocator's follow-ups add to it as it goes.
        bar ??= new ProgressBar({ unit: "messages", total: end, stream: this.io.stderr });
        bar.update(committed, `${kind} ${label}, ${(service.memory().rss / MB).toFixed(0)} MB RSS`);
        onPoll?.(committed, end, service);
      },
    });
    bar?.finish();
    const rss = service.memory().rss;
    const cpuSeconds = service.cpuSeconds() - cpuBefore;
    await this.stopService(service);
    return { ...result, rss, cpuSeconds, batches: service.batchCounts() };
  }

  private async startService(
    kind: ServiceKind,
    ns: BenchNamespace,
    groupId: string,
    label: string,
  ): Promise<ServiceProcess> {
    const cpuProfileDir = this.options.cpuProfile ? resolve(this.options.outDir, "profiles", label) : undefined;
    if (cpuProfileDir !== undefined) mkdirSync(cpuProfileDir, { recursive: true });
    const service = await ServiceProcess.start(kind, {
      infra: this.infra,
      ns,
      groupId,
      ...(cpuProfileDir === undefined ? {} : { cpuProfileDir }),
    });
    this.services.set(service, label);
    return service;
  }

  private async stopService(service: ServiceProcess): Promise<void> {
    await service.stop();
    const label = this.services.get(service) as string;
    this.services.delete(service);
    if (!this.options.cpuProfile) return;
    const dir = resolve(this.options.outDir, "profiles", label);
    for (const name of readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"))) {
      const file = join(dir, name);
      const summary = summariseProfile(readProfile(file));
      this.profiles.push({ label, file, summary });
      this.io.log(`profile of ${label} (${file}):\n${formatProfileSummary(summary, 12)}`);
    }
  }

  private async produceWithProgress(
    ns: BenchNamespace,
    events: Iterable<AnyCloudEvent>,
    total: number,
    what: string,
  ): Promise<number> {
    const bar = new ProgressBar({ unit: "events", total, stream: this.io.stderr });
    const started = performance.now();
    const sent = await this.withProducer((producer) =>
      produceEvents(producer, ns.topics, events, { onProgress: (n) => bar.update(n, what) }),
    );
    bar.finish();
    const seconds = (performance.now() - started) / 1000;
    this.io.log(`  produced ${sent.toLocaleString("en")} events in ${seconds.toFixed(1)} s (${fmt(sent / seconds)}/s)`);
    return sent;
  }

  // ---- latency at fixed rates -----------------------------------------------------------

  private async latency(r: number): Promise<void> {
    const { latencyRates, latencySeconds, latencyWarmupSeconds, seed } = this.options;
    const ns = await this.namespaces.create(`lat${r}`);
    const groupId = `${ns.redisNamespace}-allocator`;
    const service = await this.startService("allocator", ns, groupId, `lat${r}-allocator`);
    const collector = new LatencyCollector(this.infra.brokers, ns.topics, `${ns.redisNamespace}-latency`);
    await collector.start();
    const producer = new EventProducer(createKafka({ brokers: this.infra.brokers, clientId: "fangcang-bench" }));
    await producer.connect();
    try {
      const warmup = (latencyRates[0] ?? 0) * latencyWarmupSeconds;
      const total = latencyRates.reduce((sum, rate) => sum + rate * latencySeconds, warmup);
      const { facilities, reports } = compressedBacklog(seed, total, 10);
      await produceEvents(producer, ns.topics, facilities);
      await measureDrain({
        probe: this.probe as GroupProgressProbe,
        groupId,
        topics: [ns.topics.facilities, ns.topics.cases],
        assertAlive: () => service.assertAlive(),
      });
      /** Produces `limit` reports at `rate`; the ids of those sent, and the rate reached. */
      const play = async (rate: number, limit: number, label: string) => {
        const ids: string[] = [];
        const recording = (function* () {
          for (let next = reports.next(); !next.done; next = reports.next()) {
            if (next.value.type === "case.reported") ids.push(next.value.id);
            yield next.value;
          }
        })();
        const bar = new ProgressBar({ unit: "events", total: limit, stream: this.io.stderr });
        const started = performance.now();
        const sent = await produceEvents(producer, ns.topics, recording, {
          rate,
          limit,
          onProgress: (n) => bar.update(n, label),
        });
        bar.finish();
        return { ids, sent, seconds: (performance.now() - started) / 1000 };
      };
      if (warmup > 0) {
        const rate = latencyRates[0] as number;
        const { ids } = await play(rate, warmup, `latency ${r}, warming up at ${rate}/s`);
        await collector.latencies(ids, 600_000);
      }
      for (const rate of latencyRates) {
        const { ids, sent, seconds } = await play(rate, rate * latencySeconds, `latency ${r} at ${rate}/s`);
        // The producer may fall short of the rate on a loaded machine: say what it reached.
        const achieved = sent / seconds;
        this.record(`input rate reached for ${fmt(rate)}/s`, "events/s", achieved);
        // Above the allocator's throughput a backlog builds up: give it time to drain.
        const summary = summarise(await collector.latencies(ids, 600_000));
        this.record(`latency p50 at ${fmt(rate)}/s`, "ms", summary.p50);
        this.record(`latency p99 at ${fmt(rate)}/s`, "ms", summary.p99, rate === 2_000 ? targets.p99At2000 : undefined);
        this.io.log(
          `latency ${r} at ${fmt(rate)} cases/s: ${summary.count.toLocaleString("en")} cases, p50 ${summary.p50} ms, p99 ${summary.p99} ms, max ${summary.max} ms`,
        );
      }
    } finally {
      await producer.disconnect();
      await collector.stop();
      await this.stopService(service);
    }
    await this.namespaces.removeKeys(ns);
  }

  /**
   * Reads the allocator's resident memory as the cases it has processed pass each checkpoint,
   * estimated from the share of the topics consumed (cases are spread evenly through them).
   */
  private rssAt(
    cases: number,
    step: "backlog" | "wave",
  ): (committed: number, end: number, service: ServiceProcess) => void {
    const { rssCheckpoints } = this.options;
    const pending = rssCheckpoints.filter((checkpoint) => checkpoint <= cases);
    return (committed, end, service) => {
      const processed = (cases * committed) / Math.max(end, 1);
      while (pending.length > 0 && processed >= (pending[0] as number)) {
        const checkpoint = pending.shift() as number;
        const mb = service.memory().rss / MB;
        const target = checkpoint === rssCheckpoints.at(-1) ? targets.rssAt600k : undefined;
        // The wave's readings apart: its mix of inputs is not the backlog's reports alone.
        const name = `allocator RSS at ${fmt(checkpoint)} cases${step === "wave" ? ", wave" : ""}`;
        this.record(name, "MB", mb, target);
        this.io.log(`  ${name}: ${mb.toFixed(0)} MB`);
      }
    };
  }

  // ---- the Shanghai wave -------------------------------------------------------------------

  /**
   * The wave's events played to the allocator on a compressed event-time clock, with
   * simulated intake systems answering the transfers it actually orders (wave-loop.ts).
   */
  private async wave(): Promise<void> {
    const { seed, waveScale, waveLeadHours, waveTo } = this.options;
    const scenarioOptions = { seed, scale: waveScale, ...(waveTo === undefined ? {} : { to: waveTo }) };
    const speed = this.options.waveSpeed ?? defaultWaveSpeed(scenarioOptions);
    const ns = await this.namespaces.create("wave");
    const days = plannedDays(scenarioOptions);
    const plannedCases = days.reduce((sum, day) => sum + day.cases, 0);
    const label = `Shanghai wave${waveScale === 1 ? "" : ` at scale ${waveScale}`}${waveTo === undefined ? "" : ` to ${waveTo}`}`;
    this.io.log(
      `wave: the ${label} (${plannedCases.toLocaleString("en")} cases) at ${fmt(speed)} event-seconds per second, ` +
        `at most ${waveLeadHours} h ahead of the allocator, intake systems answering its orders`,
    );
    const groupId = `${ns.redisNamespace}-allocator`;
    const readerGroupId = `${ns.redisNamespace}-intake`;
    const service = await this.startService("allocator", ns, groupId, "wave-allocator");
    const rss = this.rssAt(plannedCases, "wave");
    const bar = new ProgressBar({ unit: "days", total: days.length, stream: this.io.stderr });
    let result: WaveLoopResult;
    try {
      result = await this.withProducer((producer) =>
        runWaveLoop({
          brokers: this.infra.brokers,
          topics: ns.topics,
          groupId: readerGroupId,
          producer,
          scenario: shanghai2022(scenarioOptions),
          policy: shanghaiPolicy,
          speed,
          leadHours: waveLeadHours,
          assertAlive: () => service.assertAlive(),
          drained: async () => {
            await this.drained(groupId, [ns.topics.facilities, ns.topics.cases], service);
            const { transfers, ledger, deadLetter, cases } = ns.topics;
            await this.drained(readerGroupId, [transfers, ledger, deadLetter, cases], service);
          },
          onTick: (status) => {
            bar.update(
              Math.min(days.length, Math.floor(status.day)),
              `wave, ${status.released.toLocaleString("en")} inputs, ${status.open} unanswered, ${(service.memory().rss / MB).toFixed(0)} MB RSS`,
            );
            rss(status.reports, plannedCases, service);
          },
        }),
      );
    } finally {
      bar.finish();
      await this.stopService(service);
    }
    this.recordBatches("wave", service.batchCounts());
    const { decisionLagsMs, ...counts } = result;
    this.waveCounts = counts;
    const inputs = result.released.wave + result.released.admissions + result.released.discharges;
    const lags = summarise(decisionLagsMs);
    const decisions = (result.outputs["transfer.ordered"] ?? 0) + (result.outputs["case.waitlisted"] ?? 0);
    const deadLetters = Object.values(result.deadLetters).reduce((sum, n) => sum + n, 0);
    const refused = (result.deadLetters["transfer.admitted"] ?? 0) + (result.deadLetters["patient.discharged"] ?? 0);
    // The whole wave's inputs grow with its cases; at the busiest rate this run sustained.
    const wholeWave = inputs / waveScale / result.busiest10s;
    this.record(
      `${label}, end to end`,
      "s",
      result.seconds,
      waveScale === 1 && waveTo === undefined ? targets.wave : undefined,
    );
    this.record("wave input rate", "events/s", inputs / result.seconds);
    this.record("wave busiest 10 s input rate", "events/s", result.busiest10s);
    const whole = `Shanghai wave${waveTo === undefined ? "" : ` to ${waveTo}`} at scale 1, at the busiest 10 s rate`;
    this.record(whole, "s", wholeWave, waveTo === undefined ? targets.wave : undefined);
    this.record("wave decision lag p50", "ms", lags.p50);
    this.record("wave decision lag p99", "ms", lags.p99);
    this.record("wave decisions", "events", decisions);
    this.record("wave dead letters", "events", deadLetters);
    this.record("wave intake answers refused", "events", refused);
    this.record("wave holds expired", "events", result.holdsExpired);
    this.record("wave clock held by the allocator", "ratio", result.heldShare);
    this.io.log(
      `wave: ${inputs.toLocaleString("en")} inputs (${result.released.wave.toLocaleString("en")} of the wave, ` +
        `${result.released.admissions.toLocaleString("en")} admissions, ${result.released.discharges.toLocaleString("en")} discharges) ` +
        `in ${result.seconds.toFixed(1)} s = ${fmt(inputs / result.seconds)}/s (busiest 10 s: ${fmt(result.busiest10s)}/s; ` +
        `clock held by the allocator ${(result.heldShare * 100).toFixed(0)}% of the time)\n` +
        `  decisions ${decisions.toLocaleString("en")}, lag p50 ${lags.p50} ms, p99 ${lags.p99} ms, max ${lags.max} ms\n` +
        `  dead letters ${deadLetters.toLocaleString("en")} ${JSON.stringify(result.deadLetters)}, holds expired ${result.holdsExpired}, ` +
        `answers late ${result.lateAnswers} (at most ${result.maxLateHours.toFixed(1)} h of event time)\n` +
        `  outputs ${JSON.stringify(result.outputs)}\n` +
        `  at scale 1 at ${fmt(result.busiest10s)}/s: ~${fmt(wholeWave)} s`,
    );
    await this.namespaces.removeKeys(ns);
  }

  /** Waits until a consumer group has committed everything on its topics. */
  private async drained(groupId: string, topics: string[], service: ServiceProcess): Promise<void> {
    const deadline = Date.now() + 10 * 60_000;
    for (;;) {
      service.assertAlive();
      const { committed, end } = await (this.probe as GroupProgressProbe).progress(groupId, topics);
      if (committed >= end) return;
      if (Date.now() > deadline) throw new Error(`${groupId} committed ${committed} of ${end} messages in 10 min`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** All the wave's events until its `cases`-th report. */
function* waveUntil(seed: number, cases: number): Generator<AnyCloudEvent> {
  let reported = 0;
  for (const event of shanghai2022({ seed })) {
    yield event;
    if (event.type === "case.reported" && ++reported >= cases) return;
  }
}

function* chain<T>(...parts: Iterable<T>[]): Generator<T> {
  for (const part of parts) yield* part;
}

const fmt = (n: number) => Math.round(n).toLocaleString("en");
