// The Kafka client as the rest of the system sees it. kafkajs is unmaintained (2.2.4 is
// its last release), so it is confined to this package, behind an API small enough to
// re-implement on a maintained KafkaJS-compatible client.
import { Kafka, type KafkaConfig, logLevel, type SASLOptions } from "kafkajs";

export interface BusConnection {
  brokers: string[];
  clientId: string;
  ssl?: KafkaConfig["ssl"];
  sasl?: { mechanism: "scram-sha-256" | "scram-sha-512" | "plain"; username: string; password: string };
}

// kafkajs 2.2.4 computes a negative timer delay on Node 23+ and Node warns about it once per
// process (tulios/kafkajs#1751, fixed upstream but never released). The delay is clamped to
// 1 ms either way; the warning only alarms operators, so it is dropped here, and only it.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const type = typeof rest[0] === "string" ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
  const name = warning instanceof Error ? warning.name : type;
  if (name === "TimeoutNegativeWarning") return;
  (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;

/** Timeouts and retries other than the defaults, for clients that must fail fast. */
export type ClientTuning = Pick<KafkaConfig, "connectionTimeout" | "requestTimeout" | "retry" | "logLevel">;

export function createKafka(connection: BusConnection, tuning: ClientTuning = {}): Kafka {
  return new Kafka({
    clientId: connection.clientId,
    brokers: connection.brokers,
    ...(connection.ssl === undefined ? {} : { ssl: connection.ssl }),
    ...(connection.sasl === undefined ? {} : { sasl: connection.sasl as SASLOptions }),
    logLevel: logLevel.WARN,
    retry: { initialRetryTime: 100, retries: 8 },
    ...tuning,
  });
}
