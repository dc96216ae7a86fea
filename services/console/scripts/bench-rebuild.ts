// How fast a console rebuilds its read model from Kafka at start: writes a synthetic wave to
// fresh topics, starts a console on them, and times it until /readyz answers 200. The topics
// are deleted afterwards.
//   KAFKA_BROKERS=127.0.0.1:9092 node services/console/scripts/bench-rebuild.ts [cases=30000]
import { createKafka, deleteTopics, EventProducer, ensureTopics } from "@fangcang/bus";
import { type AnyCloudEvent, eventCatalog, topicNames } from "@fangcang/contracts";
import { loadConsoleConfig, startConsole } from "../src/index.ts";
import { syntheticWave } from "./synthetic-wave.ts";

const cases = Number(process.argv[2] ?? 30_000);
const brokers = (process.env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(",");
const prefix = `bench-console-${Date.now().toString(36)}.`;
const topics = topicNames(prefix);
const token = "bench-rebuild-token-0123456789";

await ensureTopics({ brokers, topics: Object.values(topics), partitions: 12, clientId: "bench-console" });
try {
  const producer = new EventProducer(createKafka({ brokers, clientId: "bench-console" }));
  await producer.connect();
  let written = 0;
  let batch: AnyCloudEvent[] = [];
  const flush = async () => {
    const byTopic = Map.groupBy(batch, (event) => topics[eventCatalog[event.type].topic]);
    await producer.send([...byTopic].map(([topic, events]) => ({ topic, events })));
    written += batch.length;
    batch = [];
  };
  for (const event of syntheticWave(cases)) {
    batch.push(event);
    if (batch.length === 5_000) await flush();
  }
  await flush();
  await producer.disconnect();

  const started = performance.now();
  const running = await startConsole(
    loadConsoleConfig({
      KAFKA_BROKERS: brokers.join(","),
      FANGCANG_TOPIC_PREFIX: prefix,
      FANGCANG_CONSOLE_PORT: "0",
      FANGCANG_CONSOLE_TOKENS: `bench:viewer:${token}`,
    }),
  );
  while ((await fetch(`${running.url}/readyz`)).status !== 200) await new Promise((r) => setTimeout(r, 100));
  const seconds = (performance.now() - started) / 1000;
  const overview = (await (
    await fetch(`${running.url}/api/overview`, { headers: { authorization: `Bearer ${token}` } })
  ).json()) as { cases: number };
  console.log(
    `${written} events (${overview.cases} cases) rebuilt from Kafka in ${seconds.toFixed(1)} s ` +
      `(${Math.round(written / seconds).toLocaleString("en")} events/s, start-up and group join included); ` +
      `rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB`,
  );
  await running.stop();
} finally {
  await deleteTopics({ brokers, topics: Object.values(topics), clientId: "bench-console" });
}
