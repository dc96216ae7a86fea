import { describe, expect, it } from "vitest";
import { definePolicy } from "./clinical-policy.ts";
import { national9thEdition, policies, policyByVersion, shanghai2022 } from "./policies/registry.ts";

describe("shanghai-2022-04-09.v1", () => {
  it("carries the settings DOMAIN.md names", () => {
    expect(shanghai2022).toMatchObject({
      version: "shanghai-2022-04-09.v1",
      elderlyMinAgeExclusive: 60,
      childMaxAgeExclusive: 18,
      releaseCtThreshold: 35,
      releaseMinGapHours: 24,
      holdWindowHours: 12,
      elderlyAloneRequiresHospital: false,
      priorities: { critical: 6, severe: 5, moderate: 4, highRiskMild: 3, mild: 2, asymptomatic: 1 },
      adultSevere: { spo2AtMost: 93, respiratoryRateAtLeast: 30 },
      latePregnancyMinWeeks: 28,
    });
    expect(
      shanghai2022.childSevere.fastBreathing.map((band) => [band.fromAgeYears, band.severeRespiratoryRateAtLeast]),
    ).toEqual([
      [0, 60],
      [2 / 12, 50],
      [1, 40],
      [5, 30],
    ]);
  });

  it("is frozen, down to its placement entries", () => {
    expect(Object.isFrozen(shanghai2022)).toBe(true);
    expect(Object.isFrozen(shanghai2022.placements.highRisk[0])).toBe(true);
    expect(() => {
      (shanghai2022 as { releaseCtThreshold: number }).releaseCtThreshold = 40;
    }).toThrow(TypeError);
  });
});

describe("policies by version", () => {
  it("registers each policy under its own version", () => {
    expect(Object.keys(policies).sort()).toEqual(["national-9th-ed.v1", "shanghai-2022-04-09.v1"]);
    for (const [version, policy] of Object.entries(policies)) expect(policy.version).toBe(version);
  });

  it.each([
    ["shanghai-2022-04-09.v1", shanghai2022],
    ["national-9th-ed.v1", national9thEdition],
  ])("policyByVersion(%s)", (version, policy) => {
    expect(policyByVersion(version)).toBe(policy);
  });

  it.each(["", "shanghai-2022-04-09", "SHANGHAI-2022-04-09.V1", "constructor", "__proto__", "toString"])(
    "policyByVersion(%j) throws, naming the known versions",
    (version) => {
      expect(() => policyByVersion(version)).toThrow(
        `Unknown clinical policy version "${version}"; known versions: shanghai-2022-04-09.v1, national-9th-ed.v1.`,
      );
    },
  );

  it("the two versions differ where DOMAIN.md says it is a policy setting", () => {
    expect(shanghai2022.elderlyAloneRequiresHospital).toBe(false);
    expect(national9thEdition.elderlyAloneRequiresHospital).toBe(true);
  });
});

describe("definePolicy", () => {
  it.each([
    ["an empty version", { version: "" }, "version must be 1 to 64 characters"],
    ["a 65-character version", { version: "v".repeat(65) }, "version must be 1 to 64 characters"],
    [
      "priorities out of order",
      { priorities: { ...shanghai2022.priorities, mild: 3 } },
      "priorities.highRiskMild must be greater than priorities.mild",
    ],
    [
      "breathing bands not from age 0",
      { childSevere: { ...shanghai2022.childSevere, fastBreathing: shanghai2022.childSevere.fastBreathing.slice(1) } },
      "childSevere.fastBreathing must start with a band from age 0",
    ],
    [
      "breathing bands out of order",
      {
        childSevere: {
          ...shanghai2022.childSevere,
          fastBreathing: [...shanghai2022.childSevere.fastBreathing].reverse(),
        },
      },
      "must start after",
    ],
    [
      "a condition rule listed twice",
      { conditionRules: [...shanghai2022.conditionRules, ...shanghai2022.conditionRules] },
      'conditionRules lists "dialysis" twice',
    ],
    [
      "an empty placement",
      { placements: { ...shanghai2022.placements, other: [] as never } },
      "placements.other must not be empty",
    ],
  ])("rejects %s", (_, change, message) => {
    expect(() => definePolicy({ ...shanghai2022, version: "test", ...change })).toThrow(message);
  });
});
