// Patients' machine snapshots in Redis, next to (but not inside) the ledger's keys.
import type { PatientStore } from "@fangcang/allocation";
import { type PatientSnapshot, persistPatient, restorePatient } from "@fangcang/patient";
import type { Redis } from "ioredis";

export class RedisPatientStore implements PatientStore {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(redis: Redis, namespace: string) {
    this.redis = redis;
    this.prefix = `${namespace}:{patients}:`;
  }

  async get(caseId: string): Promise<PatientSnapshot | undefined> {
    const json = await this.redis.get(this.prefix + caseId);
    return json === null ? undefined : restorePatient(json);
  }

  async putMany(patients: PatientSnapshot[]): Promise<void> {
    if (patients.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const patient of patients) pipeline.set(this.prefix + patient.context.caseId, persistPatient(patient));
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([error]) => error !== null);
    if (failed) throw failed[0];
  }
}
