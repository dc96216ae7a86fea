// The ceiling the allocator is measured against: the same consumer and producer the allocator
// uses (shared/bus: eachBatch, commit after produce, idempotent producer with acks=all), on
// the same topics and partitions, with no logic between them. Every input is copied, key,
// value and headers, to the transfers topic.

import { loadAllocatorConfig } from "@fangcang/allocator";
import { BatchConsumer, createKafka, EventProducer, type RawOutbound } from "@fangcang/bus";
import { topicNames } from "@fangcang/contracts";

// The allocator's own settings and defaults, so the pipe batches exactly as it does.
const env = loadAllocatorConfig();
const topics = topicNames(env.FANGCANG_TOPIC_PREFIX);
const kafka = createKafka({ brokers: env.KAFKA_BROKERS, clientId: "fangcang-bare-pipe" });
const producer = new EventProducer(kafka);
const consumer = new BatchConsumer(kafka, {
  groupId: env.FANGCANG_GROUP_ID,
  topics: [topics.facilities, topics.cases],
  partitionsConsumedConcurrently: env.FANGCANG_CONCURRENT_PARTITIONS,
  maxBytesPerPartition: env.FANGCANG_MAX_BATCH_BYTES,
  sessionTimeoutMs: env.FANGCANG_SESSION_TIMEOUT_MS,
  onCrash: () => process.exit(1),
});

await producer.connect();
await consumer.start(async (messages) => {
  const copies: RawOutbound[] = messages.map((m) => {
    const headers: Record<string, string | Buffer> = {};
    for (const [name, value] of Object.entries(m.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? (value[value.length - 1] as Buffer) : value;
    }
    return { key: m.key, value: m.value, headers };
  });
  await producer.sendRaw(topics.transfers, copies);
  return messages.length;
});
process.stdout.write(`${JSON.stringify({ message: "bare-pipe started", pid: process.pid })}\n`);
process.on("SIGTERM", () => {
  void consumer
    .stop()
    .then(() => producer.disconnect())
    .then(() => process.exit(0));
});
