// Follows topics from their beginning and keeps every message, decoded where it is a
// contract event: for consoles, the demo and tests that assert on what a service wrote.
import { type AnyCloudEvent, fromKafkaMessage } from "@fangcang/contracts";
import type { Consumer } from "kafkajs";
import { createKafka } from "./kafka-client.ts";

export interface ReadMessage {
  topic: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  /** The decoded contract event, when the message is one. */
  event?: AnyCloudEvent;
}

export class TopicReader {
  readonly messages: ReadMessage[] = [];
  private readonly consumer: Consumer;

  private constructor(consumer: Consumer) {
    this.consumer = consumer;
  }

  /** Starts reading; each reader is its own consumer group, so it sees everything. */
  static async start(brokers: string[], topics: string[], clientId = "fangcang-reader"): Promise<TopicReader> {
    const kafka = createKafka({ brokers, clientId });
    const consumer = kafka.consumer({ groupId: `${clientId}-${process.pid}-${Math.random().toString(36).slice(2)}` });
    const reader = new TopicReader(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const decoded = fromKafkaMessage({ key: message.key, value: message.value, headers: message.headers ?? {} });
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
        reader.messages.push({
          topic,
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? null,
          headers,
          ...(decoded.ok ? { event: decoded.event } : {}),
        });
      },
    });
    return reader;
  }

  events(topic?: string): AnyCloudEvent[] {
    return this.messages
      .filter((m) => topic === undefined || m.topic === topic)
      .flatMap((m) => (m.event ? [m.event] : []));
  }

  /** Waits until `ready` holds for what has arrived, or fails listing what did arrive. */
  async waitUntil(ready: (reader: TopicReader) => boolean, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ready(this)) {
      if (Date.now() > deadline) {
        const seen = this.messages.slice(-50).map((m) => `${m.topic} ${m.event?.type ?? m.value?.slice(0, 120)}`);
        throw new Error(
          `timed out after ${timeoutMs} ms; ${this.messages.length} messages seen, the last:\n${seen.join("\n")}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }
}
