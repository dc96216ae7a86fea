// The recorded log an audit reads: each contract topic's events in log order (partition by
// partition, offset by offset, as `fangcang export` writes them and the Kafka reader reads
// them). Only the order within a partition is meaningful; one key's events share one.
import type { AnyCloudEvent } from "@fangcang/contracts";

export interface AuditLog {
  /** Case inputs, and the allocator's internal follow-ups (bed offers, hold expiries). */
  cases: AnyCloudEvent[];
  facilities: AnyCloudEvent[];
  /** The allocator's decisions. */
  transfers: AnyCloudEvent[];
  /** Which ledger sequence number each input took (ledger.receipts). */
  ledger: AnyCloudEvent[];
}

export function emptyLog(): AuditLog {
  return { cases: [], facilities: [], transfers: [], ledger: [] };
}
