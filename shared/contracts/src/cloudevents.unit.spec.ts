import { describe, expect, it } from "vitest";
import {
  cloudEvent,
  fromJsonLine,
  fromKafkaMessage,
  type RawMessage,
  toJsonLine,
  toKafkaMessage,
} from "./cloudevents.ts";

const reported = cloudEvent(
  "case.reported",
  { id: "lab-1", source: "lab/pudong", time: "2022-04-06T09:00:00+08:00", subject: "SH-1" },
  {
    caseId: "SH-1",
    reportedAt: "2022-04-06T09:00:00+08:00",
    district: "Pudong",
    ageYears: 0.5,
    sex: "unknown",
    severity: "asymptomatic",
    detectedIn: "quarantine",
  },
);

function message(overrides: Partial<RawMessage> = {}, headers: Record<string, string | undefined> = {}): RawMessage {
  const encoded = toKafkaMessage(reported);
  return { key: encoded.key, value: encoded.value, headers: { ...encoded.headers, ...headers }, ...overrides };
}

const errorCodes = (raw: RawMessage, topic?: "cases" | "facilities") => {
  const decoded = fromKafkaMessage(raw, topic ? { topic } : {});
  return decoded.ok ? [] : decoded.errors.map((e) => [e.code, e.path]);
};

describe("CloudEvents binary mode on Kafka", () => {
  it("round-trips a contract event: ce_* headers, JSON data as the value, the case id as the key", () => {
    const encoded = toKafkaMessage(reported);
    expect(encoded.key).toBe("SH-1");
    expect(encoded.headers).toMatchObject({
      ce_specversion: "1.0",
      ce_id: "lab-1",
      ce_type: "case.reported",
      ce_subject: "SH-1",
      "content-type": "application/json",
    });
    const decoded = fromKafkaMessage({ ...encoded, value: Buffer.from(encoded.value) }, { topic: "cases" });
    expect(decoded).toEqual({ ok: true, event: reported });
  });

  it.each([
    ["a missing header", message({}, { ce_id: undefined }), [["missing_header", "ce_id"]]],
    ["a malformed time", message({}, { ce_time: "yesterday" }), [["invalid_header", "ce_time"]]],
    ["broken JSON", message({ value: "{" }), [["invalid_json", undefined]]],
    ["an unknown event type", message({}, { ce_type: "case.teleported" }), [["unknown_type", "ce_type"]]],
    [
      "a wrong field type",
      message({ value: JSON.stringify({ ...reported.data, ageYears: "ten" }) }),
      [["invalid_data", "data.ageYears"]],
    ],
    ["a key that is not the case id", message({ key: "SH-2" }), [["key_mismatch", "key"]]],
    [
      "a non-JSON content type",
      message({}, { "content-type": "application/xml" }),
      [["unsupported_content_type", "content-type"]],
    ],
  ])("rejects %s with a machine-readable reason", (_, raw, expected) => {
    expect(errorCodes(raw)).toEqual(expected);
  });

  it("rejects an event on a topic it does not belong to", () => {
    expect(errorCodes(message(), "facilities")).toEqual([["wrong_topic", "ce_type"]]);
  });

  it("rejects a value over the size limit before parsing it", () => {
    const decoded = fromKafkaMessage(message({ value: "x".repeat(100) }), { maxBytes: 99 });
    expect(decoded).toMatchObject({ ok: false, errors: [{ code: "too_large" }] });
  });

  it("refuses to build an event whose data breaks the contract", () => {
    expect(() =>
      cloudEvent("case.withdrawn", { id: "x", source: "s", time: "2022-04-06T09:00:00Z" }, {
        caseId: "SH-1",
        at: "2022-04-06T09:00:00Z",
        reason: "bored",
      } as never),
    ).toThrow();
  });
});

describe("CloudEvents structured mode in files", () => {
  it("round-trips one event per JSON line", () => {
    const line = toJsonLine(reported);
    expect(JSON.parse(line)).toMatchObject({
      specversion: "1.0",
      type: "case.reported",
      datacontenttype: "application/json",
    });
    expect(fromJsonLine(line)).toEqual({ ok: true, event: reported });
  });

  it("names what is wrong with a bad line", () => {
    expect(fromJsonLine("nope")).toMatchObject({ ok: false, errors: [{ code: "invalid_json" }] });
    expect(fromJsonLine(JSON.stringify({ ...reported, specversion: "0.3" }))).toMatchObject({
      ok: false,
      errors: [{ code: "invalid_header", path: "specversion" }],
    });
  });
});
