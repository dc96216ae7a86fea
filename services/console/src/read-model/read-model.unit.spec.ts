// The read model as specifications: given these contract events, then the console shows this.
import { type AnyCloudEvent, type CaseReported, cloudEvent, type EventData, type EventType } from "@fangcang/contracts";
import { describe, expect, it } from "vitest";
import { apply, bedCount, bedTotals, emptyModel, type ReadModel } from "./read-model.ts";
import { caseView, facilitiesView, overviewView, queueView, transfersView } from "./views.ts";

const T0 = Date.parse("2022-04-10T08:00:00.000Z");
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
let n = 0;

function event<T extends EventType>(type: T, minute: number, data: EventData<T>, source = "test"): AnyCloudEvent {
  return cloudEvent(type, { id: `e-${++n}`, source, time: at(minute) }, data) as AnyCloudEvent;
}

const provenance = (minute: number) => ({
  decisionId: `d-${++n}`,
  policyVersion: "shanghai-2022-04-09.v1",
  decidedAt: at(minute),
  causationId: `c-${n}`,
});

const registered = (facilityId: string, beds: EventData<"facility.registered">["beds"], minute = 0) =>
  event("facility.registered", minute, {
    facilityId,
    name: `Facility ${facilityId}`,
    kind: "fangcang",
    district: "Xuhui",
    beds,
    capabilities: [],
  });

const reported = (caseId: string, minute = 0, data: Partial<CaseReported> = {}) =>
  event("case.reported", minute, {
    caseId,
    reportedAt: at(minute),
    district: "Xuhui",
    ageYears: 30,
    sex: "female",
    severity: "mild",
    detectedIn: "community",
    ...data,
  });

const ordered = (caseId: string, transferId: string, facilityId: string, minute = 1) =>
  event("transfer.ordered", minute, {
    ...provenance(minute),
    transferId,
    caseId,
    facilityId,
    bedClass: "shelter",
    route: "fangcang",
    priority: 2,
    reasons: ["mild-to-fangcang"],
    holdExpiresAt: at(minute + 120),
  });

const waitlisted = (caseId: string, priority: number, minute = 1) =>
  event("case.waitlisted", minute, {
    ...provenance(minute),
    caseId,
    route: "fangcang",
    priority,
    reasons: ["mild-to-fangcang"],
  });

const admitted = (caseId: string, transferId: string, facilityId: string, minute = 10) =>
  event("transfer.admitted", minute, { caseId, transferId, facilityId, at: at(minute) });

const cancelled = (caseId: string, transferId: string, minute: number) =>
  event("transfer.cancelled", minute, { ...provenance(minute), caseId, transferId, reason: "hold expired" });

const closed = (caseId: string, minute: number) =>
  event("case.closed", minute, { ...provenance(minute), caseId, reason: "recovered" });

function given(...events: AnyCloudEvent[]): ReadModel {
  const model = emptyModel();
  for (const e of events) apply(model, e);
  return model;
}

describe("capacity by facility and bed class", () => {
  it("given a registration, then every bed is free", () => {
    const model = given(registered("FC-1", { shelter: 3 }));
    expect(bedCount(model, "FC-1", "shelter")).toEqual({ capacity: 3, total: 3, free: 3, held: 0, occupied: 0 });
  });

  it("given a transfer order, then its bed is held; given the admission, then it is occupied", () => {
    const model = given(registered("FC-1", { shelter: 3 }), reported("a"), ordered("a", "t-a", "FC-1"));
    expect(bedCount(model, "FC-1", "shelter")).toMatchObject({ free: 2, held: 1, occupied: 0 });
    apply(model, admitted("a", "t-a", "FC-1"));
    expect(bedCount(model, "FC-1", "shelter")).toMatchObject({ free: 2, held: 0, occupied: 1 });
  });

  it("given an admission read before the order it answers (another topic), then the bed is occupied", () => {
    const model = given(registered("FC-1", { shelter: 3 }), admitted("a", "t-a", "FC-1"), ordered("a", "t-a", "FC-1"));
    expect(bedCount(model, "FC-1", "shelter")).toMatchObject({ held: 0, occupied: 1 });
    expect(model.inFlight.size).toBe(0);
  });

  it("given an admission for another transfer, then the hold stays a hold", () => {
    const model = given(registered("FC-1", { shelter: 3 }), ordered("a", "t-a", "FC-1"), admitted("a", "t-x", "FC-1"));
    expect(bedCount(model, "FC-1", "shelter")).toMatchObject({ held: 1, occupied: 0 });
  });

  it("given a cancelled transfer or a closed case, then the bed is free again", () => {
    const model = given(
      registered("FC-1", { shelter: 2 }),
      ordered("a", "t-a", "FC-1"),
      ordered("b", "t-b", "FC-1"),
      admitted("b", "t-b", "FC-1"),
      cancelled("a", "t-a", 20),
      closed("b", 30),
    );
    expect(bedCount(model, "FC-1", "shelter")).toMatchObject({ free: 2, held: 0, occupied: 0 });
  });

  it("given capacity lowered below the beds in use, then the total stays at the beds in use (no eviction)", () => {
    const model = given(
      registered("FC-1", { shelter: 2 }),
      ordered("a", "t-a", "FC-1"),
      ordered("b", "t-b", "FC-1"),
      event("facility.beds-changed", 5, { facilityId: "FC-1", at: at(5), bedClass: "shelter", total: 1 }),
    );
    expect(bedCount(model, "FC-1", "shelter")).toEqual({ capacity: 1, total: 2, free: 0, held: 2, occupied: 0 });
    apply(model, cancelled("a", "t-a", 20));
    expect(bedCount(model, "FC-1", "shelter")).toEqual({ capacity: 1, total: 1, free: 0, held: 1, occupied: 0 });
  });

  it("the running bed totals always equal the sum over every facility and class", () => {
    const model = given(
      ordered("early", "t-e", "FC-2"),
      registered("FC-1", { shelter: 2 }),
      ordered("a", "t-a", "FC-1"),
      ordered("b", "t-b", "FC-1"),
      ordered("c", "t-c", "FC-1"),
      event("facility.beds-changed", 5, { facilityId: "FC-1", at: at(5), bedClass: "shelter", total: 1 }),
      admitted("a", "t-a", "FC-1"),
      cancelled("b", "t-b", 20),
      registered("FC-2", { shelter: 4, icu: 2 }, 21),
      closed("a", 30),
    );
    const sum = { total: 0, free: 0, held: 0, occupied: 0 };
    for (const facilityId of ["FC-1", "FC-2"]) {
      for (const bedClass of ["general", "icu", "shelter"] as const) {
        const beds = bedCount(model, facilityId, bedClass);
        for (const key of Object.keys(sum) as (keyof typeof sum)[]) sum[key] += beds[key];
      }
    }
    expect(bedTotals(model)).toEqual(sum);
    expect(sum).toEqual({ total: 7, free: 5, held: 2, occupied: 0 });
  });

  it("given beds in use at a facility whose registration is not read yet, then they are shown under its id", () => {
    const model = given(ordered("a", "t-a", "FC-9"));
    expect(facilitiesView(model).items).toMatchObject([
      { facilityId: "FC-9", kind: null, beds: { shelter: { total: 1, held: 1 } } },
    ]);
  });

  it("given a second registration, then it updates the facility and keeps the classes it leaves out", () => {
    const model = given(registered("FC-1", { shelter: 3, general: 2 }), registered("FC-1", { shelter: 5 }, 9));
    expect(bedCount(model, "FC-1", "shelter").total).toBe(5);
    expect(bedCount(model, "FC-1", "general").total).toBe(2);
  });

  it("given a registration in a district the allocator does not know, then it is left out, as the allocator does", () => {
    const model = given(
      event("facility.registered", 0, {
        facilityId: "FC-X",
        name: "Elsewhere",
        kind: "fangcang",
        district: "Atlantis",
        beds: { shelter: 3 },
        capabilities: [],
      }),
    );
    expect(facilitiesView(model).items).toEqual([]);
    expect(model.refused).toBe(1);
  });

  it("given a status change, then the facility shows it", () => {
    const model = given(
      registered("FC-1", { shelter: 2 }),
      event("facility.status-changed", 3, { facilityId: "FC-1", at: at(3), status: "paused" }),
    );
    expect(facilitiesView(model).items[0]?.status).toBe("paused");
  });
});

describe("the waiting queue", () => {
  it("given waitlisted cases, then they are listed most urgent first, then longest waiting, then by id", () => {
    const model = given(
      reported("late-mild", 5),
      waitlisted("late-mild", 2, 5),
      reported("early-mild", 1),
      waitlisted("early-mild", 2, 6),
      reported("critical", 9),
      waitlisted("critical", 6, 9),
    );
    const queue = queueView(model, 0, 10);
    expect(queue.items.map((c) => c.caseId)).toEqual(["critical", "early-mild", "late-mild"]);
    expect(queue.byPriority).toEqual([
      { priority: 6, count: 1 },
      { priority: 2, count: 2 },
    ]);
    expect(queueView(model, 1, 1).items.map((c) => c.caseId)).toEqual(["early-mild"]);
  });

  it("given a waiting case offered a bed, then it leaves the queue and its transfer is in flight", () => {
    const model = given(waitlisted("a", 2, 1), ordered("a", "t-a", "FC-1", 30));
    expect(model.waiting.size).toBe(0);
    expect(model.waitingByPriority.size).toBe(0);
    expect(transfersView(model, { offset: 0, limit: 10 }).items.map((t) => t.transferId)).toEqual(["t-a"]);
  });

  it("given an expired hold (cancelled, then waitlisted), then the case waits again and nothing is held", () => {
    const model = given(
      registered("FC-1", { shelter: 1 }),
      ordered("a", "t-a", "FC-1"),
      cancelled("a", "t-a", 200),
      waitlisted("a", 2, 200),
    );
    expect(model.waiting.has("a")).toBe(true);
    expect(bedCount(model, "FC-1", "shelter").held).toBe(0);
  });
});

describe("transfers in flight and overdue holds", () => {
  it("given a hold whose expiry the latest event time has passed, then it is overdue", () => {
    const model = given(ordered("a", "t-a", "FC-1", 1), ordered("b", "t-b", "FC-1", 100), reported("c", 125));
    const transfers = transfersView(model, { offset: 0, limit: 10 });
    expect(transfers.overdue).toBe(1);
    expect(transfers.items.map((t) => [t.transferId, t.overdue])).toEqual([
      ["t-a", true],
      ["t-b", false],
    ]);
    expect(transfersView(model, { offset: 0, limit: 10, overdue: "true" }).items).toHaveLength(1);
  });
});

describe("a case's history", () => {
  it("given a case's inputs and decisions, then its history lists each once, with the decisions' reasons", () => {
    const order = ordered("a", "t-a", "FC-1");
    const model = given(reported("a"), order, order, admitted("a", "t-a", "FC-1"));
    const view = caseView(model, "a");
    expect(view?.history.map((h) => h.type)).toEqual(["case.reported", "transfer.ordered", "transfer.admitted"]);
    expect(view).toMatchObject({ status: "admitted", facilityId: "FC-1", reasons: ["mild-to-fangcang"] });
    expect(model.duplicates).toBe(1);
  });

  it("given a redelivered order, then the bed is counted once", () => {
    const order = ordered("a", "t-a", "FC-1");
    const model = given(registered("FC-1", { shelter: 2 }), order, order);
    expect(bedCount(model, "FC-1", "shelter").held).toBe(1);
  });

  it("given an unknown case, then there is no view", () => {
    expect(caseView(emptyModel(), "nobody")).toBeUndefined();
  });
});

describe("escalations", () => {
  it("given an escalation, then the bed is freed and the escalation listed with its decision", () => {
    const model = given(
      registered("FC-1", { shelter: 1 }),
      ordered("a", "t-a", "FC-1"),
      admitted("a", "t-a", "FC-1"),
      event("case.escalated", 50, {
        ...provenance(50),
        caseId: "a",
        fromFacilityId: "FC-1",
        reason: "worsened beyond what the facility can treat",
      }),
    );
    expect(bedCount(model, "FC-1", "shelter").occupied).toBe(0);
    expect(model.escalations).toMatchObject([{ caseId: "a", fromFacilityId: "FC-1", at: at(50) }]);
  });
});

describe("occupancy and queue over time", () => {
  it("given events in later minutes, then each earlier minute is closed with its state", () => {
    const model = given(
      registered("FC-1", { shelter: 2 }, 0),
      ordered("a", "t-a", "FC-1", 1),
      waitlisted("b", 2, 2),
      admitted("a", "t-a", "FC-1", 3),
    );
    const series = overviewView(model, true).series;
    expect(series.map((p) => [p.held, p.occupied, p.waiting])).toEqual([
      [0, 0, 0],
      [1, 0, 0],
      [1, 0, 1],
      [0, 1, 1],
    ]);
  });
});
