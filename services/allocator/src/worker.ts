// The allocator's batch loop: decode, decide, make the effect durable (inside the core's
// ledger calls), produce every output, and only then let the consumer commit the offsets.
import {
  type AllocationCore,
  BatchedPatientStore,
  batchIdOf,
  type Outcome,
  type PatientStore,
  receiptEvents,
  tickAfterBatch,
} from "@fangcang/allocation";
import type { BatchContext, EventProducer, InboundMessage, RawOutbound } from "@fangcang/bus";
import { type AnyCloudEvent, caseIdOf, fromKafkaMessage, type TopicRole, type Topics } from "@fangcang/contracts";
import { CorruptPatientError } from "@fangcang/patient";
import { deadLetterFor } from "./dead-letter.ts";

export interface WorkerStats {
  batches: number;
  failedBatches: number;
  events: number;
  outputs: number;
  deadLetters: number;
}

export interface AllocatorWorkerOptions {
  /** The allocation core over one batch's view of the patients. */
  coreFor: (patients: PatientStore) => AllocationCore;
  /** Where patients live; a batch's changes reach it only after the batch's outputs are produced. */
  patients: PatientStore;
  producer: EventProducer;
  topics: Topics;
  maxEventBytes: number;
  /** The CloudEvents `source` of the ledger receipts. */
  source: string;
}

export class AllocatorWorker {
  readonly stats: WorkerStats = { batches: 0, failedBatches: 0, events: 0, outputs: 0, deadLetters: 0 };
  /** Why the last batch failed, until one succeeds. */
  lastError: Error | undefined;
  private readonly options: AllocatorWorkerOptions;
  private readonly roleByTopic: Map<string, TopicRole>;

  constructor(options: AllocatorWorkerOptions) {
    this.options = options;
    this.roleByTopic = new Map(Object.entries(options.topics).map(([role, name]) => [name, role as TopicRole]));
  }

  handleBatch = async (messages: InboundMessage[], context: BatchContext): Promise<number> => {
    // A batch's patient changes are held apart until its outputs are produced: if anything
    // fails, they are dropped and the batch, delivered again, replays from the stored
    // patients while the ledger returns its recorded answers, so nothing is applied twice.
    const patients = new BatchedPatientStore(this.options.patients);
    try {
      const handled = await this.applyBatch(messages, context, patients);
      this.lastError = undefined;
      return handled;
    } catch (error) {
      this.lastError = error as Error;
      this.stats.failedBatches++;
      throw error;
    }
  };

  private async applyBatch(
    messages: InboundMessage[],
    context: BatchContext,
    patients: BatchedPatientStore,
  ): Promise<number> {
    const { producer, topics, maxEventBytes } = this.options;
    const core = this.options.coreFor(patients);
    // Each key's events are applied in order; different keys (cases, facilities) concurrently,
    // so their Redis calls share round trips.
    const results: Outcome[] = new Array(messages.length);
    const events: (AnyCloudEvent | undefined)[] = new Array(messages.length);
    const byKey = new Map<string, number[]>();
    messages.forEach((message, i) => {
      const topic = this.roleByTopic.get(message.topic);
      const decoded = fromKafkaMessage(message, { maxBytes: maxEventBytes, ...(topic ? { topic } : {}) });
      if (!decoded.ok) {
        results[i] = { outputs: [], followUps: [], rejected: { errors: decoded.errors } };
        return;
      }
      events[i] = decoded.event;
      const key = message.key?.toString() ?? "";
      const indices = byKey.get(key);
      if (indices) indices.push(i);
      else byKey.set(key, [i]);
    });
    await patients.readAhead(events.flatMap((event) => (event === undefined ? [] : (caseIdOf(event) ?? []))));
    await Promise.all(
      [...byKey.values()].map(async (indices) => {
        for (const i of indices) results[i] = await this.handleOne(core, events[i] as AnyCloudEvent);
      }),
    );
    const tick = await tickAfterBatch(core, batchIdOf(messages), events, results);
    await context.heartbeat();

    const outputs: AnyCloudEvent[] = [];
    const followUps: AnyCloudEvent[] = [...tick.followUps];
    const deadLetters: RawOutbound[] = [];
    const now = new Date().toISOString();
    results.forEach((outcome, i) => {
      outputs.push(...outcome.outputs);
      followUps.push(...outcome.followUps);
      if (outcome.rejected) {
        deadLetters.push(
          deadLetterFor(messages[i] as InboundMessage, outcome.rejected.errors, now, outcome.rejected.state),
        );
      }
    });
    await producer.send([
      { topic: topics.transfers, events: outputs },
      { topic: topics.cases, events: followUps },
      { topic: topics.ledger, events: receiptEvents(messages, events, results, this.options.source, tick.receipts) },
    ]);
    await producer.sendRaw(topics.deadLetter, deadLetters);
    await patients.flush();
    this.stats.batches++;
    this.stats.events += messages.length;
    this.stats.outputs += outputs.length;
    this.stats.deadLetters += deadLetters.length;
    return messages.length;
  }

  /**
   * A stored patient that fails validation is a fact about that case, not about the
   * service: the event goes to the dead-letter topic and the worker goes on. Any other
   * error (Redis or Kafka unreachable) fails the batch, to be delivered again.
   */
  private async handleOne(core: AllocationCore, event: AnyCloudEvent): Promise<Outcome> {
    try {
      return await core.handle(event);
    } catch (error) {
      if (error instanceof CorruptPatientError) {
        return {
          outputs: [],
          followUps: [],
          rejected: { errors: [{ code: "corrupt_state", message: error.message }] },
        };
      }
      throw error;
    }
  }
}
