import { z } from "zod";
import { InfraError } from "./proc.ts";

const hostPort = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, "expected host:port, e.g. 127.0.0.1:9092");

const infraEnv = z.object({
  KAFKA_BROKERS: z
    .string()
    .default("127.0.0.1:9092")
    .transform((value) =>
      value
        .split(",")
        .map((broker) => broker.trim())
        .filter((broker) => broker !== ""),
    )
    .pipe(z.array(hostPort).min(1, "list at least one broker as host:port")),
  REDIS_URL: z
    .url({ protocol: /^rediss?$/, error: "expected redis://host:port[/db]" })
    .default("redis://127.0.0.1:6380"),
  KAFKA_VERSION: z
    .string()
    .regex(/^\d+\.\d+\.\d+$/, "expected a Kafka release such as 3.9.1")
    .default("3.9.1"),
  FANGCANG_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(12),
  FANGCANG_TOPIC_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]*$/, "topic names allow only letters, digits, '.', '_' and '-'")
    .default(""),
});

export interface Endpoint {
  host: string;
  port: number;
}

export interface InfraConfig {
  kafkaBrokers: string[];
  redisUrl: string;
  kafkaVersion: string;
  topicPartitions: number;
  topicPrefix: string;
  /** Set when Kafka is a single broker on this machine, which infra may start itself. */
  localKafka: Endpoint | undefined;
  /** Set when Redis is on this machine, which infra may start itself. */
  localRedis: Endpoint | undefined;
}

/**
 * Reads the infrastructure settings from the environment. A loopback address means
 * "run it here": `up` starts a process there unless one already answers. Any other
 * address is someone else's service, which infra only health-checks.
 */
export function loadInfraConfig(env: NodeJS.ProcessEnv = process.env): InfraConfig {
  const parsed = infraEnv.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`).join("\n");
    throw new InfraError(`Invalid infrastructure environment:\n${problems}`);
  }
  const e = parsed.data;
  const [onlyBroker, ...otherBrokers] = e.KAFKA_BROKERS;
  const kafkaEndpoint = onlyBroker === undefined ? undefined : parseHostPort(onlyBroker);
  const redis = new URL(e.REDIS_URL);
  const redisHost = redis.hostname.replace(/^\[(.*)\]$/, "$1");
  return {
    kafkaBrokers: e.KAFKA_BROKERS,
    redisUrl: e.REDIS_URL,
    kafkaVersion: e.KAFKA_VERSION,
    topicPartitions: e.FANGCANG_TOPIC_PARTITIONS,
    topicPrefix: e.FANGCANG_TOPIC_PREFIX,
    localKafka:
      otherBrokers.length === 0 && kafkaEndpoint !== undefined && isLoopback(kafkaEndpoint.host)
        ? kafkaEndpoint
        : undefined,
    localRedis:
      redis.protocol === "redis:" && isLoopback(redisHost)
        ? { host: redisHost, port: redis.port === "" ? 6379 : Number(redis.port) }
        : undefined,
  };
}

function parseHostPort(value: string): Endpoint {
  const separator = value.lastIndexOf(":");
  return { host: value.slice(0, separator), port: Number(value.slice(separator + 1)) };
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}
