// `fangcang demo`: brings up Kafka and Redis (local ones unless KAFKA_BROKERS/REDIS_URL say
// otherwise), runs the allocator, plays a small scenario through the real broker, and
// prints what was placed where. Each run uses its own topics and Redis keys.
import { loadAllocatorConfig, startAllocator } from "@fangcang/allocator";
import { auditLog, auditSummary } from "@fangcang/audit";
import { createKafka, EventProducer, TopicReader } from "@fangcang/bus";
import { type AnyCloudEvent, caseIdOf } from "@fangcang/contracts";
import { loadInfraConfig, up } from "@fangcang/infra";
import { RedisLedger } from "@fangcang/ledger";
import { Redis } from "ioredis";
import { parseAuditArgs, readAuditLog } from "./audit.ts";
import { demoCases, demoFacilities, demoMoreBeds } from "./demo-scenario.ts";
import { table } from "./table.ts";

const CASES = 30;

export async function runDemo(print: (line: string) => void = console.log): Promise<void> {
  const run = `demo-${new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14)}-${process.pid}`;
  const topicPrefix = `${run}.`;
  print(`Fangcang demo ${run}\n`);
  const infra = await up({
    config: loadInfraConfig({ ...process.env, FANGCANG_TOPIC_PREFIX: topicPrefix, FANGCANG_TOPIC_PARTITIONS: "3" }),
    log: (line) => print(`  ${line}`),
  });
  const config = loadAllocatorConfig({
    ...process.env,
    KAFKA_BROKERS: infra.kafkaBrokers.join(","),
    REDIS_URL: infra.redisUrl,
    FANGCANG_TOPIC_PREFIX: topicPrefix,
    FANGCANG_REDIS_NAMESPACE: run,
    FANGCANG_GROUP_ID: `${run}-allocator`,
    FANGCANG_HTTP_PORT: "0",
  });
  const topics = {
    cases: `${topicPrefix}fangcang.cases`,
    facilities: `${topicPrefix}fangcang.facilities`,
    transfers: `${topicPrefix}fangcang.transfers`,
  };
  const allocator = await startAllocator(config);
  let allocatorStopped = false;
  const stopAllocator = async () => {
    if (allocatorStopped) return;
    allocatorStopped = true;
    await allocator.stop();
  };
  const producer = new EventProducer(createKafka({ brokers: config.KAFKA_BROKERS, clientId: "fangcang-demo" }));
  const redis = new Redis(config.REDIS_URL);
  const ledger = new RedisLedger(redis, run);
  const reader = await TopicReader.start(config.KAFKA_BROKERS, [topics.transfers], "fangcang-demo");
  try {
    await producer.connect();
    print(`\nallocator running (health on http://127.0.0.1:${allocator.healthPort}/readyz)`);

    const facilities = demoFacilities();
    await producer.send([{ topic: topics.facilities, events: facilities }]);
    await waitFor(async () => (await ledger.snapshot()).facilities.length === facilities.length, "facilities");
    print(`registered ${facilities.length} facilities\n`);

    const cases = demoCases(CASES);
    await producer.send([{ topic: topics.cases, events: cases.map((c) => c.event) }]);
    const decided = () => latestByCase(reader.events(topics.transfers));
    await waitFor(async () => decided().size === CASES, `decisions for ${CASES} cases`);
    print(`${CASES} positive cases reported; decisions:`);
    print(placementTable(cases, decided()));

    const waiting = [...decided().values()].filter((e) => e.type === "case.waitlisted").length;
    print(`\n${waiting} cases wait for a bed. Operations open more beds:`);
    await producer.send([{ topic: topics.facilities, events: demoMoreBeds() }]);
    await waitFor(
      async () => [...decided().values()].filter((e) => e.type === "case.waitlisted").length === 0,
      "waiting cases to be placed",
    );
    print(placementTable(cases, decided()));

    print("\nCapacity now:");
    const snapshot = await ledger.snapshot();
    print(
      table(
        ["facility", "kind", "district", "bed class", "total", "free", "held", "occupied"],
        snapshot.facilities.flatMap((f) =>
          Object.entries(f.counts).map(([bedClass, c]) => [
            f.facilityId,
            f.kind,
            f.district,
            bedClass,
            c.total,
            c.free,
            c.held,
            c.occupied,
          ]),
        ),
      ),
    );
    // The auditor's view: the run's log replayed in memory must give every decision back.
    await stopAllocator();
    print(`\nAudit of this run's log (npm run fangcang -- audit --from-kafka --topic-prefix ${topicPrefix}):`);
    const auditArgs = parseAuditArgs(["--from-kafka", "--topic-prefix", topicPrefix], {
      KAFKA_BROKERS: config.KAFKA_BROKERS.join(","),
    });
    const report = await auditLog((await readAuditLog(auditArgs)).log);
    print(auditSummary(report).split("\n").slice(0, 8).join("\n"));
    if (!report.ok) throw new Error("the audit of the demo's own log failed");
    print(`\nDone. Topics ${topicPrefix}fangcang.* and Redis keys ${run}:* hold this run.`);
  } finally {
    await reader.stop();
    await producer.disconnect();
    await stopAllocator();
    await redis.quit();
  }
}

async function waitFor(ready: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function latestByCase(events: AnyCloudEvent[]): Map<string, AnyCloudEvent> {
  const latest = new Map<string, AnyCloudEvent>();
  for (const event of events) {
    const caseId = caseIdOf(event);
    if (caseId !== undefined) latest.set(caseId, event);
  }
  return latest;
}

function placementTable(cases: { event: AnyCloudEvent; profile: string }[], decided: Map<string, AnyCloudEvent>) {
  return table(
    ["case", "profile", "decision", "facility", "bed", "priority", "reasons"],
    cases.map(({ event, profile }) => {
      const caseId = caseIdOf(event) ?? "";
      const d = decided.get(caseId);
      const data = (d?.data ?? {}) as Record<string, unknown>;
      return [
        caseId,
        profile,
        d?.type === "transfer.ordered" ? "ordered" : d?.type === "case.waitlisted" ? `waiting (${data.route})` : "-",
        String(data.facilityId ?? ""),
        String(data.bedClass ?? ""),
        String(data.priority ?? ""),
        ((data.reasons as string[] | undefined) ?? []).join(" "),
      ];
    }),
  );
}
