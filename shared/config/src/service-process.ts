// The life of a service process: JSON log lines on stdout; started, then stopped gracefully
// on SIGTERM or SIGINT (exit 0); a fatal error after start (a consumer crash) exits 1 for the
// supervisor to restart it; an invalid environment exits 2 naming every problem.
import { ConfigError } from "./env.ts";

export type ServiceLog = (message: string, fields?: Record<string, unknown>) => void;

export function jsonLog(service: string): ServiceLog {
  return (message, fields = {}) => {
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), service, message, ...fields })}\n`);
  };
}

export interface ServiceProcess<T extends { stop(): Promise<void> }> {
  name: string;
  /** Loads the configuration and starts; `onFatal` ends the process. */
  start(log: ServiceLog, onFatal: (error: Error) => void): Promise<T>;
  /** What to log once started. */
  started(service: T): Record<string, unknown>;
  /** What to log once stopped. */
  stopped?(service: T): Record<string, unknown>;
}

/** Under the 30 s a supervisor (Kubernetes, systemd) usually waits before SIGKILL. */
export const STOP_GRACE_MS = 25_000;

export function runService<T extends { stop(): Promise<void> }>(process_: ServiceProcess<T>): void {
  const log = jsonLog(process_.name);
  const fatal = (error: Error) => {
    log("consumer crashed", { error: error.message });
    process.exit(1);
  };
  const run = async () => {
    const service = await process_.start(log, fatal);
    log(`${process_.name} started`, process_.started(service));
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
      await service.stop();
      log("stopped", process_.stopped?.(service) ?? {});
      process.exit(0);
    };
    process.on("SIGTERM", () => void stop("SIGTERM"));
    process.on("SIGINT", () => void stop("SIGINT"));
  };
  run().catch((error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`${process_.name} failed to start: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
