// The targets, and how one measurement (the median of its runs) compares to its target.

export interface Target {
  /** At least (throughputs) or at most (latencies, memory, durations). */
  kind: "at-least" | "at-most";
  value: number;
}

export interface Measurement {
  name: string;
  unit: string;
  runs: number[];
  target?: Target;
}

export const targets = {
  throughput: { kind: "at-least", value: 20_000 },
  ratioToBarePipe: { kind: "at-least", value: 0.7 },
  p99At2000: { kind: "at-most", value: 50 },
  auditReplay: { kind: "at-least", value: 250_000 },
  rssAt600k: { kind: "at-most", value: 300 },
  wave: { kind: "at-most", value: 60 },
} as const satisfies Record<string, Target>;

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export interface Verdict {
  met: boolean;
  /** How the median compares to the target, >= 1 when met: median/target, or target/median for "at most". */
  ratio: number;
  /** "met (1.35x)" or "missed: 0.42x of the target, needs 2.4x". */
  text: string;
}

export function verdict(value: number, target: Target): Verdict {
  const ratio = target.kind === "at-least" ? value / target.value : target.value / value;
  const met = target.kind === "at-least" ? value >= target.value : value <= target.value;
  // Two significant digits for small ratios, so a far miss does not read "0.00x".
  const times = (x: number) => (x < 0.1 ? x.toPrecision(2) : x.toFixed(2));
  const text = met
    ? `met (${times(ratio)}x)`
    : `MISSED: ${times(ratio)}x of the target, needs ${(1 / ratio).toFixed(2)}x`;
  return { met, ratio, text };
}
