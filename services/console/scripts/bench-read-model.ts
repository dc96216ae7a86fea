// How fast the console's read model folds a wave, how much memory it holds, and how long the
// views take on it. Synthetic contract events, no Kafka:
//   node --expose-gc services/console/scripts/bench-read-model.ts [cases=100000]
import { type AnyCloudEvent, cloudEvent } from "@fangcang/contracts";
import { shanghaiDistricts } from "@fangcang/placement";
import { ConsoleMetrics, renderMetrics } from "../src/metrics.ts";
import { apply, emptyModel } from "../src/read-model/read-model.ts";
import { districtsView, facilitiesView, overviewView, queueView, transfersView } from "../src/read-model/views.ts";

const cases = Number(process.argv[2] ?? 100_000);
const facilities = 120;
const bedsEach = Math.ceil((cases * 0.8) / facilities);
const T0 = Date.parse("2022-04-01T00:00:00+08:00");
const spanMs = 40 * 86_400_000;
let n = 0;
const at = (i: number) => new Date(T0 + Math.floor((i / cases) * spanMs)).toISOString();
const provenance = (time: string) => ({
  decisionId: `d-${++n}`,
  policyVersion: "shanghai-2022-04-09.v1",
  decidedAt: time,
  causationId: `c-${n}`,
});

function* wave(): Generator<AnyCloudEvent> {
  for (let f = 0; f < facilities; f++) {
    yield cloudEvent(
      "facility.registered",
      { id: `f-${f}`, source: "bench", time: at(0) },
      {
        facilityId: `FC-${f}`,
        name: `Fangcang ${f}`,
        kind: "fangcang",
        district: (shanghaiDistricts[f % 16] as { name: string }).name,
        beds: { shelter: bedsEach },
        capabilities: [],
      },
    );
  }
  for (let i = 0; i < cases; i++) {
    const caseId = `case-${i}`;
    const time = at(i);
    const district = (shanghaiDistricts[i % 16] as { name: string }).name;
    const meta = () => ({ id: `e-${++n}`, source: "bench", time });
    yield cloudEvent("case.reported", meta(), {
      caseId,
      reportedAt: time,
      district,
      ageYears: 40,
      sex: "female",
      severity: "mild",
      detectedIn: i % 3 === 0 ? "community" : "quarantine",
    });
    if (i % 10 === 9) {
      yield cloudEvent("case.waitlisted", meta(), {
        ...provenance(time),
        caseId,
        route: "fangcang",
        priority: 1 + (i % 6),
        reasons: ["mild-to-fangcang"],
      });
      continue;
    }
    const transferId = `t-${i}`;
    const facilityId = `FC-${i % facilities}`;
    yield cloudEvent("transfer.ordered", meta(), {
      ...provenance(time),
      transferId,
      caseId,
      facilityId,
      bedClass: "shelter",
      route: "fangcang",
      priority: 2,
      reasons: ["mild-to-fangcang"],
      holdExpiresAt: new Date(Date.parse(time) + 6 * 3_600_000).toISOString(),
    });
    if (i % 10 === 8) continue; // still in flight
    yield cloudEvent("transfer.admitted", meta(), { caseId, transferId, facilityId, at: time });
    if (i % 10 < 3) {
      yield cloudEvent("case.closed", meta(), { ...provenance(time), caseId, reason: "recovered" });
    }
  }
}

const model = emptyModel();
globalThis.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
let events = 0;
let foldMs = 0;
// Generated a slice at a time and folded, so the heap holds what the model keeps (the events'
// data stays referenced as history) and the clock times the fold only.
const generator = wave();
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
