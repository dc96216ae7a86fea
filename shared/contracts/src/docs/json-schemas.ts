// JSON Schemas of the contract, derived from its zod schemas.
//
// io: "input". A schema describes what a consumer of the contract may see on the wire and what
// the allocator's decoder accepts. zod objects strip unknown keys, so in "input" mode the JSON
// Schema leaves `additionalProperties` open, while "output" mode would close every object
// (`additionalProperties: false`, describing the already-parsed value). Closed objects would
// turn every optional field we add into a breaking change for consumers that validate, which
// contradicts "add, never rename". (The contract has no defaults or transforms, so the two
// modes differ only there; strict objects such as `vitals` stay closed in both.)
import { z } from "zod";
import { type EventType, eventCatalog, eventTypes } from "../catalog.ts";
import {
  type AnyCloudEvent,
  StructuredEnvelope as CodecStructuredEnvelope,
  cloudEvent,
  EnvelopeHeaders,
} from "../cloudevents.ts";
import { DeadLetter } from "../dead-letter.ts";
import { contractExampleEnvelopes, contractExamples, deadLetterExample } from "../examples.ts";
import { defaultTopics } from "../topics.ts";
import { isJsonObject, type JsonObject, toJson } from "./format.ts";

export const JSON_SCHEMA_2020_12 = "https://json-schema.org/draft/2020-12/schema";
/** Location-independent ids: the files are self-contained and may be served from anywhere. */
export const SCHEMA_ID_BASE = "urn:fangcang:contract:schema:";
export const GENERATED_NOTE =
  "Generated from the zod schemas of @fangcang/contracts by `npm run docs:contract`. Do not edit by hand.";

// The envelope: the codec's own schemas (../cloudevents.ts), with what JSON Schema can say
// about the parts the codec checks by hand.

/** The Kafka headers of a contract event (CloudEvents Kafka protocol binding, binary mode). */
export const KafkaHeaders = EnvelopeHeaders.extend({
  "content-type": z
    .string()
    .regex(/^[Aa][Pp][Pp][Ll][Ii][Cc][Aa][Tt][Ii][Oo][Nn]\/[Jj][Ss][Oo][Nn]\s*(;.*)?$/)
    .describe("application/json (parameters allowed): the message value is the event's data as JSON."),
});

/** One CloudEvent in structured mode, with `data` as the object it always is. */
export const StructuredEnvelope = CodecStructuredEnvelope.extend({
  data: z.record(z.string(), z.unknown()).describe("The event's data, as on Kafka; its schema depends on type."),
});

/** The headers of a message on the dead-letter topic (see services/allocator/src/dead-letter.ts). */
export const DeadLetterHeaders = z.object({
  "content-type": z.literal("application/json").describe("The value is a DeadLetter as JSON."),
  dl_reason: z.string().describe("The code of the first error (errors[0].code), for filtering without parsing."),
});

export type SchemaTarget = "draft-2020-12" | "draft-7";

/** A zod schema as JSON Schema, without `$schema` (for embedding). */
export function jsonSchemaOf(schema: z.ZodType, target: SchemaTarget): JsonObject {
  const generated = toJson(z.toJSONSchema(schema, { target, io: "input" }));
  if (!isJsonObject(generated)) throw new Error("zod produced a non-object JSON Schema");
  const { $schema: _dialect, ...rest } = generated;
  return rest;
}

export function eventSchemaFile(type: EventType): string {
  return `${type}.schema.json`;
}

/** docs/contract/schemas/<type>.schema.json: the JSON Schema of one event's data. */
export function eventDataSchema(type: EventType): JsonObject {
  const entry = eventCatalog[type];
  return {
    $schema: JSON_SCHEMA_2020_12,
    $id: `${SCHEMA_ID_BASE}${type}`,
    $comment: GENERATED_NOTE,
    title: type,
    description: entry.summary,
    "x-fangcang-topic": defaultTopics[entry.topic],
    "x-fangcang-key": entry.key,
    ...jsonSchemaOf(entry.schema, "draft-2020-12"),
    examples: [toJson(contractExamples[type])],
  };
}

/** docs/contract/schemas/cloudevent-structured.schema.json: one line of a JSON Lines file. */
export function structuredCloudEventSchema(): JsonObject {
  const envelope = jsonSchemaOf(StructuredEnvelope, "draft-2020-12");
  return {
    $schema: JSON_SCHEMA_2020_12,
    $id: `${SCHEMA_ID_BASE}cloudevent-structured`,
    $comment: GENERATED_NOTE,
    title: "CloudEvent (structured mode)",
    description:
      "One contract event as a CloudEvents 1.0 structured-mode JSON object: one per line (JSON Lines) in exports, " +
      "audit logs and scenario files. On Kafka the same event travels in binary mode (ce_* headers, value = data).",
    ...envelope,
    oneOf: eventTypes.map((type) => ({
      properties: { type: { const: type }, data: { $ref: `#/$defs/${type}` } },
    })),
    $defs: Object.fromEntries(
      eventTypes.map((type) => [
        type,
        {
          title: type,
          description: eventCatalog[type].summary,
          ...jsonSchemaOf(eventCatalog[type].schema, "draft-2020-12"),
        },
      ]),
    ),
    examples: [toJson(exampleCloudEvent("case.reported"))],
  };
}

/** An example event as the codec builds it (validated against the catalog on the way). */
export function exampleCloudEvent(type: EventType): AnyCloudEvent {
  return cloudEvent(type, contractExampleEnvelopes[type], contractExamples[type]) as AnyCloudEvent;
}

/** docs/contract/schemas/dead-letter.schema.json: the value of a message on the dead-letter topic. */
export function deadLetterSchema(): JsonObject {
  return {
    $schema: JSON_SCHEMA_2020_12,
    $id: `${SCHEMA_ID_BASE}dead-letter`,
    $comment: GENERATED_NOTE,
    title: "dead-letter",
    description:
      "An input that failed validation or that no state accepted, kept whole: the original topic, partition, " +
      "offset, key, headers and raw value, and a machine-readable errors list. Not a CloudEvent.",
    "x-fangcang-topic": defaultTopics.deadLetter,
    "x-fangcang-key": "key",
    ...jsonSchemaOf(DeadLetter, "draft-2020-12"),
    examples: [toJson(deadLetterExample)],
  };
}
