// Follows topics from the beginning of the log and keeps following, for read models that
// are rebuilt on every start (the console). Each follower is its own consumer group and
// commits nothing, so any number of them can run side by side, each seeing everything.
// "Caught up" means every message that was on the topics when following began is handled.
import { randomBytes } from "node:crypto";
import { type AnyCloudEvent, type DecodeError, fromKafkaMessage } from "@fangcang/contracts";
import type { Consumer, Kafka } from "kafkajs";

export type FollowedMessage =
  | { topic: string; partition: number; offset: string; ok: true; event: AnyCloudEvent }
  | { topic: string; partition: number; offset: string; ok: false; errors: DecodeError[] };

export interface LogFollowerOptions {
  topics: string[];
  /** Prefix of the throwaway consumer group id. */
  clientId: string;
  /** Called with each fetched batch, in offset order per partition. */
  onMessages: (messages: FollowedMessage[]) => void;
  onCrash?: (error: Error) => void;
}

export class LogFollower {
  private readonly consumer: Consumer;
  private readonly options: LogFollowerOptions;
  /** Per "topic/partition": the offset one past the last message present at start. */
  private readonly targets = new Map<string, bigint>();
  private readonly reached = new Map<string, bigint>();
  private caughtUpAt: number | undefined;
  private crashed: Error | undefined;
  messagesRead = 0;

  private constructor(kafka: Kafka, options: LogFollowerOptions) {
    this.options = options;
    this.consumer = kafka.consumer({
      groupId: `${options.clientId}-${process.pid}-${randomBytes(4).toString("hex")}`,
      allowAutoTopicCreation: false,
    });
    this.consumer.on(this.consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload as { error: Error; restart: boolean };
      if (restart) return;
      this.crashed = error;
      options.onCrash?.(error);
    });
  }

  static async start(kafka: Kafka, options: LogFollowerOptions): Promise<LogFollower> {
    const follower = new LogFollower(kafka, options);
    await follower.recordTargets(kafka);
    await follower.run();
    return follower;
  }

  private async recordTargets(kafka: Kafka): Promise<void> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = this.options.topics.filter((topic) => !existing.has(topic));
      if (missing.length > 0) {
        throw new Error(`no such topic on the broker: ${missing.join(", ")} (npm run infra:topics creates them)`);
      }
      for (const topic of this.options.topics) {
        for (const p of await admin.fetchTopicOffsets(topic)) {
          if (BigInt(p.high) <= BigInt(p.low)) continue;
          this.targets.set(`${topic}/${p.partition}`, BigInt(p.high));
          this.reached.set(`${topic}/${p.partition}`, BigInt(p.low));
        }
      }
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    this.checkCaughtUp();
  }

  private async run(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.options.topics, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const messages: FollowedMessage[] = batch.messages.map((m) => {
          const decoded = fromKafkaMessage({ key: m.key, value: m.value, headers: m.headers ?? {} });
          const at = { topic: batch.topic, partition: batch.partition, offset: m.offset };
          return decoded.ok ? { ...at, ok: true, event: decoded.event } : { ...at, ok: false, errors: decoded.errors };
        });
        this.options.onMessages(messages);
        this.messagesRead += messages.length;
        const last = batch.messages.at(-1);
        if (last !== undefined) {
          this.reached.set(`${batch.topic}/${batch.partition}`, BigInt(last.offset) + 1n);
          this.checkCaughtUp();
        }
      },
    });
  }

  private checkCaughtUp(): void {
    if (this.caughtUpAt !== undefined) return;
    for (const [partition, target] of this.targets) {
      if ((this.reached.get(partition) ?? 0n) < target) return;
    }
    this.caughtUpAt = Date.now();
  }

  /** Every message present when following began has been handled, and the consumer runs. */
  caughtUp(): boolean {
    return this.caughtUpAt !== undefined && this.crashed === undefined;
  }

  /** Messages present at start not yet handled (0 once caught up). */
  backlog(): number {
    let backlog = 0n;
    for (const [partition, target] of this.targets) {
      const reached = this.reached.get(partition) ?? 0n;
      if (reached < target) backlog += target - reached;
    }
    return Number(backlog);
  }

  get error(): Error | undefined {
    return this.crashed;
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }
}
