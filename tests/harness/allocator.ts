// An allocator in the test process, on the test file's own topics and Redis keys.
import { loadAllocatorConfig, type RunningAllocator, startAllocator } from "@fangcang/allocator";
import { inject } from "vitest";
import { type TestNamespace, testBrokers } from "./namespace.ts";

/** The namespace's allocator environment; `overrides` change or add variables. */
export function testAllocatorEnv(ns: TestNamespace, overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  const namespace = redisNamespaceOf(ns);
  return {
    KAFKA_BROKERS: testBrokers().join(","),
    REDIS_URL: inject("redisUrl"),
    FANGCANG_TOPIC_PREFIX: ns.topicPrefix,
    FANGCANG_REDIS_NAMESPACE: namespace,
    FANGCANG_GROUP_ID: `${namespace}-allocator`,
    FANGCANG_HTTP_PORT: "0",
    ...overrides,
  };
}

export function startTestAllocator(
  ns: TestNamespace,
  overrides: Record<string, string> = {},
): Promise<RunningAllocator> {
  return startAllocator(loadAllocatorConfig(testAllocatorEnv(ns, overrides)));
}

/** The Redis key namespace (FANGCANG_REDIS_NAMESPACE) of a test namespace. */
export function redisNamespaceOf(ns: TestNamespace): string {
  return ns.redisPrefix.replace(/:$/, "");
}
