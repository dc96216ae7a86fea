// The demo's small scenario: a morning in Shanghai, April 2022. Facilities open, a batch
// of positive cases of every kind arrives, beds run short, then a Fangcang opens more beds.
import { type AnyCloudEvent, type CaseReported, cloudEvent } from "@fangcang/contracts";

const source = "demo/scenario";
const at = (minute: number) => new Date(Date.parse("2022-04-10T08:00:00Z") + minute * 60_000).toISOString();

export function demoFacilities(): AnyCloudEvent[] {
  let n = 0;
  const registered = (data: Parameters<typeof cloudEvent<"facility.registered">>[2]) =>
    cloudEvent("facility.registered", { id: `fac-${++n}`, source, time: at(0) }, data);
  return [
    registered({
      facilityId: "DH-Xuhui-Zhongshan",
      name: "Zhongshan Hospital (designated)",
      kind: "designated_hospital",
      district: "Xuhui",
      beds: { general: 4, icu: 1 },
      capabilities: ["icu", "obstetrics", "dialysis"],
    }),
    registered({
      facilityId: "DH-Jingan-Children",
      name: "Children's Hospital (designated)",
      kind: "designated_hospital",
      district: "Jingan",
      beds: { general: 3 },
      capabilities: ["pediatrics"],
    }),
    registered({
      facilityId: "SD-Minhang-1",
      name: "Minhang sub-designated hospital",
      kind: "sub_designated_hospital",
      district: "Minhang",
      beds: { general: 2 },
      capabilities: ["geriatrics"],
    }),
    registered({
      facilityId: "FC-Qingpu-NECC",
      name: "National Exhibition and Convention Center Fangcang",
      kind: "fangcang",
      district: "Qingpu",
      beds: { shelter: 6 },
      capabilities: [],
    }),
    registered({
      facilityId: "FC-Xuhui-1",
      name: "Xuhui Fangcang 1",
      kind: "fangcang",
      district: "Xuhui",
      beds: { shelter: 4 },
      capabilities: [],
    }),
  ];
}

type Profile = Omit<CaseReported, "caseId" | "reportedAt" | "sex" | "detectedIn"> & Partial<CaseReported>;

const profiles: [string, Profile][] = [
  ["asymptomatic adult", { district: "Xuhui", ageYears: 34, severity: "asymptomatic" }],
  ["mild adult", { district: "Pudong", ageYears: 45, severity: "mild" }],
  ["critical, ventilated", { district: "Xuhui", ageYears: 72, severity: "critical" }],
  ["pregnant, 32 weeks", { district: "Changning", ageYears: 29, severity: "mild", pregnancyWeeks: 32 }],
  ["child, 4 years", { district: "Putuo", ageYears: 4, severity: "mild" }],
  ["elderly, 78, mild", { district: "Minhang", ageYears: 78, severity: "mild" }],
  ["dialysis patient", { district: "Xuhui", ageYears: 58, severity: "asymptomatic", conditions: ["dialysis"] }],
  ["diabetic, 66", { district: "Fengxian", ageYears: 66, severity: "mild", conditions: ["diabetes"] }],
  ["low SpO2 reported mild", { district: "Huangpu", ageYears: 50, severity: "mild", vitals: { spo2: 92 } }],
  ["moderate pneumonia", { district: "Yangpu", ageYears: 41, severity: "moderate" }],
];

export function demoCases(count: number): { event: AnyCloudEvent; profile: string }[] {
  const cases: { event: AnyCloudEvent; profile: string }[] = [];
  for (let i = 0; i < count; i++) {
    const [profile, facts] = profiles[i % profiles.length] as [string, Profile];
    const caseId = `SH-0410-${String(i + 1).padStart(4, "0")}`;
    const event = cloudEvent(
      "case.reported",
      { id: `case-${caseId}`, source: "demo/lab", time: at(10 + i) },
      {
        caseId,
        reportedAt: at(10 + i),
        sex: i % 2 === 0 ? "female" : "male",
        detectedIn: i % 3 === 0 ? "community" : "quarantine",
        ...facts,
      },
    );
    cases.push({ event, profile });
  }
  return cases;
}

export function demoMoreBeds(): AnyCloudEvent[] {
  let n = 0;
  const beds = (facilityId: string, bedClass: "general" | "icu" | "shelter", total: number) =>
    cloudEvent(
      "facility.beds-changed",
      { id: `beds-${++n}`, source, time: at(90) },
      { facilityId, at: at(90), bedClass, total },
    );
  return [
    beds("FC-Qingpu-NECC", "shelter", 40),
    beds("DH-Xuhui-Zhongshan", "general", 16),
    beds("DH-Xuhui-Zhongshan", "icu", 3),
    beds("DH-Jingan-Children", "general", 10),
  ];
}
