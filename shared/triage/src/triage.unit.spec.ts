import type { Capability } from "@fangcang/contracts";
import { Condition, Severity } from "@fangcang/contracts";
import { describe, expect, it } from "vitest";
import type { PlacementAlternative } from "./clinical-policy.ts";
import { definePolicy } from "./clinical-policy.ts";
import { national9thEdition, shanghai2022 } from "./policies/registry.ts";
import type { CaseFacts, TriageDecision } from "./triage.ts";
import { triage } from "./triage.ts";

const adult = 30;
const months = (m: number) => m / 12;

const designated: PlacementAlternative = { kind: "designated_hospital", bedClass: "general" };
const icu: PlacementAlternative = { kind: "designated_hospital", bedClass: "icu" };
const subDesignated: PlacementAlternative = { kind: "sub_designated_hospital", bedClass: "general" };
const fangcang: PlacementAlternative = { kind: "fangcang", bedClass: "shelter" };

const decide = (facts: CaseFacts) => triage(shanghai2022, facts);

describe("triage under shanghai-2022-04-09.v1", () => {
  describe("reported severity, adult with no risk factor", () => {
    it.each([
      ["critical", 6, [icu], ["icu"], ["severity.critical", "route.critical"]],
      ["severe", 5, [designated], [], ["severity.severe", "route.moderate_or_severe"]],
      ["moderate", 4, [designated], [], ["severity.moderate", "route.moderate_or_severe"]],
      ["mild", 2, [fangcang], [], ["severity.mild", "route.fangcang"]],
      ["asymptomatic", 1, [fangcang], [], ["severity.asymptomatic", "route.fangcang"]],
    ] as const)("%s → priority %i", (severity, priority, alternatives, capabilities, reasons) => {
      expect(decide({ ageYears: adult, severity })).toEqual({
        policyVersion: "shanghai-2022-04-09.v1",
        severity,
        priority,
        route: alternatives[0].kind,
        alternatives,
        requiredCapabilities: capabilities,
        highRisk: false,
        reasons,
      });
    });
  });

  describe("adult severe-type vital signs (age ≥ 18)", () => {
    it.each([
      ["SpO2 94", { spo2: 94 }, "mild", []],
      ["SpO2 93", { spo2: 93 }, "severe", ["vitals.adult.spo2"]],
      ["SpO2 80", { spo2: 80 }, "severe", ["vitals.adult.spo2"]],
      ["respiratory rate 29", { respiratoryRate: 29 }, "mild", []],
      ["respiratory rate 30", { respiratoryRate: 30 }, "severe", ["vitals.adult.respiratory_rate"]],
      ["both met", { spo2: 93, respiratoryRate: 30 }, "severe", ["vitals.adult.spo2", "vitals.adult.respiratory_rate"]],
      ["both normal", { spo2: 98, respiratoryRate: 18 }, "mild", []],
      ["no readings", {}, "mild", []],
    ] as const)("%s", (_, vitals, severity, vitalReasons) => {
      const decision = decide({ ageYears: 18, severity: "mild", vitals });
      expect(decision.severity).toBe(severity);
      expect(decision.reasons.slice(0, vitalReasons.length + 1)).toEqual([...vitalReasons, `severity.${severity}`]);
    });

    it.each(["asymptomatic", "mild", "moderate"] as const)(
      "upgrade %s to severe: designated hospital, priority 5",
      (severity) => {
        const decision = decide({ ageYears: adult, severity, vitals: { spo2: 90 } });
        expect(decision).toMatchObject({ severity: "severe", priority: 5, alternatives: [designated] });
        expect(decision.reasons).toEqual(["vitals.adult.spo2", "severity.severe", "route.moderate_or_severe"]);
      },
    );

    it.each([
      ["severe with normal vitals", "severe", { spo2: 99, respiratoryRate: 16 }],
      ["critical with normal vitals", "critical", { spo2: 99, respiratoryRate: 16 }],
      ["critical with low SpO2", "critical", { spo2: 80, respiratoryRate: 40 }],
      ["severe with low SpO2", "severe", { spo2: 80 }],
    ] as const)("never downgrades, records nothing when not upgrading: %s", (_, severity, vitals) => {
      const decision = decide({ ageYears: adult, severity, vitals });
      expect(decision.severity).toBe(severity);
      expect(decision.reasons.filter((reason) => reason.startsWith("vitals."))).toEqual([]);
    });
  });

  describe("children's severe-type vital signs (age < 18), fast breathing by age band", () => {
    const band = {
      under2m: "vitals.child.respiratory_rate.under_2_months",
      to12m: "vitals.child.respiratory_rate.2_to_12_months",
      to5y: "vitals.child.respiratory_rate.1_to_5_years",
      over5y: "vitals.child.respiratory_rate.over_5_years",
    };
    it.each([
      ["newborn, 59/min", 0, 59, null],
      ["newborn, 60/min", 0, 60, band.under2m],
      ["1.9 months, 59/min", months(1.9), 59, null],
      ["1.9 months, 60/min", months(1.9), 60, band.under2m],
      ["2 months, 49/min", months(2), 49, null],
      ["2 months, 50/min", months(2), 50, band.to12m],
      ["2 months, 59/min (below the under-2-months line, above this band's)", months(2), 59, band.to12m],
      ["11.9 months, 49/min", months(11.9), 49, null],
      ["11.9 months, 50/min", months(11.9), 50, band.to12m],
      ["12 months, 39/min", months(12), 39, null],
      ["12 months, 40/min", months(12), 40, band.to5y],
      ["12 months, 49/min (below the 2–12 months line, above this band's)", months(12), 49, band.to5y],
      ["4.99 years, 39/min", 4.99, 39, null],
      ["4.99 years, 40/min", 4.99, 40, band.to5y],
      ["5 years, 29/min", 5, 29, null],
      ["5 years, 30/min", 5, 30, band.over5y],
      ["5 years, 39/min (below the 1–5 years line, above this band's)", 5, 39, band.over5y],
      ["17.99 years, 29/min", 17.99, 29, null],
      ["17.99 years, 30/min", 17.99, 30, band.over5y],
    ] as const)("%s", (_, ageYears, respiratoryRate, rule) => {
      const decision = decide({ ageYears, severity: "mild", vitals: { respiratoryRate } });
      expect(decision.severity).toBe(rule === null ? "mild" : "severe");
      expect(decision.reasons[0]).toBe(rule ?? "severity.mild");
    });

    it.each([
      [94, "asymptomatic", []],
      [93, "severe", ["vitals.child.spo2"]],
    ] as const)("SpO2 %i → %s", (spo2, severity, vitalReasons) => {
      const decision = decide({ ageYears: 3, severity: "asymptomatic", vitals: { spo2 } });
      expect(decision.severity).toBe(severity);
      expect(decision.reasons.filter((reason) => reason.startsWith("vitals."))).toEqual(vitalReasons);
    });

    it.each([
      [17.99, "severe", "vitals.child.respiratory_rate.over_5_years"],
      [18, "severe", "vitals.adult.respiratory_rate"],
    ] as const)("age %d uses the %s criteria id %s", (ageYears, severity, rule) => {
      const decision = decide({ ageYears, severity: "mild", vitals: { respiratoryRate: 30 } });
      expect(decision.severity).toBe(severity);
      expect(decision.reasons[0]).toBe(rule);
    });
  });

  describe("children (Shanghai notice): designated hospital, pediatrics", () => {
    it.each([
      [0, true],
      [months(1), true],
      [10, true],
      [17.99, true],
      [18, false],
      [19, false],
    ])("age %d → child %s", (ageYears, child) => {
      const decision = decide({ ageYears, severity: "mild" });
      if (child) {
        expect(decision).toMatchObject({
          route: "designated_hospital",
          alternatives: [designated],
          requiredCapabilities: ["pediatrics"],
          highRisk: false,
          priority: 3,
          reasons: ["severity.mild", "group.child", "route.special_care"],
        });
      } else {
        expect(decision).toMatchObject({
          alternatives: [fangcang],
          requiredCapabilities: [],
          priority: 2,
          reasons: ["severity.mild", "route.fangcang"],
        });
      }
    });

    it("a critical child needs an ICU bed with pediatrics", () => {
      expect(decide({ ageYears: 4, severity: "critical" })).toMatchObject({
        alternatives: [icu],
        requiredCapabilities: ["icu", "pediatrics"],
        reasons: ["severity.critical", "group.child", "route.critical"],
      });
    });
  });

  describe("pregnancy (Shanghai notice: designated, obstetrics; protocol: late pregnancy is high-risk)", () => {
    it.each([
      ["not reported", undefined, null],
      ["0 weeks (not pregnant)", 0, null],
      ["1 week", 1, { highRisk: false, reasons: ["severity.mild", "group.pregnant", "route.special_care"] }],
      ["27.9 weeks", 27.9, { highRisk: false, reasons: ["severity.mild", "group.pregnant", "route.special_care"] }],
      [
        "28 weeks (late)",
        28,
        { highRisk: true, reasons: ["severity.mild", "group.pregnant", "risk.late_pregnancy", "route.special_care"] },
      ],
      [
        "40 weeks",
        40,
        { highRisk: true, reasons: ["severity.mild", "group.pregnant", "risk.late_pregnancy", "route.special_care"] },
      ],
    ] as const)("%s", (_, pregnancyWeeks, expected) => {
      const decision = decide({
        ageYears: adult,
        severity: "mild",
        ...(pregnancyWeeks === undefined ? {} : { pregnancyWeeks }),
      });
      if (expected === null) {
        expect(decision).toMatchObject({ alternatives: [fangcang], requiredCapabilities: [], highRisk: false });
      } else {
        expect(decision).toMatchObject({
          ...expected,
          alternatives: [designated],
          requiredCapabilities: ["obstetrics"],
          priority: 3,
        });
      }
    });

    it("a critical pregnant woman needs an ICU bed with obstetrics", () => {
      expect(decide({ ageYears: adult, severity: "critical", pregnancyWeeks: 30 })).toMatchObject({
        alternatives: [icu],
        requiredCapabilities: ["icu", "obstetrics"],
        priority: 6,
        reasons: ["severity.critical", "group.pregnant", "risk.late_pregnancy", "route.critical"],
      });
    });
  });

  describe("each contract condition, mild adult aged 30", () => {
    const comorbid = { alternatives: [subDesignated, designated], capabilities: [], route: "route.high_risk" };
    it.each([
      ["hypertension", comorbid, ["risk.hypertension"]],
      ["diabetes", comorbid, ["risk.diabetes"]],
      ["cardiovascular", comorbid, ["risk.cardiovascular"]],
      ["cerebrovascular", comorbid, ["risk.cerebrovascular"]],
      ["chronic_lung", comorbid, ["risk.chronic_lung"]],
      ["chronic_liver", comorbid, ["risk.chronic_liver"]],
      ["chronic_kidney", comorbid, ["risk.chronic_kidney"]],
      ["immunodeficiency", comorbid, ["risk.immunodeficiency"]],
      ["obesity", comorbid, ["risk.obesity"]],
      ["heavy_smoker", comorbid, ["risk.heavy_smoker"]],
      [
        "cancer",
        { alternatives: [designated], capabilities: [], route: "route.special_care" },
        ["condition.cancer", "risk.cancer"],
      ],
      [
        "dialysis",
        { alternatives: [designated], capabilities: ["dialysis"], route: "route.special_care" },
        ["condition.dialysis", "risk.dialysis"],
      ],
    ] as const)("%s", (condition, placement, rules) => {
      expect(decide({ ageYears: adult, severity: "mild", conditions: [condition] })).toEqual({
        policyVersion: "shanghai-2022-04-09.v1",
        severity: "mild",
        priority: 3,
        route: placement.alternatives[0].kind,
        alternatives: placement.alternatives,
        requiredCapabilities: placement.capabilities,
        highRisk: true,
        reasons: ["severity.mild", ...rules, placement.route],
      });
    });

    it("covers every condition of the contract", () => {
      const tested = [
        "hypertension",
        "diabetes",
        "cardiovascular",
        "cerebrovascular",
        "chronic_lung",
        "chronic_liver",
        "chronic_kidney",
        "immunodeficiency",
        "obesity",
        "heavy_smoker",
        "cancer",
        "dialysis",
      ];
      expect([...tested].sort()).toEqual([...Condition.options].sort());
    });

    it("records risk factors in policy order whatever the reported order, once each", () => {
      const forward = decide({ ageYears: adult, severity: "mild", conditions: ["diabetes", "hypertension"] });
      const backward = decide({
        ageYears: adult,
        severity: "mild",
        conditions: ["hypertension", "diabetes", "hypertension"],
      });
      expect(forward).toEqual(backward);
      expect(forward.reasons).toEqual(["severity.mild", "risk.hypertension", "risk.diabetes", "route.high_risk"]);
    });

    it("a dialysis patient with cancer needs dialysis once", () => {
      expect(
        decide({ ageYears: adult, severity: "asymptomatic", conditions: ["dialysis", "cancer", "dialysis"] }),
      ).toMatchObject({
        requiredCapabilities: ["dialysis"],
        reasons: [
          "severity.asymptomatic",
          "condition.dialysis",
          "condition.cancer",
          "risk.dialysis",
          "risk.cancer",
          "route.special_care",
        ],
      });
    });

    it("an empty condition list is no condition", () => {
      expect(decide({ ageYears: adult, severity: "mild", conditions: [] })).toEqual(
        decide({ ageYears: adult, severity: "mild" }),
      );
    });
  });

  describe("age over 60 (protocol high-risk factor; in Shanghai a preference, not a bar)", () => {
    it.each([
      [60, false],
      [60.5, true],
      [61, true],
      [95, true],
    ])("age %d → elderly %s", (ageYears, elderly) => {
      const decision = decide({ ageYears, severity: "mild" });
      expect(decision.highRisk).toBe(elderly);
      expect(decision.priority).toBe(elderly ? 3 : 2);
      expect(decision.alternatives).toEqual(elderly ? [subDesignated, fangcang] : [fangcang]);
      expect(decision.reasons).toEqual(
        elderly ? ["severity.mild", "risk.elderly", "route.elderly_alone"] : ["severity.mild", "route.fangcang"],
      );
    });

    it("elderly alone needs no geriatrics capability", () => {
      expect(decide({ ageYears: 80, severity: "asymptomatic" }).requiredCapabilities).toEqual([]);
    });

    it("elderly with a comorbidity: sub-designated, else designated", () => {
      expect(decide({ ageYears: 70, severity: "mild", conditions: ["diabetes"] })).toMatchObject({
        alternatives: [subDesignated, designated],
        priority: 3,
        reasons: ["severity.mild", "risk.elderly", "risk.diabetes", "route.high_risk"],
      });
    });

    it("elderly with cancer: the Shanghai notice's designated rule wins", () => {
      expect(decide({ ageYears: 70, severity: "mild", conditions: ["cancer"] }).alternatives).toEqual([designated]);
    });

    it("with elderlyAloneRequiresHospital, elderly alone is placed like a comorbid case", () => {
      const strict = definePolicy({
        ...shanghai2022,
        version: "test-elderly-hospital",
        elderlyAloneRequiresHospital: true,
      });
      expect(triage(strict, { ageYears: 61, severity: "mild" })).toMatchObject({
        policyVersion: "test-elderly-hospital",
        alternatives: [subDesignated, designated],
        reasons: ["severity.mild", "risk.elderly", "route.high_risk"],
      });
    });
  });

  describe("moderate and worse go to hospital whatever the risk factors; factors are still recorded", () => {
    it.each([
      ["moderate elderly diabetic", { ageYears: 70, severity: "moderate", conditions: ["diabetes"] }, 4, [designated]],
      ["severe child", { ageYears: 8, severity: "severe" }, 5, [designated]],
      ["critical dialysis", { ageYears: adult, severity: "critical", conditions: ["dialysis"] }, 6, [icu]],
    ] as const)("%s", (_, facts, priority, alternatives) => {
      const decision = decide(facts);
      expect(decision.priority).toBe(priority);
      expect(decision.alternatives).toEqual(alternatives);
      expect(decision.reasons.at(-1)).toBe(
        facts.severity === "critical" ? "route.critical" : "route.moderate_or_severe",
      );
    });

    it("critical with every special need: capabilities sorted and unique", () => {
      expect(
        decide({
          ageYears: 16,
          severity: "critical",
          pregnancyWeeks: 12,
          conditions: ["dialysis", "cancer", "chronic_kidney"],
        }),
      ).toEqual({
        policyVersion: "shanghai-2022-04-09.v1",
        severity: "critical",
        priority: 6,
        route: "designated_hospital",
        alternatives: [icu],
        requiredCapabilities: ["dialysis", "icu", "obstetrics", "pediatrics"] satisfies Capability[],
        highRisk: true,
        reasons: [
          "severity.critical",
          "group.child",
          "group.pregnant",
          "condition.dialysis",
          "condition.cancer",
          "risk.chronic_kidney",
          "risk.dialysis",
          "risk.cancer",
          "route.critical",
        ],
      });
    });
  });

  describe("priority", () => {
    it("orders critical > severe > moderate > high-risk mild > mild > asymptomatic", () => {
      const ladder: CaseFacts[] = [
        { ageYears: adult, severity: "critical" },
        { ageYears: adult, severity: "severe" },
        { ageYears: adult, severity: "moderate" },
        { ageYears: adult, severity: "mild", conditions: ["diabetes"] },
        { ageYears: adult, severity: "mild" },
        { ageYears: adult, severity: "asymptomatic" },
      ];
      expect(ladder.map((facts) => decide(facts).priority)).toEqual([6, 5, 4, 3, 2, 1]);
    });

    it.each([
      ["high-risk asymptomatic", { ageYears: 70, severity: "asymptomatic" }, 3],
      ["asymptomatic child (special care)", { ageYears: 3, severity: "asymptomatic" }, 3],
      ["asymptomatic pregnant (special care)", { ageYears: adult, severity: "asymptomatic", pregnancyWeeks: 8 }, 3],
      ["a mild case upgraded by vitals", { ageYears: adult, severity: "mild", vitals: { spo2: 92 } }, 5],
      ["high-risk moderate stays moderate", { ageYears: 70, severity: "moderate", conditions: ["obesity"] }, 4],
    ] as const)("%s → %i", (_, facts, priority) => {
      expect(decide(facts).priority).toBe(priority);
    });

    it("comes from the policy", () => {
      const scaled = definePolicy({
        ...shanghai2022,
        version: "test-priorities",
        priorities: { critical: 60, severe: 50, moderate: 40, highRiskMild: 30, mild: 20, asymptomatic: 10 },
      });
      expect(triage(scaled, { ageYears: 70, severity: "mild" }).priority).toBe(30);
    });
  });

  describe("thresholds come from the policy", () => {
    it("adult SpO2 and respiratory-rate lines", () => {
      const stricter = definePolicy({
        ...shanghai2022,
        version: "test-vitals",
        adultSevere: { spo2AtMost: 94, respiratoryRateAtLeast: 25 },
      });
      expect(triage(stricter, { ageYears: adult, severity: "mild", vitals: { spo2: 94 } }).severity).toBe("severe");
      expect(triage(stricter, { ageYears: adult, severity: "mild", vitals: { respiratoryRate: 25 } }).severity).toBe(
        "severe",
      );
    });

    it("child and elderly age lines", () => {
      const ages = definePolicy({
        ...shanghai2022,
        version: "test-ages",
        childMaxAgeExclusive: 14,
        elderlyMinAgeExclusive: 65,
      });
      expect(triage(ages, { ageYears: 14, severity: "mild" }).reasons).toEqual(["severity.mild", "route.fangcang"]);
      expect(triage(ages, { ageYears: 65, severity: "mild" }).highRisk).toBe(false);
      expect(triage(ages, { ageYears: 66, severity: "mild" }).highRisk).toBe(true);
    });
  });
});

describe("triage under national-9th-ed.v1: high-risk cases, elderly included, go to designated hospitals", () => {
  it.each([
    ["elderly alone", { ageYears: 61, severity: "mild" }, ["severity.mild", "risk.elderly", "route.high_risk"]],
    [
      "comorbid",
      { ageYears: adult, severity: "mild", conditions: ["hypertension"] },
      ["severity.mild", "risk.hypertension", "route.high_risk"],
    ],
  ] as const)("%s → designated only", (_, facts, reasons) => {
    expect(triage(national9thEdition, facts)).toMatchObject({
      policyVersion: "national-9th-ed.v1",
      alternatives: [designated],
      route: "designated_hospital",
      priority: 3,
      reasons,
    });
  });

  it("otherwise decides like Shanghai, under its own version", () => {
    const facts: CaseFacts = { ageYears: 4, severity: "mild", vitals: { respiratoryRate: 40 } };
    expect(triage(national9thEdition, facts)).toEqual({
      ...triage(shanghai2022, facts),
      policyVersion: "national-9th-ed.v1",
    });
  });
});

describe("decision invariants over a grid of cases", () => {
  const ages = [0, months(1.9), months(2), 1, 5, 17.99, 18, 40, 60, 61, 90];
  const conditionSets: Condition[][] = [
    [],
    ["hypertension"],
    ["dialysis"],
    ["cancer", "obesity"],
    [...Condition.options],
  ];
  const vitalsSet = [undefined, { spo2: 93 }, { spo2: 99, respiratoryRate: 61 }, { respiratoryRate: 12 }];
  const pregnancies = [undefined, 0, 10, 30];
  const grid: CaseFacts[] = [];
  for (const ageYears of ages)
    for (const severity of Severity.options)
      for (const conditions of conditionSets)
        for (const vitals of vitalsSet)
          for (const pregnancyWeeks of pregnancies) {
            grid.push({
              ageYears,
              severity,
              conditions,
              ...(vitals && { vitals }),
              ...(pregnancyWeeks !== undefined && { pregnancyWeeks }),
            });
          }

  const rank = (severity: Severity) => Severity.options.indexOf(severity);
  const invariants: [string, (facts: CaseFacts, decision: TriageDecision) => boolean][] = [
    ["alternatives non-empty", (_, d) => d.alternatives.length > 0],
    ["route is the first alternative", (_, d) => d.route === d.alternatives[0]?.kind],
    ["never downgrades", (facts, d) => rank(d.severity) >= rank(facts.severity)],
    [
      "capabilities sorted and unique",
      (_, d) => d.requiredCapabilities.join() === [...new Set(d.requiredCapabilities)].sort().join(),
    ],
    ["severity rule recorded", (_, d) => d.reasons.includes(`severity.${d.severity}`)],
    [
      "one route rule, last",
      (_, d) =>
        d.reasons.filter((r) => r.startsWith("route.")).length === 1 && d.reasons.at(-1)?.startsWith("route.") === true,
    ],
    ["reasons unique", (_, d) => new Set(d.reasons).size === d.reasons.length],
    ["icu capability iff critical", (_, d) => d.requiredCapabilities.includes("icu") === (d.severity === "critical")],
    [
      "icu bed iff critical",
      (_, d) => d.alternatives.some((a) => a.bedClass === "icu") === (d.severity === "critical"),
    ],
  ];

  it.each([shanghai2022, national9thEdition])("$version", (policy) => {
    const broken: string[] = [];
    for (const facts of grid) {
      const decision = triage(policy, facts);
      if (decision.policyVersion !== policy.version) broken.push(`policyVersion: ${JSON.stringify(facts)}`);
      for (const [name, holds] of invariants) {
        if (!holds(facts, decision)) broken.push(`${name}: ${JSON.stringify(facts)}`);
      }
    }
    expect(broken).toEqual([]);
  });
});

describe("purity", () => {
  const facts: CaseFacts = {
    ageYears: 67,
    severity: "mild",
    pregnancyWeeks: 0,
    conditions: ["diabetes", "heavy_smoker"],
    vitals: { spo2: 95, respiratoryRate: 22 },
  };

  it("the same input gives a deep-equal output", () => {
    expect(triage(shanghai2022, structuredClone(facts))).toEqual(triage(shanghai2022, structuredClone(facts)));
  });

  it("does not modify its input", () => {
    const frozen = Object.freeze({ ...facts, conditions: Object.freeze([...(facts.conditions ?? [])]) });
    expect(() => triage(shanghai2022, frozen)).not.toThrow();
  });

  it("decisions share no mutable arrays with each other or with the policy", () => {
    const first = triage(shanghai2022, facts);
    first.alternatives.pop();
    first.reasons.push("tampered");
    first.requiredCapabilities.push("geriatrics");
    expect(triage(shanghai2022, facts)).toMatchObject({
      alternatives: [subDesignated, designated],
      requiredCapabilities: [],
      reasons: ["severity.mild", "risk.elderly", "risk.diabetes", "risk.heavy_smoker", "route.high_risk"],
    });
  });
});
