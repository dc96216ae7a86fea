// Output events on the ledger topic: which ledger sequence number each input took. With
// them an auditor replays every input in the order the shared ledger saw it, however many
// allocator instances ran at once (see docs/decisions/0002-audit-replay.md).
import { z } from "zod";
import { Time } from "./vocabulary.ts";

/** How many receipts one event carries at most; a batch's receipts are split over several. */
export const RECEIPTS_PER_EVENT = 500;

export const LedgerReceipt = z.strictObject({
  /** The CloudEvent id of the input. */
  causationId: z.string().min(1).max(256),
  /** The ledger operation id derived from the input's source, id and key. */
  opId: z.string().min(1).max(64),
  /** The sequence number the operation took, atomically with its effect. */
  seq: z.number().int().min(1),
  /**
   * Only on an expiry check the allocator made of its own accord (a tick, not caused by one
   * input; its causationId names the batch): the event time it expired holds at.
   */
  expiryAt: Time.optional(),
});
export type LedgerReceipt = z.infer<typeof LedgerReceipt>;

export const LedgerReceipts = z.object({
  /** Where the inputs were read: "topic/partition@firstOffset-lastOffset". Also the Kafka key. */
  batchId: z.string().min(1).max(256),
  receipts: z.array(LedgerReceipt).min(1).max(RECEIPTS_PER_EVENT),
});
export type LedgerReceipts = z.infer<typeof LedgerReceipts>;
