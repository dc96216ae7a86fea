import { describe, expect, it } from "vitest";
import { CommonEnv, ConfigError, loadEnv } from "./env.ts";

describe("environment configuration", () => {
  it("fills in the documented defaults", () => {
    expect(loadEnv(CommonEnv, {})).toEqual({
      KAFKA_BROKERS: ["127.0.0.1:9092"],
      REDIS_URL: "redis://127.0.0.1:6380",
      FANGCANG_TOPIC_PREFIX: "",
      FANGCANG_REDIS_NAMESPACE: "fangcang",
      LOG_LEVEL: "info",
    });
  });

  it("splits a broker list", () => {
    expect(loadEnv(CommonEnv, { KAFKA_BROKERS: "k1:9092, k2:9093" }).KAFKA_BROKERS).toEqual(["k1:9092", "k2:9093"]);
  });

  it("names every bad variable and the value it got", () => {
    const load = () => loadEnv(CommonEnv, { KAFKA_BROKERS: "nohost", REDIS_URL: "http://x", LOG_LEVEL: "loud" });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/KAFKA_BROKERS.*"nohost"/);
    expect(load).toThrow(/REDIS_URL.*"http:\/\/x"/);
    expect(load).toThrow(/LOG_LEVEL.*"loud"/);
  });
});
