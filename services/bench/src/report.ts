// The run's table: each measurement's median, its runs, and where it has a target, whether
// the median meets it and by how much.
import { table } from "@fangcang/cli";
import { type Measurement, median, verdict } from "./targets.ts";

const number = (n: number, unit: string) =>
  unit === "ratio" ? n.toFixed(2) : n >= 100 ? Math.round(n).toLocaleString("en") : n.toFixed(1);

export function formatReport(measurements: Measurement[]): string {
  return table(
    ["measurement", "median", "unit", "runs", "target", "verdict"],
    measurements.map((m) => {
      const value = median(m.runs);
      return [
        m.name,
        number(value, m.unit),
        m.unit,
        m.runs.map((r) => number(r, m.unit)).join(" / "),
        m.target === undefined ? "" : `${m.target.kind === "at-least" ? ">=" : "<="} ${number(m.target.value, m.unit)}`,
        m.target === undefined ? "" : verdict(value, m.target).text,
      ];
    }),
  );
}
