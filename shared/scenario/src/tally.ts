// A running count of a scenario's events, by Shanghai day and type, plus the case mix.
// Constant work per event, so it can ride along while events are written or produced.
import type { AnyCloudEvent, DetectedIn, EventType, Severity } from "@fangcang/contracts";
import { DAY_MS, shanghaiDateOf, shanghaiDayStart } from "./calendar.ts";

export interface DayTally {
  date: string;
  byType: Partial<Record<EventType, number>>;
}

export class ScenarioTally {
  events = 0;
  readonly byType: Partial<Record<EventType, number>> = {};
  readonly bySeverity: Partial<Record<Severity, number>> = {};
  readonly byDetection: Partial<Record<DetectedIn, number>> = {};
  readonly byDistrict: Record<string, number> = {};
  children = 0;
  over60 = 0;
  pregnant = 0;
  withConditions = 0;
  /** Beds registered or changed, by facility and bed class (the latest total). */
  private readonly beds = new Map<string, { kind: string; classes: Record<string, number> }>();
  private readonly days = new Map<string, DayTally>();
  private lastDayFrom = "";
  private lastDayTo = "";
  private lastDay: DayTally | undefined;

  add(event: AnyCloudEvent): void {
    this.events++;
    this.byType[event.type] = (this.byType[event.type] ?? 0) + 1;
    const day = this.dayOf(event.time);
    day.byType[event.type] = (day.byType[event.type] ?? 0) + 1;
    switch (event.type) {
      case "case.reported": {
        const c = event.data;
        this.bySeverity[c.severity] = (this.bySeverity[c.severity] ?? 0) + 1;
        this.byDetection[c.detectedIn] = (this.byDetection[c.detectedIn] ?? 0) + 1;
        this.byDistrict[c.district] = (this.byDistrict[c.district] ?? 0) + 1;
        if (c.ageYears < 18) this.children++;
        if (c.ageYears >= 60) this.over60++;
        if (c.pregnancyWeeks !== undefined) this.pregnant++;
        if (c.conditions !== undefined) this.withConditions++;
        break;
      }
      case "facility.registered":
        this.beds.set(event.data.facilityId, { kind: event.data.kind, classes: { ...event.data.beds } });
        break;
      case "facility.beds-changed": {
        const facility = this.beds.get(event.data.facilityId);
        if (facility) facility.classes[event.data.bedClass] = event.data.total;
        break;
      }
      default:
        break;
    }
  }

  /** Days in time order, each with its counts by type. */
  byDay(): DayTally[] {
    return [...this.days.values()];
  }

  /** The day with the most of one event type. */
  peakDay(type: EventType): { date: string; count: number } | undefined {
    let peak: { date: string; count: number } | undefined;
    for (const day of this.days.values()) {
      const count = day.byType[type] ?? 0;
      if (peak === undefined || count > peak.count) peak = { date: day.date, count };
    }
    return peak;
  }

  /** Facilities and beds registered so far, by facility kind and bed class. */
  capacity(): Record<string, { facilities: number; beds: Record<string, number> }> {
    const out: Record<string, { facilities: number; beds: Record<string, number> }> = {};
    for (const { kind, classes } of this.beds.values()) {
      const entry = (out[kind] ??= { facilities: 0, beds: {} });
      entry.facilities++;
      for (const [bedClass, count] of Object.entries(classes))
        entry.beds[bedClass] = (entry.beds[bedClass] ?? 0) + count;
    }
    return out;
  }

  private dayOf(time: string): DayTally {
    // Events arrive in time order, so the day is almost always the last one seen; UTC
    // times of one format compare as strings, which is much cheaper than parsing them.
    if (this.lastDay !== undefined && time >= this.lastDayFrom && time < this.lastDayTo && time.endsWith("Z")) {
      return this.lastDay;
    }
    const date = shanghaiDateOf(time);
    let day = this.days.get(date);
    if (!day) {
      day = { date, byType: {} };
      this.days.set(date, day);
    }
    const start = shanghaiDayStart(date);
    this.lastDay = day;
    this.lastDayFrom = new Date(start).toISOString();
    this.lastDayTo = new Date(start + DAY_MS).toISOString();
    return day;
  }
}

/** Counts a stream of events (drains it). */
export function tally(events: Iterable<AnyCloudEvent>): ScenarioTally {
  const t = new ScenarioTally();
  for (const event of events) t.add(event);
  return t;
}
