// The patient machine's transitions taken straight from its xstate definition, for a flat
// machine: atomic states under a root, no entry or exit actions, no eventless or delayed
// transitions, no invocations. There a step is only: the first candidate transition whose
// guard passes, its actions in order (an assign updates the context as xstate's assign
// does, any other action is handed to the executor with its params), then the target
// state's snapshot with the new context. xstate's general algorithm (exit and entry sets,
// eventless transitions, a new snapshot per assign) costs several times that and most of
// a replay's garbage. Whatever this does not cover is left to xstate: `undefined`.
// patient-machine.unit.spec.ts checks it against xstate's `transition` in every state.
import type { ActorScope, AnyStateNode } from "xstate";
import { patientMachine } from "./patient-machine.ts";
import type { PatientSnapshot } from "./patient-snapshot.ts";
import type { PatientContext, PatientEvent } from "./patient-types.ts";

interface Candidate {
  guard?: unknown;
  target?: readonly AnyStateNode[];
  actions: readonly unknown[];
}

type Implementation = ((...args: unknown[]) => unknown) & { type?: string; assignment?: unknown; resolve?: unknown };

/** An action as the executor receives it (xstate's ExecutableAction). */
export interface ExecutedAction {
  type: string;
  info: { context: PatientContext; event: PatientEvent; self: unknown; system: unknown };
  params: unknown;
  exec: unknown;
}

const root = patientMachine.root;
const guards = patientMachine.implementations.guards as Record<string, unknown>;
const actions = patientMachine.implementations.actions as Record<string, Implementation | undefined>;

const plain = (node: AnyStateNode) =>
  node.entry.length === 0 &&
  node.exit.length === 0 &&
  node.invoke.length === 0 &&
  node.after.length === 0 &&
  node.always === undefined;
const isFlat =
  plain(root) &&
  root.transitions.size === 0 &&
  Object.values(root.states).every((node) => plain(node) && Object.keys(node.states).length === 0);

/** Each state's snapshot but for its context, as xstate's resolveState makes it (lazily). */
const shapes = new Map<string, PatientSnapshot>();
export function shapeOf(state: string, context: PatientContext): PatientSnapshot {
  let shape = shapes.get(state);
  if (shape === undefined) {
    shape = patientMachine.resolveState({ value: state as PatientSnapshot["value"], context });
    shapes.set(state, shape);
  }
  return shape;
}

function passes(guard: unknown, context: PatientContext, event: PatientEvent): boolean | undefined {
  if (guard === undefined) return true;
  const check = typeof guard === "string" ? guards[guard] : undefined;
  if (typeof check !== "function" || "check" in check) return undefined;
  return Boolean(check({ context, event }, undefined));
}

/**
 * Whether the machine takes the event (xstate's `snapshot.can`: a transition whose guard
 * passes, with a target or actions), or undefined where only xstate can tell. `can` walks
 * xstate's transition data, which costs as much as a step.
 */
export function flatCan(snapshot: PatientSnapshot, event: PatientEvent): boolean | undefined {
  if (!isFlat || snapshot.status !== "active" || typeof snapshot.value !== "string") return undefined;
  const candidates = root.states[snapshot.value]?.transitions.get(event.type) as readonly Candidate[] | undefined;
  if (candidates === undefined) return undefined;
  for (const candidate of candidates) {
    const pass = passes(candidate.guard, snapshot.context, event);
    if (pass === undefined) return undefined;
    if (pass) return candidate.target !== undefined || candidate.actions.length > 0;
  }
  return false;
}

/**
 * The snapshot a step into a final state makes, but for its context, by state: it differs
 * from resolveState's (the order of its state nodes), so it is taken from xstate's own
 * first such step (see rememberFinal). Until then such steps are left to xstate.
 */
const finals = new Map<string, PatientSnapshot>();

/**
 * Keeps the shape of a snapshot xstate made by stepping into a final state of the root. All
 * but its context follows from the state alone: the machine has no output, history states,
 * children or exit actions.
 */
export function rememberFinal(snapshot: PatientSnapshot): void {
  if (!isFlat || root.output !== undefined || snapshot.status !== "done" || typeof snapshot.value !== "string") return;
  const node = root.states[snapshot.value];
  if (node?.type === "final" && !finals.has(snapshot.value)) finals.set(snapshot.value, snapshot);
}

/** The next snapshot and executed actions, or undefined where only xstate's algorithm will do. */
export function flatTransition(
  snapshot: PatientSnapshot,
  event: PatientEvent,
  scope: ActorScope<PatientSnapshot, PatientEvent>,
): [PatientSnapshot, ExecutedAction[]] | undefined {
  if (!isFlat || snapshot.status !== "active" || typeof snapshot.value !== "string") return undefined;
  const candidates = root.states[snapshot.value]?.transitions.get(event.type) as readonly Candidate[] | undefined;
  if (candidates === undefined) return undefined;
  let context = snapshot.context;
  let chosen: Candidate | undefined;
  for (const candidate of candidates) {
    const pass = passes(candidate.guard, context, event);
    if (pass === undefined) return undefined;
    if (pass) {
      chosen = candidate;
      break;
    }
  }
  if (chosen === undefined || (chosen.target !== undefined && chosen.target.length !== 1)) return undefined;
  const target = chosen.target?.[0];
  const final = target?.type === "final" ? finals.get(target.key) : undefined;
  if (target !== undefined && target.parent !== root) return undefined;
  if (target !== undefined && target.type !== "atomic" && final === undefined) return undefined;

  const executed: ExecutedAction[] = [];
  for (const action of chosen.actions) {
    const type = typeof action === "string" ? action : (action as { type?: unknown }).type;
    const implementation = typeof type === "string" ? actions[type] : undefined;
    if (typeof implementation !== "function") return undefined;
    const declared = typeof action === "object" && action !== null && "params" in action ? action.params : undefined;
    const params = typeof declared === "function" ? declared({ context, event }) : declared;
    const info = { context, event, self: scope.self, system: scope.system };
    if (!("resolve" in implementation)) {
      executed.push({ type: type as string, info, params, exec: implementation });
    } else if (implementation.type === "xstate.assign") {
      const assignment = implementation.assignment;
      const args = { context, event, self: scope.self, system: scope.system };
      let update: Record<string, unknown>;
      if (typeof assignment === "function") {
        update = assignment(args, params);
      } else {
        update = {};
        for (const [key, value] of Object.entries(assignment as Record<string, unknown>)) {
          update[key] = typeof value === "function" ? value(args, params) : value;
        }
      }
      context = Object.assign({}, context, update);
    } else {
      return undefined;
    }
  }
  const shape = final ?? shapeOf(target?.key ?? snapshot.value, context);
  return [{ ...shape, context }, executed];
}
