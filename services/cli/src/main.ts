#!/usr/bin/env node
// The `fangcang` command.
import { runDemo } from "./demo.ts";

const usage = `usage: fangcang <command>

commands:
  demo    start Kafka, Redis and the allocator, play a small scenario, print the placements
  simulate  write a seeded scenario (e.g. the Shanghai 2022 wave) as JSON Lines, or produce it to Kafka
  export  write the contract topics to JSON Lines files (structured CloudEvents), resumably
  what-if  run a scenario through the pure core in memory: when beds run out, waits by priority, a chart
  audit   replay the recorded log (Kafka or an export) and check every decision was the policy's`;

async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  switch (command) {
    case "demo":
      await runDemo();
      return 0;
    case "simulate":
      return (await import("./simulate.ts")).simulateCommand(argv.slice(1));
    case "export":
      return (await import("./export.ts")).exportCommand(argv.slice(1));
    case "what-if":
      return (await import("./what-if.ts")).whatIfCommand(argv.slice(1));
    case "audit":
      return (await import("./audit.ts")).auditCommand(argv.slice(1));
    case undefined:
    case "help":
    case "--help":
      console.log(usage);
      return command === undefined ? 2 : 0;
    default:
      console.error(`fangcang: unknown command ${command}\n\n${usage}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`fangcang: ${(error as Error).message}`);
    process.exit(1);
  },
);
