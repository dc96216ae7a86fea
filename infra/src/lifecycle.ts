import { ensureTopics, waitForBroker, waitForCoordinators } from "@fangcang/bus";
import { type InfraConfig, loadInfraConfig } from "./config.ts";
import { kafkaPid, type Log, type StartOutcome, startKafka, stopKafka } from "./kafka.ts";
import { InfraError, withLifecycleLock } from "./proc.ts";
import { pingRedis, redact, redisPid, startRedis, stopRedis, waitForRedis } from "./redis.ts";
import { topicNames } from "./topics.ts";

/** How long `up` waits for services it does not run itself. */
const externalTimeoutMs = 30_000;

export interface UpOptions {
  config?: InfraConfig;
  log?: Log;
}

export interface UpResult {
  kafkaBrokers: string[];
  redisUrl: string;
  kafka: StartOutcome;
  redis: StartOutcome;
  topics: string[];
}

/**
 * Makes Kafka and Redis available and creates the topics. Idempotent: what already runs
 * is reused. Local processes are left running when this returns; `down` stops them.
 */
export async function up(options: UpOptions = {}): Promise<UpResult> {
  const config = options.config ?? loadInfraConfig();
  const log = options.log ?? console.log;
  return withLifecycleLock(async () => {
    const redis = config.localRedis
      ? await startRedis(config.localRedis, config.redisUrl)
      : await waitForRedis(config.redisUrl, externalTimeoutMs).then(() => external);
    log(`redis: ${describeOutcome(redis, redact(config.redisUrl))}`);

    const kafkaAddress = config.kafkaBrokers.join(",");
    const kafka = config.localKafka
      ? await startKafka(
          { endpoint: config.localKafka, version: config.kafkaVersion, partitions: config.topicPartitions },
          log,
        )
      : await explained(waitForBroker(config.kafkaBrokers, externalTimeoutMs)).then(() => external);
    log(`kafka: ${describeOutcome(kafka, kafkaAddress)}`);
    await explained(waitForCoordinators(config.kafkaBrokers, externalTimeoutMs));

    const topics = await createTopics(config, log);
    return { kafkaBrokers: config.kafkaBrokers, redisUrl: config.redisUrl, kafka, redis, topics };
  });
}

const external: StartOutcome = { state: "external" };

export async function createTopics(config: InfraConfig, log: Log): Promise<string[]> {
  const topics = Object.values(topicNames(config.topicPrefix));
  await explained(
    ensureTopics({
      brokers: config.kafkaBrokers,
      topics,
      partitions: config.topicPartitions,
      clientId: "fangcang-infra",
    }),
  );
  log(`topics: ${topics.join(", ")} (${config.topicPartitions} partitions when created)`);
  return topics;
}

export interface DownResult {
  kafka: string;
  redis: string;
}

/** Stops the processes infra started. Services it did not start are never touched. */
export async function down(options: { log?: Log } = {}): Promise<DownResult> {
  const log = options.log ?? console.log;
  return withLifecycleLock(async () => {
    const kafkaStop = await stopKafka();
    const kafka = kafkaStop ? `stopped (pid ${kafkaStop.pid}, ${kafkaStop.how})` : "was not running";
    log(`kafka: ${kafka}`);
    const redisStop = await stopRedis();
    const redis = redisStop ? `stopped (pid ${redisStop.pid}, ${redisStop.how})` : "was not running";
    log(`redis: ${redis}`);
    return { kafka, redis };
  });
}

export interface ServiceStatus {
  name: "kafka" | "redis";
  address: string;
  /** Set when the process was started by infra and still runs. */
  pid: number | undefined;
  managedLocally: boolean;
  /** undefined when healthy, else what went wrong. */
  problem: string | undefined;
}

/** One health check per service, with short timeouts; never starts anything. */
export async function status(config: InfraConfig = loadInfraConfig()): Promise<ServiceStatus[]> {
  const [kafkaProblem, redisProblem, kafkaProcess, redisProcess] = await Promise.all([
    waitForBroker(config.kafkaBrokers, 2_000).then(
      () => undefined,
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    ),
    pingRedis(config.redisUrl, 2_000),
    config.localKafka ? kafkaPid() : undefined,
    config.localRedis ? redisPid() : undefined,
  ]);
  return [
    {
      name: "kafka",
      address: config.kafkaBrokers.join(","),
      pid: kafkaProcess,
      managedLocally: config.localKafka !== undefined,
      problem: kafkaProblem,
    },
    {
      name: "redis",
      address: redact(config.redisUrl),
      pid: redisProcess,
      managedLocally: config.localRedis !== undefined,
      problem: redisProblem,
    },
  ];
}

/** The bus reports what failed; this turns it into a message the CLI shows without a stack. */
async function explained<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof InfraError || !(error instanceof Error)) throw error;
    throw new InfraError(error.message, { cause: error });
  }
}

function describeOutcome(outcome: StartOutcome, address: string): string {
  switch (outcome.state) {
    case "started":
      return `up at ${address} (pid ${outcome.pid}, started in ${(outcome.tookMs / 1000).toFixed(1)} s)`;
    case "already-running":
      return `already up at ${address} (pid ${outcome.pid})`;
    case "external":
      return `healthy at ${address} (not started by infra; left alone)`;
    default: {
      const unreachable: never = outcome;
      return unreachable;
    }
  }
}
