// The scenarios the product ships, by the name the command line uses.
import type { AnyCloudEvent } from "@fangcang/contracts";
import type { ScenarioOptions } from "./options.ts";
import { waveEnd, waveStart } from "./shanghai-2022/daily-cases.ts";
import { type PlannedDay, plannedDays, shanghai2022 } from "./shanghai-2022/wave.ts";

export interface Scenario {
  description: string;
  firstDay: string;
  lastDay: string;
  /** The events, lazily, in event-time order. */
  events(options: ScenarioOptions): Iterable<AnyCloudEvent>;
  /** Cases per day, exactly, without generating events. */
  plannedDays(options: ScenarioOptions): PlannedDay[];
}

export const scenarios = {
  "shanghai-2022": {
    description: "Shanghai Omicron wave, 1 March - 31 May 2022: ~626,000 cases, Fangcang up to ~260,000 beds",
    firstDay: waveStart,
    lastDay: waveEnd,
    events: shanghai2022,
    plannedDays,
  },
} as const satisfies Record<string, Scenario>;

export type ScenarioName = keyof typeof scenarios;
export const scenarioNames = Object.keys(scenarios) as ScenarioName[];
