// Specifications of a patient's whole lifecycle through the allocation core: given inputs
// (and the follow-up events the core sends to cases' owners, delivered as the bus would),
// when one more arrives, then these decisions come out.
import { type AnyCloudEvent, type CaseReported, caseIdOf, cloudEvent, type EventData } from "@fangcang/contracts";
import { checkLedgerInvariants, MemoryLedger } from "@fangcang/ledger";
import { shanghai2022 } from "@fangcang/triage";
import { beforeEach, describe, expect, it } from "vitest";
import { AllocationCore } from "./allocation-core.ts";
import { MemoryPatientStore } from "./patient-store.ts";

const T0 = Date.parse("2022-04-10T08:00:00.000Z");
const at = (hours: number) => new Date(T0 + hours * 3_600_000).toISOString();
let n = 0;
const meta = (time: string) => ({ id: `in-${++n}`, source: "spec", time });

const facility = (facilityId: string, data: Partial<EventData<"facility.registered">> = {}) =>
  cloudEvent("facility.registered", meta(at(0)), {
    facilityId,
    name: facilityId,
    kind: "fangcang",
    district: "Xuhui",
    beds: { shelter: 1 },
    capabilities: [],
    ...data,
  });
const reported = (caseId: string, data: Partial<CaseReported> = {}, hour = 0) =>
  cloudEvent("case.reported", meta(at(hour)), {
    caseId,
    reportedAt: at(hour),
    district: "Xuhui",
    ageYears: 30,
    sex: "female",
    severity: "mild",
    detectedIn: "community",
    ...data,
  });
const admitted = (caseId: string, transferId: string, facilityId: string, hour = 1) =>
  cloudEvent("transfer.admitted", meta(at(hour)), { caseId, transferId, facilityId, at: at(hour) });
const rejected = (caseId: string, transferId: string, facilityId: string, hour = 1) =>
  cloudEvent("transfer.rejected", meta(at(hour)), { caseId, transferId, facilityId, at: at(hour), reason: "full" });
const tested = (caseId: string, hour: number, nGeneCt: number, orfGeneCt = nGeneCt) =>
  cloudEvent("case.test-result", meta(at(hour)), { caseId, sampledAt: at(hour), nGeneCt, orfGeneCt });
const discharged = (caseId: string, facilityId: string, hour: number) =>
  cloudEvent("patient.discharged", meta(at(hour)), { caseId, facilityId, at: at(hour), outcome: "recovered" });
const reclassified = (caseId: string, severity: CaseReported["severity"], hour: number) =>
  cloudEvent("case.reclassified", meta(at(hour)), { caseId, at: at(hour), severity });
const withdrawn = (caseId: string, hour: number) =>
  cloudEvent("case.withdrawn", meta(at(hour)), { caseId, at: at(hour), reason: "false_positive" });

let ledger: MemoryLedger;
let core: AllocationCore;
/** The same core but for validating what it makes (as the audit runs it): it must make the same bytes. */
let unvalidated: AllocationCore;
/** Every decision so far, in order. */
let decisions: AnyCloudEvent[];

beforeEach(() => {
  ledger = new MemoryLedger();
  const options = { patients: new MemoryPatientStore(), policy: shanghai2022, source: "allocator" };
  core = new AllocationCore({ ...options, ledger });
  unvalidated = new AllocationCore({
    ...options,
    ledger: new MemoryLedger(),
    patients: new MemoryPatientStore(),
    validateOutputs: false,
  });
  decisions = [];
});

/** Handles inputs and, as the bus would, the follow-ups they cause; returns the new decisions. */
async function run(...inputs: AnyCloudEvent[]): Promise<AnyCloudEvent[]> {
  const start = decisions.length;
  const queue = [...inputs];
  while (queue.length > 0) {
    const input = queue.shift() as AnyCloudEvent;
    const outcome = await core.handle(input);
    expect(JSON.stringify(await unvalidated.handle(input))).toBe(JSON.stringify(outcome));
    if (outcome.rejected) throw new Error(`rejected ${input.type}: ${JSON.stringify(outcome.rejected)}`);
    decisions.push(...outcome.outputs);
    queue.push(...outcome.followUps);
  }
  return decisions.slice(start);
}

const summary = (events: AnyCloudEvent[]) =>
  events.map((e) => {
    const d = e.data as Record<string, unknown>;
    return [e.type, caseIdOf(e), d.facilityId ?? d.fromFacilityId ?? d.reason ?? d.route];
  });

const orderOf = (caseId: string) =>
  [...decisions].reverse().find((e) => e.type === "transfer.ordered" && caseIdOf(e) === caseId)?.data as
    | EventData<"transfer.ordered">
    | undefined;

describe("a patient's lifecycle", () => {
  it("ordered → admitted → release-eligible → discharged: the bed then goes to the next waiting case", async () => {
    await run(facility("FC-1"), reported("a"), reported("b", {}, 0.5));
    expect(summary(decisions)).toEqual([
      ["transfer.ordered", "a", "FC-1"],
      ["case.waitlisted", "b", "fangcang"],
    ]);
    const order = orderOf("a") as EventData<"transfer.ordered">;
    expect(await run(admitted("a", order.transferId, "FC-1"))).toEqual([]);
    expect(await run(tested("a", 100, 36))).toEqual([]);
    const eligible = await run(tested("a", 124, 35, 38));
    expect(summary(eligible)).toEqual([["case.release-eligible", "a", "FC-1"]]);
    expect(eligible[0]?.data).toMatchObject({
      tests: [
        { sampledAt: at(100), nGeneCt: 36, orfGeneCt: 36 },
        { sampledAt: at(124), nGeneCt: 35, orfGeneCt: 38 },
      ],
    });
    const closing = await run(discharged("a", "FC-1", 130));
    expect(summary(closing)).toEqual([
      ["case.closed", "a", "recovered"],
      ["transfer.ordered", "b", "FC-1"],
    ]);
    expect(checkLedgerInvariants(await ledger.snapshot())).toEqual([]);
  });

  it.each([
    ["a Ct below the threshold", [36, 34.9], 24],
    ["results less than 24 hours apart", [36, 36], 23.9],
  ])("is not release-eligible with %s", async (_, [first, second], gap) => {
    await run(facility("FC-1"), reported("a"));
    await run(admitted("a", orderOf("a")?.transferId as string, "FC-1"));
    expect(await run(tested("a", 100, first as number), tested("a", 100 + (gap as number), second as number))).toEqual(
      [],
    );
  });

  it("a rejected transfer is cancelled and the case placed elsewhere, never back at the rejecting facility", async () => {
    await run(facility("FC-1", { beds: { shelter: 5 } }), facility("FC-2", { district: "Chongming" }), reported("a"));
    expect(orderOf("a")?.facilityId).toBe("FC-1");
    const after = await run(rejected("a", orderOf("a")?.transferId as string, "FC-1"));
    expect(summary(after)).toEqual([
      ["transfer.cancelled", "a", "rejected by the facility"],
      ["transfer.ordered", "a", "FC-2"],
    ]);
  });

  it("a hold not admitted within the window is cancelled, the case waits again, the bed goes to the best waiting case", async () => {
    await run(facility("FC-1"), reported("slow", { severity: "asymptomatic" }), reported("urgent", {}, 1));
    const expiry = await run(reported("late", { severity: "asymptomatic" }, 12));
    // The late report's time passes slow's hold expiry: the ledger frees the bed before
    // placing the late case, and the owners of slow and urgent hear of it by follow-ups.
    expect(summary(expiry)).toEqual([
      ["case.waitlisted", "late", "fangcang"],
      ["transfer.cancelled", "slow", "hold expired before admission"],
      ["case.waitlisted", "slow", "fangcang"],
      ["transfer.ordered", "urgent", "FC-1"],
    ]);
    expect(checkLedgerInvariants(await ledger.snapshot())).toEqual([]);
  });

  it("a Fangcang patient who worsens is escalated to a designated hospital and frees the shelter bed", async () => {
    await run(
      facility("FC-1"),
      facility("DH-1", { kind: "designated_hospital", district: "Pudong", beds: { general: 2 } }),
      reported("a"),
      reported("b", {}, 0.5),
    );
    await run(admitted("a", orderOf("a")?.transferId as string, "FC-1"));
    const after = await run(reclassified("a", "severe", 30));
    expect(summary(after)).toEqual([
      ["case.escalated", "a", "FC-1"],
      ["transfer.ordered", "a", "DH-1"],
      ["transfer.ordered", "b", "FC-1"],
    ]);
    expect(orderOf("a")).toMatchObject({ route: "designated_hospital", priority: shanghai2022.priorities.severe });
  });

  it("a reclassification the current bed can still serve changes nothing", async () => {
    await run(facility("FC-1"), reported("a"));
    expect(await run(reclassified("a", "asymptomatic", 2))).toEqual([]);
  });

  it("a withdrawn case's transfer is cancelled, the case closed and its bed released", async () => {
    await run(facility("FC-1"), reported("a"), reported("b", {}, 0.5));
    expect(summary(await run(withdrawn("a", 2)))).toEqual([
      ["transfer.cancelled", "a", "withdrawn"],
      ["case.closed", "a", "withdrawn: false_positive"],
      ["transfer.ordered", "b", "FC-1"],
    ]);
  });

  it("an event no state accepts is refused with the state named, and changes nothing", async () => {
    await run(facility("FC-1"), reported("a"), reported("b", {}, 0.5));
    const before = await ledger.snapshot();
    const outcome = await core.handle(discharged("b", "FC-1", 3));
    expect(outcome.outputs).toEqual([]);
    expect(outcome.rejected).toEqual({
      errors: [{ code: "not_accepted", message: "patient.discharged is not accepted for a case in state waiting" }],
      state: "waiting",
    });
    expect(await ledger.snapshot()).toEqual(before);
  });

  it("an event for a case never reported is refused", async () => {
    const outcome = await core.handle(tested("ghost", 1, 40));
    expect(outcome.rejected?.errors[0]?.code).toBe("unknown_case");
  });

  it("an admission for another facility's transfer is refused", async () => {
    await run(facility("FC-1"), reported("a"));
    const outcome = await core.handle(admitted("a", orderOf("a")?.transferId as string, "FC-9"));
    expect(outcome.rejected).toMatchObject({ state: "ordered", errors: [{ code: "not_accepted" }] });
  });
});
