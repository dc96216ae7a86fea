// Shanghai, 2022-04-09 placement notice on top of the national protocol, 9th edition (March 2022).
// Sources and the reading of each rule: docs/decisions/clinical-policy.md.
import { definePolicy } from "../clinical-policy.ts";

const designatedGeneral = { kind: "designated_hospital", bedClass: "general" } as const;
const subDesignatedGeneral = { kind: "sub_designated_hospital", bedClass: "general" } as const;
const fangcangShelter = { kind: "fangcang", bedClass: "shelter" } as const;

export const shanghai2022 = definePolicy({
  version: "shanghai-2022-04-09.v1",
  elderlyMinAgeExclusive: 60,
  childMaxAgeExclusive: 18,
  releaseCtThreshold: 35,
  releaseMinGapHours: 24,
  holdWindowHours: 12,
  // Fangcang took elderly people (3,183 aged 60+ at the Exhibition Center): age alone is a preference.
  elderlyAloneRequiresHospital: false,
  priorities: { critical: 6, severe: 5, moderate: 4, highRiskMild: 3, mild: 2, asymptomatic: 1 },
  adultSevere: { spo2AtMost: 93, respiratoryRateAtLeast: 30 },
  childSevere: {
    spo2AtMost: 93,
    // Half-open bands on the reported age (months / 12 for infants), as WHO IMCI's "2 up to 12 months".
    fastBreathing: [
      { ruleId: "vitals.child.respiratory_rate.under_2_months", fromAgeYears: 0, severeRespiratoryRateAtLeast: 60 },
      {
        ruleId: "vitals.child.respiratory_rate.2_to_12_months",
        fromAgeYears: 2 / 12,
        severeRespiratoryRateAtLeast: 50,
      },
      { ruleId: "vitals.child.respiratory_rate.1_to_5_years", fromAgeYears: 1, severeRespiratoryRateAtLeast: 40 },
      { ruleId: "vitals.child.respiratory_rate.over_5_years", fromAgeYears: 5, severeRespiratoryRateAtLeast: 30 },
    ],
  },
  latePregnancyMinWeeks: 28,
  // Protocol order; haemodialysis is end-stage kidney disease, so it counts as chronic kidney disease.
  highRiskConditions: [
    "cardiovascular",
    "cerebrovascular",
    "hypertension",
    "chronic_lung",
    "diabetes",
    "chronic_liver",
    "chronic_kidney",
    "dialysis",
    "cancer",
    "immunodeficiency",
    "obesity",
    "heavy_smoker",
  ],
  children: { designated: true, needs: ["pediatrics"] },
  pregnant: { designated: true, needs: ["obstetrics"] },
  conditionRules: [
    { condition: "dialysis", designated: true, needs: ["dialysis"] },
    { condition: "cancer", designated: true, needs: [] },
  ],
  criticalNeeds: ["icu"],
  placements: {
    critical: [{ kind: "designated_hospital", bedClass: "icu" }],
    moderateOrSevere: [designatedGeneral],
    specialCare: [designatedGeneral],
    highRisk: [subDesignatedGeneral, designatedGeneral],
    elderlyAlone: [subDesignatedGeneral, fangcangShelter],
    other: [fangcangShelter],
  },
});
