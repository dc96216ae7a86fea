import { randomBytes } from "node:crypto";
import { deleteTopics, listTopics, waitForBroker, waitForCoordinators } from "@fangcang/bus";
import { up, waitForRedis } from "@fangcang/infra";
import { Redis } from "ioredis";
import type { TestProject } from "vitest/node";
import {
  containerRuntimeAnswers,
  type StartedService,
  startKafkaContainer,
  startRedisContainer,
} from "./containers.ts";
import { runPrefix } from "./run-prefix.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** Comma-separated host:port list. */
    kafkaBrokers: string;
    redisUrl: string;
    /** Identifies this run; every topic and Redis key it creates starts with `runPrefix(testRunId)`. */
    testRunId: string;
  }
}

interface Services {
  kafkaBrokers: string[];
  redisUrl: string;
  source: string;
  containers: StartedService[];
}

const reachTimeoutMs = 30_000;

/**
 * Finds a real Kafka and Redis for the integration tests, in this order:
 * 1. KAFKA_BROKERS and REDIS_URL from the environment;
 * 2. containers, when a Docker engine answers;
 * 3. the local processes of infra/ (started if needed and left running for the next run).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString("hex")}`;
  const services = await findServices();
  try {
    await waitForBroker(services.kafkaBrokers, reachTimeoutMs);
    await waitForCoordinators(services.kafkaBrokers, reachTimeoutMs);
    await waitForRedis(services.redisUrl, reachTimeoutMs);
  } catch (error) {
    await Promise.all(services.containers.map((container) => container.stop()));
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Integration tests need a real Kafka and Redis (${services.source}): ${reason}`);
  }
  console.log(`integration: Kafka ${services.kafkaBrokers.join(",")}, Redis ${services.redisUrl} (${services.source})`);
  project.provide("kafkaBrokers", services.kafkaBrokers.join(","));
  project.provide("redisUrl", services.redisUrl);
  project.provide("testRunId", runId);

  return async () => {
    try {
      if (process.env.FANGCANG_KEEP_TEST_DATA !== "1") await removeRunData(services, runPrefix(runId));
    } finally {
      await Promise.all(services.containers.map((container) => container.stop()));
    }
  };
}

async function findServices(): Promise<Services> {
  const { KAFKA_BROKERS: brokersFromEnv, REDIS_URL: redisFromEnv } = process.env;
  if (brokersFromEnv && redisFromEnv) {
    return {
      kafkaBrokers: brokersFromEnv.split(",").map((broker) => broker.trim()),
      redisUrl: redisFromEnv,
      source: "from KAFKA_BROKERS and REDIS_URL",
      containers: [],
    };
  }
  if (await containerRuntimeAnswers(5_000)) {
    const [kafka, redis] = await Promise.all([
      brokersFromEnv ? undefined : startKafkaContainer(),
      redisFromEnv ? undefined : startRedisContainer(),
    ]);
    return {
      kafkaBrokers: kafka ? [kafka.address] : (brokersFromEnv ?? "").split(","),
      redisUrl: redis ? redis.address : (redisFromEnv ?? ""),
      source: "testcontainers",
      containers: [kafka, redis].filter((c): c is StartedService => c !== undefined),
    };
  }
  // infra's `up` honours whichever of KAFKA_BROKERS / REDIS_URL is set.
  const local = await up({ log: (line) => console.log(`infra: ${line}`) });
  return {
    kafkaBrokers: local.kafkaBrokers,
    redisUrl: local.redisUrl,
    source: "local processes from infra/, left running",
    containers: [],
  };
}

/** Deletes the topics and Redis keys this run created, so the broker does not grow run after run. */
async function removeRunData(services: Services, prefix: string): Promise<void> {
  const topics = (await listTopics(services.kafkaBrokers)).filter((topic) => topic.startsWith(prefix));
  await deleteTopics({ brokers: services.kafkaBrokers, topics });
  const redis = new Redis(services.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}
