// The allocator as a real child process for the fault suite: the same start and SIGTERM
// handling as services/allocator/src/main.ts. The harness gives it a short consumer session
// timeout (FANGCANG_SESSION_TIMEOUT_MS), so that after each SIGKILL the group reassigns the
// dead member's partitions in seconds and >= 20 kills fit in the suite's time budget.
import { loadAllocatorConfig, startAllocator } from "@fangcang/allocator";

function log(message: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(
    `${JSON.stringify({ time: new Date().toISOString(), service: "allocator", message, ...fields })}\n`,
  );
}

// A test runner killed by a timeout must not leave allocators behind.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(1);
}, 1_000).unref();

const allocator = await startAllocator(
  loadAllocatorConfig(),
  (error) => {
    log("consumer crashed", { error: error.message });
    process.exit(1);
  },
  log,
);
log("allocator started", { pid: process.pid, healthPort: allocator.healthPort });
let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log("stopping", { signal });
  await allocator.stop();
  process.exit(0);
};
process.on("SIGTERM", () => void stop("SIGTERM"));
process.on("SIGINT", () => void stop("SIGINT"));
