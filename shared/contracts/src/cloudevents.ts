// CloudEvents 1.0 envelope: binary content mode on Kafka (ce_* headers, value = data),
// structured mode (one JSON object per line) in files. Decoding is total: it returns either
// a typed event or a machine-readable list of what was wrong, never throws.
import { z } from "zod";
import { type EventData, type EventType, eventCatalog, isEventType } from "./catalog.ts";
import type { TopicRole } from "./topics.ts";
import { Time } from "./vocabulary.ts";

export interface CloudEvent<T extends EventType = EventType> {
  specversion: "1.0";
  id: string;
  source: string;
  type: T;
  time: string;
  subject?: string;
  datacontenttype: "application/json";
  data: EventData<T>;
}

/** A CloudEvent of any contract type, discriminated on `type`. */
export type AnyCloudEvent = { [T in EventType]: CloudEvent<T> }[EventType];

export type DecodeErrorCode =
  | "too_large"
  | "missing_header"
  | "invalid_header"
  | "unsupported_content_type"
  | "invalid_json"
  | "unknown_type"
  | "wrong_topic"
  | "invalid_data"
  | "key_mismatch";

export interface DecodeError {
  code: DecodeErrorCode;
  message: string;
  /** Where in the event the problem is: a header name, or a path into `data`. */
  path?: string;
}

export type Decoded<T> = { ok: true; event: T } | { ok: false; errors: DecodeError[] };

/** The Kafka message shape the codec needs: what kafkajs hands a consumer, minus offsets. */
export interface RawMessage {
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
}

export interface EncodedMessage {
  key: string;
  value: string;
  headers: Record<string, string>;
}

export const DEFAULT_MAX_EVENT_BYTES = 64 * 1024;

const Header = z.string().min(1).max(256);

/** The CloudEvents headers of a contract event on Kafka (binary mode); the docs are generated from it. */
export const EnvelopeHeaders = z.object({
  ce_specversion: z.literal("1.0").describe("CloudEvents specification version."),
  ce_id: Header.describe("Event id, unique per producer. Consumers deduplicate on (ce_source, ce_id)."),
  ce_source: Header.describe("The producer, a URI-reference such as lab/pudong or fangcang/allocator."),
  ce_type: Header.describe("The event type, such as case.reported."),
  ce_time: Time.describe(
    "When it happened, RFC 3339 with an offset. The allocator decides from event times, never the wall clock.",
  ),
  ce_subject: Header.describe("Optional: what the event is about, usually the case or facility id.").optional(),
});

/** Builds an event, validating `data` against the catalog so nothing invalid is ever produced. */
export function cloudEvent<T extends EventType>(
  type: T,
  fields: { id: string; source: string; time: string; subject?: string },
  data: EventData<T>,
): CloudEvent<T> {
  return trustedCloudEvent(type, fields, eventCatalog[type].schema.parse(data) as EventData<T>);
}

/**
 * Builds an event from data the caller vouches for: valid, with exactly its schema's keys
 * in its schema's order (what validation returns). Only for events that are checked
 * another way, such as a replay's, each compared with one validated when it was recorded.
 */
export function trustedCloudEvent<T extends EventType>(
  type: T,
  fields: { id: string; source: string; time: string; subject?: string },
  data: EventData<T>,
): CloudEvent<T> {
  const event: CloudEvent<T> = {
    specversion: "1.0",
    id: fields.id,
    source: fields.source,
    type,
    time: fields.time,
    datacontenttype: "application/json",
    data,
  };
  if (fields.subject !== undefined) event.subject = fields.subject;
  return event;
}

export function kafkaKeyOf(event: AnyCloudEvent): string {
  const keyField = eventCatalog[event.type].key;
  return (event.data as Record<string, string>)[keyField] as string;
}

export function toKafkaMessage(event: AnyCloudEvent): EncodedMessage {
  const headers: Record<string, string> = {
    ce_specversion: event.specversion,
    ce_id: event.id,
    ce_source: event.source,
    ce_type: event.type,
    ce_time: event.time,
    "content-type": "application/json",
  };
  if (event.subject !== undefined) headers.ce_subject = event.subject;
  return { key: kafkaKeyOf(event), value: JSON.stringify(event.data), headers };
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Text of a header or value; null when its bytes are not UTF-8 (never guessed at). */
function utf8(value: Buffer | string): string | null {
  if (typeof value === "string") return value;
  try {
    return strictUtf8.decode(value);
  } catch {
    return null;
  }
}

function headerText(value: Buffer | string | (Buffer | string)[] | undefined): string | null | undefined {
  if (value === undefined) return undefined;
  const one = Array.isArray(value) ? value[value.length - 1] : value;
  return one === undefined ? undefined : utf8(one);
}

/** "application/json", optionally with parameters; media types are case-insensitive. */
function isJsonMediaType(contentType: string): boolean {
  return contentType.split(";")[0]?.trim().toLowerCase() === "application/json";
}

function byteLength(value: Buffer | string | null): number {
  if (value === null) return 0;
  return typeof value === "string" ? Buffer.byteLength(value) : value.length;
}

function zodErrors(error: z.ZodError, code: DecodeErrorCode, prefix: string): DecodeError[] {
  return error.issues.map((issue) => ({
    code,
    message: issue.message,
    path: [prefix, ...issue.path.map(String)].filter((p) => p !== "").join("."),
  }));
}

export interface DecodeOptions {
  /** The topic the message was read from; an event type that belongs elsewhere is rejected. */
  topic?: TopicRole;
  maxBytes?: number;
}

/** Decodes a binary-mode Kafka message into a validated contract event. */
export function fromKafkaMessage(message: RawMessage, options: DecodeOptions = {}): Decoded<AnyCloudEvent> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_EVENT_BYTES;
  const size = byteLength(message.value);
  if (size > maxBytes) {
    return { ok: false, errors: [{ code: "too_large", message: `value is ${size} bytes; the limit is ${maxBytes}` }] };
  }
  const raw = message.headers ?? {};
  const headers: Record<string, string | undefined> = {};
  for (const name of ["ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "ce_subject", "content-type"]) {
    const text = headerText(raw[name]);
    if (text === null) {
      return { ok: false, errors: [{ code: "invalid_header", message: `${name} is not UTF-8 text`, path: name }] };
    }
    headers[name] = text;
  }
  const envelope = EnvelopeHeaders.safeParse(headers);
  if (!envelope.success) {
    return {
      ok: false,
      errors: envelope.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? "");
        return {
          code: headers[name] === undefined ? "missing_header" : "invalid_header",
          message: issue.message,
          path: name,
        };
      }),
    };
  }
  const contentType = headers["content-type"];
  if (contentType !== undefined && !isJsonMediaType(contentType)) {
    return {
      ok: false,
      errors: [{ code: "unsupported_content_type", message: `content-type ${contentType}`, path: "content-type" }],
    };
  }
  const text = message.value === null ? "" : utf8(message.value);
  if (text === null) return { ok: false, errors: [{ code: "invalid_json", message: "value is not UTF-8 text" }] };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { ok: false, errors: [{ code: "invalid_json", message: (error as Error).message }] };
  }
  const { ce_id, ce_source, ce_type, ce_time, ce_subject } = envelope.data;
  const result = decodeData(ce_type, data, options.topic);
  if (!result.ok) return result;
  const event = {
    specversion: "1.0",
    id: ce_id,
    source: ce_source,
    type: ce_type,
    time: ce_time,
    datacontenttype: "application/json",
    data: result.event,
    ...(ce_subject === undefined ? {} : { subject: ce_subject }),
  } as AnyCloudEvent;
  const key = message.key === null ? null : utf8(message.key);
  if (key !== kafkaKeyOf(event)) {
    const field = eventCatalog[event.type].key;
    return {
      ok: false,
      errors: [
        { code: "key_mismatch", message: `message key ${JSON.stringify(key)} is not data.${field}`, path: "key" },
      ],
    };
  }
  return { ok: true, event };
}

function decodeData(type: string, data: unknown, topic: TopicRole | undefined): Decoded<unknown> {
  if (!isEventType(type)) {
    return { ok: false, errors: [{ code: "unknown_type", message: `unknown event type ${type}`, path: "ce_type" }] };
  }
  const entry = eventCatalog[type];
  if (topic !== undefined && entry.topic !== topic) {
    return {
      ok: false,
      errors: [{ code: "wrong_topic", message: `${type} belongs on the ${entry.topic} topic`, path: "ce_type" }],
    };
  }
  const parsed = entry.schema.safeParse(data);
  if (!parsed.success) return { ok: false, errors: zodErrors(parsed.error, "invalid_data", "data") };
  return { ok: true, event: parsed.data };
}

/** One CloudEvent in structured mode: a JSON object per line in exports, audit logs, scenarios. */
export const StructuredEnvelope = z.object({
  specversion: z.literal("1.0").describe("CloudEvents specification version."),
  id: Header.describe("Event id, unique per producer. Consumers deduplicate on (source, id)."),
  source: Header.describe("The producer, a URI-reference such as lab/pudong or fangcang/allocator."),
  type: Header.describe("The event type; it selects the schema of data."),
  time: Time.describe("When it happened, RFC 3339 with an offset."),
  subject: Header.describe("Optional: what the event is about, usually the case or facility id.").optional(),
  datacontenttype: z
    .literal("application/json")
    .describe("Always written by the product; optional when read.")
    .optional(),
  data: z.unknown().describe("The event's data, as on Kafka; its schema depends on type."),
});

/** One structured-mode CloudEvent as a JSON line (no trailing newline). */
export function toJsonLine(event: AnyCloudEvent): string {
  return JSON.stringify(event);
}

/** Decodes one structured-mode JSON line (exports, audit logs, scenario files). */
export function fromJsonLine(line: string, options: DecodeOptions = {}): Decoded<AnyCloudEvent> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { ok: false, errors: [{ code: "invalid_json", message: (error as Error).message }] };
  }
  const envelope = StructuredEnvelope.safeParse(value);
  if (!envelope.success) return { ok: false, errors: zodErrors(envelope.error, "invalid_header", "") };
  const result = decodeData(envelope.data.type, envelope.data.data, options.topic);
  if (!result.ok) return result;
  const { subject, ...rest } = envelope.data;
  return {
    ok: true,
    event: {
      ...rest,
      datacontenttype: "application/json",
      data: result.event,
      ...(subject === undefined ? {} : { subject }),
    } as AnyCloudEvent,
  };
}

/** The case an event is about, for every event keyed by case; undefined for facility events. */
export function caseIdOf(event: AnyCloudEvent): string | undefined {
  return eventCatalog[event.type].key === "caseId" ? (event.data as { caseId: string }).caseId : undefined;
}
