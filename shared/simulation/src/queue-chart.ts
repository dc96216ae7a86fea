// The waiting queue over time as an SVG line chart: one line per route.
import type { Route } from "@fangcang/contracts";
import type { WhatIfReport } from "./what-if.ts";

const colours: Record<Route, string> = {
  designated_hospital: "#c0392b",
  sub_designated_hospital: "#d68910",
  fangcang: "#2471a3",
};

function escape(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function queueChartSvg(report: WhatIfReport, title: string): string {
  const width = 900;
  const height = 420;
  const left = 70;
  const right = 200;
  const top = 40;
  const bottom = 50;
  const days = report.queueByDay;
  const routes = Object.keys(colours) as Route[];
  const peak = Math.max(1, ...days.flatMap((d) => routes.map((r) => d.waiting[r] ?? 0)));
  const x = (i: number) => left + (i / Math.max(1, days.length - 1)) * (width - left - right);
  const y = (v: number) => top + (1 - v / peak) * (height - top - bottom);
  const lines = routes.map((route) => {
    const points = days.map((d, i) => `${x(i).toFixed(1)},${y(d.waiting[route] ?? 0).toFixed(1)}`).join(" ");
    return `<polyline fill="none" stroke="${colours[route]}" stroke-width="2" points="${points}"/>`;
  });
  const legend = routes.map(
    (route, i) =>
      `<rect x="${width - right + 20}" y="${top + i * 24}" width="14" height="14" fill="${colours[route]}"/>` +
      `<text x="${width - right + 40}" y="${top + i * 24 + 12}" font-size="13">${escape(route)}</text>`,
  );
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const value = Math.round(peak * f);
    return `<text x="${left - 8}" y="${y(value) + 4}" font-size="11" text-anchor="end">${value}</text><line x1="${left}" x2="${width - right}" y1="${y(value)}" y2="${y(value)}" stroke="#ddd"/>`;
  });
  const labels = days
    .map((d, i) => ({ d, i }))
    .filter(({ i }) => i % 14 === 0 || i === days.length - 1)
    .map(
      ({ d, i }) => `<text x="${x(i)}" y="${height - bottom + 18}" font-size="11" text-anchor="middle">${d.day}</text>`,
    );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="24" font-size="16">${escape(title)}</text>`,
    ...ticks,
    ...lines,
    ...legend,
    ...labels,
    `<text x="${left}" y="${height - 8}" font-size="11">cases waiting at the end of each day (UTC), by route</text>`,
    "</svg>",
    "",
  ].join("\n");
}
