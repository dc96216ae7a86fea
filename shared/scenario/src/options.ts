// Options every scenario takes, checked once so that a bad value fails with a message
// that says what to pass instead.
import { isIsoDate } from "./calendar.ts";

export interface ScenarioOptions {
  /** Any integer 0 .. 2^32-1: the same seed gives the same events, byte for byte. */
  seed: number;
  /** First Shanghai reporting day (YYYY-MM-DD) whose cases are generated. Default: the wave's first. */
  from?: string;
  /** Last Shanghai day (YYYY-MM-DD) of the run: no event is later. Default: the wave's last. */
  to?: string;
  /** Fraction (0, 1] of the cases to generate, for small runs. Default 1. */
  scale?: number;
  /**
   * Whether bed counts shrink with `scale` too (rounded up), so a small run keeps the
   * wave's shortage of beds at the peak. Default true.
   */
  scaleCapacity?: boolean;
}

export interface ResolvedOptions {
  seed: number;
  from: string;
  to: string;
  scale: number;
  scaleCapacity: boolean;
}

export class ScenarioOptionsError extends Error {
  override name = "ScenarioOptionsError";
}

export function resolveOptions(options: ScenarioOptions, first: string, last: string): ResolvedOptions {
  const { seed, scale = 1, scaleCapacity = true } = options;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new ScenarioOptionsError(`seed must be an integer from 0 to 4294967295, got ${seed}`);
  }
  if (!(Number.isFinite(scale) && scale > 0 && scale <= 1)) {
    throw new ScenarioOptionsError(`scale must be a fraction in (0, 1], e.g. 0.01, got ${scale}`);
  }
  const from = options.from ?? first;
  const to = options.to ?? last;
  for (const [name, date] of [
    ["from", from],
    ["to", to],
  ] as const) {
    if (!isIsoDate(date)) throw new ScenarioOptionsError(`${name} must be a date written YYYY-MM-DD, got ${date}`);
    if (date < first || date > last) {
      throw new ScenarioOptionsError(`${name} ${date} is outside the scenario, which runs ${first} to ${last}`);
    }
  }
  if (from > to) throw new ScenarioOptionsError(`from ${from} is after to ${to}`);
  return { seed, from, to, scale, scaleCapacity };
}
