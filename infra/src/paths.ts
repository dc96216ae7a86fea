import { join } from "node:path";
import { fileURLToPath } from "node:url";

const infraDir = fileURLToPath(new URL("..", import.meta.url));
const cacheDir = join(infraDir, ".cache");

/** Every file infra reads or writes. Everything under `.cache` is Git-ignored. */
export const paths = {
  infraDir,
  cacheDir,
  kafkaPom: join(infraDir, "kafka", "pom.xml"),
  redisConf: join(infraDir, "redis", "redis.conf"),
  /** One directory per Kafka version, so switching versions never mixes jars. */
  kafkaHome: (version: string) => join(cacheDir, "kafka", version),
  kafkaData: join(cacheDir, "kafka", "data"),
  kafkaConfigDir: join(cacheDir, "kafka", "config"),
  redisData: join(cacheDir, "redis"),
  logsDir: join(cacheDir, "logs"),
  /** The broker's log4j output. */
  kafkaLog: join(cacheDir, "logs", "kafka.log"),
  /** The JVM's own stdout and stderr (crashes before log4j is up land here). */
  kafkaOut: join(cacheDir, "logs", "kafka.out"),
  redisLog: join(cacheDir, "logs", "redis.log"),
  runDir: join(cacheDir, "run"),
  kafkaPid: join(cacheDir, "run", "kafka.pid"),
  redisPid: join(cacheDir, "run", "redis.pid"),
  lockDir: join(cacheDir, "run", "lifecycle.lock"),
} as const;
