import { spawn } from "node:child_process";
import { constants } from "node:fs";
import { access, mkdir, open, readFile, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { delimiter, join } from "node:path";
import { paths } from "./paths.ts";

/** A failure the user can act on; the CLI prints its message without a stack trace. */
export class InfraError extends Error {
  override name = "InfraError";
}

const installHint = "apt-get install openjdk-17-jre-headless maven redis-server";
const packageOf: Record<string, string> = {
  java: "openjdk-17-jre-headless",
  mvn: "maven",
  "redis-server": "redis-server",
};

export async function findExecutable(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** Throws a message naming the Debian package to install when a tool is missing. */
export async function requireTools(names: string[], purpose: string): Promise<void> {
  const missing: string[] = [];
  for (const name of names) {
    if ((await findExecutable(name)) === undefined) missing.push(name);
  }
  if (missing.length === 0) return;
  const packages = missing.map((name) => packageOf[name] ?? name).join(" ");
  throw new InfraError(
    `${missing.join(", ")} not found on PATH, needed ${purpose}.\n` +
      `Install with: apt-get install -y ${packages}   (all of infra: ${installHint})\n` +
      "or point KAFKA_BROKERS / REDIS_URL at running services (see infra/README.md).",
  );
}

export interface RunResult {
  code: number;
  output: string;
}

/** Runs a command to completion, capturing stdout and stderr together. */
export function run(command: string, args: string[], cwd?: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

export async function readPid(file: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt((await readFile(file, "utf8")).trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * True when `pid` is a live process whose command line contains `marker`. Checking the
 * command line guards against a recycled pid, and excludes zombies (empty cmdline).
 */
export async function isOurProcess(pid: number, marker: string): Promise<boolean> {
  try {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8");
    return cmdline.split("\0").some((arg) => arg.includes(marker));
  } catch {
    return false;
  }
}

export async function livePid(pidFile: string, marker: string): Promise<number | undefined> {
  const pid = await readPid(pidFile);
  return pid !== undefined && (await isOurProcess(pid, marker)) ? pid : undefined;
}

export function isPortOpen(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once("connect", () => finish(true));
    socket.once("error", () => finish(false));
  });
}

/** Sends SIGTERM, waits for the process to go, and sends SIGKILL after `graceMs`. */
export async function terminate(pid: number, marker: string, graceMs: number): Promise<"stopped" | "killed"> {
  signal(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!(await isOurProcess(pid, marker))) return "stopped";
    await sleep(100);
  }
  signal(pid, "SIGKILL");
  while (await isOurProcess(pid, marker)) await sleep(100);
  return "killed";
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

/** The last `lines` lines of a text file, or "" when it does not exist yet. */
export async function tail(file: string, lines: number): Promise<string> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(file, "r");
    const { size } = await handle.stat();
    const length = Math.min(size, 256 * 1024);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    const text = buffer.toString("utf8").replace(/\n$/, "");
    return text === "" ? "" : text.split("\n").slice(-lines).join("\n");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw error;
  } finally {
    await handle?.close();
  }
}

export async function logExcerpt(files: string[], lines = 25): Promise<string> {
  const parts: string[] = [];
  for (const file of files) {
    const text = await tail(file, lines);
    if (text !== "") parts.push(`--- last lines of ${file} ---\n${text}`);
  }
  return parts.length === 0 ? "(no log output)" : parts.join("\n");
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Serialises `up` and `down` across processes (two test runs starting at once must not
 * both launch a broker). The lock is a directory holding the owner's pid; a lock whose
 * owner is gone is taken over.
 */
export async function withLifecycleLock<T>(work: () => Promise<T>, timeoutMs = 180_000): Promise<T> {
  await mkdir(paths.runDir, { recursive: true });
  const ownerFile = join(paths.lockDir, "pid");
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await mkdir(paths.lockDir);
      await writeFile(ownerFile, String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = await readPid(ownerFile);
      const ownerAlive = owner !== undefined && (await processExists(owner));
      if (!ownerAlive) {
        // A lock just created may not have its pid file yet; give it a moment first.
        await sleep(200);
        if ((await readPid(ownerFile)) === owner) await rm(paths.lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new InfraError(`Another infra command (pid ${owner}) has held ${paths.lockDir} for too long.`);
      }
      await sleep(250);
    }
  }
  try {
    return await work();
  } finally {
    await rm(paths.lockDir, { recursive: true, force: true });
  }
}

async function processExists(pid: number): Promise<boolean> {
  try {
    await access(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}
