// The generated contract documents (docs/contract/) and the examples that illustrate them:
// generation is deterministic, the committed files are what the code generates (as
// `npm run docs:check` checks), the JSON Schemas agree with zod, and the AsyncAPI document is
// valid AsyncAPI 3.0.0 whose references all resolve.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import asyncApiSpecs from "@asyncapi/specs";
import { Ajv, type AnySchema, type AnySchemaObject } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { type EventType, eventCatalog, eventTypes } from "./catalog.ts";
import { fromJsonLine, toJsonLine, toKafkaMessage } from "./cloudevents.ts";
import { DeadLetter } from "./dead-letter.ts";
import { ASYNCAPI_VERSION, asyncApiDocument, DEAD_LETTER_MESSAGE, INTERNAL_EVENTS } from "./docs/asyncapi.ts";
import { formatJson, formatYaml, isJsonObject, type Json, type JsonObject, toJson } from "./docs/format.ts";
import {
  CONTRACT_DOCS_DIR,
  contractDocsDrift,
  contractsVersion,
  describeDrift,
  generateContractDocs,
  REGENERATE_COMMAND,
  repoRoot,
  SCHEMAS_DIR,
  writeContractDocs,
} from "./docs/generate.ts";
import { exampleCloudEvent, KafkaHeaders, StructuredEnvelope } from "./docs/json-schemas.ts";
import { contractExampleEnvelopes, contractExamples, deadLetterExample } from "./examples.ts";
import { defaultTopics, type TopicRole } from "./topics.ts";

const generated = generateContractDocs();
const fileAt = (path: string): JsonObject => {
  const file = generated.find((f) => f.path === path);
  if (file === undefined) throw new Error(`${path} is not generated`);
  return JSON.parse(file.content) as JsonObject;
};
const eventSchemaPath = (type: EventType) => `${SCHEMAS_DIR}/${type}.schema.json`;

// Strict validators: an unknown keyword in a generated schema fails compilation. Formats are
// left to the patterns zod emits next to them (ajv-formats is not needed for that).
const ajv2020 = new Ajv2020({ strict: true, validateFormats: false, allErrors: true });
ajv2020.addVocabulary(["x-fangcang-topic", "x-fangcang-key"]);
const ajv7 = new Ajv({ strict: true, validateFormats: false, allErrors: true });

const validator2020 = (path: string) => ajv2020.getSchema(String(fileAt(path).$id)) ?? ajv2020.compile(fileAt(path));

function valid(validate: ReturnType<typeof ajv7.compile>, value: unknown): boolean {
  return validate(value) as boolean;
}

describe("generation", () => {
  it("is deterministic: two runs give byte-identical files in the same order", () => {
    const again = generateContractDocs();
    expect(again).toEqual(generated);
    expect(generateContractDocs("9.9.9").map((f) => f.path)).toEqual(generated.map((f) => f.path));
  });

  it("writes one schema per event type, the envelope, the dead letter and the AsyncAPI document", () => {
    expect(generated.map((f) => f.path)).toEqual([
      ...eventTypes.map(eventSchemaPath),
      `${SCHEMAS_DIR}/cloudevent-structured.schema.json`,
      `${SCHEMAS_DIR}/dead-letter.schema.json`,
      `${CONTRACT_DOCS_DIR}/asyncapi.yaml`,
    ]);
    for (const file of generated) {
      expect(file.content.endsWith("\n") && !file.content.endsWith("\n\n"), file.path).toBe(true);
      expect(file.content, file.path).not.toMatch(/\r|\t/);
      if (file.path.endsWith(".json")) expect(formatJson(toJson(JSON.parse(file.content)))).toBe(file.content);
    }
  });

  it("the committed docs/contract/ is exactly what the code generates (npm run docs:check)", () => {
    const drift = contractDocsDrift(repoRoot, generated).map(describeDrift);
    expect(drift, `run \`${REGENERATE_COMMAND}\` and commit ${CONTRACT_DOCS_DIR}/`).toEqual([]);
  });

  describe("drift detection", () => {
    const root = mkdtempSync(join(tmpdir(), "contract-docs-"));
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it("names missing, changed and stale files, and regeneration repairs them", () => {
      expect(contractDocsDrift(root, generated).every((d) => d.problem === "missing")).toBe(true);
      expect(writeContractDocs(root, generated)).toHaveLength(generated.length);
      expect(contractDocsDrift(root, generated)).toEqual([]);
      expect(writeContractDocs(root, generated)).toEqual([]);

      const yaml = join(root, CONTRACT_DOCS_DIR, "asyncapi.yaml");
      writeFileSync(yaml, readFileSync(yaml, "utf8").replace('title: "Fangcang event contract"', 'title: "x"'));
      rmSync(join(root, eventSchemaPath("case.closed")));
      mkdirSync(join(root, SCHEMAS_DIR), { recursive: true });
      writeFileSync(join(root, SCHEMAS_DIR, "case.renamed.schema.json"), "{}\n");
      expect(contractDocsDrift(root, generated)).toEqual([
        { path: eventSchemaPath("case.closed"), problem: "missing" },
        { path: `${CONTRACT_DOCS_DIR}/asyncapi.yaml`, problem: "differs", line: 4 },
        { path: `${SCHEMAS_DIR}/case.renamed.schema.json`, problem: "stale" },
      ]);

      writeContractDocs(root, generated);
      expect(contractDocsDrift(root, generated)).toEqual([]);
    });
  });
});

describe("the JSON Schemas of event data", () => {
  it.each(eventTypes)("%s: metadata from the catalog", (type) => {
    const schema = fileAt(eventSchemaPath(type));
    expect(schema).toMatchObject({
      $schema: "https://json-schema.org/draft/2020-12/schema",
      $id: `urn:fangcang:contract:schema:${type}`,
      title: type,
      description: eventCatalog[type].summary,
      "x-fangcang-topic": defaultTopics[eventCatalog[type].topic],
      "x-fangcang-key": eventCatalog[type].key,
      type: "object",
    });
    expect(schema.required).toContain(eventCatalog[type].key);
    // io: "input": objects stay open, so adding an optional field is not a breaking change.
    expect(schema).not.toHaveProperty("additionalProperties");
  });

  it.each(eventTypes)("%s: its example passes zod, the 2020-12 file and the AsyncAPI payload schema", (type) => {
    const example = contractExamples[type];
    expect(eventCatalog[type].schema.safeParse(example).success).toBe(true);
    expect(fileAt(eventSchemaPath(type)).examples).toEqual([example]);
    const v2020 = validator2020(eventSchemaPath(type));
    expect(valid(v2020, example), ajv2020.errorsText(v2020.errors)).toBe(true);
    const v7 = ajv7.compile(componentSchema(type));
    expect(valid(v7, example), ajv7.errorsText(v7.errors)).toBe(true);
  });

  it.each(eventTypes)("%s: the JSON Schemas accept and reject exactly what zod does", (type) => {
    const zod = eventCatalog[type].schema;
    const v2020 = validator2020(eventSchemaPath(type));
    const v7 = ajv7.compile(componentSchema(type));
    const cases = variants(contractExamples[type] as JsonObject);
    let rejected = 0;
    for (const [name, value] of cases) {
      const expected = zod.safeParse(value).success;
      if (!expected) rejected++;
      expect([name, valid(v2020, value), valid(v7, value)]).toEqual([name, expected, expected]);
    }
    expect(rejected).toBeGreaterThan(cases.length / 3);
  });
});

describe("the envelope", () => {
  it.each(eventTypes)("%s: the codec's Kafka headers match the documented header schema", (type) => {
    const message = toKafkaMessage(exampleCloudEvent(type));
    expect(message.key).toBe((contractExamples[type] as Record<string, unknown>)[eventCatalog[type].key]);
    expect(KafkaHeaders.safeParse(message.headers).success).toBe(true);
    const v7 = ajv7.compile(componentSchema("CloudEventHeaders"));
    expect(valid(v7, message.headers), ajv7.errorsText(v7.errors)).toBe(true);
    expect(message.headers.ce_type).toBe(type);
  });

  it("the header schema requires the binary-mode headers of CONTRACT.md", () => {
    expect(componentSchema("CloudEventHeaders").required).toEqual([
      "ce_specversion",
      "ce_id",
      "ce_source",
      "ce_type",
      "ce_time",
      "content-type",
    ]);
    expect(Object.keys(componentSchema("CloudEventHeaders").properties as JsonObject)).toContain("ce_subject");
  });

  it.each(eventTypes)("%s: a structured-mode line validates and decodes", (type) => {
    const line = toJsonLine(exampleCloudEvent(type));
    const value = JSON.parse(line) as unknown;
    const validate = validator2020(`${SCHEMAS_DIR}/cloudevent-structured.schema.json`);
    expect(valid(validate, value), ajv2020.errorsText(validate.errors)).toBe(true);
    expect(StructuredEnvelope.safeParse(value).success).toBe(true);
    const decoded = fromJsonLine(line);
    expect(decoded.ok && decoded.event.data).toEqual(contractExamples[type]);
    expect(decoded.ok && decoded.event.id).toBe(contractExampleEnvelopes[type].id);
  });

  it("the structured schema rejects data of another type, as the decoder does", () => {
    const event = { ...exampleCloudEvent("case.reported"), type: "case.closed" };
    const validate = validator2020(`${SCHEMAS_DIR}/cloudevent-structured.schema.json`);
    expect(valid(validate, event)).toBe(false);
    expect(fromJsonLine(JSON.stringify(event)).ok).toBe(false);
    expect(valid(validate, { ...event, type: "case.unknown" })).toBe(false);
    expect(fromJsonLine(JSON.stringify({ ...event, type: "case.unknown" })).ok).toBe(false);
  });

  it("the dead-letter schema accepts the dead-letter example and agrees with zod", () => {
    expect(DeadLetter.safeParse(deadLetterExample).success).toBe(true);
    const validate = validator2020(`${SCHEMAS_DIR}/dead-letter.schema.json`);
    for (const [name, value] of variants(deadLetterExample as unknown as JsonObject)) {
      expect([name, valid(validate, value)]).toEqual([name, DeadLetter.safeParse(value).success]);
    }
    expect(valid(validate, { ...deadLetterExample, errors: [] })).toBe(false);
  });
});

describe("the AsyncAPI document", () => {
  const file = generated.find((f) => f.path.endsWith("asyncapi.yaml"));
  const doc = asyncApiDocument(contractsVersion());
  const channels = doc.channels as JsonObject;
  const operations = doc.operations as JsonObject;
  const components = doc.components as { schemas: JsonObject; messages: JsonObject };

  it("the YAML file parses to exactly the document", () => {
    expect(parseYaml(file?.content ?? "")).toEqual(doc);
  });

  it("is valid against the official AsyncAPI 3.0.0 JSON Schema", () => {
    const specAjv = new Ajv({ strict: false, validateFormats: false, allErrors: true, meta: false });
    specAjv.addMetaSchema(asyncApiSpecs.schemas["3.0.0"] as AnySchemaObject, undefined, false);
    const validate = specAjv.compile(asyncApiSpecs.schemas["3.0.0"] as AnySchema);
    expect(valid(validate, doc), specAjv.errorsText(validate.errors)).toBe(true);
    // The validator does bite: AsyncAPI 2's "publish" is no 3.0.0 action, and info needs a version.
    const broken = structuredClone(doc) as { operations: { receiveCases: JsonObject }; info: JsonObject };
    broken.operations.receiveCases.action = "publish";
    expect(valid(validate, broken)).toBe(false);
    expect(valid(validate, { ...doc, info: omit(doc.info as JsonObject, "version") })).toBe(false);
  });

  it("names the contract, its version and the local Kafka server", () => {
    expect(doc).toMatchObject({
      asyncapi: ASYNCAPI_VERSION,
      info: { title: "Fangcang event contract", version: contractsVersion() },
      servers: { kafka: { host: "127.0.0.1:9092", protocol: "kafka" } },
    });
    expect((doc.servers as { kafka: { description: string } }).kafka.description).toMatch(/local default/);
  });

  it("has a channel for every topic, addressed by its default name", () => {
    expect(Object.keys(channels)).toEqual(Object.keys(defaultTopics));
    for (const role of Object.keys(defaultTopics) as TopicRole[]) {
      expect((channels[role] as JsonObject).address).toBe(defaultTopics[role]);
    }
  });

  it("has every catalog event exactly once, in the channel of its topic, with its payload, key and example", () => {
    expect(Object.keys(components.messages)).toEqual([...eventTypes, DEAD_LETTER_MESSAGE]);
    const listed = Object.entries(channels).flatMap(([role, channel]) =>
      Object.keys((channel as { messages: JsonObject }).messages).map((id) => [id, role]),
    );
    expect(listed.map(([id]) => id).sort()).toEqual([...eventTypes, DEAD_LETTER_MESSAGE].sort());
    for (const type of eventTypes) {
      const entry = eventCatalog[type];
      expect(listed).toContainEqual([type, entry.topic]);
      const message = components.messages[type] as JsonObject;
      expect(message).toMatchObject({
        name: type,
        summary: entry.summary,
        contentType: "application/json",
        payload: { $ref: `#/components/schemas/${type}` },
        bindings: { kafka: { key: { type: "string" } } },
      });
      const example = (message.examples as JsonObject[])[0] as JsonObject;
      expect(example.payload).toEqual(contractExamples[type]);
      expect(example.headers).toEqual(toKafkaMessage(exampleCloudEvent(type)).headers);
      const keySchema = ((message.bindings as JsonObject).kafka as JsonObject).key as JsonObject;
      const key = (contractExamples[type] as Record<string, unknown>)[entry.key];
      expect(valid(ajv7.compile(keySchema), key)).toBe(true);
      expect(keySchema.description).toContain(`data.${entry.key}`);
    }
    const deadLetter = components.messages[DEAD_LETTER_MESSAGE] as JsonObject;
    const example = (deadLetter.examples as JsonObject[])[0] as JsonObject;
    expect(valid(ajv7.compile(componentSchema("DeadLetter")), example.payload)).toBe(true);
    expect(valid(ajv7.compile(componentSchema("DeadLetterHeaders")), example.headers)).toBe(true);
  });

  it("receives what the allocator reads and sends what it writes", () => {
    const summary = Object.fromEntries(
      Object.entries(operations).map(([id, op]) => {
        const o = op as { action: string; channel: { $ref: string }; messages: { $ref: string }[] };
        return [id, [o.action, o.channel.$ref, o.messages.map((m) => m.$ref.split("/").pop())]];
      }),
    );
    const on = (role: TopicRole) => eventTypes.filter((t) => eventCatalog[t].topic === role);
    expect(summary).toEqual({
      receiveCases: ["receive", "#/channels/cases", on("cases")],
      receiveFacilities: ["receive", "#/channels/facilities", on("facilities")],
      sendTransfers: ["send", "#/channels/transfers", on("transfers")],
      sendInternalCaseEvents: ["send", "#/channels/cases", [...INTERNAL_EVENTS]],
      sendLedgerReceipts: ["send", "#/channels/ledger", on("ledger")],
      sendDeadLetters: ["send", "#/channels/deadLetter", [DEAD_LETTER_MESSAGE]],
    });
  });

  it("the internal events are the allocator's own, on the cases topic", () => {
    expect(INTERNAL_EVENTS).toContain("case.bed-offered");
    for (const type of INTERNAL_EVENTS) expect(eventCatalog[type].topic).toBe("cases");
  });

  it("every $ref resolves, and an operation's messages are messages of its own channel", () => {
    const refs = collectRefs(doc);
    expect(refs.length).toBeGreaterThan(eventTypes.length * 3);
    for (const ref of refs) expect(resolve(doc, ref), ref).toBeDefined();
    for (const [id, op] of Object.entries(operations)) {
      const o = op as { channel: { $ref: string }; messages: { $ref: string }[] };
      for (const m of o.messages) expect(m.$ref.startsWith(`${o.channel.$ref}/messages/`), id).toBe(true);
    }
  });

  it("every component schema compiles as draft-07 (the AsyncAPI Schema default)", () => {
    for (const [name, schema] of Object.entries(components.schemas)) {
      expect(() => ajv7.compile(schema as AnySchema), name).not.toThrow();
    }
  });
});

describe("docs/contract/README.md", () => {
  it("documents every event type, every topic and how to regenerate", () => {
    const readme = readFileSync(join(repoRoot, CONTRACT_DOCS_DIR, "README.md"), "utf8");
    for (const type of eventTypes) expect(readme, type).toContain(`\`${type}\``);
    for (const topic of Object.values(defaultTopics)) expect(readme, topic).toContain(`\`${topic}\``);
    expect(readme).toContain(REGENERATE_COMMAND);
    expect(readme).toContain("npm run docs:check");
  });
});

describe("the deterministic writers", () => {
  it("YAML round-trips awkward strings and keys", () => {
    const value: JsonObject = {
      plain: "text",
      quoted: 'say "hi"',
      both: `it's "x"`,
      escapes: 'a\\b\n"c"\t',
      unicode: "\u00e9\u2028",
      true: true,
      "a b": null,
      "": 0,
      $ref: "#/x",
      list: [1, "two", { three: [3], four: {} }, []],
      empty: {},
    };
    expect(parseYaml(formatYaml(value, "comment line"))).toEqual(value);
    expect(formatYaml(value, "comment line").startsWith("# comment line\n")).toBe(true);
  });

  it("JSON puts short scalar arrays on one line and breaks long ones", () => {
    const text = formatJson({ a: ["x", "y"], b: ["z".repeat(120)], c: [{ d: 1 }], e: [], f: {} });
    expect(text).toBe(
      `{\n  "a": ["x", "y"],\n  "b": [\n    "${"z".repeat(120)}"\n  ],\n  "c": [\n    {\n      "d": 1\n    }\n  ],\n  "e": [],\n  "f": {}\n}\n`,
    );
  });
});

// --- helpers ---

function componentSchema(name: string): JsonObject {
  const components = asyncApiDocument(contractsVersion()).components as { schemas: JsonObject };
  const schema = components.schemas[name];
  if (!isJsonObject(schema)) throw new Error(`no component schema ${name}`);
  return schema;
}

function omit(value: JsonObject, key: string): JsonObject {
  const { [key]: _omitted, ...rest } = value;
  return rest;
}

/** The example and systematic changes to it: each field dropped, mistyped, emptied, out of range. */
function variants(example: JsonObject): [string, Json][] {
  const out: [string, Json][] = [
    ["the example", example],
    ["with an unknown field", { ...example, addedInALaterVersion: true }],
  ];
  for (const [key, value] of Object.entries(example)) {
    out.push([`without ${key}`, omit(example, key)]);
    out.push([`${key} null`, { ...example, [key]: null }]);
    if (typeof value === "string") {
      out.push([`${key} a number`, { ...example, [key]: 42 }]);
      out.push([`${key} empty`, { ...example, [key]: "" }]);
      out.push([`${key} with a space`, { ...example, [key]: `${value} x` }]);
      out.push([`${key} very long`, { ...example, [key]: "x".repeat(600) }]);
    } else if (typeof value === "number") {
      out.push([`${key} a string`, { ...example, [key]: String(value) }]);
      out.push([`${key} negative`, { ...example, [key]: -1 }]);
      out.push([`${key} fractional`, { ...example, [key]: value + 0.5 }]);
      out.push([`${key} huge`, { ...example, [key]: 1e9 }]);
    } else if (Array.isArray(value)) {
      out.push([`${key} a string`, { ...example, [key]: "x" }]);
      out.push([`${key} empty`, { ...example, [key]: [] }]);
      out.push([`${key} with an unknown item`, { ...example, [key]: [...value, "not-a-value"] }]);
      out.push([`${key} doubled`, { ...example, [key]: [...value, ...value] }]);
    } else if (isJsonObject(value)) {
      out.push([`${key} a string`, { ...example, [key]: "x" }]);
      out.push([`${key} empty`, { ...example, [key]: {} }]);
      out.push([`${key} with an unknown field`, { ...example, [key]: { ...value, addedLater: 1 } }]);
    }
  }
  return out;
}

function collectRefs(value: Json): string[] {
  if (Array.isArray(value)) return value.flatMap(collectRefs);
  if (!isJsonObject(value)) return [];
  return Object.entries(value).flatMap(([key, member]) =>
    key === "$ref" && typeof member === "string" ? [member] : collectRefs(member),
  );
}

function resolve(doc: JsonObject, ref: string): Json | undefined {
  if (!ref.startsWith("#/")) return undefined;
  let node: Json | undefined = doc;
  for (const raw of ref.slice(2).split("/")) {
    const part = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    node = isJsonObject(node) ? node[part] : undefined;
  }
  return node;
}
