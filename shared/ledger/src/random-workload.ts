// A seeded stream of random ledger operations (every kind, refusals and stale reads
// included), for the property tests: the memory ledger keeps its invariants through it,
// and the Redis and memory ledgers give equal results for the same stream.
import type { BedClass, Capability, FacilityKind, FacilityStatus } from "@fangcang/contracts";
import type { Need } from "@fangcang/placement";
import type { BedLedger, FacilityDefinition } from "./ledger.ts";

const T0 = Date.parse("2022-04-10T08:00:00Z");
const holdMs = 3_600_000;

const kinds: FacilityKind[] = ["designated_hospital", "sub_designated_hospital", "fangcang"];
const classes: BedClass[] = ["general", "icu", "shelter"];
const capabilities: Capability[] = ["icu", "obstetrics", "pediatrics", "dialysis", "geriatrics"];
const statuses: FacilityStatus[] = ["open", "open", "paused", "closed"];
const districts = ["Xuhui", "Pudong", "Minhang", "Chongming", "Jinshan", "Atlantis"];
const needs: Need[] = [
  { alternatives: [{ kind: "fangcang", bedClass: "shelter" }], capabilities: [] },
  { alternatives: [{ kind: "designated_hospital", bedClass: "icu" }], capabilities: ["icu"] },
  {
    alternatives: [
      { kind: "sub_designated_hospital", bedClass: "general" },
      { kind: "designated_hospital", bedClass: "general" },
    ],
    capabilities: [],
  },
  { alternatives: [{ kind: "designated_hospital", bedClass: "general" }], capabilities: ["obstetrics"] },
  {
    alternatives: [
      { kind: "fangcang", bedClass: "shelter" },
      { kind: "sub_designated_hospital", bedClass: "general" },
    ],
    capabilities: ["geriatrics"],
  },
];

export interface RandomWorkload {
  /** Registers the first facilities. */
  setUp(): Promise<void>;
  /** The next operation, ready to run (and to run again, with the same op id). */
  next(): Promise<() => Promise<unknown>>;
  pick<T>(items: readonly T[]): T;
}

export function randomWorkload(ledger: BedLedger, seed: number): RandomWorkload {
  const random = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const facilityIds = Array.from({ length: 10 }, (_, i) => `F-${i}`);
  const caseIds = Array.from({ length: 400 }, (_, i) => `c-${i}`);
  let now = T0;
  let i = 0;
  const facility = (facilityId: string): FacilityDefinition => ({
    facilityId,
    kind: pick(kinds),
    district: pick(districts),
    capabilities: capabilities.filter(() => random() < 0.4),
    beds: Object.fromEntries(classes.filter(() => random() < 0.7).map((c) => [c, Math.floor(random() * 6)])),
  });
  const placeRequest = (op: { opId: string; at: number; holdMs: number }) => ({
    ...op,
    caseId: pick(caseIds),
    transferId: `tr-${i}`,
    district: pick(districts),
    need: pick(needs),
    priority: Math.floor(random() * 4),
    waitingSince: now - Math.floor(random() * 3) * 60_000,
  });
  /** A refused operation is an answer too: the error comes back as the result. */
  const orError = (run: () => Promise<unknown>) => () => run().catch((error: unknown) => error);

  return {
    pick,
    async setUp() {
      for (const facilityId of facilityIds.slice(0, 5)) {
        await ledger.registerFacility({ opId: `init-${facilityId}`, at: now, holdMs, facility: facility(facilityId) });
      }
    },
    async next() {
      i++;
      now += Math.floor(random() * 120_000);
      const op = { opId: `op-${i}`, at: now, holdMs };
      const roll = random();
      if (roll < 0.03) {
        const f = facility(pick(facilityIds));
        return () => ledger.registerFacility({ ...op, facility: f });
      }
      if (roll < 0.08) {
        const resize = {
          ...op,
          facilityId: pick(facilityIds),
          bedClass: pick(classes),
          total: Math.floor(random() * 8),
        };
        return orError(() => ledger.resize(resize));
      }
      if (roll < 0.11) {
        const change = { ...op, facilityId: pick(facilityIds), status: pick(statuses) };
        return orError(() => ledger.setStatus(change));
      }
      if (roll < 0.55) {
        const request = placeRequest(op);
        return () => ledger.place(request);
      }
      if (roll < 0.75) {
        const caseId = pick(caseIds);
        const allocation = await ledger.allocationOf(caseId);
        const held = allocation?.state === "held" ? allocation : undefined;
        const admit = {
          ...op,
          caseId,
          transferId: random() < 0.9 ? (held?.transferId ?? "none") : "wrong",
          facilityId: held?.facilityId ?? pick(facilityIds),
        };
        return () => ledger.admit(admit);
      }
      if (roll < 0.86) {
        const release = { ...op, caseId: pick(caseIds) };
        return () => ledger.release(release);
      }
      if (roll < 0.9) {
        const request = { ...placeRequest(op), exclude: [pick(facilityIds)] };
        return () => ledger.relocate(request);
      }
      if (roll < 0.93) {
        const caseId = pick(caseIds);
        const allocation = await ledger.allocationOf(caseId);
        const transferId = allocation?.state === "held" && random() < 0.7 ? allocation.transferId : "stale";
        return () => ledger.confirmOffer({ ...op, caseId, transferId });
      }
      return () => ledger.expireHolds(op);
    },
  };
}

/** A small seeded PRNG, so a failing run can be reproduced. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
