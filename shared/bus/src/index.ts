export * from "./admin.ts";
export * from "./broker-probe.ts";
export * from "./consumer.ts";
export * from "./kafka-client.ts";
export * from "./log-follower.ts";
export * from "./producer.ts";
export * from "./topic-reader.ts";
