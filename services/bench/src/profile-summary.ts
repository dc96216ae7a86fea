// Where a process's time went, from a V8 CPU profile (node --cpu-prof): self time summed by
// function and by package, the package read from the script's path (node_modules/<pkg>,
// shared/<pkg> and services/<pkg> of this repository, node: internals).
//
//   node services/bench/src/profile-summary.ts FILE.cpuprofile [--top N]
import { readFileSync } from "node:fs";
import { table } from "@fangcang/cli";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  byPackage: SelfTime[];
  byFunction: SelfTime[];
}

/** "kafkajs", "@fangcang/ledger", "node internals", or a V8 pseudo-frame such as "(garbage collector)". */
export function packageOf(url: string, functionName: string): string {
  if (url === "") return functionName.startsWith("(") ? functionName : "(native)";
  if (url.startsWith("node:")) return "node internals";
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (modules) return modules[1] as string;
  const own = /\/(shared|services)\/([^/]+)\//.exec(url);
  if (own) return `@fangcang/${own[2]}`;
  return url.replace(/^file:\/\//, "");
}

export function summariseProfile(profile: CpuProfile): ProfileSummary {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const frame = (nodes.get(id) as ProfileNode).callFrame;
    const pkg = packageOf(frame.url, frame.functionName);
    const file = frame.url.split("/").at(-1) ?? "";
    const fn = frame.url === "" ? pkg : `${frame.functionName || "(anonymous)"} ${pkg} ${file}:${frame.lineNumber + 1}`;
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    total += us;
  }
  const ranked = (m: Map<string, number>) =>
    [...m].map(([name, us]) => ({ name, ms: us / 1000, share: us / Math.max(total, 1) })).sort((a, b) => b.ms - a.ms);
  return { totalMs: total / 1000, byPackage: ranked(byPackage), byFunction: ranked(byFunction) };
}

export function formatProfileSummary(summary: ProfileSummary, top = 20): string {
  const rows = (list: SelfTime[]) =>
    list.slice(0, top).map((t) => [t.name, t.ms.toFixed(0), `${(t.share * 100).toFixed(1)}%`]);
  return [
    `self time, ${(summary.totalMs / 1000).toFixed(1)} s sampled`,
    "",
    table(["package", "ms", "share"], rows(summary.byPackage)),
    "",
    table(["function", "ms", "share"], rows(summary.byFunction)),
  ].join("\n");
}

export function readProfile(path: string): CpuProfile {
  return JSON.parse(readFileSync(path, "utf8")) as CpuProfile;
}

if (import.meta.main) {
  const [path, flag, count] = process.argv.slice(2);
  if (path === undefined) {
    console.error("usage: node services/bench/src/profile-summary.ts FILE.cpuprofile [--top N]");
    process.exit(2);
  }
  console.log(formatProfileSummary(summariseProfile(readProfile(path)), flag === "--top" ? Number(count) : 20));
}
