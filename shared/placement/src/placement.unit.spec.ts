import { describe, expect, it } from "vitest";
import { chooseFacility, type FacilityView, servesNeed } from "./choose-facility.ts";
import { districtBorders, districtDistances, districtsByDistance, shanghaiDistricts } from "./districts.ts";
import type { Need } from "./need.ts";
import { queueNameOf, waitingScore } from "./waiting-queue.ts";

describe("Shanghai's districts", () => {
  it("ships all 16 with their 2020 census populations", () => {
    expect(shanghaiDistricts).toHaveLength(16);
    expect(shanghaiDistricts.find((d) => d.name === "Pudong")).toEqual({
      name: "Pudong",
      nameZh: "浦东新区",
      population: 5681512,
    });
    expect(shanghaiDistricts.reduce((sum, d) => sum + d.population, 0)).toBe(24870895);
  });

  it("has a symmetric border table covering every district", () => {
    expect(Object.keys(districtBorders).sort()).toEqual(shanghaiDistricts.map((d) => d.name).sort());
    for (const [district, neighbours] of Object.entries(districtBorders)) {
      for (const n of neighbours) expect(districtBorders[n], `${n} borders ${district}`).toContain(district);
    }
  });

  it("orders districts nearest first, then by name", () => {
    const order = districtsByDistance("Jinshan");
    expect(order.slice(0, 3)).toEqual(["Jinshan", "Fengxian", "Songjiang"]);
    expect(order).toHaveLength(16);
    const hops = districtDistances("Jinshan");
    const distances = order.map((d) => hops.get(d) ?? Number.NaN);
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
    expect(order.at(-1)).toBe("Jingan");
  });

  it("gives an unknown district every district in name order", () => {
    expect(districtsByDistance("Atlantis")).toEqual(shanghaiDistricts.map((d) => d.name).sort());
  });
});

describe("the waiting queue order", () => {
  it("serves higher priority first, then the longest waiting", () => {
    const t = Date.parse("2022-04-13T00:00:00Z");
    expect(waitingScore(6, t + 1000)).toBeLessThan(waitingScore(5, t));
    expect(waitingScore(3, t)).toBeLessThan(waitingScore(3, t + 1));
  });

  it("refuses priorities it cannot order", () => {
    expect(() => waitingScore(-1, 0)).toThrow(RangeError);
    expect(() => waitingScore(1.5, 0)).toThrow(RangeError);
  });

  it("names a queue by its need, with capabilities in a canonical order", () => {
    const need: Need = {
      alternatives: [
        { kind: "sub_designated_hospital", bedClass: "general" },
        { kind: "designated_hospital", bedClass: "general" },
      ],
      capabilities: ["pediatrics", "obstetrics"],
    };
    expect(queueNameOf(need)).toBe("sub_designated_hospital.general+designated_hospital.general/obstetrics,pediatrics");
  });
});

function view(
  facilityId: string,
  district: string,
  used: number,
  total: number,
  caps: FacilityView["capabilities"] = [],
) {
  return {
    facilityId,
    kind: "fangcang",
    district,
    status: "open",
    capabilities: caps,
    usage: () => ({ used, total }),
  } satisfies FacilityView;
}

describe("facility choice", () => {
  const shelter: Need = { alternatives: [{ kind: "fangcang", bedClass: "shelter" }], capabilities: [] };
  const index = (facilities: FacilityView[]) => (kind: string, _bedClass: string, district: string) =>
    facilities.filter((f) => f.kind === kind && f.district === district);

  it("takes the nearest district, then the least loaded, then the smallest id", () => {
    const facilities = [view("B", "Xuhui", 1, 4), view("A", "Xuhui", 2, 8), view("C", "Minhang", 0, 10)];
    expect(chooseFacility(shelter, districtsByDistance("Xuhui"), index(facilities))).toEqual({
      facilityId: "A",
      bedClass: "shelter",
    });
    expect(chooseFacility(shelter, districtsByDistance("Minhang"), index(facilities))?.facilityId).toBe("C");
  });

  it("skips facilities without a needed capability and returns null when nothing fits", () => {
    const need: Need = { ...shelter, capabilities: ["pediatrics"] };
    const facilities = [view("A", "Xuhui", 0, 4), view("P", "Chongming", 3, 4, ["pediatrics"])];
    expect(chooseFacility(need, districtsByDistance("Xuhui"), index(facilities))?.facilityId).toBe("P");
    expect(chooseFacility(need, districtsByDistance("Xuhui"), index([view("A", "Xuhui", 0, 4)]))).toBeNull();
  });

  it("says whether a freed bed serves a waiting need", () => {
    expect(servesNeed(shelter, "fangcang", "shelter", [])).toBe(true);
    expect(servesNeed(shelter, "fangcang", "general", [])).toBe(false);
    expect(servesNeed({ ...shelter, capabilities: ["icu"] }, "fangcang", "shelter", [])).toBe(false);
  });
});
