// Who the cases were: age, sex, pregnancy, chronic conditions, severity and vitals.
// Shares follow Shanghai's 2020 census age structure and Chinese adult prevalence surveys
// in round numbers; severity follows the wave's published mix (about 91% asymptomatic)
// and rises steeply with age and chronic disease, as Omicron BA.2 did.
import type { Condition, Severity, Sex, Vitals } from "@fangcang/contracts";
import { chance, clampedNormal, cumulative, integer, type Rng, uniform, weightedIndex } from "../random.ts";

/** Age bands a case is drawn from: [from, to) years, weight among primary cases. */
const ageBands: readonly (readonly [number, number, number])[] = [
  [0, 1, 0.625],
  [1, 6, 3.75],
  [6, 12, 4.375],
  [12, 18, 3.75],
  [18, 30, 16],
  [30, 45, 26.7],
  [45, 60, 24],
  [60, 70, 11.85],
  [70, 80, 5.8],
  [80, 100, 3.15],
];
const ageBandSums = cumulative(ageBands.map((band) => band[2]));

/**
 * The age of a case that is not someone's household companion. Children are 12.5% and
 * people over 60 are 20.8% of these; a child usually brings a positive guardian and some
 * adults a positive partner, which brings the whole wave to about 10% children and 20%
 * over 60.
 */
export function primaryAge(rng: Rng): number {
  const [from, to] = ageBands[weightedIndex(rng, ageBandSums)] as readonly [number, number, number];
  return from === 0 ? Math.round(uniform(rng, 0.05, 1) * 100) / 100 : integer(rng, from, to - 1);
}

export function sexOf(rng: Rng): Sex {
  const u = rng.next();
  return u < 0.001 ? "unknown" : u < 0.505 ? "male" : "female";
}

/** Share of women aged 18-45 who are pregnant when they test positive. */
export const pregnancyShare = 0.005;

export function pregnancyWeeks(rng: Rng, age: number, sex: Sex): number | undefined {
  if (sex !== "female" || age < 18 || age > 45 || !chance(rng, pregnancyShare)) return undefined;
  return integer(rng, 4, 40);
}

type Band = 0 | 1 | 2 | 3 | 4 | 5;

/** child (<18), 18-44, 45-59, 60-69, 70-79, 80+ */
function bandOf(age: number): Band {
  if (age < 18) return 0;
  if (age < 45) return 1;
  if (age < 60) return 2;
  if (age < 70) return 3;
  if (age < 80) return 4;
  return 5;
}

/** Prevalence per age band (child, 18-44, 45-59, 60-69, 70-79, 80+). */
const prevalence: readonly (readonly [Condition, readonly number[]])[] = [
  ["hypertension", [0, 0.05, 0.22, 0.42, 0.52, 0.58]],
  ["diabetes", [0.001, 0.02, 0.09, 0.16, 0.2, 0.2]],
  ["cardiovascular", [0.001, 0.005, 0.03, 0.08, 0.14, 0.2]],
  ["cerebrovascular", [0, 0.002, 0.015, 0.05, 0.09, 0.14]],
  ["chronic_lung", [0.02, 0.01, 0.03, 0.07, 0.1, 0.12]],
  ["chronic_liver", [0.001, 0.01, 0.02, 0.02, 0.02, 0.02]],
  ["chronic_kidney", [0.001, 0.005, 0.015, 0.03, 0.05, 0.07]],
  ["cancer", [0.0005, 0.003, 0.015, 0.035, 0.05, 0.05]],
  ["immunodeficiency", [0.001, 0.002, 0.002, 0.003, 0.003, 0.003]],
  ["obesity", [0.03, 0.04, 0.06, 0.06, 0.05, 0.03]],
];
/** Heavy smoking, for men and women separately (child band never). */
const heavySmoker: Record<"male" | "female", readonly number[]> = {
  male: [0, 0.12, 0.16, 0.13, 0.09, 0.05],
  female: [0, 0.005, 0.005, 0.005, 0.003, 0.002],
};
/** Share on haemodialysis among those with chronic kidney disease. */
const dialysisShare = 0.12;

export function conditionsOf(rng: Rng, age: number, sex: Sex): Condition[] {
  const band = bandOf(age);
  const conditions: Condition[] = [];
  for (const [condition, byBand] of prevalence) {
    if (chance(rng, byBand[band] ?? 0)) conditions.push(condition);
  }
  if (sex !== "unknown" && chance(rng, heavySmoker[sex][band] ?? 0)) conditions.push("heavy_smoker");
  if (conditions.includes("chronic_kidney") && chance(rng, dialysisShare)) conditions.push("dialysis");
  return conditions;
}

/** How much likelier than a young adult a case of this band is to have symptoms. */
const symptomaticByBand: readonly number[] = [0.8, 1, 1.1, 1.6, 2, 2.5];
/** The population mean of symptomaticByBand, so that a day's symptomatic share holds on average. */
const meanSymptomaticFactor = 1.14;

/** Of symptomatic cases: [moderate, severe, critical] shares per band. */
const worseThanMild: readonly (readonly [number, number, number])[] = [
  [0.03, 0.003, 0.001],
  [0.03, 0.002, 0.0005],
  [0.05, 0.005, 0.002],
  [0.1, 0.02, 0.006],
  [0.15, 0.05, 0.02],
  [0.2, 0.1, 0.05],
];

/**
 * Severity at report. `symptomaticShare` is the day's confirmed share from the curve;
 * age raises it, chronic conditions raise the chance that a symptomatic case is severe.
 */
export function severityAtReport(
  rng: Rng,
  age: number,
  conditions: readonly Condition[],
  symptomaticShare: number,
): Severity {
  const band = bandOf(age);
  const symptomatic = Math.min(0.95, (symptomaticShare * (symptomaticByBand[band] ?? 1)) / meanSymptomaticFactor);
  if (!chance(rng, symptomatic)) return "asymptomatic";
  const [moderate, severe, critical] = worseThanMild[band] as readonly [number, number, number];
  const risk = 1 + 0.4 * Math.min(conditions.length, 4);
  const u = rng.next();
  if (u < critical * risk) return "critical";
  if (u < (critical + severe) * risk) return "severe";
  if (u < (critical + severe) * risk + moderate * Math.sqrt(risk)) return "moderate";
  return "mild";
}

const severityOrder: readonly Severity[] = ["asymptomatic", "mild", "moderate", "severe", "critical"];

export function severityIndex(severity: Severity): number {
  return severityOrder.indexOf(severity);
}

export function severityAt(index: number): Severity {
  return severityOrder[index] ?? "critical";
}

/** Chance that a case worsens by one class after report, by its class at report. */
const worseningBySeverity: Record<Severity, number> = {
  asymptomatic: 0.008,
  mild: 0.015,
  moderate: 0.05,
  severe: 0.15,
  critical: 0,
};
const worseningByBand: readonly number[] = [0.7, 0.8, 1.2, 2.5, 4, 6];

/** Whether the case will worsen one class after report (about 1-2% of cases in all). */
export function worsens(rng: Rng, severity: Severity, age: number, conditions: readonly Condition[]): boolean {
  const risk = (worseningByBand[bandOf(age)] ?? 1) * (1 + 0.3 * Math.min(conditions.length, 4));
  return chance(rng, Math.min(0.6, worseningBySeverity[severity] * risk));
}

/** Share of cases whose vitals are recorded at report, by severity. */
const vitalsRecorded: Record<Severity, number> = {
  asymptomatic: 0.03,
  mild: 0.1,
  moderate: 1,
  severe: 1,
  critical: 1,
};

/** Resting respiratory rate by age (children breathe faster). */
function baselineRespiratoryRate(age: number): number {
  if (age < 1) return 40;
  if (age < 6) return 28;
  if (age < 12) return 22;
  return 16;
}

/** The rate at or above which a child's breathing counts as fast (9th edition, severe). */
function fastBreathing(age: number): number {
  if (age < 2 / 12) return 60;
  if (age < 1) return 50;
  if (age <= 5) return 40;
  return 30;
}

/** SpO2 and respiratory rate consistent with the severity class (9th edition thresholds). */
export function vitalsOf(rng: Rng, severity: Severity, age: number, always = false): Vitals | undefined {
  if (!always && !chance(rng, vitalsRecorded[severity])) return undefined;
  const base = baselineRespiratoryRate(age);
  switch (severity) {
    case "asymptomatic":
    case "mild":
      return { spo2: integer(rng, 96, 99), respiratoryRate: base + integer(rng, -2, 4) };
    case "moderate":
      return { spo2: integer(rng, 94, 97), respiratoryRate: base + integer(rng, 2, 8) };
    case "severe":
      return { spo2: integer(rng, 88, 93), respiratoryRate: Math.max(fastBreathing(age), base + integer(rng, 10, 18)) };
    case "critical":
      return {
        spo2: Math.round(clampedNormal(rng, 85, 4, 70, 91)),
        respiratoryRate: Math.max(fastBreathing(age), base + integer(rng, 14, 24)),
      };
    default: {
      const unknown: never = severity;
      throw new Error(`no vitals for severity ${String(unknown)}`);
    }
  }
}
