// Audit replay, in memory: a recorded log (the inputs as the cases and facilities topics hold
// them, the allocator's own follow-ups included) run again through the pure allocation core
// with the in-memory ledger and patient store. `replayLog` is the one function to switch to
// the audit package's API when `fangcang audit` lands; the benchmark times only it.
import { AllocationCore, MemoryPatientStore } from "@fangcang/allocation";
import type { AnyCloudEvent } from "@fangcang/contracts";
import { MemoryLedger } from "@fangcang/ledger";
import type { ClinicalPolicy } from "@fangcang/triage";

const ALLOCATOR_SOURCE = "fangcang/allocator";

function memoryCore(policy: ClinicalPolicy): AllocationCore {
  return new AllocationCore({
    ledger: new MemoryLedger(),
    patients: new MemoryPatientStore(),
    policy,
    source: ALLOCATOR_SOURCE,
  });
}

/**
 * Runs `inputs` as the service would, and returns the log it leaves: each input followed,
 * later, by the follow-up events it caused on the cases topic.
 */
export async function recordLog(inputs: Iterable<AnyCloudEvent>, policy: ClinicalPolicy): Promise<AnyCloudEvent[]> {
  const core = memoryCore(policy);
  const log: AnyCloudEvent[] = [];
  const pending: AnyCloudEvent[] = [];
  for (const input of inputs) {
    pending.push(input);
    while (pending.length > 0) {
      const event = pending.shift() as AnyCloudEvent;
      log.push(event);
      pending.push(...(await core.handle(event)).followUps);
    }
  }
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
  for (const event of log) {
    const outcome = await core.handle(event);
    decisions += outcome.outputs.length;
    if (outcome.rejected !== undefined) rejected++;
  }
  return { events: log.length, decisions, rejected };
}
