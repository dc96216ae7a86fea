// Produces contract events in CloudEvents binary mode. Idempotent (no duplicates from the
// producer's own retries), acks from all in-sync replicas, one request per call.
import { type AnyCloudEvent, toKafkaMessage } from "@fangcang/contracts";
import { CompressionTypes, type Kafka, Partitioners, type Producer } from "kafkajs";

export interface RawOutbound {
  key: string | Buffer | null;
  value: string | Buffer | null;
  headers?: Record<string, string | Buffer>;
}

export class EventProducer {
  private readonly producer: Producer;

  constructor(kafka: Kafka) {
    // An idempotent producer keeps retrying (with capped backoff) rather than give up and
    // reorder: while the broker is away, the service stays not-ready instead of losing output.
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      // murmur2 on the key, as the Java client: every producer puts a case on the same partition.
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
      retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 30_000 },
    });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  /** Sends events grouped by topic in one request; resolves when every one is acknowledged. */
  async send(batches: { topic: string; events: AnyCloudEvent[] }[]): Promise<void> {
    const topicMessages = batches
      .filter((b) => b.events.length > 0)
      .map((b) => ({ topic: b.topic, messages: b.events.map(toKafkaMessage) }));
    if (topicMessages.length === 0) return;
    await this.producer.sendBatch({ topicMessages, acks: -1, compression: CompressionTypes.None });
  }

  /** Sends messages that are not contract events (dead letters, deliberately malformed test input). */
  async sendRaw(topic: string, messages: RawOutbound[]): Promise<void> {
    if (messages.length === 0) return;
    await this.producer.send({ topic, messages, acks: -1 });
  }
}
