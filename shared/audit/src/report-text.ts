// The audit's terminal summary: what was replayed, what matched, and the first mismatches.
import type { AuditReport } from "./audit.ts";

const n = (value: number) => value.toLocaleString("en-US");

function top(counts: Record<string, number>, limit: number): string[] {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, limit)
    .map(([name, count]) => `    ${name.padEnd(36)} ${n(count).padStart(10)}`);
}

export function auditSummary(report: AuditReport, showMismatches = 5): string {
  const lines = [
    `audit: ${report.ok ? "PASSED" : "FAILED"}`,
    `  policy versions       ${report.policyVersions.join(", ") || "(none)"}`,
    `  inputs replayed       ${n(report.inputs.replayed)} (${n(report.inputs.withReceipt)} with a ledger receipt), ${n(report.inputs.ticks)} expiry checks`,
    `  decisions             ${n(report.decisions.reproduced)} of ${n(report.decisions.recorded)} recorded reproduced (${n(report.decisions.replayed)} replayed)`,
    `  internal events       ${n(report.internalEvents.reproduced)} of ${n(report.internalEvents.recorded)} recorded reproduced`,
    `  ledger invariants     ${report.invariantViolations.length === 0 ? "hold" : `${report.invariantViolations.length} violated`}`,
    `  replay digest         ${report.replayDigest}`,
  ];
  const kinds = Object.entries(report.mismatchCounts);
  lines.push(
    `  mismatches            ${kinds.length === 0 ? "none" : kinds.map(([k, c]) => `${k} ${n(c)}`).join(", ")}`,
  );
  for (const m of report.mismatches.slice(0, showMismatches)) {
    lines.push(`    - [${m.kind}] ${m.message}${m.at ? ` (${m.at.topic} #${m.at.index})` : ""}`);
  }
  if (report.mismatches.length > showMismatches) {
    lines.push(`    … ${n(report.mismatches.length - showMismatches)} more in the JSON report`);
  }
  lines.push("  decisions by type", ...top(report.perType, 10));
  lines.push("  transfer orders by route", ...top(report.perRoute, 10));
  lines.push("  decisions by rule (top 10)", ...top(report.perRule, 10));
  return lines.join("\n");
}
