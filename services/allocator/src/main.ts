// The allocator process: runs until SIGTERM or SIGINT, then stops consuming, lets the batch
// in hand finish and commit, and exits. A consumer crash exits non-zero for the supervisor.
import { redactUrl, runService } from "@fangcang/config";
import { type RunningAllocator, startAllocator } from "./allocator.ts";
import { type AllocatorConfig, loadAllocatorConfig } from "./config.ts";

let config: AllocatorConfig;

runService<RunningAllocator>({
  name: "allocator",
  start: (log, onFatal) => {
    config = loadAllocatorConfig();
    return startAllocator(config, onFatal, log);
  },
  started: (allocator) => ({
    brokers: config.KAFKA_BROKERS,
    redis: redactUrl(config.REDIS_URL),
    group: config.FANGCANG_GROUP_ID,
    policy: config.FANGCANG_POLICY_VERSION,
    healthPort: allocator.healthPort,
  }),
  stopped: (allocator) => allocator.worker.stats as unknown as Record<string, unknown>,
});
