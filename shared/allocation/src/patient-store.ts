// Where patients' machine snapshots live between their events.
import { type PatientSnapshot, persistPatient, restorePatient } from "@fangcang/patient";

export interface PatientStore {
  get(caseId: string): Promise<PatientSnapshot | undefined>;
  /** Stores several patients; durable when the promise resolves. */
  putMany(patients: PatientSnapshot[]): Promise<void>;
  /**
   * Reads several patients in one round trip, for a batch about to ask for each: restoring
   * one (which may find it corrupt) waits until it is asked for, as `get` would.
   */
  readMany?(caseIds: string[]): Promise<Map<string, StoredPatient>>;
}

/** A patient read ahead, restored (or found corrupt) when called. */
export type StoredPatient = () => PatientSnapshot | undefined;

/** Keeps the stored form, as Redis does, so a test or replay sees the same validation. */
export class MemoryPatientStore implements PatientStore {
  private readonly stored = new Map<string, string>();

  async get(caseId: string): Promise<PatientSnapshot | undefined> {
    const json = this.stored.get(caseId);
    return json === undefined ? undefined : restorePatient(json);
  }

  async putMany(patients: PatientSnapshot[]): Promise<void> {
    for (const patient of patients) this.stored.set(patient.context.caseId, persistPatient(patient));
  }

  async readMany(caseIds: string[]): Promise<Map<string, StoredPatient>> {
    return new Map(
      caseIds.map((caseId) => {
        const json = this.stored.get(caseId);
        return [caseId, () => (json === undefined ? undefined : restorePatient(json))];
      }),
    );
  }

  /** Replaces a patient's stored form as it is (a test of what a damaged store does). */
  putStored(caseId: string, json: string): void {
    this.stored.set(caseId, json);
  }

  get size(): number {
    return this.stored.size;
  }
}

/**
 * Keeps the snapshots themselves (they are never changed in place): for replays of a log the
 * service already validated, where serializing every patient would be most of the work.
 */
export class LivePatientStore implements PatientStore {
  private readonly patients = new Map<string, PatientSnapshot>();

  async get(caseId: string): Promise<PatientSnapshot | undefined> {
    return this.patients.get(caseId);
  }

  async putMany(patients: PatientSnapshot[]): Promise<void> {
    for (const patient of patients) this.patients.set(patient.context.caseId, patient);
  }
}

/**
 * Holds a batch's patient changes in memory until `flush`: the worker produces a batch's
 * outputs first and stores its patients after, so a crash in between replays the batch
 * from the old snapshots and re-emits the same outputs (see docs/decisions/).
 */
export class BatchedPatientStore implements PatientStore {
  private readonly inner: PatientStore;
  private readonly pending = new Map<string, PatientSnapshot>();
  private ahead = new Map<string, StoredPatient>();

  constructor(inner: PatientStore) {
    this.inner = inner;
  }

  /** Reads the batch's patients at once, when the store can; `get` then needs no round trip. */
  async readAhead(caseIds: string[]): Promise<void> {
    if (this.inner.readMany && caseIds.length > 0) this.ahead = await this.inner.readMany(caseIds);
  }

  async get(caseId: string): Promise<PatientSnapshot | undefined> {
    const changed = this.pending.get(caseId);
    if (changed !== undefined) return changed;
    const stored = this.ahead.get(caseId);
    return stored === undefined ? this.inner.get(caseId) : stored();
  }

  async putMany(patients: PatientSnapshot[]): Promise<void> {
    for (const patient of patients) this.pending.set(patient.context.caseId, patient);
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    await this.inner.putMany([...this.pending.values()]);
    this.pending.clear();
  }

  /** Forgets unflushed changes (after a failed batch, which will be delivered again). */
  discard(): void {
    this.pending.clear();
  }
}
