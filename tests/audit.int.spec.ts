// The audit against logs the real allocator wrote on Kafka and Redis: with one instance and
// with three sharing one ledger, read from Kafka and from an export, and a tampered export.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { RunningAllocator } from "@fangcang/allocator";
import { auditLog } from "@fangcang/audit";
import { createKafka, EventProducer, GroupProgressProbe } from "@fangcang/bus";
import { type AnyCloudEvent, toJsonLine } from "@fangcang/contracts";
import { scenarios } from "@fangcang/scenario";
import { afterAll, describe, expect, it } from "vitest";
import { parseAuditArgs, readAuditLog } from "../services/cli/src/audit.ts";
import { redisNamespaceOf, startTestAllocator } from "./harness/allocator.ts";
import { createTestTopics, type TestNamespace, testBrokers, testNamespace } from "./harness/namespace.ts";

const run = promisify(execFile);
const repo = join(import.meta.dirname, "..");
// Six days of the wave at 1/500 scale: facilities opening, ~200 cases, test results,
// reclassifications; no intake answers, so holds expire and beds are offered again.
const scenario = () => [
  ...scenarios["shanghai-2022"].events({ seed: 3, scale: 0.002, from: "2022-04-03", to: "2022-04-08" }),
];
const running: RunningAllocator[] = [];

afterAll(async () => {
  await Promise.all(running.map((a) => a.stop()));
});

/**
 * Waits until the allocators' group has committed every input, their own follow-ups
 * included (which grow the cases topic while it works), and nothing has moved for 3 s.
 */
async function drained(ns: TestNamespace): Promise<void> {
  const probe = await GroupProgressProbe.connect(testBrokers(), "audit-spec");
  try {
    let last = "";
    let stableSince = Date.now();
    for (const deadline = Date.now() + 120_000; Date.now() < deadline; ) {
      const { committed, end } = await probe.progress(`${redisNamespaceOf(ns)}-allocator`, [
        ns.topics.cases,
        ns.topics.facilities,
      ]);
      const mark = `${committed}/${end}`;
      if (mark !== last) {
        last = mark;
        stableSince = Date.now();
      } else if (end > 0 && committed === end && Date.now() - stableSince > 3_000) {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    throw new Error(`the allocators did not drain the scenario within 120 s (committed/end: ${last})`);
  } finally {
    await probe.close();
  }
}

/** Plays the scenario through `instances` allocators in one group on a namespace of its own. */
async function record(name: string, instances: number): Promise<TestNamespace> {
  const ns = testNamespace(name);
  await createTestTopics(ns, 6);
  const allocators: RunningAllocator[] = [];
  for (let i = 0; i < instances; i++) allocators.push(await startTestAllocator(ns));
  running.push(...allocators);
  const producer = new EventProducer(createKafka({ brokers: testBrokers(), clientId: "audit-spec" }));
  await producer.connect();
  const events = scenario();
  // Facilities first, as operations register beds before cases arrive.
  await producer.send([{ topic: ns.topics.facilities, events: events.filter((e) => e.type.startsWith("facility.")) }]);
  await producer.send([{ topic: ns.topics.cases, events: events.filter((e) => !e.type.startsWith("facility.")) }]);
  await producer.disconnect();
  // Internal follow-ups are inputs too; wait for the whole cascade to settle.
  await drained(ns);
  return ns;
}

const fromKafka = (ns: TestNamespace) =>
  readAuditLog(
    parseAuditArgs(["--from-kafka", "--topic-prefix", ns.topicPrefix], { KAFKA_BROKERS: testBrokers().join(",") }),
  );

describe("fangcang audit on logs the real allocator wrote", () => {
  let three: TestNamespace;

  it("passes a log written by one allocator instance", async () => {
    const ns = await record("audit-one", 1);
    const { log } = await fromKafka(ns);
    const report = await auditLog(log);
    expect(report.mismatches).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.decisions.recorded).toBeGreaterThan(100);
    expect(report.decisions.reproduced).toBe(report.decisions.recorded);
  });

  it("passes a log written by three instances sharing one ledger, the same way every run", async () => {
    three = await record("audit-three", 3);
    const { log } = await fromKafka(three);
    const report = await auditLog(log);
    expect(report.mismatches).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.internalEvents.recorded).toBeGreaterThan(0);
    expect((await auditLog(log)).replayDigest).toBe(report.replayDigest);
  });

  it("reads an export as it reads Kafka, and the command fails on a tampered export, naming the decision", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fangcang-audit-"));
    const env = { ...process.env, KAFKA_BROKERS: testBrokers().join(",") };
    const cli = (args: string[]) => run(process.execPath, ["services/cli/src/main.ts", ...args], { cwd: repo, env });
    await cli(["export", "--out", dir, "--topic-prefix", three.topicPrefix]);

    const report = join(dir, "report.json");
    const passed = await cli(["audit", "--dir", dir, "--topic-prefix", three.topicPrefix, "--report", report]);
    expect(passed.stdout).toContain("audit: PASSED");
    const fromExport = JSON.parse(readFileSync(report, "utf8"));
    expect(fromExport.replayDigest).toBe((await auditLog((await fromKafka(three)).log)).replayDigest);

    // Change one transfer order's facility in the exported file.
    const file = join(dir, `${three.topics.transfers}.jsonl`);
    const lines = readFileSync(file, "utf8").trimEnd().split("\n");
    const index = lines.findIndex((line) => line.includes('"type":"transfer.ordered"'));
    const original = JSON.parse(lines[index] as string) as AnyCloudEvent & { data: { facilityId: string } };
    const tampered = { ...original, data: { ...original.data, facilityId: "FC-Nowhere" } } as AnyCloudEvent;
    lines[index] = toJsonLine(tampered);
    writeFileSync(file, `${lines.join("\n")}\n`);
    const failed = await cli(["audit", "--dir", dir, "--topic-prefix", three.topicPrefix, "--report", report]).then(
      () => undefined,
      (error: { code: number; stdout: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stdout).toContain("audit: FAILED");
    expect(failed?.stdout).toContain(`[changed] transfer.ordered ${original.id}`);
    const mismatch = JSON.parse(readFileSync(report, "utf8")).mismatches[0];
    expect(mismatch).toMatchObject({ kind: "changed", id: original.id, at: { topic: "transfers", index } });
  });
});
