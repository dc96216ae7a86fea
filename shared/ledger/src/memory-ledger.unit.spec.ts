import type { BedClass, Capability, FacilityKind, FacilityStatus } from "@fangcang/contracts";
import type { Need } from "@fangcang/placement";
import { describe, expect, it } from "vitest";
import { checkLedgerInvariants } from "./invariants.ts";
import { describeLedgerContract } from "./ledger-contract.ts";
import { MemoryLedger } from "./memory-ledger.ts";
import { EXPIRY_BATCH } from "./redis-ledger.ts";

describeLedgerContract("MemoryLedger", async () => new MemoryLedger());

const T0 = Date.parse("2022-04-10T08:00:00Z");
const holdMs = 3_600_000;
const shelter: Need = { alternatives: [{ kind: "fangcang", bedClass: "shelter" }], capabilities: [] };
const fangcang = (facilityId: string, shelterBeds: number) => ({
  facilityId,
  kind: "fangcang" as const,
  district: "Xuhui",
  capabilities: [],
  beds: { shelter: shelterBeds },
});

describe("MemoryLedger", () => {
  it("does not record an unknown-facility error, so the same op id applies once the facility exists", async () => {
    const ledger = new MemoryLedger();
    const resize = { opId: "resize-1", at: T0, holdMs, facilityId: "F-1", bedClass: "shelter" as const, total: 4 };
    await expect(ledger.resize(resize)).rejects.toMatchObject({ code: "unknown_facility" });
    await ledger.registerFacility({ opId: "register-1", at: T0, holdMs, facility: fangcang("F-1", 1) });
    expect(await ledger.resize(resize)).toEqual({ seq: 2, offers: [] });
    expect((await ledger.snapshot()).facilities[0]?.counts.shelter).toMatchObject({ total: 4, capacity: 4 });
  });

  it("forgets the oldest results beyond rememberedOps, so only those op ids apply again", async () => {
    const ledger = new MemoryLedger({ rememberedOps: 2 });
    await ledger.registerFacility({ opId: "a", at: T0, holdMs, facility: fangcang("F-1", 1) });
    await ledger.setStatus({ opId: "b", at: T0, holdMs, facilityId: "F-1", status: "paused" });
    await ledger.setStatus({ opId: "c", at: T0, holdMs, facilityId: "F-1", status: "open" });
    expect(await ledger.setStatus({ opId: "c", at: T0, holdMs, facilityId: "F-1", status: "closed" })).toEqual({
      seq: 3,
      offers: [],
    });
    expect(await ledger.registerFacility({ opId: "a", at: T0, holdMs, facility: fangcang("F-1", 1) })).toEqual({
      seq: 4,
      offers: [],
    });
  });

  it("expires at most EXPIRY_BATCH holds per call, earliest first, then by case id", async () => {
    const ledger = new MemoryLedger();
    const count = EXPIRY_BATCH + 2;
    await ledger.registerFacility({ opId: "register", at: T0, holdMs, facility: fangcang("F-1", count + 1) });
    const ids = Array.from({ length: count }, (_, i) => `c-${String(i).padStart(5, "0")}`);
    for (const caseId of [...ids].reverse()) {
      const place = { opId: `place-${caseId}`, at: T0, holdMs, caseId, transferId: `tr-${caseId}`, district: "Xuhui" };
      await ledger.place({ ...place, need: shelter, priority: 1, waitingSince: T0 });
    }
    const early = { opId: "place-z", at: T0 - 1, holdMs, caseId: "z-early", transferId: "tr-z", district: "Xuhui" };
    await ledger.place({ ...early, need: shelter, priority: 1, waitingSince: T0 });

    const first = await ledger.expireHolds({ opId: "expire-1", at: T0 + holdMs, holdMs });
    expect(first.expired.map((e) => e.caseId)).toEqual(["z-early", ...ids.slice(0, EXPIRY_BATCH - 1)]);
    const second = await ledger.expireHolds({ opId: "expire-2", at: T0 + holdMs, holdMs });
    expect(second.expired.map((e) => e.caseId)).toEqual(ids.slice(EXPIRY_BATCH - 1));
    expect(checkLedgerInvariants(await ledger.snapshot())).toEqual([]);
  });

  it("keeps every invariant through 5,000 seeded random operations, and repeats return the first result", async () => {
    const ledger = new MemoryLedger();
    const random = mulberry32(20220410);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const kinds: FacilityKind[] = ["designated_hospital", "sub_designated_hospital", "fangcang"];
    const classes: BedClass[] = ["general", "icu", "shelter"];
    const capabilities: Capability[] = ["icu", "obstetrics", "pediatrics", "dialysis", "geriatrics"];
    const statuses: FacilityStatus[] = ["open", "open", "paused", "closed"];
    const districts = ["Xuhui", "Pudong", "Minhang", "Chongming", "Jinshan", "Atlantis"];
    const needs: Need[] = [
      shelter,
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
    const facilityIds = Array.from({ length: 10 }, (_, i) => `F-${i}`);
    const caseIds = Array.from({ length: 400 }, (_, i) => `c-${i}`);
    let now = T0;
    const history: { run: () => Promise<unknown>; first: unknown }[] = [];
    const register = (facilityId: string) => ({
      facilityId,
      kind: pick(kinds),
      district: pick(districts),
      capabilities: capabilities.filter(() => random() < 0.4),
      beds: Object.fromEntries(classes.filter(() => random() < 0.7).map((c) => [c, Math.floor(random() * 6)])),
    });
    for (const facilityId of facilityIds.slice(0, 5)) {
      await ledger.registerFacility({ opId: `init-${facilityId}`, at: now, holdMs, facility: register(facilityId) });
    }

    for (let i = 0; i < 5_000; i++) {
      now += Math.floor(random() * 120_000);
      const op = { opId: `op-${i}`, at: now, holdMs };
      const roll = random();
      let run: () => Promise<unknown>;
      if (roll < 0.03) {
        const facility = register(pick(facilityIds));
        run = () => ledger.registerFacility({ ...op, facility });
      } else if (roll < 0.08) {
        const resize = {
          ...op,
          facilityId: pick(facilityIds),
          bedClass: pick(classes),
          total: Math.floor(random() * 8),
        };
        run = () => ledger.resize(resize).catch((error: unknown) => error);
      } else if (roll < 0.11) {
        const change = { ...op, facilityId: pick(facilityIds), status: pick(statuses) };
        run = () => ledger.setStatus(change).catch((error: unknown) => error);
      } else if (roll < 0.55) {
        const caseId = pick(caseIds);
        const request = {
          ...op,
          caseId,
          transferId: `tr-${i}`,
          district: pick(districts),
          need: pick(needs),
          priority: Math.floor(random() * 4),
          waitingSince: now - Math.floor(random() * 3) * 60_000,
        };
        run = () => ledger.place(request);
      } else if (roll < 0.75) {
        const caseId = pick(caseIds);
        const allocation = (await ledger.snapshot()).cases[caseId];
        const held = allocation?.state === "held" ? allocation : undefined;
        const admit = {
          ...op,
          caseId,
          transferId: random() < 0.9 ? (held?.transferId ?? "none") : "wrong",
          facilityId: held?.facilityId ?? pick(facilityIds),
        };
        run = () => ledger.admit(admit);
      } else if (roll < 0.93) {
        const release = { ...op, caseId: pick(caseIds) };
        run = () => ledger.release(release);
      } else {
        run = () => ledger.expireHolds(op);
      }
      const first = await run();
      // An expiry check that found nothing due changed nothing and is not recorded.
      const noOp = roll >= 0.93 && (first as { expired: unknown[] }).expired.length === 0;
      if (!noOp) history.push({ run, first });

      if (i % 100 === 99) {
        const { run: again, first } = pick(history);
        const seq = (await ledger.snapshot()).seq;
        expect(await again()).toEqual(first);
        expect((await ledger.snapshot()).seq).toBe(seq);
      }
      if (i % 250 === 249) expect(checkLedgerInvariants(await ledger.snapshot())).toEqual([]);
    }
    const snapshot = await ledger.snapshot();
    expect(checkLedgerInvariants(snapshot)).toEqual([]);
    expect(Object.keys(snapshot.cases).length).toBeGreaterThan(0);
  });
});

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
