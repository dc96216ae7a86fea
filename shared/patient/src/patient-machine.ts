// One patient's lifecycle as an XState machine, used purely: the allocation core calls
// `transition(patientMachine, snapshot, event)` and turns the returned `emit` actions into
// output events, after the ledger has made the effect durable. No invoke, no after:
// timers (hold expiry) arrive as events, so a replay reproduces every step.
//
//   placing ─PLACED─▶ ordered ─ADMITTED─▶ admitted ─TESTED(eligible)─▶ releaseEligible
//      │                │  ▲                 │                               │
//      │   HOLD_EXPIRED │  │ OFFERED         └─────────DISCHARGED────────────┤
//      └─WAITLISTED─▶ waiting ◀┘                                             ▼
//   REJECTED, RECLASSIFIED (bed no longer fits) ─▶ placing             closed (final)
//   WITHDRAWN from any open state ─▶ closed
//
// `placing` is transient: the core sends the ledger's answer (PLACED or WAITLISTED) in the
// same step, so a persisted snapshot is never in it.
import { assign, setup } from "xstate";
import type { Allocation, PatientContext, PatientEvent, TestResult } from "./patient-types.ts";

/** What the machine asks the core to emit, in order; the core adds provenance and ids. */
export type Emission =
  | { output: "transfer.ordered"; allocation: Allocation }
  | { output: "case.waitlisted" }
  | { output: "transfer.cancelled"; transferId: string; reason: string }
  | { output: "case.escalated"; fromFacilityId: string; reason: string }
  | { output: "case.release-eligible"; facilityId: string; tests: [TestResult, TestResult] }
  | { output: "case.closed"; reason: string };

type Ctx = { context: PatientContext; event: PatientEvent };

const allocationOf = (context: PatientContext): Allocation => {
  if (!context.allocation) throw new Error(`case ${context.caseId} has no allocation in this state`);
  return context.allocation;
};

const ordered = ({ context }: Ctx): Emission => ({ output: "transfer.ordered", allocation: allocationOf(context) });
const waitlisted = (): Emission => ({ output: "case.waitlisted" });
const cancelled =
  (reason: string) =>
  ({ context }: Ctx): Emission => ({
    output: "transfer.cancelled",
    transferId: allocationOf(context).transferId,
    reason,
  });
const escalated = ({ context }: Ctx): Emission => ({
  output: "case.escalated",
  fromFacilityId: allocationOf(context).facilityId,
  reason: "worsened beyond what the facility can treat",
});
const releaseEligible = ({ context }: Ctx): Emission => ({
  output: "case.release-eligible",
  facilityId: allocationOf(context).facilityId,
  tests: context.releaseTests as [TestResult, TestResult],
});
const closed = ({ event }: Ctx): Emission => ({
  output: "case.closed",
  reason:
    event.type === "WITHDRAWN" ? `withdrawn: ${event.reason}` : event.type === "DISCHARGED" ? event.outcome : "closed",
});

export const patientMachine = setup({
  types: {
    context: {} as PatientContext,
    events: {} as PatientEvent,
    input: {} as PatientContext,
  },
  actions: {
    // Carried out by the allocation core, which reads `params`; nothing runs here.
    emit: (_, _params: Emission) => {},
    storeAllocation: assign({
      allocation: ({ event }) => (event.type === "PLACED" || event.type === "OFFERED" ? event.allocation : undefined),
    }),
    clearAllocation: assign({ allocation: undefined }),
    storeTriage: assign(({ event, context }) =>
      event.type === "RECLASSIFIED" ? { facts: event.facts, triage: event.triage } : context,
    ),
    storeTest: assign(({ event, context }) =>
      event.type === "TESTED"
        ? { lastTest: event.test, releaseTests: event.releaseTests ?? context.releaseTests }
        : context,
    ),
  },
  guards: {
    isCurrentTransfer: ({ context, event }) =>
      "transferId" in event && context.allocation?.transferId === event.transferId,
    isCurrentFacility: ({ context, event }) =>
      event.type === "DISCHARGED" && context.allocation?.facilityId === event.facilityId,
    currentBedServes: ({ event }) => event.type === "RECLASSIFIED" && event.currentBedServes,
    triageUnchanged: ({ event }) => event.type === "RECLASSIFIED" && !event.triageChanged,
    becameReleaseEligible: ({ event }) => event.type === "TESTED" && event.releaseTests !== undefined,
  },
}).createMachine({
  id: "patient",
  context: ({ input }) => input,
  initial: "placing",
  states: {
    placing: {
      on: {
        PLACED: { target: "ordered", actions: ["storeAllocation", { type: "emit", params: ordered }] },
        WAITLISTED: { target: "waiting", actions: [{ type: "emit", params: waitlisted }] },
      },
    },
    waiting: {
      on: {
        OFFERED: { target: "ordered", actions: ["storeAllocation", { type: "emit", params: ordered }] },
        RECLASSIFIED: [
          { guard: "triageUnchanged", actions: "storeTriage" },
          { target: "placing", actions: "storeTriage" },
        ],
        TESTED: { actions: "storeTest" },
        WITHDRAWN: { target: "closed", actions: [{ type: "emit", params: closed }] },
      },
    },
    ordered: {
      on: {
        ADMITTED: { guard: "isCurrentTransfer", target: "admitted" },
        REJECTED: {
          guard: "isCurrentTransfer",
          target: "placing",
          actions: [{ type: "emit", params: cancelled("rejected by the facility") }, "clearAllocation"],
        },
        HOLD_EXPIRED: {
          guard: "isCurrentTransfer",
          target: "waiting",
          actions: [
            { type: "emit", params: cancelled("hold expired before admission") },
            "clearAllocation",
            { type: "emit", params: waitlisted },
          ],
        },
        RECLASSIFIED: [
          { guard: "currentBedServes", actions: "storeTriage" },
          {
            target: "placing",
            actions: ["storeTriage", { type: "emit", params: cancelled("reclassified") }, "clearAllocation"],
          },
        ],
        TESTED: { actions: "storeTest" },
        WITHDRAWN: {
          target: "closed",
          actions: [
            { type: "emit", params: cancelled("withdrawn") },
            { type: "emit", params: closed },
          ],
        },
      },
    },
    admitted: {
      on: {
        TESTED: [
          {
            guard: "becameReleaseEligible",
            target: "releaseEligible",
            actions: ["storeTest", { type: "emit", params: releaseEligible }],
          },
          { actions: "storeTest" },
        ],
        RECLASSIFIED: [
          { guard: "currentBedServes", actions: "storeTriage" },
          { target: "placing", actions: ["storeTriage", { type: "emit", params: escalated }, "clearAllocation"] },
        ],
        DISCHARGED: { guard: "isCurrentFacility", target: "closed", actions: [{ type: "emit", params: closed }] },
        WITHDRAWN: { target: "closed", actions: [{ type: "emit", params: closed }] },
      },
    },
    releaseEligible: {
      on: {
        TESTED: { actions: "storeTest" },
        RECLASSIFIED: [
          { guard: "currentBedServes", actions: "storeTriage" },
          { target: "placing", actions: ["storeTriage", { type: "emit", params: escalated }, "clearAllocation"] },
        ],
        DISCHARGED: { guard: "isCurrentFacility", target: "closed", actions: [{ type: "emit", params: closed }] },
        WITHDRAWN: { target: "closed", actions: [{ type: "emit", params: closed }] },
      },
    },
    closed: { type: "final" },
  },
});
