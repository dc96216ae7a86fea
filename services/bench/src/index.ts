export { replayLog } from "./audit-replay.ts";
export { type BenchReport, runBench } from "./bench.ts";
export { type BenchOptions, parseBenchArgs } from "./options.ts";
export { formatReport } from "./report.ts";
export { median, verdict } from "./targets.ts";
