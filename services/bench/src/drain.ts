// How long a consumer group takes to drain its topics, read from the broker: the group's
// committed offsets against the topics' end offsets. The same measure for the allocator and
// the bare pipe, so their ratio compares like with like. The clock starts at the last poll
// before the first commit (an upper bound on the time taken, by at most one poll).
import type { GroupProgressProbe } from "@fangcang/bus";

export interface DrainResult {
  seconds: number;
  /** Messages consumed and committed (inputs, and for the allocator the follow-ups it added). */
  events: number;
}

export interface DrainOptions {
  probe: GroupProgressProbe;
  groupId: string;
  topics: string[];
  /** Throws if the service under test has died. */
  assertAlive: () => void;
  onPoll?: (committed: number, end: number) => void;
  pollMs?: number;
  timeoutMs?: number;
}

export async function measureDrain(options: DrainOptions): Promise<DrainResult> {
  const { probe, groupId, topics, pollMs = 100, timeoutMs = 30 * 60_000 } = options;
  const deadline = Date.now() + timeoutMs;
  let idleSince = performance.now();
  for (;;) {
    options.assertAlive();
    const polled = performance.now();
    const { committed, end } = await probe.progress(groupId, topics);
    options.onPoll?.(committed, end);
    if (committed === 0) idleSince = polled;
    else if (committed >= end) return { seconds: (performance.now() - idleSince) / 1000, events: committed };
    if (Date.now() > deadline) {
      throw new Error(`${groupId} drained ${committed} of ${end} messages in ${timeoutMs / 1000} s and stopped there`);
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
