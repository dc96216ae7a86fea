import { type AnyCloudEvent, type CaseReported, eventCatalog, fromJsonLine, toJsonLine } from "@fangcang/contracts";
import { isKnownDistrict, shanghaiDistricts } from "@fangcang/placement";
import { describe, expect, it } from "vitest";
import { shanghaiDateOf } from "../calendar.ts";
import { ScenarioOptionsError } from "../options.ts";
import { tally } from "../tally.ts";
import { shanghai2022DailyCases } from "./daily-cases.ts";
import { plannedDays, SCENARIO_SOURCE, shanghai2022 } from "./wave.ts";

function take(events: Iterable<AnyCloudEvent>, n: number): AnyCloudEvent[] {
  const out: AnyCloudEvent[] = [];
  for (const e of events) {
    if (out.length === n) break;
    out.push(e);
  }
  return out;
}

const isCaseEvent = (e: AnyCloudEvent) => !e.type.startsWith("facility.");

/** A 2% sample of the whole wave, shared by the checks that read every event. */
const sample = [...shanghai2022({ seed: 42, scale: 0.02 })];
const reportedIn = (events: AnyCloudEvent[]) => events.flatMap((e) => (e.type === "case.reported" ? [e.data] : []));
const sampleCases = reportedIn(sample);

describe("the Shanghai 2022 wave generator", () => {
  it("is deterministic: the same seed gives the same events, another seed other cases", () => {
    const first = take(shanghai2022({ seed: 7, scale: 0.05 }), 5_000);
    expect(take(shanghai2022({ seed: 7, scale: 0.05 }), 5_000)).toEqual(first);
    const other = take(shanghai2022({ seed: 8, scale: 0.05 }), 5_000);
    expect(other).toHaveLength(5_000);
    const strip = (events: AnyCloudEvent[]) =>
      reportedIn(events).map(({ caseId: _id, householdId: _h, guardianCaseId: _g, ...rest }) => rest);
    expect(strip(other)).not.toEqual(strip(first));
    // The city's capacity does not depend on the seed; only the event ids do.
    const facilities = (seed: number) =>
      [...shanghai2022({ seed, scale: 0.001, to: "2022-04-09" })].filter((e) => !isCaseEvent(e)).map((e) => e.data);
    expect(facilities(8)).toEqual(facilities(7));
  });

  it("yields only events that validate against the contract, with unique ids", () => {
    const ids = new Set<string>();
    for (const e of sample) {
      const parsed = eventCatalog[e.type].schema.safeParse(e.data);
      expect(parsed.success, `${e.id}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
      expect(fromJsonLine(toJsonLine(e)).ok).toBe(true);
      expect(e.source).toBe(SCENARIO_SOURCE);
      ids.add(e.id);
    }
    expect(ids.size).toBe(sample.length);
    expect(new Set(sample.map((e) => e.type))).toEqual(
      new Set([
        "facility.registered",
        "facility.beds-changed",
        "case.reported",
        "case.reclassified",
        "case.test-result",
        "case.withdrawn",
      ]),
    );
  });

  it("yields events in time order, each case's follow-ups after its report, nothing after a withdrawal", () => {
    const reported = new Set<string>();
    const withdrawn = new Set<string>();
    let previous = "";
    for (const e of sample) {
      expect(e.time >= previous, `${e.id} at ${e.time} after ${previous}`).toBe(true);
      previous = e.time;
      if (!isCaseEvent(e)) continue;
      const { caseId } = e.data as { caseId: string };
      expect(withdrawn.has(caseId), `${e.id} after the withdrawal of ${caseId}`).toBe(false);
      if (e.type === "case.reported") {
        expect(e.data.reportedAt).toBe(e.time);
        if (e.data.guardianCaseId !== undefined) expect(reported.has(e.data.guardianCaseId)).toBe(true);
        reported.add(caseId);
      } else {
        expect(reported.has(caseId), `${e.type} ${e.id} for an unreported case`).toBe(true);
      }
      if (e.type === "case.withdrawn") withdrawn.add(caseId);
    }
  });

  it("ends each completed case with two release tests (Ct >= 35) sampled at least 24 h apart, 1-8 weeks after report", () => {
    const tests = new Map<string, { sampledAt: string; nGeneCt: number; orfGeneCt: number }[]>();
    const reportedAt = new Map(sampleCases.map((c) => [c.caseId, c.reportedAt]));
    const critical = new Set<string>();
    for (const e of sample) {
      if (e.type === "case.reclassified" && e.data.severity === "critical") critical.add(e.data.caseId);
      if (e.type === "case.reported" && e.data.severity === "critical") critical.add(e.data.caseId);
      if (e.type !== "case.test-result") continue;
      expect(Date.parse(e.data.sampledAt)).toBeLessThan(Date.parse(e.time));
      tests.set(e.data.caseId, [...(tests.get(e.data.caseId) ?? []), e.data]);
    }
    // Cases reported by 04-10 and never critical are released (stays up to 6 weeks) by 31 May.
    const completed = [...tests].filter(
      ([caseId]) => shanghaiDateOf(reportedAt.get(caseId) ?? "") <= "2022-04-10" && !critical.has(caseId),
    );
    expect(completed.length).toBeGreaterThan(1_000);
    let withPositiveFirst = 0;
    for (const [caseId, results] of completed) {
      expect(results.length).toBeGreaterThanOrEqual(2);
      const [a, b] = results.slice(-2) as [(typeof results)[0], (typeof results)[0]];
      expect(Math.min(a.nGeneCt, a.orfGeneCt, b.nGeneCt, b.orfGeneCt)).toBeGreaterThanOrEqual(35);
      expect(Date.parse(b.sampledAt) - Date.parse(a.sampledAt)).toBeGreaterThanOrEqual(24 * 3_600_000);
      const days = (Date.parse(a.sampledAt) - Date.parse(reportedAt.get(caseId) ?? "")) / 86_400_000;
      expect(days).toBeGreaterThan(3);
      expect(days).toBeLessThan(60);
      if (results.length === 3) {
        withPositiveFirst++;
        expect(Math.min(results[0]?.nGeneCt ?? 99, results[0]?.orfGeneCt ?? 99)).toBeLessThan(35);
      }
    }
    expect(withPositiveFirst / completed.length).toBeGreaterThan(0.2);
    expect(withPositiveFirst / completed.length).toBeLessThan(0.4);
  });

  it("reports exactly the planned cases per day, peaking on 04-13", () => {
    const t = tally(sample);
    const planned = plannedDays({ seed: 42, scale: 0.02 });
    for (const { date, byType } of t.byDay()) {
      expect(byType["case.reported"] ?? 0, date).toBe(planned.find((p) => p.date === date)?.cases);
    }
    expect(t.peakDay("case.reported")?.date).toBe("2022-04-13");
  });

  it("spreads cases over the 16 districts in proportion to their population", () => {
    expect(sampleCases.every((c) => isKnownDistrict(c.district))).toBe(true);
    const population = shanghaiDistricts.reduce((sum, d) => sum + d.population, 0);
    let chiSquare = 0;
    for (const d of shanghaiDistricts) {
      const expected = (sampleCases.length * d.population) / population;
      const observed = sampleCases.filter((c) => c.district === d.name).length;
      chiSquare += (observed - expected) ** 2 / expected;
    }
    // 15 degrees of freedom: 37.7 is the 0.1% critical value.
    expect(chiSquare).toBeLessThan(37.7);
  });

  it("has the wave's case mix: ~10% children, ~20% over 60, ~90% asymptomatic, few severe", () => {
    const share = (predicate: (c: CaseReported) => boolean) =>
      sampleCases.filter(predicate).length / sampleCases.length;
    expect(share((c) => c.ageYears < 18)).toBeCloseTo(0.1, 1);
    expect(share((c) => c.ageYears >= 60)).toBeCloseTo(0.2, 1);
    expect(share((c) => c.severity === "asymptomatic")).toBeGreaterThan(0.87);
    expect(share((c) => c.severity === "asymptomatic")).toBeLessThan(0.94);
    expect(share((c) => c.severity === "severe" || c.severity === "critical")).toBeLessThan(0.01);
    const severeShare = (from: number, to: number) => {
      const band = sampleCases.filter((c) => c.ageYears >= from && c.ageYears < to);
      return band.filter((c) => c.severity === "severe" || c.severity === "critical").length / band.length;
    };
    expect(severeShare(80, 200)).toBeGreaterThan(5 * severeShare(18, 60));
  });

  it("gives pregnancies only to women 18-45 (4-40 weeks), dialysis only with kidney disease, vitals to the sick", () => {
    const pregnant = sampleCases.filter((c) => c.pregnancyWeeks !== undefined);
    expect(pregnant.length).toBeGreaterThan(0);
    for (const c of pregnant) {
      expect(c.sex).toBe("female");
      expect(c.ageYears).toBeGreaterThanOrEqual(18);
      expect(c.ageYears).toBeLessThanOrEqual(45);
      expect(c.pregnancyWeeks).toBeGreaterThanOrEqual(4);
      expect(c.pregnancyWeeks).toBeLessThanOrEqual(40);
    }
    for (const c of sampleCases) {
      if (c.conditions?.includes("dialysis")) expect(c.conditions).toContain("chronic_kidney");
      if (c.severity === "severe" || c.severity === "critical") expect(c.vitals?.spo2).toBeLessThanOrEqual(93);
    }
    const children = sampleCases.filter((c) => c.ageYears < 18);
    const guarded = children.filter((c) => c.guardianCaseId !== undefined);
    expect(guarded.length / children.length).toBeGreaterThan(0.4);
  });

  it("finds ~95% of the peak's cases in quarantine, more in the community early, none after mid-May", () => {
    const community = (from: string, to: string) => {
      const cases = sampleCases.filter((c) => {
        const date = shanghaiDateOf(c.reportedAt);
        return date >= from && date <= to;
      });
      return cases.filter((c) => c.detectedIn === "community").length / cases.length;
    };
    expect(community("2022-04-06", "2022-04-13")).toBeLessThan(0.07);
    expect(community("2022-03-01", "2022-03-20")).toBeGreaterThan(0.25);
    expect(community("2022-05-14", "2022-05-31")).toBe(0);
  });

  it("reclassifies ~1-2% of cases (one class worse) and withdraws ~0.3%", () => {
    const t = tally(sample);
    const cases = t.byType["case.reported"] ?? 0;
    expect((t.byType["case.reclassified"] ?? 0) / cases).toBeGreaterThan(0.008);
    expect((t.byType["case.reclassified"] ?? 0) / cases).toBeLessThan(0.025);
    expect((t.byType["case.withdrawn"] ?? 0) / cases).toBeGreaterThan(0.0015);
    expect((t.byType["case.withdrawn"] ?? 0) / cases).toBeLessThan(0.005);
    const severity = new Map(sampleCases.map((c) => [c.caseId, c.severity]));
    const order = ["asymptomatic", "mild", "moderate", "severe", "critical"];
    for (const e of sample) {
      if (e.type !== "case.reclassified") continue;
      expect(order.indexOf(e.data.severity)).toBe(order.indexOf(severity.get(e.data.caseId) ?? "") + 1);
    }
  });

  it("reproduces the full run's cases and ids in a slice, with the facilities opened before it", () => {
    const slice = [...shanghai2022({ seed: 42, scale: 0.02, from: "2022-04-10", to: "2022-04-12" })];
    const inSlice = (e: AnyCloudEvent) => {
      const date = shanghaiDateOf(e.time);
      return date >= "2022-04-10" && date <= "2022-04-12";
    };
    expect(reportedIn(slice)).toEqual(sampleCases.filter((c) => inSlice({ time: c.reportedAt } as AnyCloudEvent)));
    expect(slice.filter((e) => !isCaseEvent(e))).toEqual(
      sample.filter((e) => !isCaseEvent(e) && shanghaiDateOf(e.time) <= "2022-04-12"),
    );
    expect(slice.every((e) => shanghaiDateOf(e.time) <= "2022-04-12")).toBe(true);
    const sliceCases = new Set(reportedIn(slice).map((c) => c.caseId));
    expect(slice.filter(isCaseEvent).every((e) => sliceCases.has((e.data as { caseId: string }).caseId))).toBe(true);
  });

  it("rejects options it cannot honour, saying what to pass", () => {
    const first = (options: Parameters<typeof shanghai2022>[0]) => () => shanghai2022(options).next();
    expect(first({ seed: -1 })).toThrow(ScenarioOptionsError);
    expect(first({ seed: 1.5 })).toThrow(/seed must be an integer/);
    expect(first({ seed: 1, scale: 0 })).toThrow(/scale must be a fraction in \(0, 1\]/);
    expect(first({ seed: 1, scale: 2 })).toThrow(/scale/);
    expect(first({ seed: 1, from: "2022-02-30" })).toThrow(/from must be a date written YYYY-MM-DD/);
    expect(first({ seed: 1, to: "2022-06-01" })).toThrow(/outside the scenario, which runs 2022-03-01 to 2022-05-31/);
    expect(first({ seed: 1, from: "2022-04-10", to: "2022-04-01" })).toThrow(/after/);
  });

  it("streams the whole wave lazily in a few seconds, with the curve's totals", { timeout: 120_000 }, () => {
    const started = performance.now();
    let firstEventMs = Number.NaN;
    let count = 0;
    let reported = 0;
    let peakHeap = 0;
    const perDay = new Map<string, number>();
    for (const e of shanghai2022({ seed: 2022 })) {
      if (count++ === 0) firstEventMs = performance.now() - started;
      if (e.type === "case.reported") {
        reported++;
        const date = shanghaiDateOf(e.time);
        perDay.set(date, (perDay.get(date) ?? 0) + 1);
      }
      if ((count & 0x3ffff) === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `full wave: ${count.toLocaleString("en")} events (${reported.toLocaleString("en")} cases) in ${seconds.toFixed(1)} s, ` +
        `first event after ${firstEventMs.toFixed(0)} ms, heap peak ${(peakHeap / 1e6).toFixed(0)} MB`,
    );
    const curveTotal = shanghai2022DailyCases.reduce((sum, [, s, a]) => sum + s + a, 0);
    expect(reported).toBe(curveTotal);
    expect(Math.abs(reported / 626_000 - 1)).toBeLessThan(0.02);
    const [peakDate, peakCount] = [...perDay].reduce((best, day) => (day[1] > best[1] ? day : best));
    expect(peakDate).toBe("2022-04-13");
    expect(Math.abs(peakCount / 27_600 - 1)).toBeLessThan(0.05);
    expect(count).toBeGreaterThan(2_000_000);
    expect(firstEventMs).toBeLessThan(1_000);
    // All the events would take well over a gigabyte; the stream holds a few days' worth.
    expect(peakHeap).toBeLessThan(700e6);
    expect(seconds).toBeLessThan(60);
  });
});
