// When the wave step releases each event. Holds expire on event time, so a compressed run is
// faithful only while the allocator sees events in about the order they happen: an intake
// answer (admission 2 h after its order) must reach it before it sees events 12 h later.
// Three parts, none of them doing I/O: a clock that runs `speed` event-seconds per
// wall-second but never more than `leadMs` ahead of the oldest input the allocator has not
// yet answered (so a slow allocator slows the wave instead of letting intake fall behind);
// the merge of the wave's own events with the intake answers in event-time order; and the
// bookkeeping of which released inputs are still open.
import type { AnyCloudEvent } from "@fangcang/contracts";
import { plannedDays, type ScenarioOptions } from "@fangcang/scenario";
import { EventSchedule } from "@fangcang/simulation";

/** Event-seconds in a day: speeds are event-seconds per wall-second. */
const DAY_SECONDS = 86_400;

/**
 * Inputs per case in the wave with intake (reports, test results, reclassifications,
 * admissions, discharges, facility events): 157,567 for 31,300 cases at scale 0.05.
 */
const INPUTS_PER_CASE = 5;
/**
 * The input rate the default speed aims at on the wave's busiest day: half the allocator's
 * measured drain throughput (~2,000 cases/s), where its latency is still well under a second.
 */
export const DEFAULT_PEAK_INPUT_RATE = 1_000;

/** Event-seconds per wall-second that put the busiest day's inputs at `peakRate` per second. */
export function defaultWaveSpeed(wave: ScenarioOptions, peakRate = DEFAULT_PEAK_INPUT_RATE): number {
  const peakCases = Math.max(1, ...plannedDays(wave).map((day) => day.cases));
  return Math.round((peakRate * DAY_SECONDS) / (peakCases * INPUTS_PER_CASE));
}

export interface WaveClockSettings {
  /** Event time at the start: the wave's first event. */
  startEventMs: number;
  /** Event-seconds per wall-second. */
  speed: number;
  /** How far the clock may run ahead of the oldest unanswered input, in event ms. */
  leadMs: number;
  wallMs: number;
}

/** Event time as a function of wall time: compressed, held back by the allocator, never backwards. */
export class WaveClock {
  readonly speed: number;
  readonly leadMs: number;
  private eventMs: number;
  private wallMs: number;
  /** Where the last tick began, and whether it was held back. */
  private tick = { fromMs: 0, elapsedMs: 0, held: false };
  /** Wall ms during which the allocator, not the speed, set the pace. */
  heldMs = 0;

  constructor(settings: WaveClockSettings) {
    this.speed = settings.speed;
    this.leadMs = settings.leadMs;
    this.eventMs = settings.startEventMs;
    this.wallMs = settings.wallMs;
  }

  get now(): number {
    return this.eventMs;
  }

  /** Moves to wall time `wallMs`; `oldestOpenMs` is the event time of the oldest unanswered input (+Infinity: none). */
  advance(wallMs: number, oldestOpenMs: number): number {
    const elapsed = Math.max(0, wallMs - this.wallMs);
    const free = this.eventMs + elapsed * this.speed;
    const cap = oldestOpenMs + this.leadMs;
    this.tick = { fromMs: this.eventMs, elapsedMs: elapsed, held: free > cap };
    if (this.tick.held) this.heldMs += elapsed;
    this.eventMs = Math.max(this.eventMs, Math.min(free, cap));
    this.wallMs = wallMs;
    return this.eventMs;
  }

  /**
   * Holds the clock at `eventMs` (no earlier than where this tick began): inputs released in
   * this tick wait for their answers too.
   */
  holdAt(eventMs: number): void {
    if (eventMs >= this.eventMs) return;
    this.eventMs = Math.max(this.tick.fromMs, eventMs);
    if (!this.tick.held) this.heldMs += this.tick.elapsedMs;
    this.tick.held = true;
  }
}

/**
 * Inputs the allocator answers one by one (a decision, a ledger receipt or a dead letter), so
 * that the clock can wait for them: reports, and the intake's admissions and discharges.
 */
export function awaitsAnswer(event: AnyCloudEvent): boolean {
  return event.type === "case.reported" || event.type === "transfer.admitted" || event.type === "patient.discharged";
}

/**
 * The wave's own events (lazily, in time order) merged with intake answers scheduled as the
 * allocator's orders come in. Like the in-memory run, an answer due at the same time as a
 * wave event goes first, and answers due after the wave's last event are never sent.
 */
export class WaveFeed {
  private readonly scenario: Iterator<AnyCloudEvent>;
  private readonly answers = new EventSchedule();
  private next: AnyCloudEvent | undefined;
  private nextMs = Number.POSITIVE_INFINITY;
  private lastScenarioMs = Number.NEGATIVE_INFINITY;
  /** The wave's first event time (0 for an empty wave): where the clock starts. */
  readonly startMs: number;
  /** Answers whose due time had passed on the clock when they were scheduled, and the most late one, in ms. */
  late = 0;
  maxLatenessMs = 0;
  /** Ids of scheduled answers taken back before they were due: dropped when they come up. */
  private readonly withdrawn = new Set<string>();

  constructor(scenario: Iterable<AnyCloudEvent>) {
    this.scenario = scenario[Symbol.iterator]();
    this.pull();
    this.startMs = this.next === undefined ? 0 : this.nextMs;
  }

  private pull(): void {
    const step = this.scenario.next();
    this.next = step.done ? undefined : step.value;
    if (this.next === undefined) {
      this.nextMs = Number.POSITIVE_INFINITY;
      return;
    }
    this.nextMs = Date.parse(this.next.time);
    this.lastScenarioMs = this.nextMs;
  }

  /** The last wave event's time while the wave lasts: no answer after it is sent. */
  private get endMs(): number {
    return this.next === undefined ? this.lastScenarioMs : Number.POSITIVE_INFINITY;
  }

  private answerDueBy(limitMs: number): number {
    const at = this.answers.peekTime();
    return at <= limitMs ? at : Number.POSITIVE_INFINITY;
  }

  /** True once every wave event and every answer due within the wave has been taken. */
  get finished(): boolean {
    return this.next === undefined && this.answerDueBy(this.endMs) === Number.POSITIVE_INFINITY;
  }

  /** Schedules an intake answer; `clockMs` is the clock now, to tell whether it comes late. */
  schedule(answer: AnyCloudEvent, clockMs: number): void {
    const at = Date.parse(answer.time);
    if (at < clockMs) {
      this.late++;
      this.maxLatenessMs = Math.max(this.maxLatenessMs, clockMs - at);
    }
    this.answers.push(at, answer);
  }

  /** Takes back a scheduled answer not released yet (an admission the allocator refused after all). */
  withdraw(answerId: string): void {
    this.withdrawn.add(answerId);
  }

  /**
   * Removes and returns the events due by `untilMs`, in event-time order, stopping `leadMs`
   * past the first one among them that awaits an answer; `reachedMs` is where that left off.
   */
  due(untilMs: number, leadMs = Number.POSITIVE_INFINITY): { events: AnyCloudEvent[]; reachedMs: number } {
    const events: AnyCloudEvent[] = [];
    let limit = untilMs;
    for (;;) {
      const answerAt = this.answerDueBy(Math.min(limit, this.endMs));
      let event: AnyCloudEvent;
      if (answerAt <= this.nextMs && answerAt !== Number.POSITIVE_INFINITY) {
        event = this.answers.pop() as AnyCloudEvent;
        if (this.withdrawn.delete(event.id)) continue;
      } else if (this.next !== undefined && this.nextMs <= limit) {
        event = this.next;
        this.pull();
      } else {
        return { events, reachedMs: limit };
      }
      events.push(event);
      if (awaitsAnswer(event)) limit = Math.min(limit, Date.parse(event.time) + leadMs);
    }
  }
}

/**
 * Inputs released and not yet answered by the allocator (by a decision, a ledger receipt or
 * a dead letter), oldest event time first: what the clock must not run too far ahead of.
 */
export class OpenInputs {
  private readonly open = new Map<string, { eventMs: number; releasedMs: number }>();
  /** A min-heap of [event time, id]; answered ids are dropped when they reach the top. */
  private readonly heap: [number, string][] = [];
  /**
   * Inputs seen on another topic than their answers (the allocator's own follow-ups) may be
   * answered before they are seen, and are seen at least once: an allocator that fails a
   * batch after producing its follow-ups produces them again, and answers the copy with
   * nothing (it has applied it). Their answers are kept for good, so a copy never reopens.
   */
  private readonly isFollowUp: (id: string) => boolean;
  private readonly answeredFollowUps = new Set<string>();

  constructor(isFollowUp: (id: string) => boolean = () => false) {
    this.isFollowUp = isFollowUp;
  }

  get size(): number {
    return this.open.size;
  }

  released(id: string, eventMs: number, releasedMs: number): void {
    if (this.open.has(id) || this.answeredFollowUps.has(id)) return;
    this.open.set(id, { eventMs, releasedMs });
    const heap = this.heap;
    heap.push([eventMs, id]);
    for (let i = heap.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if ((heap[parent] as [number, string])[0] <= eventMs) break;
      [heap[i], heap[parent]] = [heap[parent] as [number, string], heap[i] as [number, string]];
      i = parent;
    }
  }

  /** Marks an input answered; returns the wall time it was released the first time it is answered. */
  answered(id: string): number | undefined {
    if (this.isFollowUp(id)) this.answeredFollowUps.add(id);
    const entry = this.open.get(id);
    if (entry === undefined) return undefined;
    this.open.delete(id);
    return entry.releasedMs;
  }

  /** Event time of the oldest open input; +Infinity when none is open. */
  oldestEventMs(): number {
    const heap = this.heap;
    while (heap.length > 0 && !this.open.has((heap[0] as [number, string])[1])) this.popTop();
    return heap[0]?.[0] ?? Number.POSITIVE_INFINITY;
  }

  /** Ids of a few open inputs, for an error message. */
  sample(n: number): string[] {
    return [...this.open.keys()].slice(0, n);
  }

  private popTop(): void {
    const heap = this.heap;
    const last = heap.pop() as [number, string];
    if (heap.length === 0) return;
    heap[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && (heap[l] as [number, string])[0] < (heap[m] as [number, string])[0]) m = l;
      if (r < heap.length && (heap[r] as [number, string])[0] < (heap[m] as [number, string])[0]) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m] as [number, string], heap[i] as [number, string]];
      i = m;
    }
  }
}

/** Highest rate over any `windowSeconds` consecutive seconds, from counts per wall-second. */
export function busiestRate(perSecond: readonly number[], windowSeconds: number): number {
  if (perSecond.length === 0) return 0;
  const width = Math.min(windowSeconds, perSecond.length);
  let sum = 0;
  for (let i = 0; i < width; i++) sum += perSecond[i] as number;
  let best = sum;
  for (let i = width; i < perSecond.length; i++) {
    sum += (perSecond[i] as number) - (perSecond[i - width] as number);
    best = Math.max(best, sum);
  }
  return best / width;
}
