import { open, stat } from "node:fs/promises";
import { parseArgs } from "node:util";
import { waitForBroker } from "@fangcang/bus";
import { loadInfraConfig } from "./config.ts";
import { createTopics, down, status, up } from "./lifecycle.ts";
import { paths } from "./paths.ts";
import { InfraError, sleep, tail } from "./proc.ts";

const usage = `Usage: node infra/src/cli.ts <command>

  up       start the local Kafka and Redis (if not running) and create the topics
  down     stop the processes that \`up\` started
  status   show address, pid and health of both; exit 1 unless both are healthy
  logs     print the ends of the log files  [-n LINES] [-f to follow]
  topics   create the topics that are missing

Settings come from KAFKA_BROKERS, REDIS_URL, KAFKA_VERSION, FANGCANG_TOPIC_PARTITIONS
and FANGCANG_TOPIC_PREFIX; see infra/README.md.`;

const logFiles = [paths.kafkaLog, paths.kafkaOut, paths.redisLog];

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      follow: { type: "boolean", short: "f", default: false },
      lines: { type: "string", short: "n", default: "40" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || command === undefined) {
    console.log(usage);
    return command === undefined && !values.help ? 2 : 0;
  }
  if (rest.length > 0) throw new InfraError(`Unexpected arguments: ${rest.join(" ")}\n\n${usage}`);

  switch (command) {
    case "up": {
      await up({ log: (line) => console.log(line) });
      return 0;
    }
    case "down": {
      await down({ log: (line) => console.log(line) });
      return 0;
    }
    case "status":
      return printStatus();
    case "logs": {
      const lines = Number(values.lines);
      if (!Number.isInteger(lines) || lines < 1)
        throw new InfraError(`-n expects a positive number, got ${values.lines}`);
      await printLogs(lines);
      if (values.follow) await follow();
      return 0;
    }
    case "topics": {
      const config = loadInfraConfig();
      await waitForBroker(config.kafkaBrokers, 5_000).catch((error: unknown) => {
        throw new InfraError(
          `${error instanceof Error ? error.message : String(error)}\nStart it with \`npm run infra:up\`.`,
        );
      });
      await createTopics(config, (line) => console.log(line));
      return 0;
    }
    default:
      throw new InfraError(`Unknown command "${command}".\n\n${usage}`);
  }
}

async function printStatus(): Promise<number> {
  const services = await status();
  for (const service of services) {
    const owner =
      service.pid !== undefined
        ? `pid ${service.pid} (started by infra)`
        : service.managedLocally
          ? "no process started by infra"
          : "remote (not managed by infra)";
    const health = service.problem === undefined ? "healthy" : `UNHEALTHY: ${service.problem}`;
    console.log(`${service.name.padEnd(6)}${service.address.padEnd(28)}${owner.padEnd(34)}${health}`);
  }
  return services.every((service) => service.problem === undefined) ? 0 : 1;
}

async function printLogs(lines: number): Promise<void> {
  for (const file of logFiles) {
    const text = await tail(file, lines);
    console.log(`==> ${file} <==\n${text === "" ? "(empty)" : text}\n`);
  }
}

/** Prints what is appended to the log files until interrupted (like `tail -f`). */
async function follow(): Promise<never> {
  const offsets = new Map<string, number>();
  for (const file of logFiles) offsets.set(file, await sizeOf(file));
  for (;;) {
    for (const file of logFiles) {
      const from = offsets.get(file) ?? 0;
      const size = await sizeOf(file);
      // A smaller file was rotated or recreated: read it from the start.
      const start = size < from ? 0 : from;
      if (size > start) {
        const handle = await open(file, "r");
        try {
          const buffer = Buffer.alloc(size - start);
          await handle.read(buffer, 0, buffer.length, start);
          process.stdout.write(buffer);
        } finally {
          await handle.close();
        }
      }
      offsets.set(file, size);
    }
    await sleep(500);
  }
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const code = (error as { code?: unknown }).code;
    const known = error instanceof InfraError || (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS"));
    // Expected failures carry a message meant for the user; anything else keeps its stack.
    console.error(known ? `infra: ${(error as Error).message}` : error);
    process.exitCode = 1;
  },
);
