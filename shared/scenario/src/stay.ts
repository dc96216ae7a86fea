// How long a patient stays, by severity, for Omicron BA.2 under the 9th-edition release
// rule (two tests with Ct >= 35 at least 24 h apart). Shanghai's Fangcang reported median
// stays of about a week for asymptomatic and mild cases; hospital stays for pneumonia run
// two to four weeks. The scenario times each case's release tests with this same
// distribution, and a what-if runner can time discharges with it.
import type { Severity } from "@fangcang/contracts";
import { clampedNormal, type Rng } from "./random.ts";

/** [mean, sd, min, max] days from admission (or from worsening) to release. */
const stayBySeverity: Record<Severity, readonly [number, number, number, number]> = {
  asymptomatic: [8, 2, 5, 16],
  mild: [9.5, 2.5, 6, 20],
  moderate: [14, 3.5, 8, 30],
  severe: [20, 5, 12, 42],
  critical: [28, 7, 16, 60],
};

/** Whole days a patient of this severity stays before release. */
export function stayDays(rng: Rng, severity: Severity): number {
  const [mean, sd, min, max] = stayBySeverity[severity];
  return Math.round(clampedNormal(rng, mean, sd, min, max));
}
