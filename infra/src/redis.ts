import { mkdir, readFile, rm } from "node:fs/promises";
import { Redis } from "ioredis";
import type { Endpoint } from "./config.ts";
import type { StartOutcome } from "./kafka.ts";
import { paths } from "./paths.ts";
import { InfraError, isPortOpen, livePid, logExcerpt, readPid, requireTools, run, sleep, terminate } from "./proc.ts";

const executable = "redis-server";
const startTimeoutMs = 15_000;
const stopGraceMs = 15_000;

/** One PING with a short timeout; resolves to the error message, or undefined when healthy. */
export async function pingRedis(url: string, timeoutMs = 1_000): Promise<string | undefined> {
  let lastError: string | undefined;
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // Without a listener ioredis reports connection errors as unhandled events.
  client.on("error", (error: Error) => {
    lastError = error.message;
  });
  try {
    await client.connect();
    const reply = await client.ping();
    return reply === "PONG" ? undefined : `unexpected reply to PING: ${reply}`;
  } catch (error) {
    return lastError ?? (error instanceof Error ? error.message : String(error));
  } finally {
    client.disconnect();
  }
}

/** Polls PING until Redis answers or `timeoutMs` passes. */
export async function waitForRedis(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let problem = await pingRedis(url);
  while (problem !== undefined && Date.now() < deadline) {
    await sleep(100);
    problem = await pingRedis(url);
  }
  if (problem !== undefined) {
    throw new InfraError(`Redis at ${redact(url)} did not answer PING within ${timeoutMs} ms: ${problem}`);
  }
}

/**
 * Starts the project's own redis-server unless it already runs. A Redis on that port
 * which infra did not start is used and left alone.
 */
export async function startRedis(endpoint: Endpoint, url: string): Promise<StartOutcome> {
  const running = await livePid(paths.redisPid, executable);
  if (running !== undefined) {
    const address = await runningRedisAddress(running);
    const wanted = `${bindAddress(endpoint.host)}:${endpoint.port}`;
    if (address !== wanted) {
      throw new InfraError(
        `The local Redis started by infra (pid ${running}) listens on ${address ?? "an unknown address"}, ` +
          `not on ${wanted}. Stop it first with \`npm run infra:down\`, or set REDIS_URL to its address.`,
      );
    }
    await waitForRedis(url, startTimeoutMs);
    return { state: "already-running", pid: running };
  }
  await rm(paths.redisPid, { force: true });
  if (await isPortOpen(endpoint.host, endpoint.port)) {
    if ((await pingRedis(url)) !== undefined) {
      throw new InfraError(
        `${endpoint.host}:${endpoint.port} is in use by a program that does not answer as Redis at ` +
          `${redact(url)}. Stop it, or set REDIS_URL to another address (see infra/README.md).`,
      );
    }
    return { state: "external" };
  }

  await requireTools([executable], "to run the project's Redis");
  await Promise.all([
    mkdir(paths.redisData, { recursive: true }),
    mkdir(paths.logsDir, { recursive: true }),
    mkdir(paths.runDir, { recursive: true }),
  ]);
  const startedAt = Date.now();
  // With --daemonize the command returns once the server has forked; the server writes
  // its own pid file.
  const result = await run(executable, [
    paths.redisConf,
    "--bind",
    bindAddress(endpoint.host),
    "--port",
    String(endpoint.port),
    "--dir",
    paths.redisData,
    "--pidfile",
    paths.redisPid,
    "--logfile",
    paths.redisLog,
    "--daemonize",
    "yes",
  ]);
  if (result.code !== 0) {
    throw new InfraError(
      `redis-server failed to start (exit ${result.code}).\n${result.output}${await logExcerpt([paths.redisLog])}`,
    );
  }
  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    const pid = await livePid(paths.redisPid, executable);
    if (pid !== undefined && (await pingRedis(url)) === undefined) {
      return { state: "started", pid, tookMs: Date.now() - startedAt };
    }
    if (Date.now() > deadline) {
      const written = await readPid(paths.redisPid);
      throw new InfraError(
        `redis-server (pid ${written ?? "unknown"}) did not answer PING within ${startTimeoutMs / 1000} s.\n` +
          (await logExcerpt([paths.redisLog])),
      );
    }
    await sleep(50);
  }
}

export async function stopRedis(): Promise<{ pid: number; how: "stopped" | "killed" } | undefined> {
  const pid = await livePid(paths.redisPid, executable);
  if (pid === undefined) {
    await rm(paths.redisPid, { force: true });
    return undefined;
  }
  // SIGTERM makes Redis flush the AOF and remove its pid file before exiting.
  const how = await terminate(pid, executable, stopGraceMs);
  await rm(paths.redisPid, { force: true });
  return { pid, how };
}

export function redisPid(): Promise<number | undefined> {
  return livePid(paths.redisPid, executable);
}

/** Redis names its listening address in its process title: `redis-server 127.0.0.1:6380`. */
async function runningRedisAddress(pid: number): Promise<string | undefined> {
  try {
    const title = (await readFile(`/proc/${pid}/cmdline`, "utf8")).replaceAll("\0", " ");
    return /redis-server\s+(\S+:\d+)/.exec(title)?.[1];
  } catch {
    return undefined;
  }
}

function bindAddress(host: string): string {
  return host === "localhost" ? "127.0.0.1" : host;
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password !== "") parsed.password = "***";
  return parsed.toString();
}
