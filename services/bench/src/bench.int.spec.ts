import { describe, expect, inject, it } from "vitest";
import { runBench } from "./bench.ts";
import { leftBehind } from "./left-behind.ts";
import { parseBenchArgs } from "./options.ts";

// The harness itself, on the real broker and Redis, at a size that takes seconds: every step
// runs, every measurement comes back with a number, and the run leaves nothing behind.
describe("npm run bench -- --quick", () => {
  it("given real Kafka and Redis, when every step runs small, then each measurement has a value and nothing is left behind", async () => {
    const brokers = inject("kafkaBrokers").split(",");
    const redisUrl = inject("redisUrl");
    const options = {
      ...parseBenchArgs(["--quick", "--cases", "500", "--wave-scale", "0.002"]),
      latencyRates: [300],
      latencySeconds: 1,
      auditCases: 300,
      rssCheckpoints: [100],
    };
    const lines: string[] = [];
    const report = await runBench(
      options,
      { brokers, redisUrl, partitions: 3, namePrefix: `t-${inject("testRunId")}-` },
      { log: (line) => lines.push(line), stderr: process.stderr },
    );

    const names = report.measurements.map((m) => m.name).sort();
    expect(names).toEqual(
      [
        "audit replay",
        "bare pipe (kafkajs consume -> produce)",
        "end-to-end throughput",
        "throughput / bare pipe",
        "allocator RSS after the backlog",
        "allocator RSS at 100 cases",
        "allocator CPU per case",
        "allocator inputs per batch, backlog",
        "allocator inputs per batch, wave",
        "bare pipe CPU per case",
        "Redis ledger script time per case",
        "Redis CPU per case",
        "input rate reached for 300/s",
        "latency p50 at 300/s",
        "latency p99 at 300/s",
        "Shanghai wave at scale 0.002 to 2022-03-25, end to end",
        "wave input rate",
        "wave busiest 10 s input rate",
        "Shanghai wave to 2022-03-25 at scale 1, at the busiest 10 s rate",
        "wave decision lag p50",
        "wave decision lag p99",
        "wave decisions",
        "wave dead letters",
        "wave intake answers refused",
        "wave holds expired",
        "wave clock held by the allocator",
      ].sort(),
    );
    // Counts of what should not happen may be zero; so may the bare pipe's CPU per case, which
    // /proc counts in 10 ms ticks and a --quick drain can finish within one (~15 µs x 2,000
    // cases). Everything else is a positive number.
    const mayBeZero = [
      "bare pipe CPU per case",
      "wave dead letters",
      "wave intake answers refused",
      "wave holds expired",
      "wave clock held by the allocator",
    ];
    for (const m of report.measurements) {
      expect(m.runs.length, m.name).toBeGreaterThan(0);
      const least = mayBeZero.includes(m.name) ? 0 : Number.MIN_VALUE;
      for (const value of m.runs) expect(Number.isFinite(value) && value >= least, `${m.name}: ${value}`).toBe(true);
    }
    expect(report.measurements.find((m) => m.name === "end-to-end throughput")?.target).toEqual({
      kind: "at-least",
      value: 20_000,
    });

    expect(await leftBehind(brokers, redisUrl, report.runId)).toEqual({ topicsLeft: [], keysLeft: [] });
  }, 240_000);
});
