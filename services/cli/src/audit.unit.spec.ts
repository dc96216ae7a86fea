import { describe, expect, it } from "vitest";
import { parseAuditArgs } from "./audit.ts";

describe("fangcang audit: arguments", () => {
  it("reads Kafka at the default broker, or an export directory", () => {
    expect(parseAuditArgs(["--from-kafka"], {})).toEqual({
      from: { kafka: ["127.0.0.1:9092"] },
      topicPrefix: "",
      source: "fangcang/allocator",
    });
    expect(
      parseAuditArgs(["--dir", "log", "--report", "r.json", "--policy", "shanghai-2022-04-09.v1"], {
        FANGCANG_TOPIC_PREFIX: "x.",
      }),
    ).toEqual({
      from: { dir: "log" },
      topicPrefix: "x.",
      source: "fangcang/allocator",
      report: "r.json",
      policy: "shanghai-2022-04-09.v1",
    });
  });

  it("refuses, saying why: both sources or none, bad brokers, an unknown policy, unknown flags", () => {
    expect(() => parseAuditArgs([], {})).toThrow("exactly one of --from-kafka or --dir");
    expect(() => parseAuditArgs(["--from-kafka", "--dir", "d"], {})).toThrow("exactly one");
    expect(() => parseAuditArgs(["--from-kafka", "--brokers", "nohost"], {})).toThrow("host:port");
    expect(() => parseAuditArgs(["--from-kafka", "--policy", "made-up"], {})).toThrow(/made-up/);
    expect(() => parseAuditArgs(["--from-kafka", "--fast"], {})).toThrow(/fast/);
  });
});
