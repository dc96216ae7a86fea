// The Shanghai 2022 wave as a lazy, seeded stream of contract events in event-time order.
//
// Day by day (Shanghai reporting days): the facility events of the day, the follow-ups
// of earlier cases that fall due, and the day's new cases, sorted by time. Each day's
// cases come from their own generator seeded by (seed, day), so a run that starts later
// (`from`) or stops earlier (`to`) reproduces the same cases, with the same ids, as the
// full run. A case's follow-ups are planned when it is reported and held compactly until
// due; follow-ups past `to` are not emitted.
//
// Not generated: admissions, rejections and discharges, which answer the allocator's
// transfer orders (see stayDays for realistic stay lengths).
import type {
  AnyCloudEvent,
  BedClass,
  CaseReported,
  CloudEvent,
  Condition,
  DetectedIn,
  EventData,
  EventType,
  FacilityKind,
  Severity,
  Sex,
  Vitals,
  WithdrawalReason,
} from "@fangcang/contracts";
import { shanghaiDistricts } from "@fangcang/placement";
import { compactDate, DAY_MS, daysBetween, HOUR_MS, isoSeconds, shanghaiDayStart } from "../calendar.ts";
import { FIELDS, Field, FollowUpKind, FollowUpQueue } from "../follow-up-queue.ts";
import { type ResolvedOptions, resolveOptions, type ScenarioOptions } from "../options.ts";
import { chance, cumulative, integer, mixSeed, mulberry32, type Rng, uniform, weightedIndex } from "../random.ts";
import { stayDays } from "../stay.ts";
import {
  conditionsOf,
  pregnancyWeeks,
  primaryAge,
  severityAt,
  severityAtReport,
  severityIndex,
  sexOf,
  vitalsOf,
  worsens,
} from "./case-mix.ts";
import { shanghai2022DailyCases, waveEnd, waveStart } from "./daily-cases.ts";
import { communityShare } from "./detection.ts";
import { type FacilityOpening, shanghai2022Facilities } from "./facilities.ts";

export const SCENARIO_SOURCE = "sim/shanghai-2022";

const MINUTE_MS = 60_000;
const waveDays = shanghai2022DailyCases.length;
const waveStartMs = shanghaiDayStart(waveStart);

/** Share of cases withdrawn (duplicates and false positives). */
const withdrawnShare = 0.003;
/** Share of cases with a positive (or single-gene positive) test before the two negative ones. */
const positiveFirstShare = 0.3;
/** Hours from sampling to the lab's result: the event time of a test result. */
const resultDelayHours = 6;
/** Share of children reported with a positive guardian, and of adults with a positive partner. */
const guardianShare = 0.6;
const partnerShare = 0.2;

const withdrawalReasons: readonly WithdrawalReason[] = ["duplicate", "false_positive"];

export interface PlannedDay {
  date: string;
  /** Cases reported that day in a run of this scale (0 before `from`). */
  cases: number;
  /** The curve's share of symptomatic (confirmed) cases that day. */
  symptomaticShare: number;
  /** Beds registered by the end of the day, by facility kind (all bed classes). */
  beds: Record<FacilityKind, number>;
}

/**
 * The run day by day: cases reported and beds open. Exact and cheap (no events are
 * generated), for planning and for progress totals.
 */
export function plannedDays(options: ScenarioOptions): PlannedDay[] {
  const o = resolveOptions(options, waveStart, waveEnd);
  const beds = bedsOpenByDay(o);
  let cumulativeCases = 0;
  let cumulativeScaled = 0;
  const days: PlannedDay[] = [];
  shanghai2022DailyCases.forEach(([date, symptomatic, asymptomatic], day) => {
    if (date > o.to) return;
    // Rounding the running total, not each day, keeps a scaled run's total at scale x total.
    cumulativeCases += symptomatic + asymptomatic;
    const scaled = Math.round(cumulativeCases * o.scale);
    const cases = scaled - cumulativeScaled;
    cumulativeScaled = scaled;
    days.push({
      date,
      cases: date < o.from ? 0 : cases,
      symptomaticShare: symptomatic / Math.max(1, symptomatic + asymptomatic),
      beds: beds[day] as Record<FacilityKind, number>,
    });
  });
  return days;
}

/** Bed counts as the run registers them: scaled with the cases (rounded up) unless told not to. */
const bedCount = (o: ResolvedOptions) => (n: number) => (o.scaleCapacity ? Math.ceil(n * o.scale) : n);

function bedsOpenByDay(o: ResolvedOptions): Record<FacilityKind, number>[] {
  const beds = bedCount(o);
  const added = shanghai2022DailyCases.map(() => ({ designated_hospital: 0, sub_designated_hospital: 0, fangcang: 0 }));
  const add = (date: string, kind: FacilityKind, n: number) => {
    const day = added[daysBetween(waveStart, date)];
    if (day) day[kind] += n;
  };
  for (const f of shanghai2022Facilities()) {
    const current: Partial<Record<BedClass, number>> = {};
    for (const [bedClass, n] of Object.entries(f.beds) as [BedClass, number][]) {
      current[bedClass] = beds(n);
      add(f.date, f.kind, beds(n));
    }
    for (const step of f.expansions) {
      add(step.date, f.kind, beds(step.total) - (current[step.bedClass] ?? 0));
      current[step.bedClass] = beds(step.total);
    }
  }
  let open = { designated_hospital: 0, sub_designated_hospital: 0, fangcang: 0 };
  return added.map((day) => {
    open = {
      designated_hospital: open.designated_hospital + day.designated_hospital,
      sub_designated_hospital: open.sub_designated_hospital + day.sub_designated_hospital,
      fangcang: open.fangcang + day.fangcang,
    };
    return open;
  });
}

/** The Shanghai 1 March - 31 May 2022 wave, lazily, in event-time order. */
export function* shanghai2022(options: ScenarioOptions): Generator<AnyCloudEvent, void, undefined> {
  const o = resolveOptions(options, waveStart, waveEnd);
  const days = plannedDays(o);
  const lastDay = days.length - 1;
  const followUps = new FollowUpQueue(days.length);
  const facilities = facilityEventsByDay(o);
  const keys = new CaseKeys(o.seed);

  for (let day = 0; day <= lastDay; day++) {
    const reported = generateDay(o, day, days[day] as PlannedDay, followUps, lastDay, keys);
    const opened = facilities[day] ?? [];
    const due = followUps.take(day);
    // Sort (second, position) packed in one float: a native numeric sort, several times
    // faster than sorting objects with a comparator. Seconds since 1970 need 31 bits, the
    // position 21; ties keep list order (facilities first, a guardian before their child).
    const dueFrom = opened.length;
    const reportedFrom = dueFrom + due.count;
    const order = new Float64Array(reportedFrom + reported.times.length);
    if (order.length >= POSITIONS) throw new Error(`day ${day} has ${order.length} events, more than can be sorted`);
    let i = 0;
    for (const f of opened) order[i] = (f.time / 1000) * POSITIONS + i++;
    for (let j = 0; j < due.count; j++) order[i] = ((due.records[j * FIELDS] as number) / 1000) * POSITIONS + i++;
    for (const time of reported.times) order[i] = (time / 1000) * POSITIONS + i++;
    order.sort();
    for (const key of order) {
      const at = key % POSITIONS;
      if (at < dueFrom) yield (opened[at] as Timed).event;
      else if (at < reportedFrom) yield followUpEvent(due.records, (at - dueFrom) * FIELDS, keys);
      else yield reported.events[at - reportedFrom] as AnyCloudEvent;
    }
  }
}

const POSITIONS = 2 ** 21;

interface Timed {
  /** Epoch ms, whole seconds. */
  time: number;
  event: AnyCloudEvent;
}

/**
 * A case is known by seed, report day and number within the day ("7-20220413-00042"), so
 * a slice of the wave names its cases and events as the full run does.
 */
class CaseKeys {
  private readonly dayPrefixes: string[];

  constructor(seed: number) {
    this.dayPrefixes = shanghai2022DailyCases.map(([date]) => `${seed}-${compactDate(date)}-`);
  }

  of(day: number, n: number): string {
    return this.dayPrefixes[day] + (n < 10_000 ? `0000${n}`.slice(-5) : String(n));
  }
}

const caseIdOf = (key: string) => `sh22-${key}`;
const householdIdOf = (key: string) => `hh-${key}`;
/** Event ids: `sim-<case key>-<r|x|t1..t3|w>`, `sim-<seed>-<facility id>-<n>`. */
const eventIdOf = (key: string, suffix: string) => `sim-${key}-${suffix}`;

/**
 * Builds an event without re-parsing it: the types fix its shape and the generator its
 * ranges, and a million zod parses would triple the cost of a run. The unit specs
 * validate every event of a sampled wave against the catalog instead.
 */
function event<T extends EventType>(type: T, id: string, time: string, data: EventData<T>): CloudEvent<T> {
  return { specversion: "1.0", id, source: SCENARIO_SOURCE, type, time, datacontenttype: "application/json", data };
}

// Facilities -------------------------------------------------------------------------

function facilityEventsByDay(o: ResolvedOptions): Timed[][] {
  const byDay: Timed[][] = Array.from({ length: waveDays }, () => []);
  const beds = bedCount(o);
  const eventsOf = new Map<string, number>();
  const nextId = (facilityId: string) => {
    const k = (eventsOf.get(facilityId) ?? 0) + 1;
    eventsOf.set(facilityId, k);
    return `sim-${o.seed}-${facilityId}-${k}`;
  };
  const add = (date: string, time: number, e: AnyCloudEvent) => {
    if (date <= o.to) byDay[daysBetween(waveStart, date)]?.push({ time, event: e });
  };
  const openedOn = new Map<string, number>();
  const expansions: { date: string; facility: FacilityOpening; step: FacilityOpening["expansions"][number] }[] = [];
  for (const f of shanghai2022Facilities()) {
    // Facilities open from 06:00 (local), one a minute, in the plan's order.
    const n = openedOn.get(f.date) ?? 0;
    openedOn.set(f.date, n + 1);
    const time = shanghaiDayStart(f.date) + 6 * HOUR_MS + n * MINUTE_MS;
    const data: EventData<"facility.registered"> = {
      facilityId: f.facilityId,
      name: f.name,
      kind: f.kind,
      district: f.district,
      beds: Object.fromEntries(Object.entries(f.beds).map(([bedClass, count]) => [bedClass, beds(count)])),
      capabilities: f.capabilities,
    };
    add(f.date, time, event("facility.registered", nextId(f.facilityId), isoSeconds(time), data));
    for (const step of f.expansions) expansions.push({ date: step.date, facility: f, step });
  }
  // Expansions from 08:00 (local), one a minute.
  expansions.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const expandedOn = new Map<string, number>();
  for (const { date, facility, step } of expansions) {
    const n = expandedOn.get(date) ?? 0;
    expandedOn.set(date, n + 1);
    const time = shanghaiDayStart(date) + 8 * HOUR_MS + n * MINUTE_MS;
    add(
      date,
      time,
      event("facility.beds-changed", nextId(facility.facilityId), isoSeconds(time), {
        facilityId: facility.facilityId,
        at: isoSeconds(time),
        bedClass: step.bedClass,
        total: beds(step.total),
      }),
    );
  }
  return byDay;
}

// Cases ------------------------------------------------------------------------------

const districtNames = shanghaiDistricts.map((d) => d.name);
const districtSums = cumulative(shanghaiDistricts.map((d) => d.population));

interface Household {
  district: string;
  detectedIn: DetectedIn;
  householdId?: string;
}

function generateDay(
  o: ResolvedOptions,
  day: number,
  plan: PlannedDay,
  followUps: FollowUpQueue,
  lastDay: number,
  keys: CaseKeys,
): { times: number[]; events: CloudEvent<"case.reported">[] } {
  const out = { times: [] as number[], events: [] as CloudEvent<"case.reported">[] };
  if (plan.cases === 0) return out;
  const rng = mulberry32(mixSeed(o.seed, day));
  const dayStart = waveStartMs + day * DAY_MS;
  const community = districtNames.map((d) => communityShare(plan.date, d));
  let n = 0;

  const report = (time: number, home: Household, age: number, sex: Sex, guardianCaseId?: string): CaseReported => {
    const caseNumber = n++;
    const key = keys.of(day, caseNumber);
    const caseId = caseIdOf(key);
    const conditions = conditionsOf(rng, age, sex);
    const severity = severityAtReport(rng, age, conditions, plan.symptomaticShare);
    const weeks = pregnancyWeeks(rng, age, sex);
    const vitals = vitalsOf(rng, severity, age);
    const reportedAt = isoSeconds(time);
    const data: CaseReported = {
      caseId,
      reportedAt,
      district: home.district,
      ageYears: age,
      sex,
      severity,
      detectedIn: home.detectedIn,
    };
    if (weeks !== undefined) data.pregnancyWeeks = weeks;
    if (conditions.length > 0) data.conditions = conditions;
    if (vitals !== undefined) data.vitals = vitals;
    if (home.householdId !== undefined) data.householdId = home.householdId;
    if (guardianCaseId !== undefined) data.guardianCaseId = guardianCaseId;
    out.times.push(time);
    out.events.push(event("case.reported", eventIdOf(key, "r"), reportedAt, data));
    planFollowUps(rng, { time, day, caseNumber, severity, age, conditions }, followUps, lastDay);
    return data;
  };

  while (n < plan.cases) {
    const d = weightedIndex(rng, districtSums);
    const home: Household = {
      district: districtNames[d] ?? "Pudong",
      detectedIn: chance(rng, community[d] ?? 0) ? "community" : "quarantine",
    };
    // Reported between 00:00 and 23:50, to the second; companions within minutes after.
    const time = dayStart + Math.floor(rng.next() * (DAY_MS - 10 * MINUTE_MS) * 0.001) * 1000;
    const age = primaryAge(rng);
    const room = plan.cases - n;
    if (age < 18 && room >= 2 && chance(rng, guardianShare)) {
      home.householdId = householdIdOf(keys.of(day, n));
      const guardianAge = Math.min(60, Math.max(20, Math.floor(age) + integer(rng, 22, 38)));
      const guardian = report(time, home, guardianAge, chance(rng, 0.6) ? "female" : "male");
      report(time + integer(rng, 1, 300) * 1000, home, age, sexOf(rng), guardian.caseId);
    } else if (age >= 18 && room >= 2 && chance(rng, partnerShare)) {
      home.householdId = householdIdOf(keys.of(day, n));
      const first = report(time, home, age, sexOf(rng));
      const partnerSex: Sex = first.sex === "female" ? "male" : "female";
      report(time + integer(rng, 1, 300) * 1000, home, Math.max(18, age + integer(rng, -6, 6)), partnerSex);
    } else {
      report(time, home, age, sexOf(rng));
    }
  }
  return out;
}

interface ReportedCase {
  time: number;
  day: number;
  caseNumber: number;
  severity: Severity;
  age: number;
  conditions: readonly Condition[];
}

const dayOf = (time: number) => Math.floor((time - waveStartMs) / DAY_MS);
const ct = (rng: Rng, min: number, max: number) => Math.round(uniform(rng, min, max) * 10) / 10;
/** A random span of hours, in whole seconds (all scenario times are whole seconds). */
const hours = (rng: Rng, min: number, max: number) => Math.round(uniform(rng, min, max) * 3600) * 1000;

/** Plans a case's later events: a withdrawal, or a possible worsening and then the release tests. */
function planFollowUps(rng: Rng, c: ReportedCase, followUps: FollowUpQueue, lastDay: number): void {
  const queue = (time: number, kind: FollowUpKind, a: number, b: number, seq: number) => {
    const due = dayOf(time);
    if (due <= lastDay) followUps.push(due, time, kind, c.day, c.caseNumber, a, b, seq);
  };
  if (chance(rng, withdrawnShare)) {
    const reason = rng.next() < 0.65 ? 0 : 1;
    queue(c.time + hours(rng, 2, 48), FollowUpKind.withdrawn, reason, 0, 0);
    return;
  }
  let severity = c.severity;
  let since = c.time;
  if (worsens(rng, severity, c.age, c.conditions)) {
    since = c.time + hours(rng, 24, 120);
    severity = severityAt(severityIndex(severity) + 1);
    const vitals: Vitals | undefined = vitalsOf(rng, severity, c.age, severity !== "mild" || chance(rng, 0.3));
    queue(since, FollowUpKind.reclassified, severityIndex(severity), vitals?.spo2 ?? -1, vitals?.respiratoryRate ?? -1);
  }
  // Release: two tests with both Ct >= 35 at least 24 h apart, about one stay after `since`;
  // sometimes a test that is still positive (or positive on one gene) comes first.
  const resultDelay = resultDelayHours * HOUR_MS;
  const firstNegative = since + (stayDays(rng, severity) - 1) * DAY_MS + hours(rng, -4, 4);
  let seq = 1;
  if (chance(rng, positiveFirstShare)) {
    const sampled = firstNegative - hours(rng, 24, 48);
    if (sampled > since + HOUR_MS) {
      const [n, orf] = rng.next() < 0.7 ? [ct(rng, 25, 34.9), ct(rng, 25, 34.9)] : [ct(rng, 35, 38), ct(rng, 30, 34.9)];
      queue(sampled + resultDelay, FollowUpKind.testResult, n, orf, seq++);
    }
  }
  const secondNegative = firstNegative + DAY_MS + hours(rng, 0, 8);
  for (const sampled of [firstNegative, secondNegative]) {
    const [n, orf] = rng.next() < 0.45 ? [40, 40] : [ct(rng, 35, 39.9), ct(rng, 35, 39.9)];
    queue(sampled + resultDelay, FollowUpKind.testResult, n, orf, seq++);
  }
}

/** The CloudEvent of the follow-up record at `offset` in `records`. */
function followUpEvent(records: Float64Array, offset: number, keys: CaseKeys): AnyCloudEvent {
  const time = records[offset + Field.time] as number;
  const kind = records[offset + Field.kind] as FollowUpKind;
  const a = records[offset + Field.a] as number;
  const b = records[offset + Field.b] as number;
  const c = records[offset + Field.c] as number;
  const key = keys.of(records[offset + Field.reportDay] as number, records[offset + Field.caseNumber] as number);
  const caseId = caseIdOf(key);
  switch (kind) {
    case FollowUpKind.reclassified: {
      const at = isoSeconds(time);
      const data: EventData<"case.reclassified"> = { caseId, at, severity: severityAt(a) };
      if (b >= 0) data.vitals = { spo2: b, respiratoryRate: c };
      return event("case.reclassified", eventIdOf(key, "x"), at, data);
    }
    case FollowUpKind.testResult:
      return event("case.test-result", eventIdOf(key, `t${c}`), isoSeconds(time), {
        caseId,
        sampledAt: isoSeconds(time - resultDelayHours * HOUR_MS),
        nGeneCt: a,
        orfGeneCt: b,
      });
    case FollowUpKind.withdrawn: {
      const at = isoSeconds(time);
      return event("case.withdrawn", eventIdOf(key, "w"), at, {
        caseId,
        at,
        reason: withdrawalReasons[a] ?? "duplicate",
      });
    }
    default: {
      const unknown: never = kind;
      throw new Error(`unknown follow-up kind ${String(unknown)}`);
    }
  }
}
