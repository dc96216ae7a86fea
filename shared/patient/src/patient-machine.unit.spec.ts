import { describe, expect, it } from "vitest";
import { initialTransition, transition } from "xstate";
import { patientMachine } from "./patient-machine.ts";
import { newPatient, type PatientSnapshot, persistPatient, restorePatient, stateOf } from "./patient-snapshot.ts";
import type { Allocation, PatientContext, PatientEvent } from "./patient-types.ts";

const context: PatientContext = {
  caseId: "SH-1",
  district: "Xuhui",
  reportedAt: "2022-04-10T08:00:00.000Z",
  reportedBy: "op-1",
  facts: { ageYears: 30, severity: "mild" },
  triage: {
    policyVersion: "shanghai-2022-04-09.v1",
    severity: "mild",
    priority: 2,
    route: "fangcang",
    alternatives: [{ kind: "fangcang", bedClass: "shelter" }],
    requiredCapabilities: [],
    reasons: ["severity.mild", "route.fangcang"],
  },
  appliedOps: [],
};
const allocation: Allocation = {
  transferId: "tr-1",
  facilityId: "FC-1",
  bedClass: "shelter",
  route: "fangcang",
  holdExpiresAt: "2022-04-10T20:00:00.000Z",
};

function given(...events: PatientEvent[]): PatientSnapshot {
  let snapshot = newPatient(context);
  for (const event of events) snapshot = transition(patientMachine, snapshot, event)[0];
  return snapshot;
}

/** A snapshot's fields but the machine, which every snapshot shares. */
const fields = ({ machine: _, ...rest }: PatientSnapshot) => rest;

function when(snapshot: PatientSnapshot, event: PatientEvent) {
  const [next, actions] = transition(patientMachine, snapshot, event);
  return { state: stateOf(next), emitted: actions.filter((a) => a.type === "emit").map((a) => a.params), next };
}

describe("the patient machine", () => {
  it("starts placing and is ordered once the ledger holds a bed", () => {
    expect(stateOf(newPatient(context))).toBe("placing");
    expect(when(newPatient(context), { type: "PLACED", allocation })).toMatchObject({
      state: "ordered",
      emitted: [{ output: "transfer.ordered", allocation }],
    });
  });

  it("accepts only the current transfer's admission", () => {
    const ordered = given({ type: "PLACED", allocation });
    expect(ordered.can({ type: "ADMITTED", transferId: "tr-other" })).toBe(false);
    expect(when(ordered, { type: "ADMITTED", transferId: "tr-1" }).state).toBe("admitted");
  });

  it("on hold expiry cancels the transfer, then waits again, in that order", () => {
    const result = when(given({ type: "PLACED", allocation }), { type: "HOLD_EXPIRED", transferId: "tr-1" });
    expect(result.state).toBe("waiting");
    expect(result.emitted).toEqual([
      { output: "transfer.cancelled", transferId: "tr-1", reason: "hold expired before admission" },
      { output: "case.waitlisted" },
    ]);
    expect(result.next.context.allocation).toBeUndefined();
  });

  it("escalates an admitted patient whose bed no longer serves, naming the facility left", () => {
    const admitted = given({ type: "PLACED", allocation }, { type: "ADMITTED", transferId: "tr-1" });
    const result = when(admitted, {
      type: "RECLASSIFIED",
      facts: { ...context.facts, severity: "severe" },
      triage: { ...context.triage, severity: "severe", priority: 5 },
      currentBedServes: false,
      triageChanged: true,
    });
    expect(result.state).toBe("placing");
    expect(result.emitted).toEqual([
      { output: "case.escalated", fromFacilityId: "FC-1", reason: "worsened beyond what the facility can treat" },
    ]);
  });

  it("closes on discharge from its own facility only, and accepts nothing after", () => {
    const admitted = given({ type: "PLACED", allocation }, { type: "ADMITTED", transferId: "tr-1" });
    expect(admitted.can({ type: "DISCHARGED", facilityId: "FC-9", outcome: "recovered" })).toBe(false);
    const closed = when(admitted, { type: "DISCHARGED", facilityId: "FC-1", outcome: "recovered" });
    expect(closed).toMatchObject({ state: "closed", emitted: [{ output: "case.closed", reason: "recovered" }] });
    expect(closed.next.can({ type: "WITHDRAWN", reason: "duplicate" })).toBe(false);
  });
});

describe("the stored patient", () => {
  it("round-trips state and context", () => {
    const ordered = given({ type: "PLACED", allocation });
    const restored = restorePatient(persistPatient(ordered));
    expect(stateOf(restored)).toBe("ordered");
    expect(restored.context).toEqual(ordered.context);
    expect(restored.can({ type: "ADMITTED", transferId: "tr-1" })).toBe(true);
  });

  it.each([
    ["not JSON", "{", /not JSON/],
    ["another version", JSON.stringify({ version: 2, state: "ordered", context }), /version/],
    ["an unknown state", JSON.stringify({ version: 1, state: "lost", context }), /state/],
    [
      "a broken context",
      JSON.stringify({ version: 1, state: "waiting", context: { ...context, triage: null } }),
      /context\.triage/,
    ],
  ])("refuses %s", (_, json, message) => {
    expect(() => restorePatient(json)).toThrow(message);
  });

  it("names its state, and throws for a snapshot in a state the machine does not have", () => {
    const ordered = given({ type: "PLACED", allocation });
    expect(stateOf(ordered)).toBe("ordered");
    expect(() => stateOf({ ...ordered, value: "lost" } as unknown as PatientSnapshot)).toThrow();
    expect(() => stateOf({ ...ordered, value: { ordered: "x" } } as unknown as PatientSnapshot)).toThrow();
  });
});

describe("the allocation-light transition", () => {
  it("gives exactly what xstate's transition gives, step by step", async () => {
    const { patientCan, transitionPatient } = await import("./patient-transition.ts");
    const steps: PatientEvent[] = [
      { type: "PLACED", allocation },
      { type: "HOLD_EXPIRED", transferId: "tr-1" },
      { type: "OFFERED", allocation: { ...allocation, transferId: "tr-2" } },
      { type: "ADMITTED", transferId: "tr-2" },
      { type: "TESTED", test: { sampledAt: "2022-04-15T00:00:00Z", nGeneCt: 36, orfGeneCt: 37 } },
      { type: "DISCHARGED", facilityId: "FC-1", outcome: "recovered" },
    ];
    let a = newPatient(context);
    let b = newPatient(context);
    for (const event of steps) {
      const [nextA, actionsA] = transition(patientMachine, a, event);
      const [nextB, actionsB] = transitionPatient(b, event);
      expect(stateOf(nextB)).toBe(stateOf(nextA));
      expect(nextB.context).toEqual(nextA.context);
      expect(actionsB.map((x) => [x.type, x.params])).toEqual(actionsA.map((x) => [x.type, x.params]));
      a = nextA;
      b = nextB;
    }
    expect(stateOf(b)).toBe("closed");
  });

  it("starts every patient where xstate's initialTransition does, with that patient's context", async () => {
    const { initialPatient } = await import("./patient-transition.ts");
    for (const c of [context, { ...context, caseId: "SH-2", appliedOps: ["op-9"] }]) {
      const [expected] = initialTransition(patientMachine, c);
      expect(fields(initialPatient(c))).toEqual(fields(expected));
      expect(initialPatient(c).context).toBe(c);
    }
  });

  it("gives a snapshot another context exactly as resolveState does, in every state", async () => {
    const { withContext } = await import("./patient-transition.ts");
    const other = { ...context, appliedOps: ["op-2"] };
    const states = [
      given(),
      given({ type: "WAITLISTED" }),
      given({ type: "PLACED", allocation }),
      given({ type: "PLACED", allocation }, { type: "ADMITTED", transferId: "tr-1" }),
      given({ type: "PLACED", allocation }, { type: "WITHDRAWN", reason: "moved away" }),
    ];
    for (const snapshot of states) {
      const expected = patientMachine.resolveState({ value: snapshot.value, context: other });
      expect(fields(withContext(snapshot, other))).toEqual(fields(expected));
    }
    expect(states.map(stateOf)).toEqual(["placing", "waiting", "ordered", "admitted", "closed"]);
  });
});

describe("the flat transition", () => {
  const other = { ...allocation, transferId: "tr-2", facilityId: "FC-2" };
  const negative = (hour: number) => ({ sampledAt: `2022-04-1${hour}T00:00:00.000Z`, nGeneCt: 36, orfGeneCt: 37 });
  const triage = { ...context.triage, priority: 1 };
  const facts = { ...context.facts, severity: "moderate" as const };
  const states: Record<string, PatientSnapshot> = {
    placing: given(),
    waiting: given({ type: "WAITLISTED" }),
    ordered: given({ type: "PLACED", allocation }),
    admitted: given({ type: "PLACED", allocation }, { type: "ADMITTED", transferId: "tr-1" }),
    releaseEligible: given(
      { type: "PLACED", allocation },
      { type: "ADMITTED", transferId: "tr-1" },
      { type: "TESTED", test: negative(2), releaseTests: [negative(1), negative(2)] },
    ),
    closed: given({ type: "WAITLISTED" }, { type: "WITHDRAWN", reason: "false_positive" }),
  };
  const events: PatientEvent[] = [
    { type: "PLACED", allocation },
    { type: "WAITLISTED" },
    { type: "OFFERED", allocation: other },
    ...["tr-1", "tr-2"].flatMap((transferId): PatientEvent[] => [
      { type: "ADMITTED", transferId },
      { type: "REJECTED", transferId },
      { type: "HOLD_EXPIRED", transferId },
    ]),
    ...[true, false].flatMap((currentBedServes) =>
      [true, false].map(
        (triageChanged): PatientEvent => ({
          type: "RECLASSIFIED",
          facts,
          triage,
          currentBedServes,
          triageChanged,
        }),
      ),
    ),
    { type: "TESTED", test: negative(3) },
    { type: "TESTED", test: negative(3), releaseTests: [negative(2), negative(3)] },
    { type: "WITHDRAWN", reason: "false_positive" },
    { type: "DISCHARGED", facilityId: "FC-1", outcome: "recovered" },
    { type: "DISCHARGED", facilityId: "FC-2", outcome: "recovered" },
  ];
  const emitted = (actions: { type: string; params?: unknown }[]) => actions.map((a) => [a.type, a.params]);

  it.each(Object.keys(states))("in %s, gives for every event exactly what xstate's transition gives", async (state) => {
    const { patientCan, transitionPatient } = await import("./patient-transition.ts");
    const { flatTransition } = await import("./flat-transition.ts");
    const snapshot = states[state] as PatientSnapshot;
    expect(stateOf(snapshot)).toBe(state);
    // xstate makes the first step into the final state; the flat way copies its shape after.
    transitionPatient(states.waiting as PatientSnapshot, { type: "WITHDRAWN", reason: "false_positive" });
    for (const event of events) {
      const [expected, expectedActions] = transition(patientMachine, snapshot, event);
      const [next, actions] = transitionPatient(snapshot, event);
      expect(fields(next)).toEqual(fields(expected));
      expect(emitted(actions)).toEqual(emitted(expectedActions));
      // Every step the machine takes, from an open state, takes the flat way.
      const flat = flatTransition(snapshot, event, { self: undefined, system: undefined } as never);
      const accepted = snapshot.can(event);
      expect(flat !== undefined).toBe(accepted);
      expect(patientCan(snapshot, event)).toBe(accepted);
    }
  });
});
