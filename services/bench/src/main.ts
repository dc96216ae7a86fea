// `npm run bench`: runs the benchmark against KAFKA_BROKERS and REDIS_URL, prints progress on
// stderr and the table of medians on stdout, and writes the report as JSON to --out.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { KafkaBrokers, RedisUrl } from "@fangcang/config";
import { BenchRun } from "./bench.ts";
import { BenchUsageError, parseBenchArgs, usage } from "./options.ts";
import { formatReport } from "./report.ts";

const argv = process.argv.slice(2);
if (argv.includes("--help") || argv.includes("-h")) {
  console.log(usage);
  process.exit(0);
}
let options: ReturnType<typeof parseBenchArgs>;
try {
  options = parseBenchArgs(argv);
} catch (error) {
  if (!(error instanceof BenchUsageError)) throw error;
  console.error(`bench: ${error.message}\n\n${usage}`);
  process.exit(2);
}
const infra = {
  brokers: KafkaBrokers.parse(process.env.KAFKA_BROKERS),
  redisUrl: RedisUrl.parse(process.env.REDIS_URL),
  partitions: options.partitions,
};
const run = new BenchRun(options, infra, { log: (line) => console.error(line), stderr: process.stderr });
// Ctrl-C ends the run through its clean-up: services stopped, topics and keys removed.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`\nbench: ${signal}, cleaning up`);
    void run.cleanUp().finally(() => process.exit(130));
  });
}
let report: Awaited<ReturnType<BenchRun["run"]>>;
try {
  report = await run.run();
} finally {
  await run.cleanUp();
}
mkdirSync(options.outDir, { recursive: true });
const file = join(options.outDir, `${report.runId}.json`);
writeFileSync(file, `${JSON.stringify({ options, ...report }, null, 2)}\n`);
console.log(formatReport(report.measurements));
console.error(`report: ${file}`);
