// Wires the allocator service together: Redis ledger and case store, the allocation core,
// Kafka consumer and producer, health endpoints. `main.ts` runs it as a process; tests and
// the demo run it in-process.
import type { AddressInfo } from "node:net";
import { AllocationCore, type PatientStore } from "@fangcang/allocation";
import { BatchConsumer, BrokerProbe, createKafka, EventProducer } from "@fangcang/bus";
import { kafkaSecurity, redisTls } from "@fangcang/config";
import { topicNames } from "@fangcang/contracts";
import { RedisLedger } from "@fangcang/ledger";
import { policyByVersion } from "@fangcang/triage";
import { Redis } from "ioredis";
import type { AllocatorConfig } from "./config.ts";
import { startHealthServer } from "./health-server.ts";
import { RedisPatientStore } from "./redis-patient-store.ts";
import { AllocatorWorker } from "./worker.ts";

export interface RunningAllocator {
  worker: AllocatorWorker;
  healthPort: number;
  stop(): Promise<void>;
}

export type AllocatorLog = (message: string, fields?: Record<string, unknown>) => void;

export async function startAllocator(
  config: AllocatorConfig,
  onFatal: (error: Error) => void = () => {},
  log: AllocatorLog = () => {},
): Promise<RunningAllocator> {
  const policy = policyByVersion(config.FANGCANG_POLICY_VERSION);
  const topics = topicNames(config.FANGCANG_TOPIC_PREFIX);
  // Commands wait while Redis is away (maxRetriesPerRequest: null) instead of failing the
  // batch; the consumer is paused meanwhile, and readiness says so.
  const redis = new Redis(config.REDIS_URL, {
    maxRetriesPerRequest: null,
    enableAutoPipelining: true,
    ...redisTls(config.security, config.REDIS_URL),
  });
  const ledger = new RedisLedger(redis, config.FANGCANG_REDIS_NAMESPACE);
  const patients = new RedisPatientStore(redis, config.FANGCANG_REDIS_NAMESPACE);
  const expiryWatch = { nextDue: Number.NEGATIVE_INFINITY };
  const coreFor = (batchPatients: PatientStore) =>
    new AllocationCore({ ledger, patients: batchPatients, policy, source: config.FANGCANG_SOURCE, expiryWatch });
  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: "fangcang-allocator",
    ...kafkaSecurity(config.security),
  });
  const producer = new EventProducer(kafka);
  const worker = new AllocatorWorker({
    coreFor,
    patients,
    producer,
    topics,
    maxEventBytes: config.FANGCANG_MAX_EVENT_BYTES,
    source: config.FANGCANG_SOURCE,
  });
  const consumer = new BatchConsumer(kafka, {
    groupId: config.FANGCANG_GROUP_ID,
    topics: [topics.facilities, topics.cases],
    partitionsConsumedConcurrently: config.FANGCANG_CONCURRENT_PARTITIONS,
    sessionTimeoutMs: config.FANGCANG_SESSION_TIMEOUT_MS,
    maxBytesPerPartition: config.FANGCANG_MAX_BATCH_BYTES,
    onCrash: onFatal,
  });
  // Asks the brokers directly: the consumer and producer retry through an outage silently.
  const broker = new BrokerProbe({
    brokers: config.KAFKA_BROKERS,
    clientId: "fangcang-allocator-probe",
    ...kafkaSecurity(config.security),
  });
  let consuming = false;
  let stopping = false;
  /** Why the allocator cannot do its work right now; empty when it can. */
  const problems = (): string[] => [
    ...(stopping ? ["stopping"] : consuming ? [] : ["not consuming yet"]),
    ...(broker.state.reachable ? [] : [`broker unreachable: ${broker.state.error}`]),
    ...(consumer.state === "member" ? [] : [`consumer ${consumer.state}`]),
    ...(redis.status === "ready" ? [] : [`redis ${redis.status}`]),
    ...(worker.lastError === undefined ? [] : [`last batch failed: ${worker.lastError.message}`]),
  ];
  const health = await startHealthServer(config.FANGCANG_HTTP_PORT, {
    live: () => true,
    ready: () => problems().length === 0,
    details: () => ({
      problems: problems(),
      broker: broker.state,
      consumer: consumer.state,
      redis: redis.status,
      consuming,
      stopping,
      lastError: worker.lastError?.message ?? null,
      ...worker.stats,
    }),
  });
  try {
    await broker.start();
    await producer.connect();
    await consumer.start(worker.handleBatch);
  } catch (error) {
    // Nothing half-started is left behind (the health server, the probe, Redis).
    await broker.stop();
    await producer.disconnect().catch(() => {});
    redis.disconnect();
    await new Promise((resolve) => health.close(resolve));
    throw error;
  }
  consuming = true;
  // ioredis reports every failed reconnect; the state changes below are what operators need.
  redis.on("error", () => {});
  redis.on("close", () => {
    if (!consuming) return;
    consumer.pause();
    log("redis connection lost; consumer paused", { redis: redis.status });
  });
  redis.on("ready", () => {
    if (!consuming) return;
    consumer.resume();
    log("redis connection ready; consumer resumed");
  });
  return {
    worker,
    healthPort: (health.address() as AddressInfo).port,
    async stop() {
      // Not ready from here on; the health server answers until everything else is closed.
      stopping = true;
      consuming = false;
      await consumer.stop();
      await producer.disconnect();
      await broker.stop();
      await redis.quit();
      await new Promise((resolve) => health.close(resolve));
    },
  };
}
