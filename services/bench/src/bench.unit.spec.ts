import { describe, expect, it } from "vitest";
import { percentile, summarise } from "./latency.ts";
import { BenchUsageError, parseBenchArgs } from "./options.ts";
import { packageOf, summariseProfile } from "./profile-summary.ts";
import { median, targets, verdict } from "./targets.ts";

describe("benchmark options", () => {
  it("given no arguments, then the full run the issue asks for: 200,000 cases, 3 runs, 500/2,000/5,000 cases/s", () => {
    const options = parseBenchArgs([]);
    expect(options).toMatchObject({ quick: false, repetitions: 3, backlogCases: 200_000, waveScale: 1 });
    expect(options).toMatchObject({ latencySeconds: 10, latencyWarmupSeconds: 2 });
    expect(options.latencyRates).toEqual([500, 2_000, 5_000]);
    expect(options.rssCheckpoints).toEqual([100_000, 600_000]);
    expect(options.steps).toEqual(["audit", "throughput", "latency", "wave"]);
  });

  it("given --quick, then every step is small and runs once", () => {
    const options = parseBenchArgs(["--quick", "--steps", "wave,audit"]);
    expect(options.repetitions).toBe(1);
    expect(options.backlogCases).toBeLessThan(10_000);
    expect(options.steps).toEqual(["audit", "wave"]);
  });

  it("given a mistake, then it says what was wrong", () => {
    expect(() => parseBenchArgs(["--repetitions", "0"])).toThrow(/--repetitions must be an integer >= 1/);
    expect(() => parseBenchArgs(["--steps", "speed"])).toThrow(/unknown steps speed/);
    expect(() => parseBenchArgs(["--wave-scale", "2"])).toThrow(BenchUsageError);
    expect(() => parseBenchArgs(["--fast"])).toThrow(BenchUsageError);
    expect(() => parseBenchArgs(["--wave-speed", "0"])).toThrow(/--wave-speed must be a number > 0/);
    expect(() => parseBenchArgs(["--wave-lead", "10"])).toThrow(/--wave-lead must be in \(0, 10\) hours/);
    expect(() => parseBenchArgs(["--wave-to", "21 March"])).toThrow(/--wave-to must be a date/);
  });

  it("given the wave's flags, then its speed, lead and last day; by default the speed is left to the scale and the lead is 2 h", () => {
    expect(parseBenchArgs([])).toMatchObject({ waveLeadHours: 2 });
    expect(parseBenchArgs([]).waveSpeed).toBeUndefined();
    expect(parseBenchArgs([]).waveTo).toBeUndefined();
    expect(parseBenchArgs(["--wave-speed", "20000", "--wave-lead", "4", "--wave-to", "2022-04-15"])).toMatchObject({
      waveSpeed: 20_000,
      waveLeadHours: 4,
      waveTo: "2022-04-15",
    });
  });
});

describe("medians, percentiles and verdicts", () => {
  it("the median of an even count is the mean of the middle two", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("percentiles are nearest-rank", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(summarise([5, 1, 3])).toEqual({ count: 3, p50: 3, p99: 5, max: 5 });
  });

  it("a throughput below its target is missed, with the factor still needed", () => {
    expect(verdict(10_000, targets.throughput)).toMatchObject({ met: false, ratio: 0.5 });
    expect(verdict(10_000, targets.throughput).text).toContain("needs 2.00x");
    expect(verdict(25_000, targets.throughput)).toMatchObject({ met: true, ratio: 1.25 });
  });

  it("a latency above its ceiling is missed; below it is met", () => {
    expect(verdict(100, targets.p99At2000)).toMatchObject({ met: false, ratio: 0.5 });
    expect(verdict(25, targets.p99At2000)).toMatchObject({ met: true, ratio: 2 });
    expect(verdict(16_500, targets.p99At2000).text).toBe("MISSED: 0.0030x of the target, needs 330.00x");
  });
});

describe("CPU profile summary", () => {
  it("names the package of each script", () => {
    expect(packageOf("file:///w/node_modules/kafkajs/src/broker/index.js", "send")).toBe("kafkajs");
    expect(packageOf("file:///w/node_modules/@biomejs/x/y.js", "f")).toBe("@biomejs/x");
    expect(packageOf("file:///w/shared/ledger/src/redis-ledger.ts", "place")).toBe("@fangcang/ledger");
    expect(packageOf("node:internal/streams/readable", "read")).toBe("node internals");
    expect(packageOf("", "(garbage collector)")).toBe("(garbage collector)");
  });

  it("adds up self time per function and per package from the samples", () => {
    const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0 });
    const summary = summariseProfile({
      nodes: [
        { id: 1, callFrame: frame("(root)", "") },
        { id: 2, callFrame: frame("parse", "file:///w/node_modules/zod/v4/core.js") },
        { id: 3, callFrame: frame("place", "file:///w/shared/ledger/src/redis-ledger.ts") },
      ],
      samples: [2, 2, 3, 2],
      timeDeltas: [1_000, 1_000, 2_000, 1_000],
    });
    expect(summary.totalMs).toBe(5);
    expect(summary.byPackage.map((p) => [p.name, p.ms])).toEqual([
      ["zod", 3],
      ["@fangcang/ledger", 2],
    ]);
    expect(summary.byFunction[0]?.name).toBe("parse zod core.js:1");
  });
});
