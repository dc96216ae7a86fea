export type {
  ClinicalPolicy,
  ConditionRule,
  FastBreathingBand,
  GroupRule,
  Placement,
  PlacementAlternative,
  Priorities,
} from "./clinical-policy.ts";
export { definePolicy } from "./clinical-policy.ts";
export { national9thEdition, policies, policyByVersion, shanghai2022 } from "./policies/registry.ts";
export type { CaseFacts, TriageDecision } from "./triage.ts";
export { ruleIds, triage } from "./triage.ts";
