// Audit replay, in memory: a recorded log (the inputs as the cases and facilities topics hold
// them, the allocator's own follow-ups included) run again through the pure allocation core
// with the in-memory ledger and patient store. `replayLog` is the one function to switch to
// the audit package's API when `fangcang audit` lands; the benchmark times only it.
import { AllocationCore, MemoryPatientStore } from "@fangcang/allocation";
import type { AnyCloudEvent } from "@fangcang/contracts";
import { MemoryLedger } from "@fangcang/ledger";
import { runWhatIf } from "@fangcang/simulation";
import type { ClinicalPolicy } from "@fangcang/triage";

/** The CloudEvents source of the allocator's own events (its default FANGCANG_SOURCE). */
export const ALLOCATOR_SOURCE = "fangcang/allocator";

function memoryCore(policy: ClinicalPolicy): AllocationCore {
  return new AllocationCore({
    ledger: new MemoryLedger(),
    patients: new MemoryPatientStore(),
    policy,
    source: ALLOCATOR_SOURCE,
  });
}

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

export interface ReplayResult {
  events: number;
  decisions: number;
  rejected: number;
}

/** Replays a recorded log from an empty ledger; follow-ups are in the log, so they are not re-applied. */
export async function replayLog(log: readonly AnyCloudEvent[], policy: ClinicalPolicy): Promise<ReplayResult> {
  const core = memoryCore(policy);
  let decisions = 0;
  let rejected = 0;
  for (const [i, event] of log.entries()) {
    // The core's ledger answers in microtasks: yield now and then, so signals are heard.
    if (i % 50_000 === 0) await new Promise((resolve) => setImmediate(resolve));
    const outcome = await core.handle(event);
    decisions += outcome.outputs.length;
    if (outcome.rejected !== undefined) rejected++;
  }
  return { events: log.length, decisions, rejected };
}
