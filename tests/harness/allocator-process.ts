// The allocator as a real child process, on a test namespace's topics and Redis keys: for
// specs that kill it, stop it with a signal, or run several in one group.
import { type ChildProcess, spawn } from "node:child_process";
import type { TestNamespace } from "./namespace.ts";
import { sleep, waitFor } from "./wait.ts";

/** The fault suite's entry: main.ts's start and signal handling, and it dies with the runner. */
export const FAULTS_ENTRY = new URL("../faults/allocator-process.ts", import.meta.url).pathname;
/** The production entry point, unchanged. */
export const MAIN_ENTRY = new URL("../../services/allocator/src/main.ts", import.meta.url).pathname;

export interface AllocatorSettings {
  brokers: string[];
  redisUrl: string;
  ns: TestNamespace;
  /** Defaults to FAULTS_ENTRY. */
  entry?: string;
  /** More environment, e.g. FANGCANG_MAX_BATCH_BYTES. */
  env?: Record<string, string>;
}

export class AllocatorProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  exitedAlready = false;
  /** Set before a deliberate kill or stop, so an exit is not mistaken for a crash. */
  expectedExit = false;
  /** The port of /healthz and /readyz, once started. */
  healthPort = 0;
  private readonly tail: string[] = [];
  private started = false;

  private constructor(name: string, settings: AllocatorSettings) {
    this.name = name;
    const namespace = settings.ns.redisPrefix.replace(/:$/, "");
    this.child = spawn(process.execPath, [settings.entry ?? FAULTS_ENTRY], {
      env: {
        ...process.env,
        KAFKA_BROKERS: settings.brokers.join(","),
        REDIS_URL: settings.redisUrl,
        FANGCANG_TOPIC_PREFIX: settings.ns.topicPrefix,
        FANGCANG_REDIS_NAMESPACE: namespace,
        FANGCANG_GROUP_ID: `${namespace}-allocator`,
        FANGCANG_HTTP_PORT: "0",
        FANGCANG_SESSION_TIMEOUT_MS: process.env.FAULTS_SESSION_TIMEOUT_MS ?? "6000",
        KAFKAJS_NO_PARTITIONER_WARNING: "1",
        ...settings.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n")) {
        if (line === "") continue;
        if (line.includes('"allocator started"')) {
          this.healthPort = Number(/"healthPort":(\d+)/.exec(line)?.[1] ?? 0);
          this.started = true;
        }
        this.tail.push(line.slice(0, 400));
        if (this.tail.length > 30) this.tail.shift();
      }
    };
    this.child.stdout?.on("data", keep);
    this.child.stderr?.on("data", keep);
    this.exited = new Promise((resolve) =>
      this.child.once("exit", (code) => {
        this.exitedAlready = true;
        resolve(code);
      }),
    );
  }

  /** Spawns an allocator and waits until it reports started (connected, consumer running). */
  static async start(name: string, settings: AllocatorSettings, timeoutMs = 30_000): Promise<AllocatorProcess> {
    const p = new AllocatorProcess(name, settings);
    await waitFor(
      `${name} to start`,
      () => {
        if (p.exitedAlready) throw new Error(`${name} exited while starting:\n${p.lastLines()}`);
        return p.started;
      },
      timeoutMs,
    );
    return p;
  }

  lastLines(): string {
    return this.tail.join("\n");
  }

  async kill(signal: NodeJS.Signals = "SIGKILL", timeoutMs = 15_000): Promise<void> {
    this.expectedExit = true;
    if (this.exitedAlready) return;
    this.child.kill(signal);
    const timer = sleep(timeoutMs).then(() => "timeout" as const);
    if ((await Promise.race([this.exited, timer])) === "timeout") {
      this.child.kill("SIGKILL");
      await this.exited;
    }
  }
}
