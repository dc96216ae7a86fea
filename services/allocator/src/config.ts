// The allocator's environment, validated once at start (see README "Configuration").
import { CommonEnv, loadEnv, Port, PositiveInt } from "@fangcang/config";
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
});
export type AllocatorConfig = z.infer<typeof AllocatorEnv>;

export function loadAllocatorConfig(env: NodeJS.ProcessEnv = process.env): AllocatorConfig {
  return loadEnv(AllocatorEnv, env);
}
