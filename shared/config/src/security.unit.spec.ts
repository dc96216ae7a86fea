import { describe, expect, it } from "vitest";
import { ConfigError, loadEnv } from "./env.ts";
import { kafkaSecurity, redactUrl, SecurityEnv } from "./security.ts";

describe("connection security configuration", () => {
  it("is off by default", () => {
    expect(kafkaSecurity(loadEnv(SecurityEnv, {}))).toEqual({});
  });

  it("configures SCRAM over TLS", () => {
    const config = loadEnv(SecurityEnv, {
      KAFKA_SASL_MECHANISM: "scram-sha-512",
      KAFKA_SASL_USERNAME: "allocator",
      KAFKA_SASL_PASSWORD: "s3cret",
      KAFKA_TLS: "true",
    });
    expect(kafkaSecurity(config)).toEqual({
      ssl: true,
      sasl: { mechanism: "scram-sha-512", username: "allocator", password: "s3cret" },
    });
  });

  it("fails fast, naming what is missing, on a half-configured SASL", () => {
    expect(() => loadEnv(SecurityEnv, { KAFKA_SASL_MECHANISM: "scram-sha-256" })).toThrow(ConfigError);
    expect(() => loadEnv(SecurityEnv, { KAFKA_SASL_MECHANISM: "scram-sha-256" })).toThrow(/KAFKA_SASL_USERNAME/);
    expect(() =>
      loadEnv(SecurityEnv, { KAFKA_SASL_MECHANISM: "plain", KAFKA_SASL_USERNAME: "u", KAFKA_SASL_PASSWORD: "p" }),
    ).toThrow(/KAFKA_TLS/);
  });

  it("names an unreadable CA file", () => {
    const config = loadEnv(SecurityEnv, { KAFKA_TLS: "true", KAFKA_TLS_CA_FILE: "/nonexistent/ca.pem" });
    expect(() => kafkaSecurity(config)).toThrow(/KAFKA_TLS_CA_FILE: cannot read \/nonexistent\/ca.pem/);
  });

  it("never logs a Redis password", () => {
    expect(redactUrl("rediss://allocator:hunter2@redis.example:6380/0")).toBe(
      "rediss://allocator:***@redis.example:6380/0",
    );
    expect(redactUrl("redis://127.0.0.1:6380")).toBe("redis://127.0.0.1:6380");
  });
});
