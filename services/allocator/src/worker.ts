// The allocator's batch loop: decode, decide, make the effect durable (inside the core's
// ledger calls), produce every output, and only then let the consumer commit the offsets.
import type { AllocationCore, BatchedPatientStore, Outcome } from "@fangcang/allocation";
import type { BatchContext, EventProducer, InboundMessage, RawOutbound } from "@fangcang/bus";
import { type AnyCloudEvent, fromKafkaMessage, type TopicRole, type Topics } from "@fangcang/contracts";
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
  core: AllocationCore;
  /** Patients changed by a batch are stored only after the batch's outputs are produced. */
  patients: BatchedPatientStore;
  producer: EventProducer;
  topics: Topics;
  maxEventBytes: number;
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
    try {
      const handled = await this.applyBatch(messages, context);
      this.lastError = undefined;
      return handled;
    } catch (error) {
      // The batch will be delivered again and replayed from the stored patients; the
      // ledger returns its recorded answers, so nothing is applied twice.
      this.options.patients.discard();
      this.lastError = error as Error;
      this.stats.failedBatches++;
      throw error;
    }
  };

  private async applyBatch(messages: InboundMessage[], context: BatchContext): Promise<number> {
    const { core, patients, producer, topics, maxEventBytes } = this.options;
    const outputs: AnyCloudEvent[] = [];
    const followUps: AnyCloudEvent[] = [];
    const deadLetters: RawOutbound[] = [];
    let handled = 0;
    for (const message of messages) {
      if (!context.isRunning()) break;
      const topic = this.roleByTopic.get(message.topic);
      const decoded = fromKafkaMessage(message, { maxBytes: maxEventBytes, ...(topic ? { topic } : {}) });
      if (!decoded.ok) {
        deadLetters.push(deadLetterFor(message, decoded.errors, new Date().toISOString()));
      } else {
        const outcome = await this.handleOne(decoded.event);
        if (outcome.rejected) {
          deadLetters.push(
            deadLetterFor(message, outcome.rejected.errors, new Date().toISOString(), outcome.rejected.state),
          );
        }
        outputs.push(...outcome.outputs);
        followUps.push(...outcome.followUps);
      }
      handled++;
      if (handled % 500 === 0) await context.heartbeat();
    }
    await producer.send([
      { topic: topics.transfers, events: outputs },
      { topic: topics.cases, events: followUps },
    ]);
    await producer.sendRaw(topics.deadLetter, deadLetters);
    await patients.flush();
    this.stats.batches++;
    this.stats.events += handled;
    this.stats.outputs += outputs.length;
    this.stats.deadLetters += deadLetters.length;
    return handled;
  }

  /**
   * A stored patient that fails validation is a fact about that case, not about the
   * service: the event goes to the dead-letter topic and the worker goes on. Any other
   * error (Redis or Kafka unreachable) fails the batch, to be delivered again.
   */
  private async handleOne(event: AnyCloudEvent): Promise<Outcome> {
    try {
      return await this.options.core.handle(event);
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
