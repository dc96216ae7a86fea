// A throwaway single-node Kafka (KRaft) on its own ports and data directory, run from the
// same jars as the local broker: for tests that stop, kill and restart a broker, which
// nobody may do to the shared one.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, openSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitForBroker, waitForCoordinators } from "@fangcang/bus";
import { formatStorageOnce, kafkaJars, kafkaJvmArgs, kafkaLog4jProperties, kafkaServerProperties } from "./kafka.ts";
import { InfraError, logExcerpt, requireTools, sleep } from "./proc.ts";

export interface KafkaNodeOptions {
  version?: string;
  partitions?: number;
  log?: (line: string) => void;
}

export class KafkaNode {
  readonly port: number;
  readonly brokers: string[];
  readonly dir: string;
  private readonly version: string;
  private readonly partitions: number;
  private readonly log: (line: string) => void;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  private constructor(port: number, options: KafkaNodeOptions) {
    this.port = port;
    this.brokers = [`127.0.0.1:${port}`];
    this.dir = mkdtempSync(join(tmpdir(), "fangcang-kafka-node-"));
    this.version = options.version ?? process.env.KAFKA_VERSION ?? "3.9.1";
    this.partitions = options.partitions ?? 6;
    this.log = options.log ?? (() => {});
  }

  /**
   * A node on a free port (and the next one, for its controller); not started yet. The
   * ports are below Linux's ephemeral range, so no client connection takes them while the
   * node is stopped.
   */
  static async create(options: KafkaNodeOptions = {}): Promise<KafkaNode> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const port = 20_000 + 2 * Math.floor(Math.random() * 5_000);
      if ((await canBind(port)) && (await canBind(port + 1))) return new KafkaNode(port, options);
    }
    throw new InfraError("Found no two free consecutive ports for a Kafka node.");
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the broker (formatting its storage the first time) and waits until clients can use it. */
  async start(timeoutMs = 90_000): Promise<void> {
    if (this.running) return;
    await requireTools(["java"], "to run a Kafka node");
    const libs = await kafkaJars(this.version, this.log);
    const data = join(this.dir, "data");
    await mkdir(data, { recursive: true });
    const serverProperties = join(this.dir, "server.properties");
    const log4jProperties = join(this.dir, "log4j.properties");
    await writeFile(
      serverProperties,
      kafkaServerProperties(
        { endpoint: { host: "127.0.0.1", port: this.port }, version: this.version, partitions: this.partitions },
        data,
      ),
    );
    await writeFile(log4jProperties, kafkaLog4jProperties(join(this.dir, "kafka.log")));
    await formatStorageOnce(libs, serverProperties, this.log, data);

    const out = openSync(join(this.dir, "kafka.out"), "a");
    const child = spawn("java", kafkaJvmArgs(libs, log4jProperties, serverProperties), {
      cwd: this.dir,
      stdio: ["ignore", out, out],
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()));
    reapWithParent(child);
    this.log(`kafka node: starting at ${this.brokers[0]} (pid ${child.pid})`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running) throw new InfraError(`The Kafka node exited during start-up.\n${await this.logs()}`);
      try {
        await waitForBroker(this.brokers, 2_000);
        await waitForCoordinators(this.brokers, Math.max(1_000, deadline - Date.now()));
        return;
      } catch (error) {
        if (Date.now() > deadline) {
          throw new InfraError(`The Kafka node was not healthy after ${timeoutMs} ms: ${error}\n${await this.logs()}`);
        }
        await sleep(250);
      }
    }
  }

  /**
   * SIGTERM is the broker's controlled shutdown (waited for up to `graceMs`, then SIGKILL);
   * SIGKILL is a crash, recovered from the log on the next start.
   */
  async stop(signal: "SIGTERM" | "SIGKILL" = "SIGTERM", graceMs = 30_000): Promise<void> {
    const child = this.child;
    if (child === undefined || !this.running) return;
    child.kill(signal);
    if ((await Promise.race([this.exited.then(() => "exited"), sleep(graceMs).then(() => "late")])) === "late") {
      child.kill("SIGKILL");
      await this.exited;
    }
  }

  /** Kills the broker and deletes its data. */
  async remove(): Promise<void> {
    await this.stop("SIGKILL");
    await rm(this.dir, { recursive: true, force: true });
  }

  logs(): Promise<string> {
    return logExcerpt([join(this.dir, "kafka.out"), join(this.dir, "kafka.log")]);
  }
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/**
 * A JVM outlives a test runner that is killed; a small shell watches this process and
 * kills the broker when it is gone.
 */
function reapWithParent(child: ChildProcess): void {
  if (child.pid === undefined) return;
  const watcher = spawn(
    "sh",
    [
      "-c",
      `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${child.pid} 2>/dev/null; do sleep 1; done; kill -9 ${child.pid} 2>/dev/null`,
    ],
    { detached: true, stdio: "ignore" },
  );
  watcher.unref();
}
