// The order an audit replays inputs in. Each key's (case's or facility's) inputs keep their
// log order. An input that took a ledger sequence number runs exactly when the ledger is at
// the number before it, so the shared ledger sees every operation in the recorded order,
// however many allocator instances made them. Inputs that took none touch only their own
// patient and run as soon as their key's earlier inputs have.

export interface ReplayItem<T> {
  key: string;
  /** The sequence number the input took, if its receipt says it took one. */
  seq: number | undefined;
  /**
   * Which ledger operation it is, numbered by the caller from 0 (small numbers: the replay
   * keeps a flag per number). Items of one operation (an input and its redeliveries) share
   * it; a repeat of an op already run waits for nothing.
   */
  op: number;
  value: T;
}

export interface OrderProblem {
  kind: "seq_gap";
  /** The sequence number no remaining input was recorded with. */
  missingSeq: number;
  /** The number the replay went on with instead. */
  resumedAt: number;
}

/**
 * Runs every item once, in replay order. `run` returns the ledger sequence number after the
 * item (unchanged when it made no operation). Gaps (a receipt whose input is missing, a
 * recorded seq no input reaches) are reported and skipped over, so one fault does not stop
 * the audit of the rest.
 */
export async function replayInOrder<T>(
  items: readonly ReplayItem<T>[],
  run: (item: ReplayItem<T>) => Promise<number>,
  onProblem: (problem: OrderProblem) => void,
): Promise<void> {
  // Each key's queue is found by key once, when grouping; the loop below holds the queues.
  const byKey = new Map<string, Queue<T>>();
  const queues: Queue<T>[] = [];
  let ops = 0;
  for (const item of items) {
    if (item.op >= ops) ops = item.op + 1;
    const queue = byKey.get(item.key);
    if (queue) queue.items.push(item);
    else {
      const created = { items: [item], head: 0 };
      byKey.set(item.key, created);
      queues.push(created);
    }
  }
  /** 1 for each op number that has run. */
  const ran = new Uint8Array(ops);
  /** Queues whose head waits for the ledger to reach its seq - 1, by that seq. */
  const waiting = new Map<number, Queue<T>[]>();
  const runnable: Queue<T>[] = [];
  let seq = 0;

  const examine = (queue: Queue<T>) => {
    const head = queue.items[queue.head];
    if (head === undefined) return;
    if (head.seq === undefined || head.seq <= seq || ran[head.op] === 1) {
      runnable.push(queue);
      return;
    }
    const queued = waiting.get(head.seq);
    if (queued) queued.push(queue);
    else waiting.set(head.seq, [queue]);
  };
  for (const queue of queues) examine(queue);

  for (;;) {
    while (runnable.length > 0) {
      const queue = runnable.pop() as Queue<T>;
      const item = queue.items[queue.head++] as ReplayItem<T>;
      seq = Math.max(seq, await run(item));
      ran[item.op] = 1;
      const due = waiting.get(seq + 1);
      if (due) {
        waiting.delete(seq + 1);
        runnable.push(...due);
      }
      examine(queue);
    }
    if (waiting.size === 0) return;
    // Nothing can run: unless a skip passed it, the next number's input is not in the log.
    // Go on with the lowest number waited for.
    let lowest = Number.POSITIVE_INFINITY;
    for (const n of waiting.keys()) lowest = Math.min(lowest, n);
    if (lowest > seq + 1) onProblem({ kind: "seq_gap", missingSeq: seq + 1, resumedAt: lowest });
    runnable.push(...(waiting.get(lowest) as Queue<T>[]));
    waiting.delete(lowest);
  }
}

/** One key's items in log order, and the next to run. */
interface Queue<T> {
  items: ReplayItem<T>[];
  head: number;
}
