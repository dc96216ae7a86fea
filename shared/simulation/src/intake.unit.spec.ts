import { type CloudEvent, cloudEvent } from "@fangcang/contracts";
import { describe, expect, it } from "vitest";
import { SimulatedIntake } from "./intake.ts";

const HOUR = 3_600_000;
const T0 = Date.parse("2022-04-10T00:00:00.000Z");
const at = (hours: number) => new Date(T0 + hours * HOUR).toISOString();

function order(caseId: string, hours: number): CloudEvent<"transfer.ordered"> {
  return cloudEvent(
    "transfer.ordered",
    { id: `dec-${caseId}`, source: "fangcang/allocator", time: at(hours), subject: caseId },
    {
      transferId: `TR-${caseId}`,
      caseId,
      facilityId: "FC-1",
      bedClass: "shelter",
      route: "fangcang",
      priority: 1,
      reasons: ["severity.mild"],
      holdExpiresAt: at(hours + 12),
      decisionId: `dec-${caseId}`,
      policyVersion: "spec",
      decidedAt: at(hours),
      causationId: `r-${caseId}`,
    },
  ) as CloudEvent<"transfer.ordered">;
}

const intake = () => new SimulatedIntake({ admitAfterHours: 2, seed: 7 }, { source: "spec/intake", idPrefix: "spec" });

describe("simulated intake systems", () => {
  it("given a transfer order, then they admit that transfer to that facility the set hours later", () => {
    const admitted = intake().admit(order("c1", 5));
    expect(admitted).toMatchObject({
      type: "transfer.admitted",
      id: "spec-admit-1",
      source: "spec/intake",
      time: at(7),
      data: { caseId: "c1", transferId: "TR-c1", facilityId: "FC-1", at: at(7) },
    });
  });

  it("given an accepted admission, then they discharge the patient from that facility after a stay of whole days for the severity", () => {
    const systems = intake();
    const admitted = systems.admit(order("c1", 5));
    const mild = systems.discharge(admitted, "mild");
    const critical = systems.discharge(admitted, "critical");
    expect(mild).toMatchObject({
      id: "spec-discharge-2",
      data: { caseId: "c1", facilityId: "FC-1", outcome: "recovered" },
    });
    const days = (e: CloudEvent<"patient.discharged">) =>
      (Date.parse(e.time) - Date.parse(admitted.time)) / (24 * HOUR);
    expect(Number.isInteger(days(mild)) && days(mild) >= 6 && days(mild) <= 20).toBe(true);
    expect(days(critical)).toBeGreaterThanOrEqual(16);
    expect(mild.data.at).toBe(mild.time);
  });

  it("given the same orders in the same order, then the same answers, ids and times", () => {
    const answer = () => {
      const systems = intake();
      return ["a", "b", "c"].map((c, i) => systems.discharge(systems.admit(order(c, i)), "moderate"));
    };
    expect(answer()).toEqual(answer());
  });
});
