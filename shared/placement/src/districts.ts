// Shanghai's 16 districts with their 2020-census populations (shipped as data) and which
// districts border which, for "nearest district first" placement.
import { readFileSync } from "node:fs";

export interface District {
  name: string;
  nameZh: string;
  population: number;
}

function loadDistricts(): District[] {
  const csv = readFileSync(new URL("../data/districts-shanghai-2020.csv", import.meta.url), "utf8");
  const [header, ...rows] = csv.trim().split(/\r?\n/);
  if (header !== "district,name_zh,population_2020") {
    throw new Error(`districts-shanghai-2020.csv: unexpected header ${header}`);
  }
  return rows.map((row) => {
    const [name = "", nameZh = "", population = ""] = row.split(",");
    return { name, nameZh, population: Number(population) };
  });
}

export const shanghaiDistricts: readonly District[] = loadDistricts();

/**
 * Land borders, plus the river crossings and the Yangtze tunnel-bridge that the transfer
 * buses used (Pudong across the Huangpu; Chongming to Baoshan and Pudong). Symmetric.
 */
const borders: Record<string, string[]> = {
  Huangpu: ["Jingan", "Hongkou", "Xuhui", "Pudong"],
  Jingan: ["Huangpu", "Hongkou", "Putuo", "Changning", "Xuhui", "Baoshan"],
  Xuhui: ["Huangpu", "Jingan", "Changning", "Minhang", "Pudong"],
  Changning: ["Jingan", "Xuhui", "Putuo", "Minhang"],
  Putuo: ["Jingan", "Changning", "Jiading", "Baoshan", "Minhang"],
  Hongkou: ["Huangpu", "Jingan", "Baoshan", "Yangpu", "Pudong"],
  Yangpu: ["Hongkou", "Baoshan", "Pudong"],
  Baoshan: ["Jingan", "Hongkou", "Yangpu", "Putuo", "Jiading", "Pudong", "Chongming"],
  Minhang: ["Xuhui", "Changning", "Putuo", "Jiading", "Qingpu", "Songjiang", "Fengxian", "Pudong"],
  Jiading: ["Baoshan", "Putuo", "Minhang", "Qingpu"],
  Qingpu: ["Jiading", "Minhang", "Songjiang"],
  Songjiang: ["Qingpu", "Minhang", "Fengxian", "Jinshan"],
  Jinshan: ["Songjiang", "Fengxian"],
  Fengxian: ["Jinshan", "Songjiang", "Minhang", "Pudong"],
  Pudong: ["Huangpu", "Xuhui", "Hongkou", "Yangpu", "Baoshan", "Minhang", "Fengxian", "Chongming"],
  Chongming: ["Baoshan", "Pudong"],
};

export const districtBorders: Readonly<Record<string, readonly string[]>> = borders;

export function isKnownDistrict(name: string): boolean {
  return Object.hasOwn(borders, name);
}

const byName = [...Object.keys(borders)].sort();

/** Hops between districts over shared borders (breadth-first). */
export function districtDistances(from: string): Map<string, number> {
  const distance = new Map<string, number>([[from, 0]]);
  const frontier = [from];
  for (let i = 0; i < frontier.length; i++) {
    const here = frontier[i] as string;
    for (const next of borders[here] ?? []) {
      if (!distance.has(next)) {
        distance.set(next, (distance.get(here) ?? 0) + 1);
        frontier.push(next);
      }
    }
  }
  return distance;
}

const nearestCache = new Map<string, readonly string[]>();

/**
 * Every district, nearest to `from` first (hops, then name). An unknown district has no
 * known neighbours: it gets all districts in name order, so a case is never unplaceable
 * for lack of geography.
 */
export function districtsByDistance(from: string): readonly string[] {
  const cached = nearestCache.get(from);
  if (cached) return cached;
  let order: string[];
  if (!isKnownDistrict(from)) {
    order = byName;
  } else {
    const distance = districtDistances(from);
    order = [...byName].sort((a, b) => (distance.get(a) ?? 99) - (distance.get(b) ?? 99) || (a < b ? -1 : 1));
  }
  nearestCache.set(from, order);
  return order;
}
