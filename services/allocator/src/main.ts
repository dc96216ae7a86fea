// The allocator process: runs until SIGTERM or SIGINT, then stops consuming, lets the batch
// in hand finish and commit, and exits. A consumer crash exits non-zero for the supervisor.
import { ConfigError, redactUrl } from "@fangcang/config";
import { startAllocator } from "./allocator.ts";
import { loadAllocatorConfig } from "./config.ts";

/** Under the 30 s a supervisor (Kubernetes, systemd) usually waits before SIGKILL. */
const STOP_GRACE_MS = 25_000;

function log(message: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(
    `${JSON.stringify({ time: new Date().toISOString(), service: "allocator", message, ...fields })}\n`,
  );
}

async function main(): Promise<void> {
  const config = loadAllocatorConfig();
  const allocator = await startAllocator(
    config,
    (error) => {
      log("consumer crashed", { error: error.message });
      process.exit(1);
    },
    log,
  );
  log("allocator started", {
    brokers: config.KAFKA_BROKERS,
    redis: redactUrl(config.REDIS_URL),
    group: config.FANGCANG_GROUP_ID,
    policy: config.FANGCANG_POLICY_VERSION,
    healthPort: allocator.healthPort,
  });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log("stopping", { signal });
    // A stop that hangs (a broker that never answers the group leave) must not outlive the
    // supervisor's patience silently: uncommitted work is replayed after a restart anyway.
    setTimeout(() => {
      log("graceful stop did not finish; exiting", { afterMs: STOP_GRACE_MS });
      process.exit(1);
    }, STOP_GRACE_MS).unref();
    await allocator.stop();
    log("stopped", allocator.worker.stats as unknown as Record<string, unknown>);
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`allocator failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
