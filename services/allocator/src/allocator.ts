// Wires the allocator service together: Redis ledger and case store, the allocation core,
// Kafka consumer and producer, health endpoints. `main.ts` runs it as a process; tests and
// the demo run it in-process.
import type { AddressInfo } from "node:net";
import { AllocationCore, BatchedPatientStore } from "@fangcang/allocation";
import { BatchConsumer, createKafka, EventProducer } from "@fangcang/bus";
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

export async function startAllocator(
  config: AllocatorConfig,
  onFatal: (error: Error) => void = () => {},
): Promise<RunningAllocator> {
  const policy = policyByVersion(config.FANGCANG_POLICY_VERSION);
  const topics = topicNames(config.FANGCANG_TOPIC_PREFIX);
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null, enableAutoPipelining: true });
  const ledger = new RedisLedger(redis, config.FANGCANG_REDIS_NAMESPACE);
  const patients = new BatchedPatientStore(new RedisPatientStore(redis, config.FANGCANG_REDIS_NAMESPACE));
  const core = new AllocationCore({ ledger, patients, policy, source: config.FANGCANG_SOURCE });
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: "fangcang-allocator" });
  const producer = new EventProducer(kafka);
  const worker = new AllocatorWorker({
    core,
    patients,
    producer,
    topics,
    maxEventBytes: config.FANGCANG_MAX_EVENT_BYTES,
  });
  const consumer = new BatchConsumer(kafka, {
    groupId: config.FANGCANG_GROUP_ID,
    topics: [topics.facilities, topics.cases],
    onCrash: onFatal,
  });
  let consuming = false;
  const health = await startHealthServer(config.FANGCANG_HTTP_PORT, {
    live: () => true,
    ready: () => consuming && redis.status === "ready",
    details: () => ({ redis: redis.status, consuming, ...worker.stats }),
  });
  await producer.connect();
  await consumer.start(worker.handleBatch);
  consuming = true;
  return {
    worker,
    healthPort: (health.address() as AddressInfo).port,
    async stop() {
      consuming = false;
      await consumer.stop();
      await producer.disconnect();
      await redis.quit();
      await new Promise((resolve) => health.close(resolve));
    },
  };
}
