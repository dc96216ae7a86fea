// The waiting queue's order: priority first (higher is more urgent), then the longest
// waiting, then case id. Cases with the same need share one queue, named canonically.
import type { Need } from "./need.ts";

/** Above any policy's top priority, so (MAX_PRIORITY - priority) is never negative. */
const MAX_PRIORITY = 99;
/** Event-time milliseconds stay below 1e13 until the year 2286; scores stay exact doubles. */
const PRIORITY_STEP = 1e13;

/** Lower scores are served first. */
export function waitingScore(priority: number, waitingSinceMs: number): number {
  if (!Number.isInteger(priority) || priority < 0 || priority > MAX_PRIORITY) {
    throw new RangeError(`priority must be an integer 0..${MAX_PRIORITY}, got ${priority}`);
  }
  return (MAX_PRIORITY - priority) * PRIORITY_STEP + waitingSinceMs;
}

/** "designated_hospital.icu+fangcang.shelter/icu,obstetrics": alternatives in order, capabilities sorted. */
export function queueNameOf(need: Need): string {
  const alternatives = need.alternatives.map((a) => `${a.kind}.${a.bedClass}`).join("+");
  return `${alternatives}/${[...need.capabilities].sort().join(",")}`;
}
