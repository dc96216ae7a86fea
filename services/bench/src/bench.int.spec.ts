import { deleteTopics, listTopics } from "@fangcang/bus";
import { Redis } from "ioredis";
import { describe, expect, inject, it } from "vitest";
import { runBench } from "./bench.ts";
import { parseBenchArgs } from "./options.ts";

// The harness itself, on the real broker and Redis, at a size that takes seconds: every step
// runs, every measurement comes back with a number, and the run leaves nothing behind.
describe("npm run bench -- --quick", () => {
  it("given real Kafka and Redis, when every step runs small, then each measurement has a value and nothing is left behind", async () => {
    const brokers = inject("kafkaBrokers").split(",");
    const redisUrl = inject("redisUrl");
    const options = {
      ...parseBenchArgs(["--quick", "--cases", "500", "--wave-scale", "0.0005"]),
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
        "bare pipe CPU per case",
        "Redis ledger script time per case",
        "Redis CPU per case",
        "input rate reached for 300/s",
        "latency p50 at 300/s",
        "latency p99 at 300/s",
        "Shanghai wave at scale 0.0005, end to end",
        "Shanghai wave, extrapolated linearly to scale 1",
      ].sort(),
    );
    for (const m of report.measurements) {
      expect(m.runs.length, m.name).toBeGreaterThan(0);
      for (const value of m.runs) expect(Number.isFinite(value) && value > 0, `${m.name}: ${value}`).toBe(true);
    }
    expect(report.measurements.find((m) => m.name === "end-to-end throughput")?.target).toEqual({
      kind: "at-least",
      value: 20_000,
    });

    const topicsLeft = (await listTopics(brokers)).filter((t) => t.startsWith(report.runId));
    const redis = new Redis(redisUrl);
    const keysLeft = await redis.keys(`${report.runId}*`);
    redis.disconnect();
    await deleteTopics({ brokers, topics: topicsLeft });
    expect({ topicsLeft, keysLeft }).toEqual({ topicsLeft: [], keysLeft: [] });
  }, 240_000);
});
