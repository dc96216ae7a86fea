import type { Severity } from "@fangcang/contracts";
import { describe, expect, it } from "vitest";
import { isoSeconds } from "./calendar.ts";
import { cumulative, mixSeed, mulberry32, weightedIndex } from "./random.ts";
import { stayDays } from "./stay.ts";

describe("the seeded random source", () => {
  it("repeats its sequence for a seed and differs between seeds", () => {
    const draw = (seed: number) => {
      const rng = mulberry32(seed);
      return Array.from({ length: 5 }, () => rng.next());
    };
    expect(draw(1)).toEqual(draw(1));
    expect(draw(2)).not.toEqual(draw(3));
    expect(mixSeed(1, 2)).not.toBe(mixSeed(2, 1));
  });

  it("is uniform enough: mean 1/2, every tenth about as full", () => {
    const rng = mulberry32(mixSeed(42));
    const deciles = new Array<number>(10).fill(0);
    let sum = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < 100_000; i++) {
      const u = rng.next();
      sum += u;
      min = Math.min(min, u);
      max = Math.max(max, u);
      deciles[Math.floor(u * 10)] = (deciles[Math.floor(u * 10)] ?? 0) + 1;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(sum / 100_000).toBeCloseTo(0.5, 2);
    for (const count of deciles) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });

  it("picks indices in proportion to their weights", () => {
    const rng = mulberry32(7);
    const sums = cumulative([1, 0, 3]);
    const counts = [0, 0, 0];
    for (let i = 0; i < 40_000; i++) {
      const at = weightedIndex(rng, sums);
      counts[at] = (counts[at] ?? 0) + 1;
    }
    expect(counts[1]).toBe(0);
    expect((counts[2] ?? 0) / (counts[0] ?? 1)).toBeCloseTo(3, 0);
  });
});

describe("stay lengths", () => {
  it("lengthen with severity: about a week when asymptomatic, about four weeks when critical", () => {
    const rng = mulberry32(3);
    const mean = (severity: Severity) => {
      let total = 0;
      for (let i = 0; i < 5_000; i++) total += stayDays(rng, severity);
      return total / 5_000;
    };
    const means = (["asymptomatic", "mild", "moderate", "severe", "critical"] as const).map(mean);
    expect(means).toEqual([...means].sort((a, b) => a - b));
    expect(means[0]).toBeGreaterThan(6);
    expect(means[0]).toBeLessThan(10);
    expect(means[4]).toBeGreaterThan(24);
    expect(Array.from({ length: 1_000 }, () => stayDays(rng, "mild")).every(Number.isInteger)).toBe(true);
  });
});

describe("timestamps", () => {
  it("format whole seconds exactly as Date#toISOString does", () => {
    const rng = mulberry32(9);
    const instants = Array.from(
      { length: 10_000 },
      () => Math.floor(Date.UTC(2022, 2, 1) / 1000 + rng.next() * 120 * 86_400) * 1000,
    );
    expect(instants.map(isoSeconds)).toEqual(instants.map((ms) => new Date(ms).toISOString()));
  });
});
