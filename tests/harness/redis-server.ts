// A dedicated redis-server on its own port and data directory, append-only file fsynced on
// every write, for tests that stop and kill a Redis, which nobody may do to the shared one.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class RedisServer {
  readonly port: number;
  readonly url: string;
  private readonly dir = mkdtempSync(join(tmpdir(), "fangcang-test-redis-"));
  private child: ChildProcess | undefined;

  private constructor(port: number) {
    this.port = port;
    this.url = `redis://127.0.0.1:${port}`;
  }

  /**
   * A server on a free port below Linux's ephemeral range (so no client connection takes
   * it while the server is stopped); not started yet.
   */
  static async create(): Promise<RedisServer> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const port = 30_000 + Math.floor(Math.random() * 2_000);
      if (await canBind(port)) return new RedisServer(port);
    }
    throw new Error("found no free port for a redis-server");
  }

  async start(timeoutMs = 15_000): Promise<void> {
    const child = spawn(
      "redis-server",
      [
        ...["--port", String(this.port), "--bind", "127.0.0.1", "--dir", this.dir],
        ...["--appendonly", "yes", "--appendfsync", "always", "--save", ""],
      ],
      { stdio: "ignore" },
    );
    this.child = child;
    const probe = new Redis(this.url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    probe.on("error", () => {}); // refused connections are expected until the server is up
    const deadline = Date.now() + timeoutMs;
    try {
      for (;;) {
        if (child.exitCode !== null) throw new Error(`redis-server on ${this.port} exited with ${child.exitCode}`);
        try {
          if (probe.status !== "ready") await probe.connect();
          if ((await probe.ping()) === "PONG") return;
        } catch {
          if (Date.now() > deadline) throw new Error(`redis-server on ${this.port} did not answer in ${timeoutMs} ms`);
          probe.disconnect();
          await sleep(100);
        }
      }
    } finally {
      probe.disconnect();
    }
  }

  /** SIGTERM flushes the append-only file and exits; SIGKILL is a crash. */
  async stop(signal: NodeJS.Signals = "SIGTERM", timeoutMs = 15_000): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill(signal);
    if ((await Promise.race([exited, sleep(timeoutMs).then(() => "timeout")])) === "timeout") {
      child.kill("SIGKILL");
      await exited;
    }
  }

  /** Kills the server and deletes its data. */
  async remove(): Promise<void> {
    await this.stop("SIGKILL");
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}
