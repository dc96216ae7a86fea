// Deterministic text for the generated contract documents. Key order is insertion order (the
// generators build every object in a fixed order); output is 2-space indented with a trailing
// newline. The layout is the one the repo's formatter (Biome, line width 120) settles on, so
// `biome check .` accepts the generated files as they are:
// - JSON: non-empty objects always expanded; an array of scalars on one line when that line
//   (with its trailing comma) fits in 120 columns, else one item per line.
// - YAML: block style, strings double-quoted (JSON escapes are valid YAML) unless they hold a
//   double quote and nothing else to escape (then single-quoted), keys plain when they are
//   unambiguous identifiers, else double-quoted.

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

const LINE_WIDTH = 120;

/** A deep copy of a JSON-compatible value, dropping undefined members (as JSON.stringify does). */
export function toJson(value: unknown): Json {
  return JSON.parse(JSON.stringify(value)) as Json;
}

export function isJsonObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isEmptyOrScalar(value: Json): boolean {
  if (Array.isArray(value)) return value.length === 0;
  if (isJsonObject(value)) return Object.keys(value).length === 0;
  return true;
}

function scalar(value: Json): string {
  if (typeof value === "number" && !Number.isFinite(value)) throw new Error(`not a JSON number: ${value}`);
  if (Array.isArray(value)) return "[]";
  if (isJsonObject(value)) return "{}";
  return JSON.stringify(value);
}

function jsonValue(value: Json, indent: string, lineSoFar: number, trailing: number): string {
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.every(isEmptyOrScalar)) {
      const flat = `[${value.map(scalar).join(", ")}]`;
      if (lineSoFar + flat.length + trailing <= LINE_WIDTH) return flat;
    }
    const items = value.map((item, i) => inner + jsonValue(item, inner, inner.length, i < value.length - 1 ? 1 : 0));
    return `[\n${items.join(",\n")}\n${indent}]`;
  }
  if (isJsonObject(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return "{}";
    const members = entries.map(([key, member], i) => {
      const head = `${inner}${JSON.stringify(key)}: `;
      return head + jsonValue(member, inner, head.length, i < entries.length - 1 ? 1 : 0);
    });
    return `{\n${members.join(",\n")}\n${indent}}`;
  }
  return scalar(value);
}

/** JSON text, 2-space indented, with a trailing newline. */
export function formatJson(value: Json): string {
  return `${jsonValue(value, "", 0, 0)}\n`;
}

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$.-]*$/;
const AMBIGUOUS_KEY = /^(?:y|n|yes|no|on|off|true|false|null)$/i;

function yamlKey(key: string): string {
  return PLAIN_KEY.test(key) && !AMBIGUOUS_KEY.test(key) ? key : JSON.stringify(key);
}

/**
 * A YAML string: double-quoted (JSON escapes), except that a string with a double quote and
 * nothing else to escape is single-quoted, as Biome (like Prettier) writes it.
 */
function yamlScalar(value: Json): string {
  if (
    typeof value === "string" &&
    value.includes('"') &&
    JSON.stringify(value).replaceAll('\\"', "").indexOf("\\") === -1
  ) {
    return `'${value.replaceAll("'", "''")}'`;
  }
  return scalar(value);
}

function isBlock(value: Json): boolean {
  return !isEmptyOrScalar(value);
}

function yamlLines(value: Json, indent: string): string[] {
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      if (Array.isArray(item) && isBlock(item))
        throw new Error("YAML emitter: nested non-empty arrays are not supported");
      if (isJsonObject(item) && isBlock(item)) {
        const [first = "", ...rest] = yamlLines(item, `${indent}  `);
        return [`${indent}- ${first.slice(indent.length + 2)}`, ...rest];
      }
      return [`${indent}- ${yamlScalar(item)}`];
    });
  }
  if (isJsonObject(value)) {
    return Object.entries(value).flatMap(([key, member]) =>
      isBlock(member)
        ? [`${indent}${yamlKey(key)}:`, ...yamlLines(member, `${indent}  `)]
        : [`${indent}${yamlKey(key)}: ${yamlScalar(member)}`],
    );
  }
  return [`${indent}${yamlScalar(value)}`];
}

/** Block-style YAML (a JSON-compatible subset), 2-space indented, with a trailing newline. */
export function formatYaml(value: JsonObject, headerComment = ""): string {
  const comment = headerComment
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => `# ${line}\n`)
    .join("");
  return `${comment}${yamlLines(value, "").join("\n")}\n`;
}
