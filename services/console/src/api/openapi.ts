// The OpenAPI 3.1 document of the console, generated from the operation table and its zod
// schemas (JSON Schema 2020-12, which OpenAPI 3.1 uses as is). Served at /openapi.json and
// committed as docs/api/openapi.json, where `npm run docs:check` catches drift.
import { z } from "zod";
import { type OperationSpec, operations } from "./api-spec.ts";
import { apiComponents } from "./schemas.ts";

type JsonSchema = Record<string, unknown>;

const ref = (id: string) => `#/components/schemas/${id}`;

function strip(schema: JsonSchema): JsonSchema {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
}

/** A schema as JSON Schema; named components become references. */
function jsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const id = apiComponents.get(schema)?.id;
  if (id !== undefined && io === "output") return { $ref: ref(id) };
  // Everything else is inlined: a request schema is read where it is used.
  return strip(z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema);
}

function parameters(spec: OperationSpec): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const [where, schema] of [
    ["path", spec.params],
    ["query", spec.query],
  ] as const) {
    if (schema === undefined) continue;
    const json = jsonSchema(schema, "input") as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, property] of Object.entries(json.properties ?? {})) {
      const { description, ...rest } = property;
      out.push({
        name,
        in: where,
        required: where === "path" || (json.required ?? []).includes(name),
        ...(description === undefined ? {} : { description }),
        schema: rest,
      });
    }
  }
  return out;
}

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: ref("Error") } } },
});

function operation(operationId: string, spec: OperationSpec): JsonSchema {
  const responses: Record<string, unknown> = {
    [spec.status]: {
      description: spec.status === 202 ? "Accepted: the event is on the facilities topic." : "OK",
      content: { [spec.produces ?? "application/json"]: { schema: jsonSchema(spec.response, "output") } },
    },
  };
  if (spec.role !== "public") {
    responses[401] = errorResponse("No token, or an invalid or expired one.");
    responses[403] = errorResponse(`The token's role is below ${spec.role}.`);
  }
  if (spec.params !== undefined || spec.query !== undefined) responses[400] ??= errorResponse("Invalid parameters.");
  for (const [status, description] of Object.entries(spec.errors ?? {})) {
    responses[status] = status === "503" ? { description } : errorResponse(description);
  }
  return {
    operationId,
    summary: spec.summary,
    tags: [spec.tag],
    ...(spec.role === "public" ? { security: [] } : { "x-required-role": spec.role }),
    ...(spec.params !== undefined || spec.query !== undefined ? { parameters: parameters(spec) } : {}),
    ...(spec.body === undefined
      ? {}
      : {
          requestBody: { required: true, content: { "application/json": { schema: jsonSchema(spec.body, "input") } } },
        }),
    responses,
  };
}

export function openApiDocument(): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const [operationId, spec] of Object.entries(operations) as [string, OperationSpec][]) {
    paths[spec.path] ??= {};
    (paths[spec.path] as Record<string, JsonSchema>)[spec.method.toLowerCase()] = operation(operationId, spec);
  }
  const components = z.toJSONSchema(apiComponents, { io: "output", uri: ref, unrepresentable: "any" }) as {
    schemas: Record<string, JsonSchema>;
  };
  return {
    openapi: "3.1.0",
    info: {
      title: "Fangcang operations console",
      version: "0.1.0",
      description:
        "Capacity, queue, transfers, case histories, escalations and district clearing status from the read model " +
        "the console builds from the Kafka topics; operator actions produce the contract's facility events. " +
        "Roles: viewer < operator < admin (x-required-role on each operation).",
    },
    servers: [{ url: "/" }],
    security: [{ bearer: [] }],
    tags: [
      { name: "read", description: "The read model (viewer and up)." },
      { name: "act", description: "Operator actions: each produces one facility event with its actor." },
      { name: "operations", description: "Health, readiness and metrics (no token)." },
    ],
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description: "A configured token (FANGCANG_CONSOLE_TOKENS) or an HS256 JWT (sub, role or roles, exp).",
        },
      },
      schemas: Object.fromEntries(
        Object.entries(components.schemas)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([id, schema]) => [id, strip(schema)]),
      ),
    },
  };
}
