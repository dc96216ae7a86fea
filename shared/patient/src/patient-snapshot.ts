// Moving a patient between its machine snapshot and its stored form.
import type { SnapshotFrom } from "xstate";
import { patientMachine } from "./patient-machine.ts";
import { initialPatient } from "./patient-transition.ts";
import { PATIENT_SNAPSHOT_VERSION, type PatientContext, PatientState, PersistedPatient } from "./patient-types.ts";

export type PatientSnapshot = SnapshotFrom<typeof patientMachine>;

/** A new patient, in the transient `placing` state. */
export function newPatient(context: PatientContext): PatientSnapshot {
  return initialPatient(context);
}

const states: ReadonlySet<unknown> = new Set(PatientState.options);

/** The patient's state; anything else (a snapshot of another machine) throws as the schema does. */
export function stateOf(snapshot: PatientSnapshot): PatientState {
  // Asked several times per input: a set lookup, where the schema's parse builds a result.
  const value: unknown = snapshot.value;
  return states.has(value) ? (value as PatientState) : PatientState.parse(value);
}

export function persistPatient(snapshot: PatientSnapshot): string {
  const stored: PersistedPatient = {
    version: PATIENT_SNAPSHOT_VERSION,
    state: stateOf(snapshot),
    context: snapshot.context,
  };
  return JSON.stringify(stored);
}

/** A stored patient that is not a valid stored form: a fact about one case, not an outage. */
export class CorruptPatientError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CorruptPatientError";
  }
}

/** Restores a stored patient, refusing anything that is not a valid stored form. */
export function restorePatient(json: string): PatientSnapshot {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw new CorruptPatientError(`stored patient is not JSON: ${(error as Error).message}`);
  }
  const parsed = PersistedPatient.safeParse(raw);
  if (!parsed.success) {
    throw new CorruptPatientError(
      `stored patient is invalid: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  }
  const { state, context } = parsed.data;
  return patientMachine.resolveState({ value: state, context });
}
