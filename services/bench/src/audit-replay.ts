// Audit replay, in memory: `fangcang audit`'s replay (shared/audit) of a recorded production
// log; the benchmark times only the replay. Also the log of a what-if run, which the wave
// step produces as its input.
import { type AuditLog, auditLog, simulateProduction } from "@fangcang/audit";
import type { AnyCloudEvent } from "@fangcang/contracts";
import { runWhatIf } from "@fangcang/simulation";
import type { ClinicalPolicy } from "@fangcang/triage";

/** The CloudEvents source of the allocator's own events (its default FANGCANG_SOURCE). */
export const ALLOCATOR_SOURCE = "fangcang/allocator";

/**
 * The log a run of `scenario` leaves, with intake systems that admit each transfer 2 h after
 * its order and discharge after a realistic stay (the what-if simulation): every event the
 * core applied, in order, its own follow-ups included.
 */
export async function recordLog(scenario: Iterable<AnyCloudEvent>, policy: ClinicalPolicy): Promise<AnyCloudEvent[]> {
  const log: AnyCloudEvent[] = [];
  await runWhatIf(scenario, policy, { admitAfterHours: 2, seed: 1 }, undefined, (event) => log.push(event));
  return log;
}

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
