// The pure triage decision: a case's facts and a clinical policy in, where it should go and why out.
// Runs once per case event on the hot path, so it reads the policy in place and allocates only its result.

import type { Capability, Route, Severity, Vitals } from "@fangcang/contracts";
import { Condition } from "@fangcang/contracts";
import type { ClinicalPolicy, GroupRule, Placement, PlacementAlternative } from "./clinical-policy.ts";

export interface CaseFacts {
  ageYears: number;
  severity: Severity;
  pregnancyWeeks?: number;
  conditions?: readonly Condition[];
  vitals?: Vitals;
}

export interface TriageDecision {
  policyVersion: string;
  /** Effective severity: vitals can upgrade the reported class, never downgrade it. */
  severity: Severity;
  priority: number;
  /** The kind of the first alternative. */
  route: Route;
  /** Preference order, never empty. */
  alternatives: PlacementAlternative[];
  /** Sorted, unique. */
  requiredCapabilities: Capability[];
  /** Any protocol high-risk factor for progression is present. */
  highRisk: boolean;
  /** Ids of the rules that fired, in evaluation order. */
  reasons: string[];
}

export const ruleIds = {
  adultSpo2: "vitals.adult.spo2",
  adultRespiratoryRate: "vitals.adult.respiratory_rate",
  childSpo2: "vitals.child.spo2",
  child: "group.child",
  pregnant: "group.pregnant",
  elderly: "risk.elderly",
  latePregnancy: "risk.late_pregnancy",
  routeCritical: "route.critical",
  routeModerateOrSevere: "route.moderate_or_severe",
  routeSpecialCare: "route.special_care",
  routeHighRisk: "route.high_risk",
  routeElderlyAlone: "route.elderly_alone",
  routeFangcang: "route.fangcang",
} as const;

const SEVERITY_RULE: Readonly<Record<Severity, string>> = {
  asymptomatic: "severity.asymptomatic",
  mild: "severity.mild",
  moderate: "severity.moderate",
  severe: "severity.severe",
  critical: "severity.critical",
};

const SEVERITY_RANK: Readonly<Record<Severity, number>> = {
  asymptomatic: 0,
  mild: 1,
  moderate: 2,
  severe: 3,
  critical: 4,
};

function perCondition<T>(make: (condition: Condition, index: number) => T): Readonly<Record<Condition, T>> {
  return Object.freeze(
    Object.fromEntries(Condition.options.map((condition, index) => [condition, make(condition, index)])),
  ) as Record<Condition, T>;
}

/** One bit per contract condition, so membership checks on a case's conditions cost no search. */
const CONDITION_BIT = perCondition((_, index) => 1 << index);
const CONDITION_RULE = perCondition((condition) => `condition.${condition}`);
const RISK_RULE = perCondition((condition) => `risk.${condition}`);

export function triage(policy: ClinicalPolicy, facts: CaseFacts): TriageDecision {
  const reasons: string[] = [];
  const requiredCapabilities: Capability[] = [];
  const age = facts.ageYears;
  const isChild = age < policy.childMaxAgeExclusive;

  const severity = upgradeByVitals(policy, facts, isChild, reasons);
  reasons.push(SEVERITY_RULE[severity]);
  if (severity === "critical") addNeeds(requiredCapabilities, policy.criticalNeeds);

  let specialCare = false;
  if (isChild && applyGroup(ruleIds.child, policy.children, reasons, requiredCapabilities)) specialCare = true;
  const weeks = facts.pregnancyWeeks;
  const pregnant = weeks !== undefined && weeks > 0;
  if (pregnant && applyGroup(ruleIds.pregnant, policy.pregnant, reasons, requiredCapabilities)) specialCare = true;

  let present = 0;
  const conditions = facts.conditions;
  if (conditions !== undefined) for (const condition of conditions) present |= CONDITION_BIT[condition];
  for (const rule of policy.conditionRules) {
    const has = (present & CONDITION_BIT[rule.condition]) !== 0;
    if (has && applyGroup(CONDITION_RULE[rule.condition], rule, reasons, requiredCapabilities)) specialCare = true;
  }

  const elderly = age > policy.elderlyMinAgeExclusive;
  if (elderly) reasons.push(ruleIds.elderly);
  let otherRisk = false;
  for (const condition of policy.highRiskConditions) {
    if ((present & CONDITION_BIT[condition]) !== 0) {
      reasons.push(RISK_RULE[condition]);
      otherRisk = true;
    }
  }
  if (pregnant && weeks >= policy.latePregnancyMinWeeks) {
    reasons.push(ruleIds.latePregnancy);
    otherRisk = true;
  }
  const highRisk = elderly || otherRisk;

  let placement: Placement;
  let priority: number;
  const priorities = policy.priorities;
  if (severity === "critical") {
    reasons.push(ruleIds.routeCritical);
    placement = policy.placements.critical;
    priority = priorities.critical;
  } else if (severity === "severe" || severity === "moderate") {
    reasons.push(ruleIds.routeModerateOrSevere);
    placement = policy.placements.moderateOrSevere;
    priority = severity === "severe" ? priorities.severe : priorities.moderate;
  } else {
    if (specialCare) {
      reasons.push(ruleIds.routeSpecialCare);
      placement = policy.placements.specialCare;
    } else if (otherRisk || (elderly && policy.elderlyAloneRequiresHospital)) {
      reasons.push(ruleIds.routeHighRisk);
      placement = policy.placements.highRisk;
    } else if (elderly) {
      reasons.push(ruleIds.routeElderlyAlone);
      placement = policy.placements.elderlyAlone;
    } else {
      reasons.push(ruleIds.routeFangcang);
      placement = policy.placements.other;
    }
    // Special groups sent to hospital wait in the high-risk tier too: they are placed for special care.
    if (highRisk || specialCare) priority = priorities.highRiskMild;
    else priority = severity === "mild" ? priorities.mild : priorities.asymptomatic;
  }

  requiredCapabilities.sort();
  return {
    policyVersion: policy.version,
    severity,
    priority,
    route: placement[0].kind,
    alternatives: placement.slice(),
    requiredCapabilities,
    highRisk,
    reasons,
  };
}

/** The protocol's severe-type vital-sign criteria; each one met below severe is recorded and upgrades to severe. */
function upgradeByVitals(policy: ClinicalPolicy, facts: CaseFacts, isChild: boolean, reasons: string[]): Severity {
  const reported = facts.severity;
  const vitals = facts.vitals;
  if (vitals === undefined || SEVERITY_RANK[reported] >= SEVERITY_RANK.severe) return reported;
  const { spo2, respiratoryRate } = vitals;
  const before = reasons.length;
  if (isChild) {
    const criteria = policy.childSevere;
    if (spo2 !== undefined && spo2 <= criteria.spo2AtMost) reasons.push(ruleIds.childSpo2);
    if (respiratoryRate !== undefined) {
      const band = bandFor(criteria.fastBreathing, facts.ageYears);
      if (band !== undefined && respiratoryRate >= band.severeRespiratoryRateAtLeast) reasons.push(band.ruleId);
    }
  } else {
    const criteria = policy.adultSevere;
    if (spo2 !== undefined && spo2 <= criteria.spo2AtMost) reasons.push(ruleIds.adultSpo2);
    if (respiratoryRate !== undefined && respiratoryRate >= criteria.respiratoryRateAtLeast) {
      reasons.push(ruleIds.adultRespiratoryRate);
    }
  }
  return reasons.length > before ? "severe" : reported;
}

function bandFor<T extends { readonly fromAgeYears: number }>(bands: readonly T[], ageYears: number): T | undefined {
  let found: T | undefined;
  for (const band of bands) {
    if (ageYears < band.fromAgeYears) break;
    found = band;
  }
  return found;
}

/** Records a group rule and its needs; answers whether the group is sent to a designated hospital. */
function applyGroup(ruleId: string, rule: GroupRule, reasons: string[], capabilities: Capability[]): boolean {
  reasons.push(ruleId);
  addNeeds(capabilities, rule.needs);
  return rule.designated;
}

function addNeeds(capabilities: Capability[], needs: readonly Capability[]): void {
  for (const need of needs) if (!capabilities.includes(need)) capabilities.push(need);
}
