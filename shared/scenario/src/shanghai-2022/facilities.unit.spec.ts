import type { AnyCloudEvent } from "@fangcang/contracts";
import { isKnownDistrict } from "@fangcang/placement";
import { describe, expect, it } from "vitest";
import { shanghaiDateOf } from "../calendar.ts";
import { shanghai2022Facilities } from "./facilities.ts";
import { plannedDays, shanghai2022 } from "./wave.ts";

/** Full-size facility events (a tiny case sample, capacity not scaled). */
const facilityEvents = [...shanghai2022({ seed: 1, scale: 0.0005, scaleCapacity: false })].filter((e) =>
  e.type.startsWith("facility."),
);

interface Open {
  kind: string;
  district: string;
  beds: Record<string, number>;
  capabilities: string[];
}

/** Facilities and their beds as of the end of a Shanghai day. */
function capacityAtEndOf(date: string, events: AnyCloudEvent[] = facilityEvents): Map<string, Open> {
  const open = new Map<string, Open>();
  for (const e of events) {
    if (shanghaiDateOf(e.time) > date) break;
    if (e.type === "facility.registered") {
      const { facilityId, kind, district, beds, capabilities } = e.data;
      open.set(facilityId, { kind, district, beds: { ...beds }, capabilities });
    } else if (e.type === "facility.beds-changed") {
      const f = open.get(e.data.facilityId);
      if (f) f.beds[e.data.bedClass] = e.data.total;
    }
  }
  return open;
}

const sum = (open: Map<string, Open>, kind: string, bedClasses: string[]) =>
  [...open.values()]
    .filter((f) => f.kind === kind)
    .reduce((total, f) => total + bedClasses.reduce((s, c) => s + (f.beds[c] ?? 0), 0), 0);
const count = (open: Map<string, Open>, kind: string) => [...open.values()].filter((f) => f.kind === kind).length;

describe("the Shanghai 2022 capacity plan", () => {
  it("has ~47,700 Fangcang beds on 04-05", () => {
    expect(Math.abs(sum(capacityAtEndOf("2022-04-05"), "fangcang", ["shelter"]) / 47_700 - 1)).toBeLessThan(0.02);
  });

  it("has 160,000+ Fangcang beds in 100+ Fangcang, and 8 designated hospitals with 8,000+ beds, by the end of 04-09", () => {
    const open = capacityAtEndOf("2022-04-09");
    expect(sum(open, "fangcang", ["shelter"])).toBeGreaterThanOrEqual(160_000);
    expect(count(open, "fangcang")).toBeGreaterThanOrEqual(100);
    expect(count(open, "designated_hospital")).toBe(8);
    expect(sum(open, "designated_hospital", ["general", "icu"])).toBeGreaterThanOrEqual(7_900);
  });

  it("has ~240,000 Fangcang beds by 04-16 and ~120 Fangcang over the wave", () => {
    expect(Math.abs(sum(capacityAtEndOf("2022-04-16"), "fangcang", ["shelter"]) / 240_000 - 1)).toBeLessThan(0.03);
    const end = capacityAtEndOf("2022-05-31");
    expect(count(end, "fangcang")).toBeGreaterThanOrEqual(115);
    expect(count(end, "fangcang")).toBeLessThanOrEqual(130);
  });

  it("grows the National Exhibition and Convention Center (Qingpu) to 40,000-50,000+ beds in steps", () => {
    const necc = facilityEvents.filter(
      (e) =>
        (e.type === "facility.registered" || e.type === "facility.beds-changed") &&
        e.data.facilityId === "FC-Qingpu-NECC",
    );
    expect(necc[0]?.type).toBe("facility.registered");
    const totals = necc.flatMap((e) => (e.type === "facility.beds-changed" ? [e.data.total] : []));
    expect(totals.length).toBeGreaterThanOrEqual(3);
    expect(totals).toEqual([...totals].sort((a, b) => a - b));
    expect(totals.at(-1)).toBeGreaterThanOrEqual(40_000);
    expect(totals.at(-1)).toBeLessThanOrEqual(55_000);
    expect(capacityAtEndOf("2022-05-31").get("FC-Qingpu-NECC")?.district).toBe("Qingpu");
  });

  it("ends with 11 city-level and 34 district-level designated hospitals, and sub-designated ones for geriatrics", () => {
    const end = capacityAtEndOf("2022-05-31");
    const designated = [...end.entries()].filter(([, f]) => f.kind === "designated_hospital");
    expect(designated).toHaveLength(45);
    expect(designated.filter(([id]) => /-D\d+$/.test(id))).toHaveLength(34);
    const capabilities = new Set(designated.flatMap(([, f]) => f.capabilities));
    expect([...capabilities].sort()).toEqual(["dialysis", "icu", "obstetrics", "pediatrics"]);
    const sub = [...end.values()].filter((f) => f.kind === "sub_designated_hospital");
    expect(sub.length).toBeGreaterThan(5);
    for (const f of sub) expect(f.capabilities).toContain("geriatrics");
  });

  it("places every facility in one of the 16 districts, with unique ids and the right bed classes", () => {
    const plan = shanghai2022Facilities();
    expect(new Set(plan.map((f) => f.facilityId)).size).toBe(plan.length);
    for (const f of plan) {
      expect(isKnownDistrict(f.district), f.district).toBe(true);
      const classes = Object.keys(f.beds).sort();
      expect(classes).toEqual(
        f.kind === "fangcang"
          ? ["shelter"]
          : f.kind === "sub_designated_hospital"
            ? ["general"]
            : expect.arrayContaining(["general"]),
      );
      expect(f.capabilities.includes("icu")).toBe((f.beds.icu ?? 0) > 0);
    }
  });

  it("dates every event on its opening day, `at` equal to the event time, after the registration", () => {
    const plan = new Map(shanghai2022Facilities().map((f) => [f.facilityId, f]));
    const registered = new Set<string>();
    for (const e of facilityEvents) {
      if (e.type === "facility.registered") {
        expect(shanghaiDateOf(e.time)).toBe(plan.get(e.data.facilityId)?.date);
        registered.add(e.data.facilityId);
      } else if (e.type === "facility.beds-changed") {
        expect(registered.has(e.data.facilityId)).toBe(true);
        expect(e.data.at).toBe(e.time);
      }
    }
  });

  it("plans, day by day, exactly the beds the events register", () => {
    const planned = plannedDays({ seed: 1, scale: 0.0005, scaleCapacity: false });
    for (const day of planned) {
      const open = capacityAtEndOf(day.date);
      expect(day.beds, day.date).toEqual({
        designated_hospital: sum(open, "designated_hospital", ["general", "icu"]),
        sub_designated_hospital: sum(open, "sub_designated_hospital", ["general"]),
        fangcang: sum(open, "fangcang", ["shelter"]),
      });
    }
  });

  it("scales beds with the run (rounded up) unless told not to", () => {
    const scaled = [...shanghai2022({ seed: 1, scale: 0.01, to: "2022-04-09" })].filter(
      (e) => e.type === "facility.registered",
    );
    const full = facilityEvents.filter(
      (e) => e.type === "facility.registered" && shanghaiDateOf(e.time) <= "2022-04-09",
    );
    expect(scaled.length).toBe(full.length);
    const fangcangBeds = (events: AnyCloudEvent[]) =>
      events.reduce((t, e) => t + (e.type === "facility.registered" ? (e.data.beds.shelter ?? 0) : 0), 0);
    expect(fangcangBeds(scaled)).toBeGreaterThanOrEqual(fangcangBeds(full) * 0.01);
    expect(fangcangBeds(scaled)).toBeLessThan(fangcangBeds(full) * 0.01 + full.length);
  });
});
