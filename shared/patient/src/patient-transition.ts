// The patient machine's pure transition, without xstate's per-call cost: `transition()`
// from xstate builds a throwaway actor for every call, the largest per-case cost measured
// here. The machine has no children, timers or invocations, so one inert actor scope can
// serve every call; only the list its action executor fills is per call.
import { type ActorScope, createActor, type ExecutableActionsFrom } from "xstate";
import { flatCan, flatTransition, rememberFinal, shapeOf } from "./flat-transition.ts";
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
  const flat = flatTransition(snapshot, event, scope);
  if (flat !== undefined) return flat as [PatientSnapshot, Actions];
  collected = [];
  const next = patientMachine.transition(snapshot, event, scope as never);
  const actions = collected;
  collected = [];
  rememberFinal(next);
  return [next, actions];
}

/** Whether the patient's machine takes the event; same answer as `snapshot.can(event)`. */
export function patientCan(snapshot: PatientSnapshot, event: PatientEvent): boolean {
  return flatCan(snapshot, event) ?? snapshot.can(event);
}

/**
 * Every first snapshot is the same but for its context (`placing` has no entry actions and
 * the context is the input as given), so xstate works it out once and each new patient
 * takes a copy with its own context.
 */
const initial = patientMachine.getInitialSnapshot(scope as never, placeholder);
collected = [];

/** A new patient's first snapshot; same result as xstate's `initialTransition`. */
export function initialPatient(context: PatientContext): PatientSnapshot {
  return withContext(initial, context);
}

/**
 * The same state with another context; same result as `patientMachine.resolveState` (a
 * snapshot is a plain object and its state nodes, value and tags follow from the state
 * alone), without working the state nodes out again from the value.
 */
export function withContext(snapshot: PatientSnapshot, context: PatientContext): PatientSnapshot {
  // A step into a final state lists its state nodes in another order than resolveState does.
  if (snapshot.status !== "active") {
    if (typeof snapshot.value !== "string") return patientMachine.resolveState({ value: snapshot.value, context });
    return { ...shapeOf(snapshot.value, context), context };
  }
  return { ...snapshot, context };
}
