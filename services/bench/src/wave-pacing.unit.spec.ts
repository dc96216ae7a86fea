import { type AnyCloudEvent, cloudEvent } from "@fangcang/contracts";
import { plannedDays } from "@fangcang/scenario";
import { describe, expect, it } from "vitest";
import {
  busiestRate,
  DEFAULT_PEAK_INPUT_RATE,
  defaultWaveSpeed,
  OpenInputs,
  WaveClock,
  WaveFeed,
} from "./wave-pacing.ts";

const HOUR = 3_600_000;
const T0 = Date.parse("2022-04-10T00:00:00.000Z");
const at = (hours: number) => new Date(T0 + hours * HOUR).toISOString();

/** A wave event or an intake answer at `hours` after T0, named by its id. */
function event(id: string, hours: number, type: "case.test-result" | "transfer.admitted" = "case.test-result") {
  return type === "transfer.admitted"
    ? (cloudEvent(
        "transfer.admitted",
        { id, source: "spec", time: at(hours) },
        { caseId: "c", transferId: "t", facilityId: "f", at: at(hours) },
      ) as AnyCloudEvent)
    : (cloudEvent(
        "case.test-result",
        { id, source: "spec", time: at(hours) },
        { caseId: "c", sampledAt: at(hours), nGeneCt: 30, orfGeneCt: 30 },
      ) as AnyCloudEvent);
}
const ids = (due: { events: AnyCloudEvent[] }) => due.events.map((e) => e.id);

describe("the wave's clock", () => {
  // 3,600 event-seconds per wall-second: one event hour per wall second.
  const clock = () => new WaveClock({ startEventMs: T0, speed: 3_600, leadMs: 2 * HOUR, wallMs: 0 });

  it("given nothing unanswered, then it runs at its speed", () => {
    const c = clock();
    expect(c.advance(1_000, Number.POSITIVE_INFINITY)).toBe(T0 + HOUR);
    expect(c.advance(4_000, Number.POSITIVE_INFINITY)).toBe(T0 + 4 * HOUR);
    expect(c.heldMs).toBe(0);
  });

  it("given an input the allocator has not answered, then it waits no further than the lead past it, and counts the wall time held", () => {
    const c = clock();
    expect(c.advance(5_000, T0 + HOUR)).toBe(T0 + 3 * HOUR);
    expect(c.advance(6_000, T0 + HOUR)).toBe(T0 + 3 * HOUR);
    expect(c.heldMs).toBe(6_000);
    // Answered: it goes on from where it stood, at its speed, without a jump.
    expect(c.advance(7_000, Number.POSITIVE_INFINITY)).toBe(T0 + 4 * HOUR);
  });

  it("given a late input older than the clock, then the clock stands still rather than going back", () => {
    const c = clock();
    c.advance(5_000, Number.POSITIVE_INFINITY);
    expect(c.advance(6_000, T0)).toBe(T0 + 5 * HOUR);
  });

  it("given inputs released this tick that await answers, then it is held where their release stopped, not before the tick began", () => {
    const c = clock();
    c.advance(1_000, Number.POSITIVE_INFINITY);
    c.advance(5_000, Number.POSITIVE_INFINITY);
    c.holdAt(T0 + 3 * HOUR);
    expect(c.now).toBe(T0 + 3 * HOUR);
    expect(c.heldMs).toBe(4_000);
    c.holdAt(T0);
    expect(c.now).toBe(T0 + HOUR);
  });
});

describe("the wave's feed", () => {
  it("given wave events and answers, then it releases them merged in event-time order up to the clock, an answer first on a tie", () => {
    const feed = new WaveFeed([event("w1", 1), event("w2", 3), event("w3", 5)]);
    expect(feed.startMs).toBe(T0 + HOUR);
    feed.schedule(event("a3", 3, "transfer.admitted"), T0);
    feed.schedule(event("a2", 2, "transfer.admitted"), T0);
    expect(ids(feed.due(T0 + 3 * HOUR))).toEqual(["w1", "a2", "a3", "w2"]);
    expect(ids(feed.due(T0 + 4 * HOUR))).toEqual([]);
    expect(feed.late).toBe(0);
  });

  it("given a lead, then it stops that far past the first released event that awaits an answer", () => {
    const feed = new WaveFeed([event("w1", 1), event("w2", 2), event("w3", 4), event("w4", 6)]);
    feed.schedule(event("a", 1.5, "transfer.admitted"), T0);
    const due = feed.due(T0 + 10 * HOUR, 3 * HOUR);
    expect(ids(due)).toEqual(["w1", "a", "w2", "w3"]);
    expect(due.reachedMs).toBe(T0 + 4.5 * HOUR);
    expect(ids(feed.due(T0 + 10 * HOUR))).toEqual(["w4"]);
  });

  it("given an answer due before the clock, then it is counted late and released at once", () => {
    const feed = new WaveFeed([event("w1", 1), event("w2", 10)]);
    feed.due(T0 + 4 * HOUR);
    feed.schedule(event("a", 2, "transfer.admitted"), T0 + 4 * HOUR);
    expect(feed.late).toBe(1);
    expect(feed.maxLatenessMs).toBe(2 * HOUR);
    expect(ids(feed.due(T0 + 4 * HOUR))).toEqual(["a"]);
  });

  it("given an answer taken back before it is due, then it is never released and the feed still finishes", () => {
    const feed = new WaveFeed([event("w1", 1), event("w2", 5)]);
    feed.schedule(event("kept", 2, "transfer.admitted"), T0);
    feed.schedule(event("taken-back", 3, "transfer.admitted"), T0);
    feed.withdraw("taken-back");
    expect(ids(feed.due(T0 + 100 * HOUR))).toEqual(["w1", "kept", "w2"]);
    expect(feed.finished).toBe(true);
  });

  it("given answers due after the wave's last event, then they are never released and the feed finishes without them", () => {
    const feed = new WaveFeed([event("w1", 1), event("w2", 5)]);
    feed.schedule(event("in", 4, "transfer.admitted"), T0);
    feed.schedule(event("after", 6, "transfer.admitted"), T0);
    expect(feed.finished).toBe(false);
    expect(ids(feed.due(T0 + 100 * HOUR))).toEqual(["w1", "in", "w2"]);
    expect(feed.finished).toBe(true);
  });
});

describe("inputs the allocator has not answered", () => {
  it("gives the oldest event time of those still open, and each one's release time once", () => {
    const open = new OpenInputs();
    open.released("b", T0 + 2 * HOUR, 10);
    open.released("a", T0 + HOUR, 20);
    open.released("c", T0 + 3 * HOUR, 30);
    expect(open.oldestEventMs()).toBe(T0 + HOUR);
    expect(open.answered("a")).toBe(20);
    expect(open.answered("a")).toBeUndefined();
    expect(open.oldestEventMs()).toBe(T0 + 2 * HOUR);
    open.answered("c");
    open.answered("b");
    expect(open.size).toBe(0);
    expect(open.oldestEventMs()).toBe(Number.POSITIVE_INFINITY);
  });

  it("given an answer that may come before its input is seen, then the input is never opened", () => {
    const open = new OpenInputs((id) => id.startsWith("offer-"));
    expect(open.answered("offer-1")).toBeUndefined();
    expect(open.answered("r-1")).toBeUndefined();
    open.released("offer-1", T0, 10);
    open.released("r-1", T0, 10);
    expect(open.size).toBe(1);
    expect(open.sample(5)).toEqual(["r-1"]);
  });

  it("given a follow-up seen again after it was answered (produced twice by a batch that failed), then the copy is not opened again", () => {
    const open = new OpenInputs((id) => id.startsWith("offer-"));
    open.released("offer-1", T0, 10);
    expect(open.answered("offer-1")).toBe(10);
    open.released("offer-1", T0, 20);
    expect(open.size).toBe(0);
    expect(open.oldestEventMs()).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("rates and speed", () => {
  it("the busiest window is the highest mean over that many consecutive seconds", () => {
    expect(busiestRate([1, 1, 10, 20, 1], 2)).toBe(15);
    expect(busiestRate([4, 2], 10)).toBe(3);
    expect(busiestRate([], 10)).toBe(0);
  });

  it("the default speed puts the wave's busiest day at the target input rate, faster for a smaller wave", () => {
    const wave = { seed: 1, scale: 0.01 };
    const speed = defaultWaveSpeed(wave);
    const peakCases = Math.max(...plannedDays(wave).map((d) => d.cases));
    const inputsPerSecond = (peakCases * 5 * speed) / 86_400;
    expect(Math.abs(inputsPerSecond - DEFAULT_PEAK_INPUT_RATE)).toBeLessThan(DEFAULT_PEAK_INPUT_RATE * 0.01);
    expect(defaultWaveSpeed({ seed: 1, scale: 0.001 })).toBeGreaterThan(5 * speed);
  });
});
