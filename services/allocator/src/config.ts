// The allocator's environment, validated once at start (see README "Configuration").
import { CommonEnv, loadServiceConfig, Port, PositiveInt, type SecurityConfig } from "@fangcang/config";
import { DEFAULT_MAX_EVENT_BYTES } from "@fangcang/contracts";
import { shanghai2022 } from "@fangcang/triage";
import { z } from "zod";

export const AllocatorEnv = CommonEnv.extend({
  FANGCANG_GROUP_ID: z.string().min(1).default("fangcang-allocator"),
  /** The clinical policy version new decisions are made under. */
  FANGCANG_POLICY_VERSION: z.string().default(shanghai2022.version),
  FANGCANG_MAX_EVENT_BYTES: PositiveInt.default(DEFAULT_MAX_EVENT_BYTES),
  /** Health and readiness endpoints; 0 picks a free port. */
  FANGCANG_HTTP_PORT: Port.default(8081),
  FANGCANG_SOURCE: z.string().min(1).default("fangcang/allocator"),
  /** Partitions whose batches one allocator handles at once. */
  FANGCANG_CONCURRENT_PARTITIONS: PositiveInt.default(4),
  /** The consumer group drops a silent member after this long (Kafka allows 6,000 and up by default). */
  FANGCANG_SESSION_TIMEOUT_MS: PositiveInt.default(30_000),
  /**
   * Most bytes fetched per partition per batch. 256 KiB is ~650 cases: with 1 MiB batches the
   * allocator held four times the cases in flight, for ~1.7x the memory and ~15% more CPU
   * per case (garbage collection), at the same throughput (BENCHMARKS.md).
   */
  FANGCANG_MAX_BATCH_BYTES: PositiveInt.default(262_144),
});
export type AllocatorConfig = z.infer<typeof AllocatorEnv> & { security: SecurityConfig };

/** Reads the whole environment and reports every problem in it at once. */
export function loadAllocatorConfig(env: NodeJS.ProcessEnv = process.env): AllocatorConfig {
  return loadServiceConfig(AllocatorEnv, env);
}
