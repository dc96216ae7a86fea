// Input-to-output latency: for each case.reported, the broker's append time of the input
// against that of the first decision caused by it (transfer.ordered or case.waitlisted,
// matched on causationId). The bench's topics stamp LogAppendTime, so both times come from
// the broker's clock and include everything in between: fetch, decide, Redis, produce.
import { BatchConsumer, createKafka, type InboundMessage } from "@fangcang/bus";
import type { Topics } from "@fangcang/contracts";

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

export function summarise(latencies: number[]): LatencySummary {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { count: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? 0 };
}

const header = (m: InboundMessage, name: string) => m.headers[name]?.toString();

export class LatencyCollector {
  private readonly inputAt = new Map<string, number>();
  private readonly outputAt = new Map<string, number>();
  private readonly consumer: BatchConsumer;
  private readonly topics: Topics;

  constructor(brokers: string[], topics: Topics, groupId: string) {
    this.topics = topics;
    this.consumer = new BatchConsumer(createKafka({ brokers, clientId: "fangcang-bench-latency" }), {
      groupId,
      topics: [topics.cases, topics.transfers],
      partitionsConsumedConcurrently: 4,
    });
  }

  start(): Promise<void> {
    return this.consumer.start(async (messages) => {
      for (const m of messages) this.record(m);
      return messages.length;
    });
  }

  private record(m: InboundMessage): void {
    const at = Number(m.timestamp);
    if (m.topic === this.topics.cases) {
      if (header(m, "ce_type") === "case.reported") this.inputAt.set(header(m, "ce_id") as string, at);
      return;
    }
    const causationId = (JSON.parse(m.value?.toString() ?? "{}") as { causationId?: string }).causationId;
    if (causationId !== undefined && !this.outputAt.has(causationId)) this.outputAt.set(causationId, at);
  }

  /** Waits until every input has been seen with its decision, then returns their latencies in ms. */
  async latencies(inputIds: string[], timeoutMs: number): Promise<number[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const missing = inputIds.filter((id) => !this.inputAt.has(id) || !this.outputAt.has(id)).length;
      if (missing === 0) break;
      if (Date.now() > deadline) {
        throw new Error(`${missing} of ${inputIds.length} inputs had no decision after ${timeoutMs / 1000} s`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return inputIds.map((id) => (this.outputAt.get(id) as number) - (this.inputAt.get(id) as number));
  }

  stop(): Promise<void> {
    return this.consumer.stop();
  }
}
