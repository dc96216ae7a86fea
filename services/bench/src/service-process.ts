// The system under test runs as a child process of the benchmark, as it would in production:
// its own event loop, its own heap, a pid whose resident memory /proc reports.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { allocatorEnvironment, allocatorNodeFlags } from "@fangcang/allocator";
import type { BenchInfra, BenchNamespace } from "./namespace.ts";

const ALLOCATOR_MAIN = new URL("../../allocator/src/main.ts", import.meta.url).pathname;
const BARE_PIPE_MAIN = new URL("./bare-pipe.ts", import.meta.url).pathname;

export type ServiceKind = "allocator" | "bare-pipe";

export interface ServiceSettings {
  infra: BenchInfra;
  ns: BenchNamespace;
  groupId: string;
  /** Directory for a V8 CPU profile of the whole run of the process, if wanted. */
  cpuProfileDir?: string;
}

/** Resident and peak resident memory of a process, in bytes, from /proc/<pid>/status. */
export function residentMemory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) * 1024;
  return { rss: kib("VmRSS"), peak: kib("VmHWM") };
}

/**
 * CPU seconds (user + system) a process has used, from /proc/<pid>/stat: unlike wall time it
 * hardly changes when other processes share the cores, so it compares runs on a noisy machine.
 */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces), from its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticksPerSecond = 100; // USER_HZ, 100 on Linux
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

/** Batches the allocator's worker handled, and the inputs in them. */
export interface BatchCounts {
  batches: number;
  inputs: number;
}

export class ServiceProcess {
  readonly kind: ServiceKind;
  readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;
  private readonly tail: string[] = [];
  private started = false;
  private exitCode: number | null | undefined;
  /** What the service logged on stopping (the allocator: its worker's counters). */
  private stoppedFields: Record<string, unknown> | undefined;

  private constructor(kind: ServiceKind, settings: ServiceSettings) {
    this.kind = kind;
    const { infra, ns, cpuProfileDir } = settings;
    const profile = cpuProfileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${cpuProfileDir}`];
    // Both run as `npm start` runs the allocator, so the ratio compares like with like.
    this.child = spawn(
      process.execPath,
      [...allocatorNodeFlags, ...profile, kind === "allocator" ? ALLOCATOR_MAIN : BARE_PIPE_MAIN],
      {
        env: {
          ...process.env,
          ...allocatorEnvironment,
          KAFKA_BROKERS: infra.brokers.join(","),
          REDIS_URL: infra.redisUrl,
          FANGCANG_TOPIC_PREFIX: ns.topicPrefix,
          FANGCANG_REDIS_NAMESPACE: ns.redisNamespace,
          FANGCANG_GROUP_ID: settings.groupId,
          FANGCANG_HTTP_PORT: "0",
          KAFKAJS_NO_PARTITIONER_WARNING: "1",
          // Node flags for the service alone (the benchmark's own process keeps its defaults).
          NODE_OPTIONS: process.env.BENCH_SERVICE_NODE_OPTIONS ?? process.env.NODE_OPTIONS ?? "",
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    // Whole lines (a chunk may end mid-line): the last few for error messages, and the start marker.
    for (const stream of [this.child.stdout, this.child.stderr]) {
      if (stream === null) continue;
      createInterface({ input: stream }).on("line", (line) => {
        if (line.includes(`"${kind} started"`)) this.started = true;
        if (line.includes('"message":"stopped"')) this.stoppedFields = JSON.parse(line) as Record<string, unknown>;
        this.tail.push(line.slice(0, 400));
        if (this.tail.length > 30) this.tail.shift();
      });
    }
    // "close", not "exit": its output has been read to the end by then (the stop line included).
    this.exited = once(this.child, "close").then(([code]) => {
      this.exitCode = code as number | null;
      return this.exitCode;
    });
  }

  /** Spawns the service and waits until it says it is consuming. */
  static async start(kind: ServiceKind, settings: ServiceSettings, timeoutMs = 60_000): Promise<ServiceProcess> {
    const service = new ServiceProcess(kind, settings);
    const deadline = Date.now() + timeoutMs;
    while (!service.started) {
      if (service.exitCode !== undefined) throw new Error(`${kind} exited while starting:\n${service.lastLines()}`);
      if (Date.now() > deadline) {
        await service.stop();
        throw new Error(`${kind} did not start within ${timeoutMs} ms:\n${service.lastLines()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return service;
  }

  /** Throws with the service's last output if it has died. */
  assertAlive(): void {
    if (this.exitCode !== undefined) throw new Error(`${this.kind} exited (${this.exitCode}):\n${this.lastLines()}`);
  }

  memory(): { rss: number; peak: number } {
    return residentMemory(this.child.pid as number);
  }

  cpuSeconds(): number {
    return cpuSeconds(this.child.pid as number);
  }

  /**
   * Batches the allocator's worker handled and the inputs in them, from its stop line: how much
   * of a batch's fixed costs each input carries. Undefined before it has stopped, or for the
   * bare pipe.
   */
  batchCounts(): BatchCounts | undefined {
    const fields = this.stoppedFields;
    if (typeof fields?.batches !== "number" || typeof fields.events !== "number") return undefined;
    return { batches: fields.batches, inputs: fields.events };
  }

  lastLines(): string {
    return this.tail.join("\n");
  }

  /** SIGTERM (the service finishes its batch and exits; a profile is written then), SIGKILL if it hangs. */
  async stop(timeoutMs = 30_000): Promise<void> {
    if (this.exitCode !== undefined) return;
    this.child.kill("SIGTERM");
    const timer = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), timeoutMs).unref());
    if ((await Promise.race([this.exited, timer])) === "timeout") {
      this.child.kill("SIGKILL");
      await this.exited;
    }
  }
}
