// Writes docs/api/openapi.json from the console's operation table and zod schemas, or with
// --check fails when the committed document differs from what the code generates.
//   npm run docs:api    (node services/console/scripts/generate-openapi.ts)
//   npm run docs:check  (also runs it with --check)
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { formatJson, toJson } from "@fangcang/contracts/docs/format";
import { openApiDocument } from "../src/api/openapi.ts";

const target = new URL("../../../docs/api/openapi.json", import.meta.url);
const path = "docs/api/openapi.json";
const args = process.argv.slice(2);
const unknown = args.filter((arg) => arg !== "--check");
if (unknown.length > 0) {
  console.error(`usage: generate-openapi.ts [--check]   (unknown: ${unknown.join(" ")})`);
  process.exit(2);
}

// Laid out as Biome lays out JSON, so the formatter leaves the committed file alone.
const generated = formatJson(toJson(openApiDocument()));
let committed: string | undefined;
try {
  committed = readFileSync(target, "utf8");
} catch {
  committed = undefined;
}

if (args.includes("--check")) {
  if (committed === generated) {
    console.log(`docs:check: ${path} matches the console's API code`);
  } else {
    console.error(
      `docs:check: ${path} ${committed === undefined ? "is missing" : "differs from the console's API code"}`,
    );
    console.error("docs:check: run `npm run docs:api` and commit docs/api/");
    process.exit(1);
  }
} else if (committed === generated) {
  console.log(`docs:api: ${path} is up to date`);
} else {
  mkdirSync(dirname(target.pathname), { recursive: true });
  writeFileSync(target, generated);
  console.log(`docs:api: updated ${path}`);
}
