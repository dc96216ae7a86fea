// The benchmark's inputs, all taken from the Shanghai 2022 scenario (realistic case mix,
// districts and facilities), and the one loop that produces them to Kafka, as fast as the
// broker takes them or at a fixed rate.
import type { EventProducer } from "@fangcang/bus";
import { type AnyCloudEvent, cloudEvent, type EventData, eventCatalog, type Topics } from "@fangcang/contracts";
import { shanghai2022 } from "@fangcang/scenario";

/** When every backlog starts, in event time. */
const T0 = Date.parse("2022-04-01T00:00:00.000Z");

export interface Backlog {
  /** The facility events up to the last report's day, all at T0, in their order. */
  facilities: AnyCloudEvent[];
  /** The wave's first reports, one every `spacingMs` of event time after T0. */
  reports: Generator<AnyCloudEvent>;
}

/**
 * The wave's first `cases` reports (its case mix, districts and ids) with the facilities
 * opened by then, moved closer in event time: a whole backlog fits in the policy's 12 h
 * hold window. The allocator then makes one decision per case, as it would with intake
 * systems admitting its transfers, instead of holds expiring and beds being offered again
 * and again (the wave step shows that case).
 */
export function compressedBacklog(seed: number, cases: number, spacingMs: number): Backlog {
  const facilities: AnyCloudEvent[] = [];
  let reported = 0;
  for (const event of shanghai2022({ seed })) {
    if (event.type === "case.reported" && ++reported >= cases) break;
    if (event.type.startsWith("facility.")) facilities.push(retimed(event, T0));
  }
  function* reports(): Generator<AnyCloudEvent> {
    let n = 0;
    for (const event of shanghai2022({ seed })) {
      if (event.type !== "case.reported") continue;
      yield retimed(event, T0 + 1_000 + n * spacingMs);
      if (++n >= cases) return;
    }
  }
  return { facilities, reports: reports() };
}

/** The same event at another time (and its data's own time fields with it). */
function retimed(event: AnyCloudEvent, at: number): AnyCloudEvent {
  const time = new Date(at).toISOString();
  const data: Record<string, unknown> = { ...event.data };
  if ("reportedAt" in data) data.reportedAt = time;
  if ("at" in data) data.at = time;
  return cloudEvent(
    event.type,
    { id: event.id, source: event.source, time, ...(event.subject === undefined ? {} : { subject: event.subject }) },
    data as EventData<typeof event.type>,
  ) as AnyCloudEvent;
}

export interface ProduceOptions {
  /** Events per second; unset: as fast as the broker acknowledges. */
  rate?: number;
  /** Stop after this many events. */
  limit?: number;
  onProgress?: (sent: number) => void;
}

const MAX_BATCH = 2_000;

/** Produces events to the topic their type belongs on; returns how many were sent. */
export async function produceEvents(
  producer: EventProducer,
  topics: Topics,
  events: Iterable<AnyCloudEvent> | Iterator<AnyCloudEvent>,
  options: ProduceOptions = {},
): Promise<number> {
  const { rate, limit = Number.POSITIVE_INFINITY } = options;
  // At a fixed rate, a batch about every 50 ms: smooth enough, and few enough acknowledgements
  // (one round trip each) that a loaded machine still reaches the rate.
  const batchSize = rate === undefined ? MAX_BATCH : Math.max(1, Math.min(MAX_BATCH, Math.round(rate / 20)));
  const iterator = Symbol.iterator in events ? events[Symbol.iterator]() : events;
  const started = performance.now();
  let sent = 0;
  let byTopic = { facilities: [] as AnyCloudEvent[], cases: [] as AnyCloudEvent[] };
  let pending = 0;
  const flush = async () => {
    if (pending === 0) return;
    const batch = byTopic;
    byTopic = { facilities: [], cases: [] };
    sent += pending;
    pending = 0;
    await producer.send([
      { topic: topics.facilities, events: batch.facilities },
      { topic: topics.cases, events: batch.cases },
    ]);
    options.onProgress?.(sent);
    if (rate !== undefined) {
      const wait = started + (sent / rate) * 1000 - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  };
  while (sent + pending < limit) {
    const next = iterator.next();
    if (next.done) break;
    const role = eventCatalog[next.value.type].topic;
    (role === "facilities" ? byTopic.facilities : byTopic.cases).push(next.value);
    if (++pending >= batchSize) await flush();
  }
  await flush();
  return sent;
}
