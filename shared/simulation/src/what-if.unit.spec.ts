import { cloudEvent } from "@fangcang/contracts";
import { shanghai2022 } from "@fangcang/triage";
import { describe, expect, it } from "vitest";
import { queueChartSvg } from "./queue-chart.ts";
import { runWhatIf } from "./what-if.ts";

const T0 = Date.parse("2022-04-10T00:00:00.000Z");
const at = (hours: number) => new Date(T0 + hours * 3_600_000).toISOString();

function scenario() {
  const events = [
    cloudEvent(
      "facility.registered",
      { id: "f", source: "spec", time: at(0) },
      { facilityId: "FC-1", name: "FC 1", kind: "fangcang", district: "Xuhui", beds: { shelter: 1 }, capabilities: [] },
    ),
  ];
  for (let i = 0; i < 3; i++) {
    events.push(
      cloudEvent(
        "case.reported",
        { id: `r${i}`, source: "spec", time: at(1 + i) },
        {
          caseId: `c${i}`,
          reportedAt: at(1 + i),
          district: "Xuhui",
          ageYears: 30,
          sex: "male",
          severity: "asymptomatic",
          detectedIn: "quarantine",
        },
      ) as never,
    );
  }
  // A late report carries time past every stay, so the schedule of discharges runs out.
  events.push(
    cloudEvent(
      "case.reported",
      { id: "late", source: "spec", time: at(24 * 120) },
      {
        caseId: "late",
        reportedAt: at(24 * 120),
        district: "Xuhui",
        ageYears: 30,
        sex: "male",
        severity: "asymptomatic",
        detectedIn: "quarantine",
      },
    ) as never,
  );
  return events;
}

describe("what-if planning in memory", () => {
  it("admits, discharges and refills one bed in turn; later cases wait for it", async () => {
    const report = await runWhatIf(scenario(), shanghai2022, { admitAfterHours: 2, seed: 7 });
    expect(report.cases).toBe(4);
    expect(report.violations).toEqual([]);
    expect(report.firstWait).toEqual({ fangcang: at(2) });
    const [row] = report.waits;
    expect(row).toMatchObject({ priority: 1, cases: 4, waited: 2 });
    expect(row?.peakHours).toBeGreaterThan(24);
    expect(report.outsidePreferredRoute).toBe(0);
    expect(report.queueByDay[0]).toEqual({ day: "2022-04-10", waiting: { fangcang: 2 } });
  });

  it("is deterministic for a seed", async () => {
    const a = await runWhatIf(scenario(), shanghai2022, { admitAfterHours: 2, seed: 7 });
    const b = await runWhatIf(scenario(), shanghai2022, { admitAfterHours: 2, seed: 7 });
    expect(b).toEqual(a);
  });

  it("draws the queue as an SVG chart", async () => {
    const report = await runWhatIf(scenario(), shanghai2022, { admitAfterHours: 2, seed: 7 });
    const svg = queueChartSvg(report, "spec");
    expect(svg).toMatch(/^<svg /);
    expect(svg).toContain("<polyline");
    expect(svg).toContain("fangcang");
  });
});
