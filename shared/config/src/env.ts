// Environment configuration: one zod schema per service, parsed once at start. A bad value
// stops the service before it touches anything, with every problem named.
import { z } from "zod";

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

export function loadEnv<S extends z.ZodObject>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? "");
      return `${name}: ${issue.message} (got ${JSON.stringify(env[name] ?? null)})`;
    }),
  );
}

const hostPort = /^[A-Za-z0-9.-]+:\d{1,5}$/;

/** Kafka bootstrap servers: "host:port[,host:port...]". */
export const KafkaBrokers = z
  .string()
  .default("127.0.0.1:9092")
  .transform((value) => value.split(",").map((s) => s.trim()))
  .pipe(z.array(z.string().regex(hostPort, "each broker is host:port")).min(1));

export const RedisUrl = z
  .string()
  .default("redis://127.0.0.1:6380")
  .refine((value) => /^rediss?:\/\//.test(value), "a redis:// or rediss:// URL");

export const Port = z.coerce.number().int().min(0).max(65535);

export const PositiveInt = z.coerce.number().int().positive();

/** Settings every service that talks to the bus and the ledger shares. */
export const CommonEnv = z.object({
  KAFKA_BROKERS: KafkaBrokers,
  REDIS_URL: RedisUrl,
  /** Prepended to every topic name (tests and side-by-side deployments). */
  FANGCANG_TOPIC_PREFIX: z.string().default(""),
  /** First part of every Redis key; isolates deployments sharing one Redis. */
  FANGCANG_REDIS_NAMESPACE: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/)
    .default("fangcang"),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
});
