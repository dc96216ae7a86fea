// The one specification every BedLedger implementation must pass. Each test gives the
// ledger some operations, then states what it must hold. Run by redis-ledger.int.spec.ts
// (on a real Redis) and memory-ledger.unit.spec.ts.
import type { FacilityKind } from "@fangcang/contracts";
import type { Need } from "@fangcang/placement";
import { beforeEach, describe, expect, it } from "vitest";
import { checkLedgerInvariants } from "./invariants.ts";
import type { BedLedger, FacilityDefinition, PlaceRequest } from "./ledger.ts";

const HOUR = 3_600_000;
const T0 = Date.parse("2022-04-10T08:00:00Z");
const holdMs = 12 * HOUR;

const shelter: Need = { alternatives: [{ kind: "fangcang", bedClass: "shelter" }], capabilities: [] };
const elderly: Need = {
  alternatives: [
    { kind: "sub_designated_hospital", bedClass: "general" },
    { kind: "designated_hospital", bedClass: "general" },
  ],
  capabilities: [],
};
const pregnant: Need = {
  alternatives: [{ kind: "designated_hospital", bedClass: "general" }],
  capabilities: ["obstetrics"],
};

function facility(
  facilityId: string,
  kind: FacilityKind,
  district: string,
  beds: FacilityDefinition["beds"],
  capabilities: FacilityDefinition["capabilities"] = [],
): FacilityDefinition {
  return { facilityId, kind, district, beds, capabilities };
}

export function describeLedgerContract(name: string, makeLedger: () => Promise<BedLedger>): void {
  describe(`${name} honours the bed ledger contract`, () => {
    let ledger: BedLedger;
    let opCount = 0;
    const op = (at = T0) => ({ opId: `op-${++opCount}`, at, holdMs });
    const register = (f: FacilityDefinition, at = T0) => ledger.registerFacility({ ...op(at), facility: f });
    const place = (caseId: string, need: Need, extra: Partial<PlaceRequest> = {}) =>
      ledger.place({
        ...op(extra.at),
        caseId,
        transferId: `tr-${caseId}`,
        district: "Xuhui",
        need,
        priority: 1,
        waitingSince: T0,
        ...extra,
      });
    const holdsOf = async (facilityId: string) =>
      Object.entries((await ledger.snapshot()).cases)
        .filter(([, a]) => a.state !== "waiting" && a.facilityId === facilityId)
        .map(([caseId]) => caseId)
        .sort();
    const counts = async (facilityId: string, bedClass: "general" | "icu" | "shelter") =>
      (await ledger.snapshot()).facilities.find((f) => f.facilityId === facilityId)?.counts[bedClass];

    beforeEach(async () => {
      ledger = await makeLedger();
    });

    it("holds a bed in the nearest district first", async () => {
      await register(facility("F-far", "fangcang", "Chongming", { shelter: 10 }));
      await register(facility("F-near", "fangcang", "Minhang", { shelter: 10 }));
      const result = await place("c1", shelter, { district: "Xuhui" });
      expect(result).toMatchObject({ outcome: "held", facilityId: "F-near", bedClass: "shelter", transferId: "tr-c1" });
      expect(result.outcome === "held" && result.holdExpiresAt).toBe(T0 + holdMs);
      expect(await counts("F-near", "shelter")).toEqual({ total: 10, free: 9, held: 1, occupied: 0, capacity: 10 });
    });

    it("within a district holds in the least loaded facility, then the smallest id", async () => {
      await register(facility("F-b", "fangcang", "Xuhui", { shelter: 2 }));
      await register(facility("F-a", "fangcang", "Xuhui", { shelter: 4 }));
      await place("c1", shelter);
      await place("c2", shelter);
      await place("c3", shelter);
      // c1: both empty → F-a (id); c2: F-a 1/4 < F-b 0/2? no: 0/2 < 1/4 → F-b; c3: F-a 1/4 < F-b 1/2 → F-a
      expect(await holdsOf("F-a")).toEqual(["c1", "c3"]);
      expect(await holdsOf("F-b")).toEqual(["c2"]);
    });

    it("tries alternatives in order of preference", async () => {
      await register(facility("H-1", "designated_hospital", "Xuhui", { general: 5 }));
      await register(facility("S-1", "sub_designated_hospital", "Chongming", { general: 1 }));
      expect(await place("c1", elderly)).toMatchObject({ outcome: "held", facilityId: "S-1" });
      expect(await place("c2", elderly)).toMatchObject({ outcome: "held", facilityId: "H-1" });
    });

    it("holds only where the needed capabilities are", async () => {
      await register(facility("H-plain", "designated_hospital", "Xuhui", { general: 5 }));
      await register(facility("H-obst", "designated_hospital", "Pudong", { general: 5 }, ["obstetrics", "icu"]));
      expect(await place("c1", pregnant)).toMatchObject({ outcome: "held", facilityId: "H-obst" });
    });

    it("waitlists a case no free bed fits, and a waiting case holds no bed", async () => {
      await register(facility("F-1", "fangcang", "Xuhui", { shelter: 1 }));
      await place("c1", shelter);
      const result = await place("c2", pregnant);
      expect(result).toMatchObject({ outcome: "waitlisted" });
      const snapshot = await ledger.snapshot();
      expect(snapshot.cases.c2).toMatchObject({ state: "waiting" });
      expect(await holdsOf("F-1")).toEqual(["c1"]);
    });

    it("never gives a case a second bed or queue place", async () => {
      await register(facility("F-1", "fangcang", "Xuhui", { shelter: 5 }));
      await place("c1", shelter);
      const again = await place("c1", shelter);
      expect(again).toMatchObject({ outcome: "already_placed", state: { state: "held", facilityId: "F-1" } });
      expect(await counts("F-1", "shelter")).toMatchObject({ held: 1, free: 4 });
    });

    it("repeating an operation id returns the first result and changes nothing", async () => {
      await register(facility("F-1", "fangcang", "Xuhui", { shelter: 5 }));
      const request = { opId: "same", at: T0, holdMs, caseId: "c1", transferId: "t1", district: "Xuhui" };
      const first = await ledger.place({ ...request, need: shelter, priority: 1, waitingSince: T0 });
      const second = await ledger.place({ ...request, need: shelter, priority: 1, waitingSince: T0 });
      expect(second).toEqual(first);
      expect(await counts("F-1", "shelter")).toMatchObject({ held: 1 });
      expect((await ledger.snapshot()).seq).toBe(first.seq);
    });

    it("gives a freed bed at once to the best waiting case: priority, then longest waiting, then id", async () => {
      await register(facility("F-1", "fangcang", "Xuhui", { shelter: 1 }));
      await place("c0", shelter);
      await place("late-urgent", shelter, { priority: 3, waitingSince: T0 + 2 * HOUR });
      await place("early-mild", shelter, { priority: 2, waitingSince: T0 });
      await place("b-same", shelter, { priority: 3, waitingSince: T0 + HOUR });
      await place("a-same", shelter, { priority: 3, waitingSince: T0 + HOUR });
      const released = await ledger.release({ ...op(T0 + 3 * HOUR), caseId: "c0" });
      expect(released.released).toMatchObject({ state: "held", facilityId: "F-1" });
      expect(released.offers).toEqual([
        expect.objectContaining({
          caseId: "a-same",
          facilityId: "F-1",
          bedClass: "shelter",
          holdExpiresAt: T0 + 3 * HOUR + holdMs,
        }),
      ]);
      expect(await holdsOf("F-1")).toEqual(["a-same"]);
      expect((await ledger.snapshot()).queues).toEqual({
        [Object.keys((await ledger.snapshot()).queues)[0] as string]: ["b-same", "late-urgent", "early-mild"],
      });
    });

    it("offers a freed bed only to waiting cases it fits", async () => {
      await register(facility("H-1", "designated_hospital", "Xuhui", { general: 1 }));
      await place("c0", elderly);
      await place("needs-obstetrics", pregnant, { priority: 5 });
      await place("elderly", elderly, { priority: 3 });
      const released = await ledger.release({ ...op(), caseId: "c0" });
      expect(released.offers.map((o) => o.caseId)).toEqual(["elderly"]);
    });

    it("opens new beds to the waiting queue in priority order", async () => {
      await register(facility("F-1", "fangcang", "Xuhui", { shelter: 0 }));
      await place("p1", shelter, { priority: 1 });
      await place("p2", shelter, { priority: 2 });
      await place("p3", shelter, { priority: 2, waitingSince: T0 + 1 });
      const result = await ledger.resize({ ...op(), facilityId: "F-1", bedClass: "shelter", total: 2 });
      expect(result.offers.map((o) => o.caseId)).toEqual(["p2", "p3"]);
      expect(await counts("F-1", "shelter")).toEqual({ total: 2, free: 0, held: 2, occupied: 0, capacity: 2 });
    });

    it("a newly registered facility takes waiting cases", async () => {
      await place("w1", shelter);
      const result = await register(facility("F-new", "fangcang", "Xuhui", { shelter: 3 }));
      expect(result.offers.map((o) => o.caseId)).toEqual(["w1"]);
    });

    it("lowering capacity below the beds in use closes free beds only and never evicts", async () => {
      await register(facility("F-1", "fangcang", "Xuhui", { shelter: 3 }));
      await place("c1", shelter);
      await place("c2", shelter);
      await ledger.resize({ ...op(), facilityId: "F-1", bedClass: "shelter", total: 1 });
      expect(await counts("F-1", "shelter")).toEqual({ total: 2, free: 0, held: 2, occupied: 0, capacity: 1 });
      expect(await holdsOf("F-1")).toEqual(["c1", "c2"]);
      await place("w", shelter);
      await ledger.release({ ...op(), caseId: "c1" });
      expect(await counts("F-1", "shelter")).toEqual({ total: 1, free: 0, held: 1, occupied: 0, capacity: 1 });
      expect((await ledger.snapshot()).cases.w).toMatchObject({ state: "waiting" });
    });

    it("paused and closed facilities get no new holds; reopening offers their beds", async () => {
      await register(facility("F-1", "fangcang", "Xuhui", { shelter: 2 }));
      await ledger.setStatus({ ...op(), facilityId: "F-1", status: "paused" });
      expect(await place("c1", shelter)).toMatchObject({ outcome: "waitlisted" });
      await ledger.setStatus({ ...op(), facilityId: "F-1", status: "closed" });
      expect(await place("c2", shelter)).toMatchObject({ outcome: "waitlisted" });
      const reopened = await ledger.setStatus({ ...op(), facilityId: "F-1", status: "open" });
      expect(reopened.offers.map((o) => o.caseId)).toEqual(["c1", "c2"]);
    });

    it("rejects capacity changes for an unknown facility", async () => {
      await expect(ledger.resize({ ...op(), facilityId: "nope", bedClass: "general", total: 1 })).rejects.toMatchObject(
        {
          code: "unknown_facility",
        },
      );
    });

    it("admits a held transfer into an occupied bed, and refuses mismatches", async () => {
      await register(facility("F-1", "fangcang", "Xuhui", { shelter: 2 }));
      await place("c1", shelter);
      expect(await ledger.admit({ ...op(), caseId: "c1", transferId: "wrong", facilityId: "F-1" })).toMatchObject({
        outcome: "rejected",
        code: "transfer_mismatch",
      });
      expect(await ledger.admit({ ...op(), caseId: "nobody", transferId: "tr-c1", facilityId: "F-1" })).toMatchObject({
        outcome: "rejected",
        code: "no_such_hold",
      });
      expect(await ledger.admit({ ...op(), caseId: "c1", transferId: "tr-c1", facilityId: "F-1" })).toMatchObject({
        outcome: "admitted",
        facilityId: "F-1",
        bedClass: "shelter",
      });
      expect(await ledger.admit({ ...op(), caseId: "c1", transferId: "tr-c1", facilityId: "F-1" })).toMatchObject({
        outcome: "rejected",
        code: "already_admitted",
      });
      expect(await counts("F-1", "shelter")).toEqual({ total: 2, free: 1, held: 0, occupied: 1, capacity: 2 });
    });

    it("releasing an occupied bed frees it; releasing a waiting case leaves the queue", async () => {
      await register(facility("F-1", "fangcang", "Xuhui", { shelter: 1 }));
      await place("c1", shelter);
      await ledger.admit({ ...op(), caseId: "c1", transferId: "tr-c1", facilityId: "F-1" });
      await place("w1", shelter);
      await place("w2", shelter, { waitingSince: T0 + 1 });
      const left = await ledger.release({ ...op(), caseId: "w1" });
      expect(left.released).toMatchObject({ state: "waiting" });
      expect(left.offers).toEqual([]);
      const discharged = await ledger.release({ ...op(), caseId: "c1" });
      expect(discharged.released).toMatchObject({ state: "occupied", facilityId: "F-1" });
      expect(discharged.offers.map((o) => o.caseId)).toEqual(["w2"]);
      expect(await ledger.release({ ...op(), caseId: "unknown" })).toMatchObject({ released: null, offers: [] });
    });

    it("expires holds not admitted in time: the case waits again in its place, the bed is offered again", async () => {
      await register(facility("F-1", "fangcang", "Xuhui", { shelter: 1 }));
      await place("c1", shelter, { priority: 1, waitingSince: T0 });
      await place("urgent", shelter, { priority: 3, waitingSince: T0 + HOUR });
      expect(await ledger.expireHolds(op(T0 + holdMs - 1))).toMatchObject({ expired: [], offers: [] });
      const result = await ledger.expireHolds(op(T0 + holdMs));
      expect(result.expired).toEqual([{ caseId: "c1", transferId: "tr-c1", facilityId: "F-1", bedClass: "shelter" }]);
      expect(result.offers.map((o) => o.caseId)).toEqual(["urgent"]);
      const snapshot = await ledger.snapshot();
      expect(snapshot.cases.c1).toMatchObject({ state: "waiting" });
      expect(Object.values(snapshot.queues)).toEqual([["c1"]]);
    });

    it("skips excluded facilities when placing", async () => {
      await register(facility("F-near", "fangcang", "Xuhui", { shelter: 5 }));
      await register(facility("F-far", "fangcang", "Chongming", { shelter: 5 }));
      expect(await place("c1", shelter, { exclude: ["F-near"] })).toMatchObject({
        outcome: "held",
        facilityId: "F-far",
      });
      expect(await place("c2", shelter, { exclude: ["F-near", "F-far"] })).toMatchObject({ outcome: "waitlisted" });
    });

    it("tells what a case has and what a facility is", async () => {
      await register(facility("H-1", "designated_hospital", "Pudong", { general: 1 }, ["obstetrics", "icu"]));
      await place("c1", pregnant);
      await place("c2", pregnant, { waitingSince: T0 + 1 });
      expect(await ledger.allocationOf("c1")).toMatchObject({ state: "held", facilityId: "H-1", bedClass: "general" });
      expect(await ledger.allocationOf("c2")).toMatchObject({ state: "waiting" });
      expect(await ledger.allocationOf("nobody")).toBeUndefined();
      expect(await ledger.facilityInfo("H-1")).toEqual({
        kind: "designated_hospital",
        district: "Pudong",
        capabilities: ["icu", "obstetrics"],
        status: "open",
      });
      expect(await ledger.facilityInfo("nowhere")).toBeUndefined();
    });

    it("reports when the next hold is due, or null when none is held", async () => {
      await register(facility("F-1", "fangcang", "Xuhui", { shelter: 2 }));
      expect((await ledger.expireHolds(op(T0))).nextDue).toBeNull();
      await place("c1", shelter, { at: T0 + HOUR });
      await place("c2", shelter, { at: T0 + 2 * HOUR });
      expect((await ledger.expireHolds(op(T0 + 3 * HOUR))).nextDue).toBe(T0 + HOUR + holdMs);
      expect((await ledger.expireHolds(op(T0 + HOUR + holdMs))).nextDue).toBe(T0 + 2 * HOUR + holdMs);
    });

    it("places an expired case elsewhere when its own bed closed meanwhile", async () => {
      await register(facility("F-1", "fangcang", "Xuhui", { shelter: 1 }));
      await register(facility("F-2", "fangcang", "Chongming", { shelter: 0 }));
      await place("c1", shelter);
      await ledger.setStatus({ ...op(), facilityId: "F-1", status: "paused" });
      await ledger.resize({ ...op(), facilityId: "F-2", bedClass: "shelter", total: 1 });
      const result = await ledger.expireHolds(op(T0 + holdMs));
      expect(result.expired.map((e) => e.caseId)).toEqual(["c1"]);
      expect(result.offers).toEqual([
        expect.objectContaining({ caseId: "c1", facilityId: "F-2", bedClass: "shelter" }),
      ]);
      expect(checkLedgerInvariants(await ledger.snapshot())).toEqual([]);
    });

    it("ends every operation by expiring the holds due at its time, admissions first", async () => {
      await register(facility("F-1", "fangcang", "Xuhui", { shelter: 2 }));
      await place("c1", shelter);
      await place("c2", shelter);
      await place("w1", shelter, { waitingSince: T0 - HOUR });
      // At the deadline the admission still counts; the other hold expires in the same step.
      const admitted = await ledger.admit({ ...op(T0 + holdMs), caseId: "c1", transferId: "tr-c1", facilityId: "F-1" });
      expect(admitted).toMatchObject({ outcome: "admitted", nextDue: T0 + holdMs + holdMs });
      expect(admitted.expired).toEqual([{ caseId: "c2", transferId: "tr-c2", facilityId: "F-1", bedClass: "shelter" }]);
      expect(admitted.offers.map((o) => o.caseId)).toEqual(["w1"]);
      expect(checkLedgerInvariants(await ledger.snapshot())).toEqual([]);
    });

    it("takes one sequence number per operation, refusals by the ledger included", async () => {
      await register(facility("F-1", "fangcang", "Xuhui", { shelter: 1 }));
      const seqs = [
        (await place("c1", shelter)).seq,
        (await place("c1", shelter)).seq,
        (await ledger.admit({ ...op(), caseId: "c1", transferId: "wrong", facilityId: "F-1" })).seq,
        (await ledger.release({ ...op(), caseId: "nobody" })).seq,
        (await ledger.expireHolds(op())).seq,
        (await ledger.confirmOffer({ ...op(), caseId: "c1", transferId: "tr-c1" })).seq,
      ];
      expect(seqs).toEqual([2, 3, 4, 5, 6, 7]);
      expect((await ledger.snapshot()).seq).toBe(7);
    });

    it("relocates in one step: the freed bed goes to the best waiting case first, the case is placed again", async () => {
      await register(facility("F-1", "fangcang", "Xuhui", { shelter: 1 }));
      await register(facility("F-2", "fangcang", "Chongming", { shelter: 1 }));
      await place("c1", shelter);
      await place("c2", shelter, { waitingSince: T0 + 1 });
      await place("w1", shelter, { waitingSince: T0 + 2 });
      const request = {
        ...op(),
        caseId: "c1",
        transferId: "tr-c1-again",
        district: "Xuhui",
        need: shelter,
        priority: 1,
        waitingSince: T0,
        exclude: ["F-1"],
      };
      const result = await ledger.relocate(request);
      expect(result.released).toMatchObject({ state: "held", facilityId: "F-1" });
      expect(result.offers.map((o) => [o.caseId, o.facilityId])).toEqual([["w1", "F-1"]]);
      expect(result.placed).toMatchObject({ outcome: "waitlisted" });
      expect(await ledger.relocate(request)).toEqual(result);
      expect(checkLedgerInvariants(await ledger.snapshot())).toEqual([]);
    });

    it("confirms an offer only while the case still holds that bed under that transfer", async () => {
      await register(facility("F-1", "fangcang", "Xuhui", { shelter: 1 }));
      await place("c1", shelter);
      expect(await ledger.confirmOffer({ ...op(), caseId: "c1", transferId: "tr-c1" })).toMatchObject({
        current: true,
      });
      expect(await ledger.confirmOffer({ ...op(), caseId: "c1", transferId: "other" })).toMatchObject({
        current: false,
      });
      const late = await ledger.confirmOffer({ ...op(T0 + holdMs), caseId: "c1", transferId: "tr-c1" });
      expect(late).toMatchObject({ current: true, expired: [expect.objectContaining({ caseId: "c1" })] });
      expect(await ledger.confirmOffer({ ...op(T0 + holdMs), caseId: "c1", transferId: "tr-c1" })).toMatchObject({
        current: false,
      });
    });

    it("keeps free + held + occupied = total through a mixed run", async () => {
      await register(facility("F-1", "fangcang", "Xuhui", { shelter: 3 }));
      await register(facility("H-1", "designated_hospital", "Pudong", { general: 2, icu: 1 }, ["icu", "obstetrics"]));
      for (let i = 0; i < 12; i++) await place(`c${i}`, i % 3 === 0 ? pregnant : i % 3 === 1 ? elderly : shelter);
      await ledger.admit({ ...op(), caseId: "c1", transferId: "tr-c1", facilityId: "H-1" });
      await ledger.release({ ...op(), caseId: "c2" });
      await ledger.resize({ ...op(), facilityId: "F-1", bedClass: "shelter", total: 1 });
      await ledger.release({ ...op(), caseId: "c5" });
      await ledger.resize({ ...op(), facilityId: "H-1", bedClass: "general", total: 4 });
      await ledger.expireHolds(op(T0 + holdMs));
      expect(checkLedgerInvariants(await ledger.snapshot())).toEqual([]);
    });
  });
}
