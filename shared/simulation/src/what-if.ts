// What-if planning: a scenario's events run through the pure allocation core and the
// in-memory ledger, with simulated intake systems that admit each ordered transfer and
// discharge the patient after a realistic stay. No Kafka, no Redis: the same decisions the
// service would make, in event time, for any capacity plan a scenario describes.
import { AllocationCore, MemoryPatientStore } from "@fangcang/allocation";
import {
  type AnyCloudEvent,
  type CloudEvent,
  caseIdOf,
  type EventData,
  type Route,
  type Severity,
} from "@fangcang/contracts";
import { checkLedgerInvariants, MemoryLedger } from "@fangcang/ledger";
import { type ClinicalPolicy, triage } from "@fangcang/triage";
import { EventSchedule } from "./event-schedule.ts";
import { type IntakeBehaviour, SimulatedIntake } from "./intake.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface WhatIfReport {
  events: number;
  cases: number;
  decisions: number;
  /** First time a case of each route had to wait for a bed (the route's beds ran out). */
  firstWait: Partial<Record<Route, string>>;
  /** Per priority: cases, how many waited, mean and peak wait in hours (event time). */
  waits: { priority: number; cases: number; waited: number; meanHours: number; peakHours: number }[];
  /** Cases ordered to another kind of facility than their policy's first preference. */
  outsidePreferredRoute: number;
  /** Per day (Shanghai time is not applied: UTC days), cases waiting at the end of the day by route. */
  queueByDay: { day: string; waiting: Partial<Record<Route, number>> }[];
  /** Ledger invariant violations found at the end (there should be none). */
  violations: string[];
}

export async function runWhatIf(
  scenario: Iterable<AnyCloudEvent>,
  policy: ClinicalPolicy,
  intake: IntakeBehaviour,
  onProgress: (events: number) => void = () => {},
  /** Hears every event applied, in order (scenario, intake and the core's follow-ups): a replayable log. */
  onApplied: (event: AnyCloudEvent) => void = () => {},
): Promise<WhatIfReport> {
  const ledger = new MemoryLedger();
  const core = new AllocationCore({ ledger, patients: new MemoryPatientStore(), policy, source: "fangcang/allocator" });
  const intakeSystems = new SimulatedIntake(intake, { source: "whatif/intake", idPrefix: "whatif" });
  const schedule = new EventSchedule();
  const reported = new Map<string, { at: number; priority: number; preferred: Route; severity: string }>();
  const firstOrdered = new Map<string, number>();
  const waitingNow = new Map<string, Route>();
  const firstWait: WhatIfReport["firstWait"] = {};
  const queueByDay: WhatIfReport["queueByDay"] = [];
  let events = 0;
  let decisions = 0;
  let outsidePreferredRoute = 0;
  let currentDay = -1;
  let lastTime = 0;

  const closeDaysBefore = (at: number) => {
    const day = Math.floor(at / DAY);
    if (currentDay >= 0) {
      for (let d = currentDay; d < day; d++) {
        const waiting: Partial<Record<Route, number>> = {};
        for (const route of waitingNow.values()) waiting[route] = (waiting[route] ?? 0) + 1;
        queueByDay.push({ day: new Date(d * DAY).toISOString().slice(0, 10), waiting });
      }
    }
    currentDay = day;
  };

  const apply = async (first: AnyCloudEvent) => {
    const pending = [first];
    while (pending.length > 0) {
      const event = pending.shift() as AnyCloudEvent;
      onApplied(event);
      events++;
      if (events % 10_000 === 0) onProgress(events);
      if (event.type === "case.reported") {
        const t = triage(policy, event.data);
        reported.set(event.data.caseId, {
          at: Date.parse(event.data.reportedAt),
          priority: t.priority,
          preferred: t.route,
          severity: t.severity,
        });
      }
      const outcome = await core.handle(event);
      pending.push(...outcome.followUps);
      for (const output of outcome.outputs) {
        decisions++;
        const caseId = caseIdOf(output) as string;
        const at = Date.parse(output.time);
        if (output.type === "case.waitlisted") {
          const route = (output.data as EventData<"case.waitlisted">).route;
          waitingNow.set(caseId, route);
          firstWait[route] ??= output.time;
        } else if (output.type === "transfer.ordered") {
          const order = output.data as EventData<"transfer.ordered">;
          waitingNow.delete(caseId);
          if (!firstOrdered.has(caseId)) {
            firstOrdered.set(caseId, at);
            if (order.route !== reported.get(caseId)?.preferred) outsidePreferredRoute++;
          }
          const admitted = intakeSystems.admit(output as CloudEvent<"transfer.ordered">);
          schedule.push(Date.parse(admitted.time), admitted);
        } else if (output.type === "case.closed" || output.type === "transfer.cancelled") {
          waitingNow.delete(caseId);
        }
      }
      if (event.type === "transfer.admitted" && outcome.rejected === undefined) {
        const severity = (reported.get(event.data.caseId)?.severity ?? "mild") as Severity;
        const discharged = intakeSystems.discharge(event, severity);
        schedule.push(Date.parse(discharged.time), discharged);
      }
    }
  };

  for (const event of scenario) {
    const at = Date.parse(event.time);
    while (schedule.peekTime() <= at) {
      const due = schedule.pop() as AnyCloudEvent;
      closeDaysBefore(Date.parse(due.time));
      await apply(due);
    }
    closeDaysBefore(at);
    await apply(event);
    lastTime = at;
  }
  closeDaysBefore(currentDay * DAY + DAY);

  const byPriority = new Map<number, { cases: number; waited: number; total: number; peak: number }>();
  for (const [caseId, r] of reported) {
    // A case never ordered has waited until the end of the scenario (or was withdrawn).
    const ordered = firstOrdered.get(caseId) ?? (waitingNow.has(caseId) ? lastTime : undefined);
    const wait = ordered === undefined ? undefined : (ordered - r.at) / HOUR;
    const row = byPriority.get(r.priority) ?? { cases: 0, waited: 0, total: 0, peak: 0 };
    row.cases++;
    if (wait !== undefined && wait > 0) {
      row.waited++;
      row.total += wait;
      row.peak = Math.max(row.peak, wait);
    }
    byPriority.set(r.priority, row);
  }
  return {
    events,
    cases: reported.size,
    decisions,
    firstWait,
    waits: [...byPriority]
      .sort((a, b) => b[0] - a[0])
      .map(([priority, r]) => ({
        priority,
        cases: r.cases,
        waited: r.waited,
        meanHours: r.waited === 0 ? 0 : r.total / r.waited,
        peakHours: r.peak,
      })),
    outsidePreferredRoute,
    queueByDay,
    violations: checkLedgerInvariants(await ledger.snapshot()),
  };
}
