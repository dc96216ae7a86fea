import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { Kafka, logLevel, Partitioners } from "kafkajs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createTestTopics, testBrokers, testNamespace } from "./harness/namespace.ts";

const ns = testNamespace("infra");

describe("the integration harness", () => {
  const kafka = new Kafka({ clientId: "harness-spec", brokers: testBrokers(), logLevel: logLevel.WARN });
  const redis = new Redis(inject("redisUrl"), { lazyConnect: true, maxRetriesPerRequest: 1 });

  beforeAll(async () => {
    await createTestTopics(ns, 3);
    await redis.connect();
  });

  afterAll(async () => {
    redis.disconnect();
  });

  it("round-trips a message through a namespaced topic on the real broker", async () => {
    const key = `case-${randomUUID()}`;
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    const consumer = kafka.consumer({ groupId: `${ns.topicPrefix}harness` });
    try {
      await producer.connect();
      await producer.send({
        topic: ns.topics.cases,
        messages: [{ key, value: JSON.stringify({ hello: "bus" }), headers: { ce_type: "harness.ping" } }],
      });
      await consumer.connect();
      await consumer.subscribe({ topic: ns.topics.cases, fromBeginning: true });
      const received = await new Promise<{ key: string; value: string; type: string }>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no message consumed within 30 s")), 30_000);
        void consumer
          .run({
            eachMessage: async ({ message }) => {
              clearTimeout(timer);
              resolve({
                key: message.key?.toString() ?? "",
                value: message.value?.toString() ?? "",
                type: message.headers?.ce_type?.toString() ?? "",
              });
            },
          })
          .catch(reject);
      });
      expect(received).toEqual({ key, value: JSON.stringify({ hello: "bus" }), type: "harness.ping" });
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
    }
  });

  it("stores and reads a key under the file's Redis prefix", async () => {
    const key = `${ns.redisPrefix}probe`;
    await redis.set(key, "pong");
    expect(await redis.get(key)).toBe("pong");
  });

  it("names this file's topics apart from the production defaults", () => {
    expect(ns.topics.cases).toMatch(/^t-[a-z0-9]+-infra-[0-9a-f]+\.fangcang\.cases$/);
    expect(ns.topics.deadLetter).toBe(`${ns.topicPrefix}fangcang.dead-letter`);
  });
});
