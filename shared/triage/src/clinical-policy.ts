// The shape of a clinical policy: every threshold and placement choice triage uses, as data.
// A policy is identified by its version; decisions record that version so a replay can re-derive them.
import type { BedClass, Capability, Condition, FacilityKind } from "@fangcang/contracts";

export interface PlacementAlternative {
  kind: FacilityKind;
  bedClass: BedClass;
}

/** Placement preference order; the allocator tries each in turn. Never empty. */
export type Placement = readonly [PlacementAlternative, ...PlacementAlternative[]];

export interface Priorities {
  readonly critical: number;
  readonly severe: number;
  readonly moderate: number;
  readonly highRiskMild: number;
  readonly mild: number;
  readonly asymptomatic: number;
}

/** Children's fast breathing: from `fromAgeYears` (inclusive) up to the next band's start, this rate or more is severe. */
export interface FastBreathingBand {
  readonly ruleId: string;
  readonly fromAgeYears: number;
  readonly severeRespiratoryRateAtLeast: number;
}

/** A special group's placement rule: whether it is sent to a designated hospital, and what its bed must offer. */
export interface GroupRule {
  readonly designated: boolean;
  readonly needs: readonly Capability[];
}

export interface ConditionRule extends GroupRule {
  readonly condition: Condition;
}

export interface ClinicalPolicy {
  /** Recorded on every decision; at most 64 characters (the contract's limit). */
  readonly version: string;
  /** "Age over 60": an age strictly above this is elderly. */
  readonly elderlyMinAgeExclusive: number;
  /** Ages strictly below this are children (the Shanghai notice's group and the protocol's children's criteria). */
  readonly childMaxAgeExclusive: number;
  /** Release needs two consecutive results with both N and ORF Ct at or above this. */
  readonly releaseCtThreshold: number;
  readonly releaseMinGapHours: number;
  /** A held bed not admitted within this many hours (of event time) is released. */
  readonly holdWindowHours: number;
  /** True: an elderly case with no other risk factor is placed like a comorbid one (hospital only). */
  readonly elderlyAloneRequiresHospital: boolean;
  /** Higher is more urgent; strictly decreasing in the order listed. */
  readonly priorities: Priorities;
  /** Adults: any one criterion met makes a lesser class severe. */
  readonly adultSevere: { readonly spo2AtMost: number; readonly respiratoryRateAtLeast: number };
  /** Children: SpO2, and fast breathing by age band (bands ascending, the first starting at age 0). */
  readonly childSevere: { readonly spo2AtMost: number; readonly fastBreathing: readonly FastBreathingBand[] };
  /** "Late pregnancy" (a high-risk factor) starts at this gestational week. */
  readonly latePregnancyMinWeeks: number;
  /** Conditions that are high-risk factors for progression. */
  readonly highRiskConditions: readonly Condition[];
  readonly children: GroupRule;
  readonly pregnant: GroupRule;
  /** Conditions with their own placement rule (e.g. haemodialysis), evaluated in this order. */
  readonly conditionRules: readonly ConditionRule[];
  /** Capabilities a critical case's facility must have. */
  readonly criticalNeeds: readonly Capability[];
  readonly placements: {
    readonly critical: Placement;
    readonly moderateOrSevere: Placement;
    /** Mild/asymptomatic cases of a designated special group (children, pregnant, dialysis, cancer...). */
    readonly specialCare: Placement;
    /** Mild/asymptomatic cases with a risk factor other than age alone. */
    readonly highRisk: Placement;
    /** Mild/asymptomatic elderly cases with no other risk factor, when `elderlyAloneRequiresHospital` is false. */
    readonly elderlyAlone: Placement;
    readonly other: Placement;
  };
}

const PRIORITY_ORDER = ["critical", "severe", "moderate", "highRiskMild", "mild", "asymptomatic"] as const;

/**
 * Checks a policy's invariants and freezes it deeply, so a policy (and every decision that shares its
 * placement entries) cannot be altered after it is defined. Throws an Error naming the broken invariant.
 */
export function definePolicy(policy: ClinicalPolicy): ClinicalPolicy {
  const problems = policyProblems(policy);
  if (problems.length > 0) {
    throw new Error(`Clinical policy "${policy.version}" is invalid: ${problems.join("; ")}`);
  }
  return deepFreeze(policy);
}

function policyProblems(policy: ClinicalPolicy): string[] {
  const problems: string[] = [];
  if (policy.version.length === 0 || policy.version.length > 64) {
    problems.push("version must be 1 to 64 characters");
  }
  for (let i = 1; i < PRIORITY_ORDER.length; i++) {
    const higher = PRIORITY_ORDER[i - 1] as keyof Priorities;
    const lower = PRIORITY_ORDER[i] as keyof Priorities;
    if (!(policy.priorities[higher] > policy.priorities[lower])) {
      problems.push(`priorities.${higher} must be greater than priorities.${lower}`);
    }
  }
  const bands = policy.childSevere.fastBreathing;
  if (bands[0]?.fromAgeYears !== 0) {
    problems.push("childSevere.fastBreathing must start with a band from age 0");
  }
  for (let i = 1; i < bands.length; i++) {
    const previous = bands[i - 1];
    const band = bands[i];
    if (previous !== undefined && band !== undefined && !(band.fromAgeYears > previous.fromAgeYears)) {
      problems.push(`childSevere.fastBreathing band "${band.ruleId}" must start after "${previous.ruleId}"`);
    }
  }
  if (policy.childMaxAgeExclusive > policy.elderlyMinAgeExclusive) {
    problems.push("childMaxAgeExclusive must not exceed elderlyMinAgeExclusive");
  }
  const seen = new Set<Condition>();
  for (const rule of policy.conditionRules) {
    if (seen.has(rule.condition)) problems.push(`conditionRules lists "${rule.condition}" twice`);
    seen.add(rule.condition);
  }
  for (const [name, placement] of Object.entries(policy.placements)) {
    if ((placement as readonly PlacementAlternative[]).length === 0) {
      problems.push(`placements.${name} must not be empty`);
    }
  }
  return problems;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
