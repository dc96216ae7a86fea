// Specifications of the allocation core: given earlier inputs, when one more arrives, then
// these decisions come out. Runs the pure core over the in-memory ledger.
import { type AnyCloudEvent, type CaseReported, caseIdOf, cloudEvent, type EventData } from "@fangcang/contracts";
import { MemoryLedger } from "@fangcang/ledger";
import { shanghai2022 } from "@fangcang/triage";
import { beforeEach, describe, expect, it } from "vitest";
import { AllocationCore, type Outcome } from "./allocation-core.ts";
import { BatchedPatientStore, MemoryPatientStore } from "./patient-store.ts";

const T = "2022-04-10T08:00:00.000Z";
let n = 0;
const meta = (time = T) => ({ id: `in-${++n}`, source: "spec", time });

const registered = (facilityId: string, data: Partial<EventData<"facility.registered">> = {}) =>
  cloudEvent("facility.registered", meta(), {
    facilityId,
    name: facilityId,
    kind: "fangcang",
    district: "Xuhui",
    beds: { shelter: 1 },
    capabilities: [],
    ...data,
  });

const reported = (caseId: string, data: Partial<CaseReported> = {}, time = T) =>
  cloudEvent("case.reported", meta(time), {
    caseId,
    reportedAt: time,
    district: "Xuhui",
    ageYears: 30,
    sex: "male",
    severity: "asymptomatic",
    detectedIn: "quarantine",
    ...data,
  });

let core: AllocationCore;

beforeEach(() => {
  core = new AllocationCore({
    ledger: new MemoryLedger(),
    patients: new MemoryPatientStore(),
    policy: shanghai2022,
    source: "fangcang/allocator",
  });
});

async function given(events: AnyCloudEvent[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const event of events) outcomes.push(await core.handle(event));
  return outcomes;
}

const when = (event: AnyCloudEvent) => core.handle(event);

describe("placing a reported case", () => {
  it("orders a transfer to a free bed, with the rules and policy version behind it", async () => {
    await given([registered("FC-1")]);
    const input = reported("c1");
    const outcome = await when(input);
    expect(outcome.rejected).toBeUndefined();
    expect(outcome.outputs).toHaveLength(1);
    const ordered = outcome.outputs[0] as AnyCloudEvent;
    expect(ordered).toMatchObject({
      type: "transfer.ordered",
      source: "fangcang/allocator",
      time: T,
      data: {
        caseId: "c1",
        facilityId: "FC-1",
        bedClass: "shelter",
        route: "fangcang",
        priority: shanghai2022.priorities.asymptomatic,
        reasons: ["severity.asymptomatic", "route.fangcang"],
        holdExpiresAt: "2022-04-10T20:00:00.000Z",
        policyVersion: shanghai2022.version,
        decidedAt: T,
        causationId: input.id,
        ledgerSeq: 2,
      },
    });
    expect(ordered.id).toBe((ordered.data as { decisionId: string }).decisionId);
  });

  it("waitlists a case no free bed fits", async () => {
    await given([registered("FC-1"), reported("c1")]);
    const outcome = await when(reported("c2", { severity: "mild" }));
    expect(outcome.outputs.map((e) => [e.type, e.data])).toEqual([
      [
        "case.waitlisted",
        expect.objectContaining({
          caseId: "c2",
          route: "fangcang",
          priority: 2,
          reasons: ["severity.mild", "route.fangcang"],
        }),
      ],
    ]);
  });

  it("re-emits the same decisions, with the same ids, when a crash lost the stored patient", async () => {
    const batch = new BatchedPatientStore(new MemoryPatientStore());
    core = new AllocationCore({
      ledger: new MemoryLedger(),
      patients: batch,
      policy: shanghai2022,
      source: "fangcang/allocator",
    });
    await given([registered("FC-1")]);
    const input = reported("c1");
    const first = await when(input);
    batch.discard(); // the worker crashed after producing, before storing patients
    const again = await when(input);
    expect(again).toEqual(first);
    expect(first.outputs.map((e) => e.type)).toEqual(["transfer.ordered"]);
  });

  it("skips an input its patient has already applied (a redelivery after the store)", async () => {
    await given([registered("FC-1")]);
    const input = reported("c1");
    await when(input);
    expect(await when(input)).toEqual({ outputs: [], followUps: [] });
  });

  it("refuses a second report of the same case under another event id", async () => {
    await given([registered("FC-1", { beds: { shelter: 5 } }), reported("c1")]);
    const outcome = await when(reported("c1"));
    expect(outcome.outputs).toEqual([]);
    expect(outcome.rejected).toEqual({
      errors: [{ code: "duplicate_case", message: "case c1 was already reported" }],
      state: "ordered",
    });
  });
});

describe("capacity changes", () => {
  it("offers opened beds to waiting cases, by priority, as events for each case's owner", async () => {
    await given([
      registered("FC-1", { beds: { shelter: 0 } }),
      reported("asym", { severity: "asymptomatic" }),
      reported("mild", { severity: "mild" }),
    ]);
    const opened = cloudEvent("facility.beds-changed", meta(), {
      facilityId: "FC-1",
      at: T,
      bedClass: "shelter",
      total: 1,
    });
    const outcome = await when(opened);
    expect(outcome.outputs).toEqual([]);
    expect(outcome.followUps.map((e) => [e.type, caseIdOf(e)])).toEqual([["case.bed-offered", "mild"]]);

    const [offer] = outcome.followUps;
    const accepted = await when(offer as AnyCloudEvent);
    expect(accepted.outputs).toEqual([
      expect.objectContaining({
        type: "transfer.ordered",
        data: expect.objectContaining({ caseId: "mild", facilityId: "FC-1", causationId: offer?.id, priority: 2 }),
      }),
    ]);
  });

  it("dead-letters a capacity change for an unknown facility", async () => {
    const outcome = await when(
      cloudEvent("facility.status-changed", meta(), { facilityId: "nowhere", at: T, status: "paused" }),
    );
    expect(outcome.rejected?.errors[0]?.code).toBe("unknown_facility");
  });

  it("dead-letters a facility in a district it does not know", async () => {
    const outcome = await when(registered("FC-X", { district: "Atlantis" }));
    expect(outcome.rejected?.errors[0]?.code).toBe("unknown_district");
  });
});
