// The patient machine's pure transition, without xstate's per-call cost: `transition()`
// from xstate builds a throwaway actor for every call, the largest per-case cost measured
// here. The machine has no children, timers or invocations, so one inert actor scope can
// serve every call; only the list its action executor fills is per call.
import { type ActorScope, createActor, type ExecutableActionsFrom } from "xstate";
import { patientMachine } from "./patient-machine.ts";
import type { PatientSnapshot } from "./patient-snapshot.ts";
import type { PatientContext, PatientEvent } from "./patient-types.ts";

type Actions = ExecutableActionsFrom<typeof patientMachine>[];

let collected: Actions = [];

const placeholder = { caseId: "", appliedOps: [] } as unknown as PatientContext;
const self = createActor(patientMachine, { input: placeholder });

const scope = {
  self,
  defer: () => {},
  id: "",
  logger: () => {},
  sessionId: "",
  stopChild: () => {},
  system: self.system,
  emit: () => {},
  actionExecutor: (action: Actions[number]) => {
    collected.push(action);
  },
} as unknown as ActorScope<PatientSnapshot, PatientEvent>;

/** The next snapshot and the actions to carry out; same result as xstate's `transition`. */
export function transitionPatient(snapshot: PatientSnapshot, event: PatientEvent): [PatientSnapshot, Actions] {
  collected = [];
  const next = patientMachine.transition(snapshot, event, scope as never);
  const actions = collected;
  collected = [];
  return [next, actions];
}

/** A new patient's first snapshot; same result as xstate's `initialTransition`. */
export function initialPatient(context: PatientContext): PatientSnapshot {
  collected = [];
  const snapshot = patientMachine.getInitialSnapshot(scope as never, context);
  collected = [];
  return snapshot;
}
