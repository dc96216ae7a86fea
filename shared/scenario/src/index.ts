export { addDays, isIsoDate, shanghaiDateOf, shanghaiDayStart } from "./calendar.ts";
export { type ResolvedOptions, resolveOptions, type ScenarioOptions, ScenarioOptionsError } from "./options.ts";
export { mixSeed, mulberry32, type Rng, seededRandom } from "./random.ts";
export { type Scenario, type ScenarioName, scenarioNames, scenarios } from "./scenarios.ts";
export { type DailyCount, shanghai2022DailyCases } from "./shanghai-2022/daily-cases.ts";
export { type FacilityOpening, shanghai2022Facilities } from "./shanghai-2022/facilities.ts";
export { type PlannedDay, plannedDays, SCENARIO_SOURCE, shanghai2022 } from "./shanghai-2022/wave.ts";
export { stayDays } from "./stay.ts";
export { type DayTally, ScenarioTally, tally } from "./tally.ts";
