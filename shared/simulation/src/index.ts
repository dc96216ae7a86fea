export * from "./event-schedule.ts";
export * from "./intake.ts";
export * from "./queue-chart.ts";
export * from "./what-if.ts";
