// District clearing, by the rule in DOMAIN.md: community cases per 100,000 over three
// consecutive days; "basically cleared" below 1 per 100,000, "cleared" at zero.
import { type AnyCloudEvent, cloudEvent } from "@fangcang/contracts";
import { describe, expect, it } from "vitest";
import { belowOnePer100k, clearingStatus, districtClearing, shanghaiDay } from "./district-clearing.ts";
import { apply, emptyModel } from "./read-model.ts";
import { districtsView } from "./views.ts";

const PUDONG = 5_681_512; // 1 per 100,000 is 56.8 cases

describe("the clearing rule", () => {
  it("zero community cases on each of three days: cleared", () => {
    expect(clearingStatus([0, 0, 0], PUDONG)).toBe("cleared");
  });

  it("fewer than 1 per 100,000 on each of three days: basically cleared", () => {
    expect(clearingStatus([56, 0, 12], PUDONG)).toBe("basically_cleared");
  });

  it("one day at or above 1 per 100,000 breaks the three-day run", () => {
    expect(clearingStatus([0, 57, 0], PUDONG)).toBe("not_cleared");
    expect(clearingStatus([56, 56, 57], PUDONG)).toBe("not_cleared");
  });

  it("exactly 1 per 100,000 is not fewer than 1", () => {
    expect(belowOnePer100k(1, 100_000)).toBe(false);
    expect(belowOnePer100k(0, 100_000)).toBe(true);
    expect(clearingStatus([1, 1, 1], 100_000)).toBe("not_cleared");
    expect(clearingStatus([1, 1, 1], 100_001)).toBe("basically_cleared");
  });

  it("one case on one of the three days: basically cleared, not cleared", () => {
    expect(clearingStatus([0, 1, 0], PUDONG)).toBe("basically_cleared");
  });

  it("fewer than three days: insufficient data", () => {
    expect(clearingStatus([0, 0], PUDONG)).toBe("insufficient_data");
  });

  it("days before the log's first case are unknown, not zero", () => {
    const counts = new Map([["2022-05-02", 0]]);
    expect(districtClearing(counts, PUDONG, "2022-05-03", "2022-05-02").status).toBe("insufficient_data");
    expect(districtClearing(counts, PUDONG, "2022-05-04", "2022-05-02").status).toBe("cleared");
  });

  it("days are Shanghai calendar days (UTC+8)", () => {
    expect(shanghaiDay(Date.parse("2022-04-30T15:59:59Z"))).toBe("2022-04-30");
    expect(shanghaiDay(Date.parse("2022-04-30T16:00:00Z"))).toBe("2022-05-01");
  });
});

describe("district status from the case stream", () => {
  let n = 0;
  const reported = (district: string, time: string, detectedIn: "community" | "quarantine"): AnyCloudEvent =>
    cloudEvent(
      "case.reported",
      { id: `r-${++n}`, source: "lab", time },
      {
        caseId: `case-${n}`,
        reportedAt: time,
        district,
        ageYears: 40,
        sex: "male",
        severity: "asymptomatic",
        detectedIn,
      },
    );

  it("counts community cases only, per Shanghai day, over the three complete days before the latest event", () => {
    const model = emptyModel();
    // Huangpu (662,030): 6 community cases a day is below 1 per 100,000, 7 is not.
    for (const [day, count] of [
      ["2022-05-01", 7],
      ["2022-05-02", 6],
      ["2022-05-03", 0],
      ["2022-05-04", 1],
    ] as const) {
      for (let i = 0; i < count; i++) apply(model, reported("Huangpu", `${day}T02:00:00+08:00`, "community"));
    }
    for (let i = 0; i < 50; i++) apply(model, reported("Huangpu", "2022-05-03T09:00:00+08:00", "quarantine"));
    apply(model, reported("Atlantis", "2022-05-04T09:00:00+08:00", "community"));
    apply(model, reported("Xuhui", "2022-05-05T09:00:00+08:00", "quarantine"));

    const view = districtsView(model);
    expect(view.window).toEqual(["2022-05-02", "2022-05-03", "2022-05-04"]);
    expect(view.today).toBe("2022-05-05");
    expect(view.otherDistrictCases).toBe(1);
    const huangpu = view.districts.find((d) => d.district === "Huangpu");
    expect(huangpu).toMatchObject({ status: "basically_cleared", counts: [6, 0, 1], today: 0 });
    expect(view.districts.find((d) => d.district === "Xuhui")?.status).toBe("cleared");
    expect(view.districts).toHaveLength(16);

    expect(districtsView(model, "2022-05-03").districts.find((d) => d.district === "Huangpu")?.status).toBe(
      "not_cleared",
    );
  });
});
