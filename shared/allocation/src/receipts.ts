// Ledger receipts: for every input of a batch that made a ledger operation, the sequence
// number it took. Produced with the batch's decisions, before its offsets are committed, so
// the log an auditor reads always has the order the shared ledger saw (see
// docs/decisions/0002-audit-replay.md). A redelivered batch re-sends the same receipts.
import { type AnyCloudEvent, cloudEvent, type LedgerReceipt, RECEIPTS_PER_EVENT } from "@fangcang/contracts";
import type { Outcome } from "./allocation-core.ts";

/** Where an input was read. */
export interface LogPosition {
  topic: string;
  partition: number;
  offset: string;
}

/** The name of a batch of one partition's inputs: "topic/partition@first-last". */
export function batchIdOf(messages: readonly LogPosition[]): string {
  const first = messages[0];
  const last = messages[messages.length - 1];
  if (first === undefined || last === undefined) throw new Error("an empty batch has no id");
  return `${first.topic}/${first.partition}@${first.offset}-${last.offset}`;
}

/** A batch's receipts as ledger.receipts events; `ticks` are its expiry checks of its own. */
export function receiptEvents(
  messages: readonly LogPosition[],
  events: readonly (AnyCloudEvent | undefined)[],
  outcomes: readonly Outcome[],
  source: string,
  ticks: readonly LedgerReceipt[] = [],
): AnyCloudEvent[] {
  // One batch can hold several partitions; each gets its own receipts, named after them.
  const byPartition = new Map<string, { first: string; last: string; time: string; receipts: LedgerReceipt[] }>();
  messages.forEach((message, i) => {
    const receipt = outcomes[i]?.receipt;
    const event = events[i];
    if (receipt === undefined || event === undefined) return;
    const partition = `${message.topic}/${message.partition}`;
    let group = byPartition.get(partition);
    if (group === undefined) {
      group = { first: message.offset, last: message.offset, time: event.time, receipts: [] };
      byPartition.set(partition, group);
    }
    group.last = message.offset;
    group.time = event.time;
    group.receipts.push({ causationId: event.id, opId: receipt.opId, seq: receipt.seq });
  });
  if (ticks.length > 0) {
    const partition = `${messages[0]?.topic}/${messages[0]?.partition}`;
    const offset = messages[0]?.offset ?? "0";
    const time = ticks[ticks.length - 1]?.expiryAt as string;
    const group = byPartition.get(partition) ?? { first: offset, last: offset, time, receipts: [] };
    group.receipts.push(...ticks);
    byPartition.set(partition, group);
  }
  const out: AnyCloudEvent[] = [];
  for (const [partition, group] of byPartition) {
    const batchId = `${partition}@${group.first}-${group.last}`;
    for (let start = 0, n = 0; start < group.receipts.length; start += RECEIPTS_PER_EVENT, n++) {
      out.push(
        cloudEvent(
          "ledger.receipts",
          { id: `receipts-${batchId}-${n}`, source, time: group.time, subject: batchId },
          { batchId, receipts: group.receipts.slice(start, start + RECEIPTS_PER_EVENT) },
        ),
      );
    }
  }
  return out;
}
