// A production run in memory, for testing and measuring the audit: several allocator
// instances share one ledger and take batches of their partitions in a seeded random
// order, so the ledger sees operations in another order than the log holds them; some
// batches crash after producing their outputs and are delivered again (duplicates, as
// at-least-once delivery gives them); simulated intake systems admit, reject and discharge.
// The log it returns has the layout `fangcang export` writes: partition by partition.
import { createHash } from "node:crypto";
import {
  AllocationCore,
  BatchedPatientStore,
  batchIdOf,
  MemoryPatientStore,
  type Outcome,
  receiptEvents,
  tickAfterBatch,
} from "@fangcang/allocation";
import { type AnyCloudEvent, caseIdOf, cloudEvent, defaultTopics } from "@fangcang/contracts";
import { MemoryLedger } from "@fangcang/ledger";
import { seededRandom } from "@fangcang/scenario";
import { EventSchedule } from "@fangcang/simulation";
import type { ClinicalPolicy } from "@fangcang/triage";
import { DEFAULT_ALLOCATOR_SOURCE } from "./audit.ts";
import { type AuditLog, emptyLog } from "./audit-log.ts";

const HOUR = 3_600_000;

export interface SimulatedProductionOptions {
  policy: ClinicalPolicy;
  /** Allocator instances sharing the ledger; partition p belongs to instance p % instances. */
  instances: number;
  partitions: number;
  seed: number;
  /** The most inputs one batch takes from one partition. */
  batchSize?: number;
  /** The share of batches that crash after producing and are delivered again. */
  crashRate?: number;
  /** The share of transfer orders an intake system rejects instead of admitting. */
  rejectRate?: number;
  /** The share of admitted patients discharged in the run. */
  dischargeRate?: number;
  /** The share of transfer orders no intake system answers, so that their holds expire. */
  silentRate?: number;
}

function partitionOf(key: string, partitions: number): number {
  return createHash("sha1").update(key).digest().readUInt32BE(0) % partitions;
}

const later = (time: string, hours: number) => new Date(Date.parse(time) + hours * HOUR).toISOString();

/** Runs the inputs (case and facility events) through the simulated production; returns its log. */
export async function simulateProduction(
  inputs: Iterable<AnyCloudEvent>,
  options: SimulatedProductionOptions,
): Promise<AuditLog> {
  const { instances, partitions, policy } = options;
  const batchSize = options.batchSize ?? 50;
  const crashRate = options.crashRate ?? 0.05;
  const rejectRate = options.rejectRate ?? 0.1;
  const dischargeRate = options.dischargeRate ?? 0.5;
  const silentRate = options.silentRate ?? 0.05;
  const rng = seededRandom(options.seed);
  const source = DEFAULT_ALLOCATOR_SOURCE;

  // The topics' partitions, as logs; `next` is each input partition's committed offset.
  const cases: AnyCloudEvent[][] = Array.from({ length: partitions }, () => []);
  const facilities: AnyCloudEvent[][] = Array.from({ length: partitions }, () => []);
  const transfers: AnyCloudEvent[][] = Array.from({ length: partitions }, () => []);
  const ledgerLog: AnyCloudEvent[] = [];
  const next = { cases: new Array<number>(partitions).fill(0), facilities: new Array<number>(partitions).fill(0) };
  const append = (event: AnyCloudEvent) => {
    const caseId = caseIdOf(event);
    if (caseId === undefined) {
      facilities[partitionOf((event.data as { facilityId: string }).facilityId, partitions)]?.push(event);
    } else {
      cases[partitionOf(caseId, partitions)]?.push(event);
    }
  };

  const ledger = new MemoryLedger();
  const patients = new MemoryPatientStore();
  const watches = Array.from({ length: instances }, () => ({ nextDue: Number.NEGATIVE_INFINITY }));
  let intakeEvents = 0;

  // Intake answers are sent at their own time: held back until the stream reaches it.
  const scheduled = new EventSchedule();
  const schedule = (event: AnyCloudEvent) => scheduled.push(Date.parse(event.time), event);

  /** Intake systems answer each new transfer order once: admit (then maybe discharge) or reject. */
  const answered = new Set<string>();
  const intake = (decision: AnyCloudEvent) => {
    if (decision.type !== "transfer.ordered" || answered.has(decision.data.transferId)) return;
    answered.add(decision.data.transferId);
    const { caseId, transferId, facilityId } = decision.data;
    if (rng() < silentRate) return;
    const id = () => `intake-${++intakeEvents}`;
    const envelope = (hours: number) => ({
      id: id(),
      source: `intake/${facilityId}`,
      time: later(decision.time, hours),
      subject: caseId,
    });
    if (rng() < rejectRate) {
      const e = envelope(1);
      schedule(
        cloudEvent("transfer.rejected", e, { caseId, transferId, facilityId, at: e.time, reason: "no bed ready" }),
      );
      return;
    }
    const admitted = envelope(0.5 + rng() * 3);
    schedule(cloudEvent("transfer.admitted", admitted, { caseId, transferId, facilityId, at: admitted.time }));
    if (rng() < dischargeRate) {
      const discharged = envelope(24 * (5 + rng() * 10));
      schedule(
        cloudEvent("patient.discharged", discharged, {
          caseId,
          facilityId,
          at: discharged.time,
          outcome: "recovered",
        }),
      );
    }
  };

  const pending = () => {
    const work: { instance: number; role: "cases" | "facilities"; partition: number }[] = [];
    for (let p = 0; p < partitions; p++) {
      const instance = p % instances;
      if ((next.facilities[p] as number) < (facilities[p] as AnyCloudEvent[]).length) {
        work.push({ instance, role: "facilities", partition: p });
      }
      if ((next.cases[p] as number) < (cases[p] as AnyCloudEvent[]).length) {
        work.push({ instance, role: "cases", partition: p });
      }
    }
    return work;
  };

  for (const event of inputs) schedule(event);
  const timeOf = (w: { role: "cases" | "facilities"; partition: number }) =>
    Date.parse(
      ((w.role === "cases" ? cases : facilities)[w.partition]?.[next[w.role][w.partition] as number] as AnyCloudEvent)
        .time,
    );
  for (;;) {
    // Events reach the bus at their own time: each is released once the slowest partition
    // comes within the hour of it (or, with nothing left to do, the next one is).
    let work = pending();
    const streamAt = work.length > 0 ? Math.min(...work.map(timeOf)) : Number.NEGATIVE_INFINITY;
    const nextTime = scheduled.peekTime();
    const horizon = (work.length > 0 ? streamAt : nextTime) + HOUR;
    if (scheduled.size > 0 && scheduled.peekTime() <= horizon) {
      while (scheduled.size > 0 && scheduled.peekTime() <= horizon) append(scheduled.pop() as AnyCloudEvent);
      work = pending();
    }
    if (work.length === 0) break;
    // Live instances keep up with the stream, so partitions stay close in event time: take
    // a random one among those whose next event is within the hour of the earliest.
    const earliest = Math.min(...work.map(timeOf));
    const inStep = work.filter((w) => timeOf(w) <= earliest + HOUR);
    const { instance, role, partition } = inStep[Math.floor(rng() * inStep.length)] as (typeof work)[number];
    const log = (role === "cases" ? cases : facilities)[partition] as AnyCloudEvent[];
    const from = next[role][partition] as number;
    const batch = log.slice(from, from + batchSize);
    const crashes = rng() < crashRate;
    for (let attempt = 0; attempt < (crashes ? 2 : 1); attempt++) {
      const batchPatients = new BatchedPatientStore(patients);
      const core = new AllocationCore({
        ledger,
        patients: batchPatients,
        policy,
        source,
        expiryWatch: watches[instance] as { nextDue: number },
      });
      const outcomes: Outcome[] = [];
      for (const event of batch) outcomes.push(await core.handle(event));
      const topic = role === "cases" ? defaultTopics.cases : defaultTopics.facilities;
      const positions = batch.map((_, i) => ({ topic, partition, offset: String(from + i) }));
      const tick = await tickAfterBatch(core, batchIdOf(positions), batch, outcomes);
      for (const followUp of tick.followUps) append(followUp);
      for (const outcome of outcomes) {
        for (const decision of outcome.outputs) {
          transfers[partitionOf(caseIdOf(decision) as string, partitions)]?.push(decision);
          intake(decision);
        }
        for (const followUp of outcome.followUps) append(followUp);
      }
      ledgerLog.push(...receiptEvents(positions, batch, outcomes, source, tick.receipts));
      // A crash after producing: the patients' changes are lost, the batch comes again.
      if (crashes && attempt === 0) batchPatients.discard();
      else await batchPatients.flush();
    }
    next[role][partition] = from + batch.length;
  }

  const result = emptyLog();
  result.cases = cases.flat();
  result.facilities = facilities.flat();
  result.transfers = transfers.flat();
  result.ledger = ledgerLog;
  return result;
}
