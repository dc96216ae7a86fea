import type { Need } from "@fangcang/placement";
import { describe, expect, it } from "vitest";
import { checkLedgerInvariants } from "./invariants.ts";
import { LedgerError, type Settled } from "./ledger.ts";
import { describeLedgerContract } from "./ledger-contract.ts";
import { MemoryLedger } from "./memory-ledger.ts";
import { randomWorkload } from "./random-workload.ts";
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
    expect(await ledger.resize(resize)).toEqual({ seq: 2, offers: [], expired: [], nextDue: null });
    expect((await ledger.snapshot()).facilities[0]?.counts.shelter).toMatchObject({ total: 4, capacity: 4 });
  });

  it("forgets the oldest results beyond rememberedOps, so only those op ids apply again", async () => {
    const ledger = new MemoryLedger({ rememberedOps: 2 });
    await ledger.registerFacility({ opId: "a", at: T0, holdMs, facility: fangcang("F-1", 1) });
    await ledger.setStatus({ opId: "b", at: T0, holdMs, facilityId: "F-1", status: "paused" });
    await ledger.setStatus({ opId: "c", at: T0, holdMs, facilityId: "F-1", status: "open" });
    expect(await ledger.setStatus({ opId: "c", at: T0, holdMs, facilityId: "F-1", status: "closed" })).toMatchObject({
      seq: 3,
    });
    expect(await ledger.registerFacility({ opId: "a", at: T0, holdMs, facility: fangcang("F-1", 1) })).toMatchObject({
      seq: 4,
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
    const workload = randomWorkload(ledger, 20220410);
    const history: { run: () => Promise<unknown>; first: unknown }[] = [];
    await workload.setUp();
    let seq = (await ledger.snapshot()).seq;
    for (let i = 0; i < 5_000; i++) {
      const run = await workload.next();
      const first = await run();
      // An operation takes exactly one sequence number, unless it was refused (not recorded).
      if (!(first instanceof LedgerError)) {
        expect((first as Settled).seq).toBe(++seq);
        history.push({ run, first });
      }

      if (i % 100 === 99) {
        const { run: again, first } = workload.pick(history);
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
