// Prometheus metrics in the text exposition format (0.0.4), written by hand: a few counters
// kept here, and gauges read from the read model when scraped.
import { type BedCount, bedClasses, bedCount, type ReadModel } from "./read-model/read-model.ts";
import { overdueCount } from "./read-model/views.ts";

export class ConsoleMetrics {
  readonly eventsApplied = new Map<string, number>();
  readonly undecodable = new Map<string, number>();
  readonly httpRequests = new Map<string, number>();
  readonly operatorActions = new Map<string, number>();
  sseClients = 0;

  static bump(counter: Map<string, number>, key: string, by = 1): void {
    counter.set(key, (counter.get(key) ?? 0) + by);
  }
}

const escape = (value: string) => value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

function labels(pairs: Record<string, string>): string {
  const text = Object.entries(pairs)
    .map(([name, value]) => `${name}="${escape(value)}"`)
    .join(",");
  return text === "" ? "" : `{${text}}`;
}

class Exposition {
  private readonly lines: string[] = [];

  metric(name: string, type: "counter" | "gauge", help: string, samples: [Record<string, string>, number][]): void {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [pairs, value] of samples) this.lines.push(`${name}${labels(pairs)} ${value}`);
  }

  text(): string {
    return `${this.lines.join("\n")}\n`;
  }
}

/** Counter map keys are label values joined by "|", in the order of `names`. */
function fromCounter(counter: Map<string, number>, names: string[]): [Record<string, string>, number][] {
  return [...counter].map(([key, value]) => {
    const values = key.split("|");
    return [Object.fromEntries(names.map((name, i) => [name, values[i] ?? ""])), value];
  });
}

export function renderMetrics(model: ReadModel, metrics: ConsoleMetrics, ready: boolean): string {
  const out = new Exposition();
  out.metric("fangcang_console_ready", "gauge", "1 when the read model has caught up with the log.", [
    [{}, ready ? 1 : 0],
  ]);
  out.metric(
    "fangcang_console_events_applied_total",
    "counter",
    "Contract events applied to the read model, by topic.",
    fromCounter(metrics.eventsApplied, ["topic"]),
  );
  out.metric("fangcang_console_events_duplicate_total", "counter", "Redelivered events the read model skipped.", [
    [{}, model.duplicates],
  ]);
  out.metric(
    "fangcang_console_events_refused_total",
    "counter",
    "Events left out because the allocator refuses them too (a facility in an unknown district).",
    [[{}, model.refused]],
  );
  out.metric(
    "fangcang_console_events_undecodable_total",
    "counter",
    "Messages that are not valid contract events, by topic (left to the dead-letter topic's readers).",
    fromCounter(metrics.undecodable, ["topic"]),
  );
  out.metric("fangcang_console_event_time_seconds", "gauge", "The latest event time the read model has seen.", [
    [{}, (model.clock ?? 0) / 1000],
  ]);
  const beds: [Record<string, string>, number][] = [];
  for (const facilityId of new Set([...model.facilities.keys(), ...model.usage.keys()])) {
    const kind = model.facilities.get(facilityId)?.kind ?? "unknown";
    for (const bedClass of bedClasses) {
      const count = bedCount(model, facilityId, bedClass);
      if (count.total === 0 && count.capacity === 0) continue;
      for (const state of ["total", "free", "held", "occupied"] as (keyof BedCount)[]) {
        beds.push([{ facility: facilityId, kind, bed_class: bedClass, state }, count[state]]);
      }
    }
  }
  out.metric("fangcang_console_beds", "gauge", "Beds per facility, class and state.", beds);
  out.metric(
    "fangcang_console_queue_waiting",
    "gauge",
    "Waiting cases per priority.",
    [...model.waitingByPriority].map(([priority, count]) => [{ priority: String(priority) }, count]),
  );
  out.metric("fangcang_console_transfers_in_flight", "gauge", "Transfers ordered and not yet admitted.", [
    [{}, model.inFlight.size],
  ]);
  out.metric("fangcang_console_holds_overdue", "gauge", "Holds past their expiry by the latest event time.", [
    [{}, overdueCount(model)],
  ]);
  out.metric("fangcang_console_cases", "gauge", "Cases in the read model.", [[{}, model.cases.size]]);
  out.metric("fangcang_console_escalations_total", "counter", "Escalations seen.", [[{}, model.escalations.length]]);
  out.metric(
    "fangcang_console_http_requests_total",
    "counter",
    "HTTP requests by method, route and status.",
    fromCounter(metrics.httpRequests, ["method", "route", "status"]),
  );
  out.metric(
    "fangcang_console_operator_actions_total",
    "counter",
    "Operator actions produced, by event type.",
    fromCounter(metrics.operatorActions, ["type"]),
  );
  out.metric("fangcang_console_sse_clients", "gauge", "Open live-update streams.", [[{}, metrics.sseClients]]);
  return out.text();
}
