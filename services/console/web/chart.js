// Occupancy and queue length over event time, as an SVG line chart.
const SVG = "http://www.w3.org/2000/svg";
const W = 560;
const H = 220;
const PAD = { left: 48, right: 12, top: 12, bottom: 28 };

function node(name, attributes, text) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

const lines = [
  { key: "total", className: "line-total" },
  { key: "occupied", className: "line-occupied" },
  { key: "held", className: "line-held" },
  { key: "waiting", className: "line-waiting" },
];

function shortTime(iso) {
  return new Date(iso).toLocaleString([], { month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
}

/** `series`: [{t, total, occupied, held, waiting}], oldest first; `label(key)` names a line. */
export function renderChart(container, series, label) {
  const svg = node("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": label("overTime") });
  if (series.length === 0) {
    container.replaceChildren(svg);
    return;
  }
  // A single point is drawn as a level line across the chart.
  const points = series.length === 1 ? [series[0], series[0]] : series;
  const t0 = Date.parse(points[0].t);
  const t1 = Date.parse(points[points.length - 1].t);
  const yMax = Math.max(1, ...points.flatMap((p) => [p.total, p.occupied, p.held, p.waiting]));
  // By time; points all in one instant are spread evenly instead.
  const position = (p, i) => (t1 > t0 ? (Date.parse(p.t) - t0) / (t1 - t0) : i / (points.length - 1));
  const x = (p, i) => PAD.left + position(p, i) * (W - PAD.left - PAD.right);
  const y = (v) => H - PAD.bottom - (v / yMax) * (H - PAD.top - PAD.bottom);

  for (const fraction of [0, 0.5, 1]) {
    const value = Math.round(yMax * fraction);
    svg.append(node("line", { x1: PAD.left, x2: W - PAD.right, y1: y(value), y2: y(value), class: "grid" }));
    svg.append(node("text", { x: PAD.left - 6, y: y(value) + 4, "text-anchor": "end", class: "axis" }, String(value)));
  }
  svg.append(node("text", { x: PAD.left, y: H - 8, class: "axis" }, shortTime(points[0].t)));
  svg.append(
    node("text", { x: W - PAD.right, y: H - 8, "text-anchor": "end", class: "axis" }, shortTime(points.at(-1).t)),
  );
  for (const { key, className } of lines) {
    const d = points.map((p, i) => `${i === 0 ? "M" : "L"}${x(p, i).toFixed(1)},${y(p[key]).toFixed(1)}`).join(" ");
    svg.append(node("path", { d, class: className, "data-series": key }));
  }
  const legend = document.createElement("p");
  legend.className = "legend";
  for (const { key, className } of lines) {
    const swatch = document.createElement("span");
    swatch.className = `key ${className}`;
    const name = document.createElement("span");
    name.textContent = label(key === "total" ? "bedsTotal" : key);
    legend.append(swatch, name);
  }
  container.replaceChildren(svg, legend);
}
