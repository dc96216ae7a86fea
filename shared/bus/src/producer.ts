// Produces contract events in CloudEvents binary mode. Idempotent (no duplicates from the
// producer's own retries), acks from all in-sync replicas, one request per call.
import { type AnyCloudEvent, toKafkaMessage } from "@fangcang/contracts";
import { CompressionTypes, type Kafka, Partitioners, type Producer } from "kafkajs";

/**
 * Kept under the broker's default message.max.bytes (1 MiB), which bounds one partition's
 * record batch: a request never carries more than this in all.
 */
const MAX_REQUEST_BYTES = 512 * 1024;
const HEADER_BYTES_ESTIMATE = 200;

export interface RawOutbound {
  key: string | Buffer | null;
  value: string | Buffer | null;
  headers?: Record<string, string | Buffer>;
}

export class EventProducer {
  private readonly kafka: Kafka;
  private producer: Producer;

  constructor(kafka: Kafka) {
    this.kafka = kafka;
    this.producer = EventProducer.create(kafka);
  }

  private static create(kafka: Kafka): Producer {
    // An idempotent producer keeps retrying (with capped backoff) rather than give up and
    // reorder: while the broker is away, the service stays not-ready instead of losing output.
    return kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      // murmur2 on the key, as the Java client: every producer puts a case on the same partition.
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
      retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 30_000 },
    });
  }

  /**
   * After a refused request an idempotent producer's sequence numbers no longer match the
   * broker's, and every later send fails: start a fresh producer (a new producer id).
   */
  private async request<T>(send: (producer: Producer) => Promise<T>): Promise<T> {
    try {
      return await send(this.producer);
    } catch (error) {
      const broken = this.producer;
      this.producer = EventProducer.create(this.kafka);
      await broken.disconnect().catch(() => {});
      await this.producer.connect();
      throw error;
    }
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  /**
   * Sends events in order, in as few requests as the broker's record-batch limit allows;
   * resolves when every one is acknowledged.
   */
  async send(batches: { topic: string; events: AnyCloudEvent[] }[]): Promise<void> {
    let request: { topic: string; messages: ReturnType<typeof toKafkaMessage>[] }[] = [];
    let bytes = 0;
    const flush = async () => {
      if (request.length === 0) return;
      const topicMessages = request;
      await this.request((p) => p.sendBatch({ topicMessages, acks: -1, compression: CompressionTypes.None }));
      request = [];
      bytes = 0;
    };
    for (const { topic, events } of batches) {
      let current: { topic: string; messages: ReturnType<typeof toKafkaMessage>[] } | undefined;
      for (const event of events) {
        const message = toKafkaMessage(event);
        const size = message.value.length + message.key.length + HEADER_BYTES_ESTIMATE;
        if (bytes + size > MAX_REQUEST_BYTES) {
          await flush();
          current = undefined;
        }
        if (current === undefined) {
          current = { topic, messages: [] };
          request.push(current);
        }
        current.messages.push(message);
        bytes += size;
      }
    }
    await flush();
  }

  /** Sends messages that are not contract events (dead letters, deliberately malformed test input). */
  async sendRaw(topic: string, messages: RawOutbound[]): Promise<void> {
    let chunk: RawOutbound[] = [];
    let bytes = 0;
    const flush = async () => {
      if (chunk.length === 0) return;
      const batch = chunk;
      await this.request((p) => p.send({ topic, messages: batch, acks: -1 }));
      chunk = [];
      bytes = 0;
    };
    for (const message of messages) {
      const size = (message.value?.length ?? 0) + (message.key?.length ?? 0) + HEADER_BYTES_ESTIMATE;
      if (bytes + size > MAX_REQUEST_BYTES) await flush();
      chunk.push(message);
      bytes += size;
    }
    await flush();
  }
}
