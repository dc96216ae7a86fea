// Generates docs/contract/ from the contract's code, writes it, and checks a committed copy
// against it. Generation is pure and deterministic: no clock, no randomness, fixed key order.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { eventTypes } from "../catalog.ts";
import { asyncApiDocument } from "./asyncapi.ts";
import { formatJson, formatYaml } from "./format.ts";
import {
  deadLetterSchema,
  eventDataSchema,
  eventSchemaFile,
  GENERATED_NOTE,
  structuredCloudEventSchema,
} from "./json-schemas.ts";

/** Where the documents live, relative to the repository root (POSIX separators). */
export const CONTRACT_DOCS_DIR = "docs/contract";
export const SCHEMAS_DIR = `${CONTRACT_DOCS_DIR}/schemas`;
export const REGENERATE_COMMAND = "npm run docs:contract";

export interface DocFile {
  /** Relative to the repository root. */
  path: string;
  content: string;
}

export const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));

export function contractsVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version?: unknown;
  };
  if (typeof manifest.version !== "string") throw new Error("shared/contracts/package.json has no version");
  return manifest.version;
}

/** Every generated file, in a fixed order. */
export function generateContractDocs(version = contractsVersion()): DocFile[] {
  const files: DocFile[] = eventTypes.map((type) => ({
    path: `${SCHEMAS_DIR}/${eventSchemaFile(type)}`,
    content: formatJson(eventDataSchema(type)),
  }));
  files.push(
    { path: `${SCHEMAS_DIR}/cloudevent-structured.schema.json`, content: formatJson(structuredCloudEventSchema()) },
    { path: `${SCHEMAS_DIR}/dead-letter.schema.json`, content: formatJson(deadLetterSchema()) },
    {
      path: `${CONTRACT_DOCS_DIR}/asyncapi.yaml`,
      content: formatYaml(asyncApiDocument(version), GENERATED_NOTE),
    },
  );
  return files;
}

/** Files in the generated-only schemas directory that nothing generates any more. */
function staleFiles(root: string, generated: DocFile[]): string[] {
  const dir = join(root, SCHEMAS_DIR);
  if (!existsSync(dir)) return [];
  const wanted = new Set(generated.map((file) => file.path));
  return readdirSync(dir)
    .map((name) => `${SCHEMAS_DIR}/${name}`)
    .filter((path) => !wanted.has(path))
    .sort();
}

export interface Drift {
  path: string;
  problem: "missing" | "differs" | "stale";
  /** For "differs": the first line (1-based) that is not as generated. */
  line?: number;
}

function firstDifferentLine(a: string, b: string): number {
  const left = a.split("\n");
  const right = b.split("\n");
  let i = 0;
  while (i < left.length && i < right.length && left[i] === right[i]) i++;
  return i + 1;
}

/** How the committed documents under `root` differ from what the code generates (empty: none). */
export function contractDocsDrift(root = repoRoot, generated = generateContractDocs()): Drift[] {
  const drift: Drift[] = [];
  for (const file of generated) {
    const target = join(root, file.path);
    if (!existsSync(target)) {
      drift.push({ path: file.path, problem: "missing" });
      continue;
    }
    const committed = readFileSync(target, "utf8");
    if (committed !== file.content) {
      drift.push({ path: file.path, problem: "differs", line: firstDifferentLine(committed, file.content) });
    }
  }
  for (const path of staleFiles(root, generated)) drift.push({ path, problem: "stale" });
  return drift;
}

export function describeDrift(drift: Drift): string {
  switch (drift.problem) {
    case "missing":
      return `${drift.path} is missing`;
    case "stale":
      return `${drift.path} is stale: nothing in the contract generates it any more`;
    case "differs":
      return `${drift.path} differs from what the code generates (first difference at line ${drift.line})`;
  }
}

/** Writes every generated file and removes stale ones; returns the paths it changed. */
export function writeContractDocs(root = repoRoot, generated = generateContractDocs()): string[] {
  const changed: string[] = [];
  for (const path of staleFiles(root, generated)) {
    rmSync(join(root, path));
    changed.push(path);
  }
  for (const file of generated) {
    const target = join(root, file.path);
    if (existsSync(target) && readFileSync(target, "utf8") === file.content) continue;
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.content);
    changed.push(file.path);
  }
  return changed;
}
