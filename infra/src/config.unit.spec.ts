import { describe, expect, it } from "vitest";
import { loadInfraConfig } from "./config.ts";
import { kafkaServerProperties } from "./kafka.ts";

describe("loadInfraConfig", () => {
  it("defaults to the local broker and the project's own Redis", () => {
    const config = loadInfraConfig({});
    expect(config).toMatchObject({
      kafkaBrokers: ["127.0.0.1:9092"],
      redisUrl: "redis://127.0.0.1:6380",
      kafkaVersion: "3.9.1",
      topicPartitions: 12,
      topicPrefix: "",
      localKafka: { host: "127.0.0.1", port: 9092 },
      localRedis: { host: "127.0.0.1", port: 6380 },
    });
  });

  it("treats addresses off this machine as services it must not start", () => {
    const config = loadInfraConfig({
      KAFKA_BROKERS: "kafka-1.example:9092, kafka-2.example:9092",
      REDIS_URL: "redis://:secret@redis.example:6379/2",
    });
    expect(config.kafkaBrokers).toEqual(["kafka-1.example:9092", "kafka-2.example:9092"]);
    expect(config.localKafka).toBeUndefined();
    expect(config.localRedis).toBeUndefined();
  });

  it("runs a local service on another loopback port", () => {
    const config = loadInfraConfig({ KAFKA_BROKERS: "localhost:19092", REDIS_URL: "redis://localhost:6390" });
    expect(config.localKafka).toEqual({ host: "localhost", port: 19092 });
    expect(config.localRedis).toEqual({ host: "localhost", port: 6390 });
  });

  it("names every invalid variable", () => {
    expect(() =>
      loadInfraConfig({
        KAFKA_BROKERS: "no-port",
        REDIS_URL: "http://x",
        FANGCANG_TOPIC_PARTITIONS: "0",
        FANGCANG_TOPIC_PREFIX: "bad prefix",
      }),
    ).toThrow(/KAFKA_BROKERS[\s\S]*REDIS_URL[\s\S]*FANGCANG_TOPIC_PARTITIONS[\s\S]*FANGCANG_TOPIC_PREFIX/);
  });
});

describe("kafkaServerProperties", () => {
  it("describes one combined broker and controller with the controller on the next port", () => {
    const properties = kafkaServerProperties({
      endpoint: { host: "127.0.0.1", port: 9092 },
      version: "3.9.1",
      partitions: 6,
    });
    expect(properties).toContain("process.roles=broker,controller\n");
    expect(properties).toContain("listeners=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093\n");
    expect(properties).toContain("controller.quorum.voters=1@127.0.0.1:9093\n");
    expect(properties).toContain("num.partitions=6\n");
    expect(properties).toContain("group.initial.rebalance.delay.ms=0\n");
    expect(properties).toContain("auto.create.topics.enable=false\n");
  });
});
