// A small seeded pseudo-random generator and the few distributions the scenarios draw
// from. Scenarios must be reproducible from their seed alone, so nothing here reads
// Math.random or a clock.

/** A source of uniform numbers in [0, 1). */
export interface Rng {
  next(): number;
}

/** Mixes 32-bit words into one well-spread 32-bit seed (murmur3's finaliser per word). */
export function mixSeed(...words: number[]): number {
  let h = 0x9e3779b9;
  for (const word of words) {
    h = Math.imul(h ^ (word >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/**
 * mulberry32: 32 bits of state, period 2^32, passes gjrand's tests for the short streams
 * a scenario day needs (tens of thousands of cases), and costs a few integer operations.
 */
export function mulberry32(seed: number): Rng {
  let state = seed >>> 0;
  return {
    next(): number {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

/** The same generator as a plain function, for callers that only draw numbers. */
export function seededRandom(seed: number): () => number {
  const rng = mulberry32(seed);
  return () => rng.next();
}

export function chance(rng: Rng, probability: number): boolean {
  return rng.next() < probability;
}

/** Uniform in [min, max). */
export function uniform(rng: Rng, min: number, max: number): number {
  return min + (max - min) * rng.next();
}

/** Uniform integer in [min, max]. */
export function integer(rng: Rng, min: number, max: number): number {
  return min + Math.floor((max - min + 1) * rng.next());
}

/** Normal by Box-Muller, clamped to [min, max]. */
export function clampedNormal(rng: Rng, mean: number, sd: number, min: number, max: number): number {
  const u = 1 - rng.next();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
  return Math.min(max, Math.max(min, mean + sd * z));
}

/** Cumulative weights, for repeated weighted picks by binary search. */
export function cumulative(weights: readonly number[]): Float64Array {
  const sums = new Float64Array(weights.length);
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    total += weights[i] ?? 0;
    sums[i] = total;
  }
  return sums;
}

/** The index picked with probability proportional to its weight. */
export function weightedIndex(rng: Rng, sums: Float64Array): number {
  const target = rng.next() * (sums[sums.length - 1] ?? 0);
  let lo = 0;
  let hi = sums.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sums[mid] ?? 0) > target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
