import { describe, expect, it } from "vitest";
import { addDays } from "../calendar.ts";
import { shanghai2022DailyCases, waveEnd, waveStart } from "./daily-cases.ts";
import { plannedDays } from "./wave.ts";

const total = (rows: readonly (readonly [string, number, number])[]) => rows.reduce((sum, [, s, a]) => sum + s + a, 0);
const day = (date: string) => {
  const row = shanghai2022DailyCases.find(([d]) => d === date);
  if (!row) throw new Error(`no row for ${date}`);
  return row;
};

describe("the Shanghai 2022 daily curve", () => {
  it("has one row per day, 1 March to 31 May, in order", () => {
    expect(shanghai2022DailyCases).toHaveLength(92);
    shanghai2022DailyCases.forEach(([date], i) => expect(date).toBe(addDays(waveStart, i)));
    expect(shanghai2022DailyCases.at(-1)?.[0]).toBe(waveEnd);
  });

  it("totals ~626,000 cases, 597,424 of them from 1 March to 5 May", () => {
    expect(Math.abs(total(shanghai2022DailyCases) / 626_000 - 1)).toBeLessThan(0.02);
    expect(Math.abs(total(shanghai2022DailyCases.filter(([d]) => d <= "2022-05-05")) / 597_424 - 1)).toBeLessThan(0.02);
  });

  it("is about 91% asymptomatic up to 5 May (542,293 of 597,424)", () => {
    const upTo5May = shanghai2022DailyCases.filter(([d]) => d <= "2022-05-05");
    const asymptomatic = upTo5May.reduce((sum, [, , a]) => sum + a, 0);
    expect(asymptomatic / total(upTo5May)).toBeCloseTo(542_293 / 597_424, 3);
  });

  it("peaks on 04-13 at ~27,600", () => {
    const peak = shanghai2022DailyCases.reduce((best, row) => (row[1] + row[2] > best[1] + best[2] ? row : best));
    expect(peak[0]).toBe("2022-04-13");
    expect(Math.abs((peak[1] + peak[2]) / 27_600 - 1)).toBeLessThan(0.05);
  });

  it("passes exactly through the anchors of DOMAIN.md", () => {
    expect(day("2022-04-03")).toEqual(["2022-04-03", 425, 8_581]);
    expect(day("2022-04-06")).toEqual(["2022-04-06", 322 - 15, 19_660]);
    expect(day("2022-04-13")[2]).toBe(25_146);
    expect(day("2022-04-21")).toEqual(["2022-04-21", 1_931, 15_698]);
    expect(day("2022-04-30")).toEqual(["2022-04-30", 788, 7_084]);
  });

  it("ramps up through March from single digits to thousands and tails off to near zero in May", () => {
    const [, s1, a1] = day("2022-03-01");
    const [, s31, a31] = day("2022-03-31");
    const [, sEnd, aEnd] = day("2022-05-31");
    expect(s1 + a1).toBeLessThan(10);
    expect(s31 + a31).toBeGreaterThan(4_000);
    expect(sEnd + aEnd).toBeLessThan(50);
  });
});

describe("planned days", () => {
  it("report the curve exactly at full scale", () => {
    const days = plannedDays({ seed: 1 });
    expect(days.map((d) => d.cases)).toEqual(shanghai2022DailyCases.map(([, s, a]) => s + a));
  });

  it("keep a scaled run's total at scale x total, and skip days before `from`", () => {
    const scaled = plannedDays({ seed: 1, scale: 0.01 });
    expect(scaled.reduce((sum, d) => sum + d.cases, 0)).toBe(Math.round(total(shanghai2022DailyCases) * 0.01));
    const slice = plannedDays({ seed: 1, from: "2022-04-10", to: "2022-04-12" });
    expect(slice.map((d) => d.date).at(-1)).toBe("2022-04-12");
    expect(slice.filter((d) => d.cases > 0).map((d) => d.date)).toEqual(["2022-04-10", "2022-04-11", "2022-04-12"]);
  });
});
