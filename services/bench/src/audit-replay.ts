// Audit replay, in memory: `fangcang audit`'s replay (shared/audit) of a recorded production
// log; the benchmark times only the replay.
import { type AuditLog, auditLog, simulateProduction } from "@fangcang/audit";
import type { AnyCloudEvent } from "@fangcang/contracts";
import type { ClinicalPolicy } from "@fangcang/triage";

/**
 * A production log of `scenario` for the audit to replay: three allocator instances sharing
 * one ledger, with crashes, redeliveries and intake answers (`simulateProduction`), in the
 * layout `fangcang export` writes.
 */
export function recordProductionLog(scenario: Iterable<AnyCloudEvent>, policy: ClinicalPolicy): Promise<AuditLog> {
  return simulateProduction(scenario, { policy, instances: 3, partitions: 12, seed: 1 });
}

export interface ReplayResult {
  /** Inputs replayed (case and facility events, follow-ups included). */
  events: number;
  decisions: number;
}

/** `fangcang audit` on the log, in memory; throws if the audit does not pass. */
export async function replayLog(log: AuditLog): Promise<ReplayResult> {
  const report = await auditLog(log);
  if (!report.ok) {
    throw new Error(`the audit of the benchmark's own log failed: ${JSON.stringify(report.mismatchCounts)}`);
  }
  return { events: report.inputs.replayed, decisions: report.decisions.replayed };
}
