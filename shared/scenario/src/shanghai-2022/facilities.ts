// The capacity plan of the wave: which facilities open on which day with how many beds.
// It reproduces the milestones of DOMAIN.md:
//   - 8 city-level designated hospitals with 8,000+ beds by 04-09, 11 in all, plus 34
//     district-level designated hospitals from mid-April;
//   - sub-designated hospitals for elderly and comorbid mild cases from 04-17;
//   - Fangcang: ~47,700 beds on 04-05, 160,000+ in 100+ Fangcang by 04-09, ~240,000 by
//     04-16, ~120 in all; the National Exhibition and Convention Center grows from 10,000
//     to 50,500 beds.
// The best-known venues carry their real names; the rest are plausible stand-ins named by
// district and venue type. The plan is the same for every seed: the city's capacity did
// not depend on who fell ill.
import type { BedClass, Capability, FacilityKind } from "@fangcang/contracts";
import { shanghaiDistricts } from "@fangcang/placement";
import { addDays, daysBetween } from "../calendar.ts";
import { cumulative, integer, mixSeed, mulberry32, type Rng, uniform, weightedIndex } from "../random.ts";

export interface FacilityOpening {
  /** The Shanghai date it opens (is registered). */
  date: string;
  facilityId: string;
  name: string;
  kind: FacilityKind;
  district: string;
  beds: Partial<Record<BedClass, number>>;
  capabilities: Capability[];
  /** Later changes of one bed class's total, in date order. */
  expansions: { date: string; bedClass: BedClass; total: number }[];
}

const cityDesignated: FacilityOpening[] = [
  opening("2022-03-01", "DH-Jinshan-SPHCC", "Shanghai Public Health Clinical Center", "Jinshan", 900, 100, [
    "icu",
    "pediatrics",
    "obstetrics",
    "dialysis",
  ]),
  opening("2022-03-29", "DH-Minhang-RenjiSouth", "Renji Hospital South Campus", "Minhang", 1800, 120, [
    "icu",
    "dialysis",
  ]),
  opening("2022-04-03", "DH-Jiading-RuijinNorth", "Ruijin Hospital North Campus", "Jiading", 1200, 80, [
    "icu",
    "dialysis",
  ]),
  opening("2022-04-05", "DH-Baoshan-HuashanNorth", "Huashan Hospital North Campus", "Baoshan", 1100, 80, ["icu"]),
  opening("2022-04-06", "DH-Pudong-SixthEast", "Shanghai Sixth People's Hospital East Campus", "Pudong", 1000, 60, [
    "icu",
    "dialysis",
  ]),
  opening("2022-04-07", "DH-Minhang-ChildrensFudan", "Children's Hospital of Fudan University", "Minhang", 500, 40, [
    "icu",
    "pediatrics",
  ]),
  opening("2022-04-08", "DH-Pudong-SCMC", "Shanghai Children's Medical Center", "Pudong", 450, 30, [
    "icu",
    "pediatrics",
  ]),
  opening(
    "2022-04-09",
    "DH-Yangpu-ObGynFudan",
    "Obstetrics and Gynecology Hospital of Fudan University, Yangpu Campus",
    "Yangpu",
    500,
    30,
    ["icu", "obstetrics"],
  ),
  opening("2022-04-13", "DH-Songjiang-GeneralSouth", "Shanghai General Hospital South Campus", "Songjiang", 1200, 80, [
    "icu",
    "dialysis",
  ]),
  opening("2022-04-16", "DH-Chongming-XinhuaChongming", "Xinhua Hospital Chongming Branch", "Chongming", 600, 40, [
    "icu",
    "obstetrics",
    "pediatrics",
  ]),
  opening("2022-04-20", "DH-Jingan-TenthNorth", "Shanghai Tenth People's Hospital North Campus", "Jingan", 900, 60, [
    "icu",
    "dialysis",
  ]),
];

function opening(
  date: string,
  facilityId: string,
  name: string,
  district: string,
  general: number,
  icu: number,
  capabilities: Capability[],
): FacilityOpening {
  return {
    date,
    facilityId,
    name: `${name} (designated)`,
    kind: "designated_hospital",
    district,
    beds: { general, icu },
    capabilities,
    expansions: [],
  };
}

/** The big exhibition venues, named, with their expansions. */
const namedFangcang: FacilityOpening[] = [
  fangcang(
    "2022-03-31",
    "FC-Pudong-WorldExpo",
    "Shanghai World Expo Exhibition and Convention Center",
    "Pudong",
    3000,
    [["2022-04-03", 6000]],
  ),
  fangcang("2022-04-02", "FC-Pudong-SNIEC", "Shanghai New International Expo Center", "Pudong", 5000, [
    ["2022-04-04", 15000],
  ]),
  fangcang("2022-04-05", "FC-Putuo-Sourcing", "Shanghai International Sourcing Exhibition Center", "Putuo", 2500, []),
  fangcang("2022-04-06", "FC-Qingpu-NECC", "National Exhibition and Convention Center", "Qingpu", 10000, [
    ["2022-04-08", 20000],
    ["2022-04-09", 30000],
    ["2022-04-12", 40000],
    ["2022-04-16", 46000],
    ["2022-04-22", 50500],
  ]),
];

function fangcang(
  date: string,
  facilityId: string,
  name: string,
  district: string,
  shelter: number,
  expansions: [string, number][],
): FacilityOpening {
  return {
    date,
    facilityId,
    name: `${name} Fangcang`,
    kind: "fangcang",
    district,
    beds: { shelter },
    capabilities: [],
    expansions: expansions.map(([on, total]) => ({ date: on, bedClass: "shelter", total })),
  };
}

/**
 * [date, Fangcang shelter beds open at the end of that day, Fangcang open]: the named
 * venues above plus generic ones that open in between, sized to meet these totals.
 */
const fangcangMilestones: readonly (readonly [string, number, number])[] = [
  ["2022-03-08", 600, 2],
  ["2022-03-14", 1500, 4],
  ["2022-03-20", 3000, 6],
  ["2022-03-25", 6000, 9],
  ["2022-03-28", 11000, 12],
  ["2022-03-31", 18000, 15],
  ["2022-04-02", 26000, 20],
  ["2022-04-05", 47700, 34],
  ["2022-04-07", 90000, 62],
  ["2022-04-09", 162000, 104],
  ["2022-04-11", 190000, 108],
  ["2022-04-13", 215000, 112],
  ["2022-04-16", 241000, 116],
  ["2022-04-20", 255000, 120],
  ["2022-04-25", 262000, 123],
];

const venueTypes = [
  "Sports Center",
  "Gymnasium",
  "Exhibition Hall",
  "Convention Center",
  "Stadium",
  "Vocational College",
  "Logistics Park",
  "Industrial Park Hall",
  "Training Base",
  "Culture and Sports Center",
];

/** The plan's own fixed randomness (venue sizes, districts), independent of the scenario seed. */
const PLAN_SEED = mixSeed(2022, 4, 9);

const districtNames = shanghaiDistricts.map((d) => d.name);
const districtSums = cumulative(shanghaiDistricts.map((d) => d.population));

function genericFangcang(rng: Rng): FacilityOpening[] {
  const openings: FacilityOpening[] = [];
  const perDistrict = new Map<string, number>();
  let previousDate = "2022-03-01";
  let previousBeds = 0;
  let previousCount = 0;
  for (const [date, beds, count] of fangcangMilestones) {
    const named = namedBedsAdded(previousDate, date);
    const newCount = count - previousCount - named.opened;
    const newBeds = beds - previousBeds - named.beds;
    if (newCount < 1 || newBeds < newCount * 100) throw new Error(`fangcang milestone ${date} is inconsistent`);
    const weights = Array.from({ length: newCount }, () => uniform(rng, 0.4, 1.6));
    const weightTotal = weights.reduce((a, b) => a + b, 0);
    const sizes = weights.map((w) => Math.round((newBeds * w) / weightTotal / 10) * 10);
    const largest = sizes.indexOf(Math.max(...sizes));
    sizes[largest] = (sizes[largest] ?? 0) + newBeds - sizes.reduce((a, b) => a + b, 0);
    const span = daysBetween(previousDate, date);
    sizes.forEach((size, i) => {
      const district = districtNames[weightedIndex(rng, districtSums)] ?? "Pudong";
      const n = (perDistrict.get(district) ?? 0) + 1;
      perDistrict.set(district, n);
      const venue = venueTypes[integer(rng, 0, venueTypes.length - 1)] ?? "Sports Center";
      // Spread the openings over the days up to the milestone, the last ones on it.
      const on = addDays(date, -Math.floor(((sizes.length - 1 - i) * span) / sizes.length));
      openings.push(
        fangcang(on, `FC-${district}-${String(n).padStart(2, "0")}`, `${district} ${venue}`, district, size, []),
      );
    });
    previousDate = date;
    previousBeds = beds;
    previousCount = count;
  }
  return openings;
}

/** Beds the named venues add (openings and expansions) and how many open, in (from, to]. */
function namedBedsAdded(from: string, to: string): { beds: number; opened: number } {
  let beds = 0;
  let opened = 0;
  for (const venue of namedFangcang) {
    let total = 0;
    const steps: [string, number][] = [
      [venue.date, venue.beds.shelter ?? 0],
      ...venue.expansions.map((e): [string, number] => [e.date, e.total]),
    ];
    for (const [on, next] of steps) {
      if (on > from && on <= to) beds += next - total;
      total = next;
    }
    if (venue.date > from && venue.date <= to) opened++;
  }
  return { beds, opened };
}

/** Districts ordered by population, for hospitals spread across all 16. */
const districtLevelDesignated: readonly (readonly [string, number])[] = shanghaiDistricts.map((d) => [
  d.name,
  d.name === "Pudong" ? 4 : d.name === "Minhang" ? 3 : d.name === "Chongming" ? 1 : 2,
]);

function districtHospitals(rng: Rng): FacilityOpening[] {
  const openings: FacilityOpening[] = [];
  for (const [district, count] of districtLevelDesignated) {
    for (let n = 1; n <= count; n++) {
      const capabilities: Capability[] = [];
      if (rng.next() < 0.7) capabilities.push("icu");
      if (rng.next() < 0.2) capabilities.push("obstetrics");
      if (rng.next() < 0.2) capabilities.push("pediatrics");
      if (rng.next() < 0.4) capabilities.push("dialysis");
      const general = integer(rng, 20, 60) * 10;
      openings.push({
        date: addDays("2022-04-12", integer(rng, 0, 23)),
        facilityId: `DH-${district}-D${n}`,
        name: `${district} District Designated Hospital ${n}`,
        kind: "designated_hospital",
        district,
        beds: capabilities.includes("icu") ? { general, icu: integer(rng, 8, 30) } : { general },
        capabilities,
        expansions: [],
      });
    }
  }
  return openings;
}

const subDesignatedDistricts = [
  "Pudong",
  "Pudong",
  "Minhang",
  "Baoshan",
  "Songjiang",
  "Jiading",
  "Putuo",
  "Yangpu",
  "Xuhui",
  "Jingan",
  "Hongkou",
  "Changning",
];

function subDesignatedHospitals(rng: Rng): FacilityOpening[] {
  const seen = new Map<string, number>();
  return subDesignatedDistricts.map((district) => {
    const n = (seen.get(district) ?? 0) + 1;
    seen.set(district, n);
    const capabilities: Capability[] = rng.next() < 0.3 ? ["geriatrics", "dialysis"] : ["geriatrics"];
    return {
      date: addDays("2022-04-17", integer(rng, 0, 13)),
      facilityId: `SD-${district}-${n}`,
      name: `${district} Sub-designated Hospital ${n}`,
      kind: "sub_designated_hospital",
      district,
      beds: { general: integer(rng, 40, 150) * 10 },
      capabilities,
      expansions: [],
    };
  });
}

/** Every facility of the wave, in opening order (date, then kind, then id). */
export function shanghai2022Facilities(): FacilityOpening[] {
  const rng = mulberry32(PLAN_SEED);
  const all = [
    ...cityDesignated,
    ...districtHospitals(rng),
    ...subDesignatedHospitals(rng),
    ...namedFangcang,
    ...genericFangcang(rng),
  ];
  return all.sort((a, b) =>
    a.date !== b.date
      ? a.date < b.date
        ? -1
        : 1
      : a.facilityId < b.facilityId
        ? -1
        : a.facilityId > b.facilityId
          ? 1
          : 0,
  );
}
