// Every measurement gets topics and Redis keys of its own, under one prefix per benchmark
// run, so runs never see each other's events or state; all of them are removed at the end.
import { randomBytes } from "node:crypto";
import { deleteTopics, ensureTopics } from "@fangcang/bus";
import { type Topics, topicNames } from "@fangcang/contracts";
import { Redis } from "ioredis";

export interface BenchInfra {
  brokers: string[];
  redisUrl: string;
  partitions: number;
  /** Start of every topic and key name of the run (a test run's prefix, so its teardown finds them). */
  namePrefix?: string;
}

export interface BenchNamespace {
  /** FANGCANG_TOPIC_PREFIX of the services under test. */
  topicPrefix: string;
  topics: Topics;
  /** FANGCANG_REDIS_NAMESPACE of the services under test. */
  redisNamespace: string;
}

export class Namespaces {
  readonly runId: string;
  private readonly created: BenchNamespace[] = [];
  private readonly infra: BenchInfra;

  constructor(infra: BenchInfra) {
    this.infra = infra;
    this.runId = `${infra.namePrefix ?? ""}bench-${Date.now().toString(36)}${randomBytes(2).toString("hex")}`;
  }

  /**
   * A fresh namespace with its four topics. Topics stamp records with the broker's append
   * time, so input-to-output latency is read from one clock, the broker's.
   */
  async create(label: string): Promise<BenchNamespace> {
    const unique = `${this.runId}-${label}`;
    const ns = { topicPrefix: `${unique}.`, topics: topicNames(`${unique}.`), redisNamespace: unique };
    this.created.push(ns);
    await ensureTopics({
      brokers: this.infra.brokers,
      topics: Object.values(ns.topics),
      partitions: this.infra.partitions,
      clientId: "fangcang-bench",
      configEntries: [{ name: "message.timestamp.type", value: "LogAppendTime" }],
    });
    return ns;
  }

  /**
   * Deletes a namespace's Redis keys now, so big runs do not pile up state. Its topics go at
   * the end: a kafkajs client that has seen a topic stalls refreshing metadata once it is deleted.
   */
  async removeKeys(ns: BenchNamespace): Promise<void> {
    await removeKeys(this.infra.redisUrl, `${ns.redisNamespace}:*`);
  }

  async removeAll(): Promise<void> {
    const topics = this.created.flatMap((ns) => Object.values(ns.topics));
    await deleteTopics({ brokers: this.infra.brokers, topics, clientId: "fangcang-bench" });
    for (const ns of this.created) await removeKeys(this.infra.redisUrl, `${ns.redisNamespace}:*`);
    this.created.length = 0;
  }
}

async function removeKeys(redisUrl: string, pattern: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 5_000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}
