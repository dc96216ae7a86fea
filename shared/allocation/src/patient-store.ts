// Where patients' machine snapshots live between their events.
import { type PatientSnapshot, persistPatient, restorePatient } from "@fangcang/patient";

export interface PatientStore {
  get(caseId: string): Promise<PatientSnapshot | undefined>;
  /** Stores several patients; durable when the promise resolves. */
  putMany(patients: PatientSnapshot[]): Promise<void>;
}

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

  constructor(inner: PatientStore) {
    this.inner = inner;
  }

  async get(caseId: string): Promise<PatientSnapshot | undefined> {
    return this.pending.get(caseId) ?? this.inner.get(caseId);
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
