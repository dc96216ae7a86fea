// Runs a consumer group with the one delivery discipline the allocator relies on: a batch
// is handed over, its effects are made durable and its outputs produced by the handler, and
// only then are its offsets resolved and committed. A crash anywhere before the commit means
// the batch is delivered again, so handlers must be idempotent.
import type { Consumer, Kafka } from "kafkajs";

export interface InboundMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  /** Milliseconds since the epoch: the producer's, or the broker's append time if the topic says so. */
  timestamp?: string;
  headers: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
}

export interface BatchContext {
  /** Keeps the group membership alive during long batches. */
  heartbeat(): Promise<void>;
  /** False once a rebalance or stop has begun; the handler should stop early. */
  isRunning(): boolean;
}

/** Returns how many leading messages were fully handled; their offsets are committed. */
export type BatchHandler = (messages: InboundMessage[], context: BatchContext) => Promise<number>;

export interface ConsumerOptions {
  groupId: string;
  topics: string[];
  fromBeginning?: boolean;
  /** Most bytes fetched per partition per request; bounds a batch. */
  maxBytesPerPartition?: number;
  /** A member silent this long is dropped from the group and its partitions reassigned. */
  sessionTimeoutMs?: number;
  /** How many partitions' batches are handled at once (handlers must not share batch state). */
  partitionsConsumedConcurrently?: number;
  /** Called when the consumer crashes without restarting itself. */
  onCrash?: (error: Error) => void;
}

/**
 * Where the consumer is in its group: `member` once it has joined (again after every
 * rebalance), `restarting` after kafkajs gave up retrying and starts over, `crashed` when it
 * will not, `stopped` after `stop`.
 */
export type ConsumerState = "starting" | "member" | "restarting" | "crashed" | "stopped";

export class BatchConsumer {
  private readonly consumer: Consumer;
  private readonly options: ConsumerOptions;
  private current: ConsumerState = "starting";

  constructor(kafka: Kafka, options: ConsumerOptions) {
    this.options = options;
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      maxBytesPerPartition: options.maxBytesPerPartition ?? 1024 * 1024,
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: Math.min(3_000, Math.floor((options.sessionTimeoutMs ?? 30_000) / 6)),
      allowAutoTopicCreation: false,
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
      this.current = "member";
    });
    this.consumer.on(this.consumer.events.STOP, () => {
      this.current = "stopped";
    });
    this.consumer.on(this.consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload as { error: Error; restart: boolean };
      this.current = restart ? "restarting" : "crashed";
      if (!restart) options.onCrash?.(error);
    });
  }

  get state(): ConsumerState {
    return this.current;
  }

  async start(handle: BatchHandler): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.options.topics, fromBeginning: this.options.fromBeginning ?? true });
    await this.consumer.run({
      eachBatchAutoResolve: false,
      autoCommit: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary }) => {
        if (batch.messages.length === 0) return;
        const messages: InboundMessage[] = batch.messages.map((m) => ({
          topic: batch.topic,
          partition: batch.partition,
          offset: m.offset,
          key: m.key,
          value: m.value,
          timestamp: m.timestamp,
          headers: m.headers ?? {},
        }));
        const handled = await handle(messages, { heartbeat, isRunning: () => isRunning() && !isStale() });
        const last = messages[handled - 1];
        if (last === undefined) return;
        resolveOffset(last.offset);
        // Committed explicitly: with autoCommit off and no offsets given, kafkajs's
        // commitOffsetsIfNecessary commits nothing, and a restart would replay the partition
        // from its beginning. Given offsets it commits them even while the consumer stops;
        // consumer.commitOffsets silently does not once stop() has begun, so the batches a
        // graceful stop waits for would be handled, produced, and then replayed.
        const next = (BigInt(last.offset) + 1n).toString();
        await commitOffsetsIfNecessary({
          topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }],
        });
      },
    });
  }

  pause(): void {
    this.consumer.pause(this.options.topics.map((topic) => ({ topic })));
  }

  resume(): void {
    this.consumer.resume(this.options.topics.map((topic) => ({ topic })));
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }
}
