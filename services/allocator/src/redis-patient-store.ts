// Patients' machine snapshots in Redis, next to (but not inside) the ledger's keys.
import type { PatientStore, StoredPatient } from "@fangcang/allocation";
import { type PatientSnapshot, persistPatient, restorePatient } from "@fangcang/patient";
import type { Redis } from "ioredis";

/** Keys per MGET or MSET: Redis runs nothing else while one runs, so each is kept short. */
const KEYS_PER_COMMAND = 500;

function restored(json: string | null): PatientSnapshot | undefined {
  return json === null ? undefined : restorePatient(json);
}

export class RedisPatientStore implements PatientStore {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(redis: Redis, namespace: string) {
    this.redis = redis;
    this.prefix = `${namespace}:{patients}:`;
  }

  async get(caseId: string): Promise<PatientSnapshot | undefined> {
    return restored(await this.redis.get(this.prefix + caseId));
  }

  /** One MGET: a batch's patients in one command rather than one GET each. */
  async readMany(caseIds: string[]): Promise<Map<string, StoredPatient>> {
    const unique = [...new Set(caseIds)];
    const found = new Map<string, StoredPatient>();
    for (let start = 0; start < unique.length; start += KEYS_PER_COMMAND) {
      const ids = unique.slice(start, start + KEYS_PER_COMMAND);
      const values = await this.redis.mget(ids.map((id) => this.prefix + id));
      ids.forEach((id, i) => {
        const json = values[i] ?? null;
        found.set(id, () => restored(json));
      });
    }
    return found;
  }

  /** One MSET: atomic, and one command rather than one SET each. */
  async putMany(patients: PatientSnapshot[]): Promise<void> {
    for (let start = 0; start < patients.length; start += KEYS_PER_COMMAND) {
      const pairs: string[] = [];
      for (const patient of patients.slice(start, start + KEYS_PER_COMMAND)) {
        pairs.push(this.prefix + patient.context.caseId, persistPatient(patient));
      }
      await this.redis.mset(pairs);
    }
  }
}
