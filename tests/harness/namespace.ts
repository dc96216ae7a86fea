import { randomBytes } from "node:crypto";
import { ensureTopics } from "@fangcang/bus";
import type { Topics } from "@fangcang/contracts";
import { topicNames } from "@fangcang/infra";
import { inject } from "vitest";
import { runPrefix } from "./run-prefix.ts";

export interface TestNamespace {
  /** Prepended to the default topic names; pass it as FANGCANG_TOPIC_PREFIX to a service. */
  topicPrefix: string;
  topics: Topics;
  /** Prepend to every Redis key the test (or the service under test) writes. */
  redisPrefix: string;
}

/**
 * Topic names and a Redis key prefix that no other test file, and no other run, uses,
 * so test files can run in parallel against one broker and one Redis. Call it once per
 * file, at module level or in `beforeAll`. The run's teardown deletes the topics and keys.
 */
export function testNamespace(name: string): TestNamespace {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
  const unique = `${runPrefix(inject("testRunId"))}${slug}-${randomBytes(3).toString("hex")}`;
  const topicPrefix = `${unique}.`;
  return {
    topicPrefix,
    topics: topicNames(topicPrefix),
    redisPrefix: `${unique}:`,
  };
}

/** The brokers the integration run uses (see global-setup.ts). */
export function testBrokers(): string[] {
  return inject("kafkaBrokers").split(",");
}

/** Creates the namespace's four topics on the test broker. */
export async function createTestTopics(ns: TestNamespace, partitions = 3): Promise<void> {
  await ensureTopics({
    brokers: testBrokers(),
    topics: Object.values(ns.topics),
    partitions,
    clientId: "fangcang-tests",
  });
}
