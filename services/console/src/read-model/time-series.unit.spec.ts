// Occupancy over time in a bounded number of points.
import { describe, expect, it } from "vitest";
import { emptySeries, recordSample } from "./time-series.ts";

const sample = (minute: number, occupied: number) => ({
  t: minute * 60_000,
  total: 10,
  occupied,
  held: 0,
  waiting: 0,
});

describe("the occupancy series", () => {
  it("keeps one point per bucket: a later sample of the same minute replaces the earlier", () => {
    const series = emptySeries(60_000, 10);
    recordSample(series, sample(0, 1));
    recordSample(series, { ...sample(0, 2), t: 59_999 });
    recordSample(series, sample(1, 3));
    expect(series.points.map((p) => [p.t, p.occupied])).toEqual([
      [0, 2],
      [60_000, 3],
    ]);
  });

  it("past its limit, merges neighbours keeping the later state and doubles the resolution", () => {
    const series = emptySeries(60_000, 4);
    for (let minute = 0; minute < 5; minute++) recordSample(series, sample(minute, minute));
    expect(series.resolutionMs).toBe(120_000);
    expect(series.points.map((p) => [p.t / 60_000, p.occupied])).toEqual([
      [0, 1],
      [2, 3],
      [4, 4],
    ]);
  });

  it("stays within its limit over a long run", () => {
    const series = emptySeries(60_000, 480);
    for (let minute = 0; minute < 60 * 24 * 60; minute += 7) recordSample(series, sample(minute, minute % 100));
    expect(series.points.length).toBeLessThanOrEqual(480);
    expect(series.points.length).toBeGreaterThan(240);
  });
});
