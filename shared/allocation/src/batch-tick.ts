// A batch's expiry check of its own. Inputs that make no ledger operation (test results,
// refused events) expire nothing, so after a batch whose inputs reached a time at which
// holds may be due, the worker makes one expiry operation named after the batch. Every
// ledger operation expires what is due anyway; this bounds how late an expiry can be when
// a stream carries only such inputs.
import type { AnyCloudEvent, LedgerReceipt } from "@fangcang/contracts";
import type { AllocationCore, Outcome } from "./allocation-core.ts";

export interface BatchTick {
  followUps: AnyCloudEvent[];
  /** The tick's receipt, with the time it expired holds at; none when no tick was due. */
  receipts: LedgerReceipt[];
}

export async function tickAfterBatch(
  core: AllocationCore,
  batchId: string,
  events: readonly (AnyCloudEvent | undefined)[],
  outcomes: readonly Outcome[],
): Promise<BatchTick> {
  // Only an accepted input moves the clock: a refused one may carry any time at all.
  let latest: string | undefined;
  events.forEach((event, i) => {
    if (event === undefined || outcomes[i]?.rejected !== undefined) return;
    if (latest === undefined || Date.parse(event.time) > Date.parse(latest)) latest = event.time;
  });
  if (latest === undefined || !core.expiryDue(latest)) return { followUps: [], receipts: [] };
  const id = `tick-${batchId}`;
  const { followUps, receipt } = await core.expireDue({ id, time: latest });
  return { followUps, receipts: [{ causationId: id, opId: receipt.opId, seq: receipt.seq, expiryAt: latest }] };
}
