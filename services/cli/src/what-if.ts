// `fangcang what-if`: runs a scenario through the pure core and the in-memory ledger with
// simulated intake systems, and reports when each kind of bed ran out, waiting times by
// priority and cases placed outside their preferred route; a chart as SVG.
import { writeFileSync } from "node:fs";
import { plannedDays, scenarioNames, shanghai2022 } from "@fangcang/scenario";
import { queueChartSvg, runWhatIf } from "@fangcang/simulation";
import { shanghai2022 as defaultPolicy, policyByVersion } from "@fangcang/triage";
import { parseOptions, runCommand } from "./command.ts";
import { ProgressBar } from "./progress.ts";
import { table } from "./table.ts";
import { UsageError } from "./usage-error.ts";

export const whatIfUsage = `usage: fangcang what-if --scenario shanghai-2022 [--seed N] [--scale F] [--policy VERSION]
                        [--admit-after-hours H] [--svg FILE] [--json FILE]`;

export interface WhatIfArgs {
  seed: number;
  scale: number;
  policy: string;
  admitAfterHours: number;
  svg?: string;
  json?: string;
}

export function parseWhatIfArgs(argv: string[]): WhatIfArgs {
  const values = parseOptions(argv, {
    scenario: { type: "string" },
    seed: { type: "string" },
    scale: { type: "string" },
    policy: { type: "string" },
    "admit-after-hours": { type: "string" },
    svg: { type: "string" },
    json: { type: "string" },
  });
  const scenario = values.scenario as string | undefined;
  if (scenario === undefined || !(scenarioNames as string[]).includes(scenario)) {
    throw new UsageError(
      `--scenario must be one of ${scenarioNames.join(", ")}, got ${JSON.stringify(scenario ?? null)}`,
    );
  }
  const number = (name: string, fallback: string, ok: (n: number) => boolean, what: string) => {
    const text = (values[name] as string | undefined) ?? fallback;
    const n = Number(text);
    if (text.trim() === "" || !Number.isFinite(n) || !ok(n))
      throw new UsageError(`--${name} must be ${what}, got "${text}"`);
    return n;
  };
  const policy = (values.policy as string | undefined) ?? defaultPolicy.version;
  try {
    policyByVersion(policy);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const args: WhatIfArgs = {
    seed: number("seed", "1", (n) => Number.isInteger(n) && n >= 0, "a whole number"),
    scale: number("scale", "1", (n) => n > 0 && n <= 1, "a fraction in (0, 1]"),
    policy,
    admitAfterHours: number("admit-after-hours", "3", (n) => n >= 0 && n <= 72, "hours from 0 to 72"),
  };
  if (typeof values.svg === "string") args.svg = values.svg;
  if (typeof values.json === "string") args.json = values.json;
  return args;
}

export function whatIfCommand(argv: string[]): Promise<number> {
  return runCommand("what-if", whatIfUsage, argv, parseWhatIfArgs, runWhatIfCommand);
}

async function runWhatIfCommand(args: WhatIfArgs): Promise<number> {
  const options = { seed: args.seed, scale: args.scale };
  const expected = plannedDays(options).reduce((sum, d) => sum + d.cases, 0);
  const progress = new ProgressBar({ unit: "events", total: Math.round(expected * 5.5) }); // about 5.5 events per case in this scenario
  const report = await runWhatIf(
    shanghai2022(options),
    policyByVersion(args.policy),
    { admitAfterHours: args.admitAfterHours, seed: args.seed },
    (events) => progress.update(events),
  );
  progress.finish();
  console.log(`\nShanghai 2022 (seed ${args.seed}, scale ${args.scale}), policy ${args.policy}`);
  console.log(`${report.events} events, ${report.cases} cases, ${report.decisions} decisions\n`);
  console.log("Beds ran out (first case that had to wait):");
  console.log(
    table(
      ["route", "first wait"],
      Object.entries(report.firstWait).map(([route, at]) => [route, at]),
    ),
  );
  console.log("\nWaiting by priority (event time):");
  console.log(
    table(
      ["priority", "cases", "waited", "mean wait h", "peak wait h"],
      report.waits.map((w) => [w.priority, w.cases, w.waited, w.meanHours.toFixed(1), w.peakHours.toFixed(1)]),
    ),
  );
  const peakDay = report.queueByDay.reduce(
    (best, d) => {
      const total = Object.values(d.waiting).reduce((s, n) => s + n, 0);
      return total > best.total ? { day: d.day, total } : best;
    },
    { day: "-", total: 0 },
  );
  console.log(`\nPeak queue: ${peakDay.total} cases waiting at the end of ${peakDay.day}`);
  console.log(`Placed outside their preferred route: ${report.outsidePreferredRoute}`);
  console.log(`Ledger invariant violations: ${report.violations.length}`);
  if (args.svg) {
    writeFileSync(args.svg, queueChartSvg(report, `Waiting queue, Shanghai 2022 what-if (scale ${args.scale})`));
    console.log(`chart: ${args.svg}`);
  }
  if (args.json) {
    writeFileSync(args.json, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`report: ${args.json}`);
  }
  return report.violations.length === 0 ? 0 : 1;
}
