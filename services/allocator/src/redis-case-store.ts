// Case records in Redis, next to (but not inside) the ledger's keys.
import { type CaseRecord, type CaseStore, decodeCaseRecord, encodeCaseRecord } from "@fangcang/allocation";
import type { Redis } from "ioredis";

export class RedisCaseStore implements CaseStore {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(redis: Redis, namespace: string) {
    this.redis = redis;
    this.prefix = `${namespace}:{cases}:`;
  }

  async get(caseId: string): Promise<CaseRecord | undefined> {
    const json = await this.redis.get(this.prefix + caseId);
    return json === null ? undefined : decodeCaseRecord(json);
  }

  async put(record: CaseRecord): Promise<void> {
    await this.redis.set(this.prefix + record.caseId, encodeCaseRecord(record));
  }
}
