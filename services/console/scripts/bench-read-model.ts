// How fast the console's read model folds a wave, how much memory it holds, and how long the
// views take on it. Synthetic contract events, no Kafka:
//   node --expose-gc services/console/scripts/bench-read-model.ts [cases=100000]
import type { AnyCloudEvent } from "@fangcang/contracts";
import { ConsoleMetrics, renderMetrics } from "../src/metrics.ts";
import { apply, emptyModel } from "../src/read-model/read-model.ts";
import { districtsView, facilitiesView, overviewView, queueView, transfersView } from "../src/read-model/views.ts";
import { syntheticWave } from "./synthetic-wave.ts";

const cases = Number(process.argv[2] ?? 100_000);

const model = emptyModel();
globalThis.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
let events = 0;
let foldMs = 0;
// Generated a slice at a time and folded, so the heap holds what the model keeps (the events'
// data stays referenced as history) and the clock times the fold only.
const generator = syntheticWave(cases);
for (;;) {
  const slice: AnyCloudEvent[] = [];
  for (let next = generator.next(); !next.done; next = generator.next()) {
    slice.push(next.value);
    if (slice.length === 10_000) break;
  }
  if (slice.length === 0) break;
  const start = performance.now();
  for (const event of slice) apply(model, event);
  foldMs += performance.now() - start;
  events += slice.length;
}
globalThis.gc?.();
const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;

function time(label: string, view: () => unknown): string {
  view();
  const t = performance.now();
  const runs = 5;
  for (let i = 0; i < runs; i++) view();
  return `${label} ${((performance.now() - t) / runs).toFixed(1)} ms`;
}

console.log(
  `${cases} cases, ${events} events folded in ${foldMs.toFixed(0)} ms ` +
    `(${Math.round(events / (foldMs / 1000)).toLocaleString("en")} events/s); ` +
    `read model ${heapMb.toFixed(0)} MB of heap (with every case's history)`,
);
console.log(
  [
    time("overview", () => overviewView(model, true)),
    time("facilities", () => facilitiesView(model)),
    time("queue page (first sort per version, cached after)", () => queueView(model, 0, 50)),
    time("transfers page", () => transfersView(model, { offset: 0, limit: 50 })),
    time("districts", () => districtsView(model)),
    time("metrics", () => renderMetrics(model, new ConsoleMetrics(), true)),
  ].join("; "),
);
