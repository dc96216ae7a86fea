// `fangcang audit`: reads the recorded log (from Kafka, every partition from its beginning,
// or from a `fangcang export` directory), replays every input through the pure core and the
// in-memory ledger in the order the ledger receipts give, and compares every decision. A
// summary on the terminal, the full report as JSON; exit code 1 on any mismatch.
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type AuditLog, auditLog, auditSummary, DEFAULT_ALLOCATOR_SOURCE, emptyLog } from "@fangcang/audit";
import { createKafka } from "@fangcang/bus";
import { type AnyCloudEvent, type TopicRole, topicNames } from "@fangcang/contracts";
import { policyByVersion } from "@fangcang/triage";
import { parseOptions, runCommand } from "./command.ts";
import { fetchPartitionOffsets, readJsonLinesLog, readKafkaLog } from "./event-log.ts";
import { readManifest } from "./export.ts";
import { ProgressBar } from "./progress.ts";
import { UsageError } from "./usage-error.ts";

export const auditUsage = `usage: fangcang audit (--from-kafka | --dir DIR) [--topic-prefix P] [--brokers host:port,...]
                      [--report FILE] [--policy VERSION] [--source SOURCE]

  --from-kafka        read the cases, facilities, transfers and ledger topics from their beginning
                      up to their high-water marks at start
  --dir DIR           read them from a \`fangcang export\` directory (<topic>.jsonl files)
  --topic-prefix P    prefix of the topic names (default FANGCANG_TOPIC_PREFIX, or none)
  --brokers LIST      Kafka bootstrap servers (default KAFKA_BROKERS, or 127.0.0.1:9092)
  --report FILE       write the full report (every count, the first mismatches with both versions) as JSON
  --policy VERSION    the policy of cases no recorded decision names (default: the one most decisions name)
  --source SOURCE     the allocator's CloudEvents source (default ${DEFAULT_ALLOCATOR_SOURCE})

Exit code 0 when every recorded decision is reproduced and the ledger invariants hold, 1 on
any mismatch or violation, 2 on a usage error.`;

export interface AuditArgs {
  from: { kafka: string[] } | { dir: string };
  topicPrefix: string;
  report?: string;
  policy?: string;
  source: string;
}

const hostPort = /^[A-Za-z0-9.-]+:\d{1,5}$/;
const ROLES: readonly TopicRole[] = ["facilities", "cases", "transfers", "ledger"];

export function parseAuditArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): AuditArgs {
  const values = parseOptions(argv, {
    "from-kafka": { type: "boolean" },
    dir: { type: "string" },
    "topic-prefix": { type: "string" },
    brokers: { type: "string" },
    report: { type: "string" },
    policy: { type: "string" },
    source: { type: "string" },
  });
  const dir = values.dir as string | undefined;
  if ((values["from-kafka"] === true) === (dir !== undefined)) {
    throw new UsageError("give exactly one of --from-kafka or --dir DIR");
  }
  const brokersText = (values.brokers as string | undefined) ?? env.KAFKA_BROKERS ?? "127.0.0.1:9092";
  const brokers = brokersText.split(",").map((s) => s.trim());
  if (brokers.some((b) => !hostPort.test(b))) {
    throw new UsageError(`--brokers takes host:port[,host:port...], got "${brokersText}"`);
  }
  const topicPrefix = (values["topic-prefix"] as string | undefined) ?? env.FANGCANG_TOPIC_PREFIX ?? "";
  if (!/^[A-Za-z0-9._-]*$/.test(topicPrefix)) {
    throw new UsageError(`--topic-prefix may use only letters, digits, '.', '_' and '-', got "${topicPrefix}"`);
  }
  const policy = values.policy as string | undefined;
  if (policy !== undefined) {
    try {
      policyByVersion(policy);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  return {
    from: dir === undefined ? { kafka: brokers } : { dir },
    topicPrefix,
    source: (values.source as string | undefined) ?? DEFAULT_ALLOCATOR_SOURCE,
    ...(typeof values.report === "string" ? { report: values.report } : {}),
    ...(policy === undefined ? {} : { policy }),
  };
}

export function auditCommand(argv: string[]): Promise<number> {
  return runCommand("audit", auditUsage, argv, (a) => parseAuditArgs(a), runAudit);
}

/**
 * Reads the log the arguments name; `skipped` counts messages that are not contract events.
 * `onTotal` hears how many records there are to read (when known: Kafka's offsets, an
 * export's manifest), `onRead` how many have been read.
 */
export async function readAuditLog(
  args: AuditArgs,
  progress: { onTotal?: (total: number) => void; onRead?: (read: number) => void } = {},
): Promise<{ log: AuditLog; skipped: number }> {
  const log = emptyLog();
  const topics = topicNames(args.topicPrefix);
  const roleOf = new Map(ROLES.map((role) => [topics[role], role]));
  let skipped = 0;
  let read = 0;
  const add = (role: TopicRole, event: AnyCloudEvent) => {
    (log[role as keyof AuditLog] as AnyCloudEvent[]).push(event);
    if (++read % 10_000 === 0) progress.onRead?.(read);
  };
  if ("dir" in args.from) {
    const manifest = await readManifest(args.from.dir);
    if (manifest !== undefined) {
      progress.onTotal?.(ROLES.reduce((sum, role) => sum + (manifest.topics[topics[role]]?.events.lines ?? 0), 0));
    }
    for (const role of ROLES) {
      const file = join(args.from.dir, `${topics[role]}.jsonl`);
      if (!existsSync(file)) {
        throw new UsageError(
          `${file} is missing: export all of ${ROLES.map((r) => topics[r]).join(", ")} (fangcang export --topics cases,facilities,transfers,ledger)`,
        );
      }
      for await (const event of readJsonLinesLog(file, { topic: role, onInvalid: () => skipped++ })) add(role, event);
    }
  } else {
    const kafka = createKafka({ brokers: args.from.kafka, clientId: "fangcang-audit" });
    const offsets = await fetchPartitionOffsets(
      kafka,
      ROLES.map((role) => topics[role]),
    );
    let total = 0;
    for (const partitions of offsets.values()) for (const p of partitions) total += Number(p.high - p.low);
    progress.onTotal?.(total);
    for await (const entry of readKafkaLog({
      brokers: args.from.kafka,
      topics: ROLES.map((role) => topics[role]),
      clientId: "fangcang-audit",
      onUndecodable: () => skipped++,
    })) {
      add(roleOf.get(entry.topic) as TopicRole, entry.event);
    }
  }
  progress.onRead?.(read);
  return { log, skipped };
}

async function runAudit(args: AuditArgs): Promise<number> {
  const started = Date.now();
  let reading: ProgressBar | undefined;
  const { log, skipped } = await readAuditLog(args, {
    onTotal: (total) => {
      reading = new ProgressBar({ unit: "records read", total });
    },
    onRead: (read) => reading?.update(read),
  });
  reading?.finish();
  const events = log.cases.length + log.facilities.length + log.transfers.length + log.ledger.length;
  console.error(
    `audit: read ${events.toLocaleString("en")} events in ${((Date.now() - started) / 1000).toFixed(1)} s` +
      (skipped > 0 ? ` (${skipped.toLocaleString("en")} messages that are not contract events skipped)` : ""),
  );
  const progress = new ProgressBar({ unit: "inputs", total: log.cases.length + log.facilities.length });
  const replayStarted = Date.now();
  const report = await auditLog(log, {
    source: args.source,
    ...(args.policy === undefined ? {} : { defaultPolicyVersion: args.policy }),
    onProgress: (done) => progress.update(done),
  });
  progress.finish();
  const seconds = (Date.now() - replayStarted) / 1000;
  console.log(auditSummary(report));
  console.log(
    `  replayed in           ${seconds.toFixed(1)} s (${Math.round(report.inputs.replayed / seconds).toLocaleString("en")} inputs/s)`,
  );
  if (args.report !== undefined) {
    await writeFile(args.report, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`  full report           ${args.report}`);
  }
  return report.ok ? 0 : 1;
}
