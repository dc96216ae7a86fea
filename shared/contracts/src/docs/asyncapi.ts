// The AsyncAPI 3.0.0 document of the contract, seen from the allocator: it receives on the
// cases and facilities topics and sends on transfers and dead-letter (plus its internal
// internal events, such as case.bed-offered, which it sends to itself on cases).
//
// Payload and header schemas are embedded as AsyncAPI Schema Objects, the format's default:
// a superset of JSON Schema draft-07, so they are generated with zod's "draft-7" target (same
// io: "input" as the 2020-12 files in schemas/). AsyncAPI tooling reads draft-07 natively;
// 2020-12 would need a custom schemaFormat that most tools ignore.
import { type EventType, eventCatalog, eventTypes, eventTypesOn } from "../catalog.ts";
import { toKafkaMessage } from "../cloudevents.ts";
import { DeadLetter } from "../dead-letter.ts";
import { contractExamples, deadLetterExample } from "../examples.ts";
import { defaultTopics, type TopicRole } from "../topics.ts";
import { isJsonObject, type Json, type JsonObject, toJson } from "./format.ts";
import { DeadLetterHeaders, exampleCloudEvent, jsonSchemaOf, KafkaHeaders } from "./json-schemas.ts";

export const ASYNCAPI_VERSION = "3.0.0";
/** The Kafka bindings version the message bindings follow. */
export const KAFKA_BINDING_VERSION = "0.5.0";
export const DEAD_LETTER_MESSAGE = "dead-letter";

/**
 * Events the allocator writes to itself on the cases topic, so that they are ordered with
 * the rest of the case's events. The catalog marks them by a summary that starts "Internal".
 */
export const INTERNAL_EVENTS: readonly EventType[] = eventTypes.filter((type) =>
  eventCatalog[type].summary.startsWith("Internal"),
);
for (const type of INTERNAL_EVENTS) {
  if (eventCatalog[type].topic !== "cases") throw new Error(`internal event ${type} is not on the cases topic`);
}

const channelText: Record<TopicRole, { title: string; description: string }> = {
  cases: {
    title: "Cases",
    description:
      "Input. Everything about a case, whoever sends it (labs, clinicians, intake systems), keyed by caseId so " +
      "that one case's events are totally ordered. The allocator also writes its internal events here " +
      `(${INTERNAL_EVENTS.join(", ")}); other systems ignore them.`,
  },
  facilities: {
    title: "Facilities",
    description: "Input. Facility registrations, bed totals and status, written by operations, keyed by facilityId.",
  },
  transfers: {
    title: "Transfers",
    description:
      "Output. The allocator's decisions, read by intake systems, consoles and auditors, keyed by caseId. Every " +
      "output carries decisionId, policyVersion, decidedAt (the time of the input that caused it) and causationId " +
      "(that input's CloudEvent id).",
  },
  ledger: {
    title: "Ledger receipts",
    description:
      "Output. For every input that made a ledger operation, the sequence number the shared ledger gave it, " +
      "in batches keyed by where the inputs were read. An auditor replays the inputs in that order.",
  },
  deadLetter: {
    title: "Dead letters",
    description:
      "Output. Every input that failed validation or that no state accepted, never dropped: the original topic, " +
      "partition, offset, key, headers and raw value, and a machine-readable errors list. Keyed by the original " +
      "key. The value is a DeadLetter, not a CloudEvent.",
  },
};

const ref = (pointer: string): JsonObject => ({ $ref: pointer });
const messageRef = (role: TopicRole, id: string) => ref(`#/channels/${role}/messages/${id}`);

function messagesOn(role: TopicRole): string[] {
  return role === "deadLetter" ? [DEAD_LETTER_MESSAGE] : eventTypesOn(role);
}

function eventMessage(type: EventType): JsonObject {
  const entry = eventCatalog[type];
  const payload = jsonSchemaOf(entry.schema, "draft-7");
  const properties = payload.properties;
  const keySchema = isJsonObject(properties) ? properties[entry.key] : undefined;
  if (!isJsonObject(keySchema)) throw new Error(`${type}: key field ${entry.key} is not in the schema`);
  const message = toKafkaMessage(exampleCloudEvent(type));
  return {
    name: type,
    title: type,
    summary: entry.summary,
    contentType: "application/json",
    headers: {
      allOf: [ref("#/components/schemas/CloudEventHeaders"), { properties: { ce_type: { const: type } } }],
    },
    payload: ref(`#/components/schemas/${type}`),
    bindings: {
      kafka: {
        key: { ...keySchema, description: `The message key: data.${entry.key}.` },
        bindingVersion: KAFKA_BINDING_VERSION,
      },
    },
    examples: [
      {
        name: type,
        summary: `A valid ${type} (message key ${message.key}).`,
        headers: message.headers,
        payload: toJson(contractExamples[type]),
      },
    ],
  };
}

function deadLetterMessage(): JsonObject {
  return {
    name: DEAD_LETTER_MESSAGE,
    title: DEAD_LETTER_MESSAGE,
    summary: "An input the allocator could not use, kept whole with the reasons.",
    contentType: "application/json",
    headers: ref("#/components/schemas/DeadLetterHeaders"),
    payload: ref("#/components/schemas/DeadLetter"),
    bindings: {
      kafka: {
        key: { type: "string", description: "The original message's key, unchanged (null when it had none)." },
        bindingVersion: KAFKA_BINDING_VERSION,
      },
    },
    examples: [
      {
        name: DEAD_LETTER_MESSAGE,
        summary: "A case.reported with a severity outside the vocabulary.",
        headers: { "content-type": "application/json", dl_reason: deadLetterExample.errors[0]?.code ?? "unknown" },
        payload: toJson(deadLetterExample),
      },
    ],
  };
}

function operation(
  action: "send" | "receive",
  role: TopicRole,
  messages: string[],
  title: string,
  summary: string,
): JsonObject {
  return {
    action,
    channel: ref(`#/channels/${role}`),
    title,
    summary,
    messages: messages.map((id) => messageRef(role, id)),
  };
}

export function asyncApiDocument(version: string): JsonObject {
  const roles = Object.keys(defaultTopics) as TopicRole[];
  const schemas: JsonObject = {
    CloudEventHeaders: {
      title: "CloudEvent Kafka headers",
      description: "CloudEvents 1.0, Kafka protocol binding, binary content mode. Header values are UTF-8 text.",
      ...jsonSchemaOf(KafkaHeaders, "draft-7"),
    },
  };
  for (const type of eventTypes) {
    schemas[type] = {
      title: type,
      description: eventCatalog[type].summary,
      ...jsonSchemaOf(eventCatalog[type].schema, "draft-7"),
    };
  }
  schemas.DeadLetter = {
    title: "DeadLetter",
    description: "The value of a message on the dead-letter topic.",
    ...jsonSchemaOf(DeadLetter, "draft-7"),
  };
  schemas.DeadLetterHeaders = {
    title: "Dead-letter headers",
    ...jsonSchemaOf(DeadLetterHeaders, "draft-7"),
  };
  const messages: JsonObject = {};
  for (const type of eventTypes) messages[type] = eventMessage(type);
  messages[DEAD_LETTER_MESSAGE] = deadLetterMessage();

  return {
    asyncapi: ASYNCAPI_VERSION,
    info: {
      title: "Fangcang event contract",
      version,
      description:
        "The public event contract of Fangcang, the event-driven bed allocator for field hospitals. Every event is a " +
        "CloudEvents 1.0 event: on Kafka in binary content mode (ce_* headers, the value is data as JSON), in files " +
        "in structured mode (JSON Lines). Consumers deduplicate on (source, id). Times are RFC 3339; the allocator " +
        "decides from event times, never the wall clock. Topic names are configurable; these are the defaults. " +
        "Fields, types and topics may be added, never renamed or dropped.",
      license: { name: "Apache-2.0" },
    },
    defaultContentType: "application/json",
    servers: {
      kafka: {
        host: "127.0.0.1:9092",
        protocol: "kafka",
        description:
          "The local default broker (npm run infra:up). Deployments set KAFKA_BROKERS and FANGCANG_TOPIC_PREFIX.",
      },
    },
    channels: Object.fromEntries(
      roles.map((role): [string, Json] => [
        role,
        {
          address: defaultTopics[role],
          ...channelText[role],
          messages: Object.fromEntries(messagesOn(role).map((id) => [id, ref(`#/components/messages/${id}`)])),
        },
      ]),
    ),
    operations: {
      receiveCases: operation(
        "receive",
        "cases",
        messagesOn("cases"),
        "Receive case events",
        "The allocator reads every event about a case, in order per case.",
      ),
      receiveFacilities: operation(
        "receive",
        "facilities",
        messagesOn("facilities"),
        "Receive facility events",
        "The allocator reads facility registrations, bed totals and status.",
      ),
      sendTransfers: operation(
        "send",
        "transfers",
        messagesOn("transfers"),
        "Send decisions",
        "The allocator writes its decisions, each with its provenance.",
      ),
      sendInternalCaseEvents: operation(
        "send",
        "cases",
        [...INTERNAL_EVENTS],
        "Send internal case events",
        "Internal: the allocator writes its own ledger outcomes (a bed held, a hold expired) onto the case's key.",
      ),
      sendLedgerReceipts: operation(
        "send",
        "ledger",
        messagesOn("ledger"),
        "Send ledger receipts",
        "The allocator writes which ledger sequence number each input took, with the input's decisions.",
      ),
      sendDeadLetters: operation(
        "send",
        "deadLetter",
        messagesOn("deadLetter"),
        "Send dead letters",
        "The allocator writes every input it could not use, with the reasons.",
      ),
    },
    components: { schemas, messages },
  };
}
