// Regenerates docs/contract/ (JSON Schemas and the AsyncAPI document) from the contract's zod
// schemas, or with --check fails when the committed documents differ from what the code generates.
//   npm run docs:contract   (node shared/contracts/scripts/generate-docs.ts)
//   npm run docs:check      (node shared/contracts/scripts/generate-docs.ts --check)
import {
  CONTRACT_DOCS_DIR,
  contractDocsDrift,
  describeDrift,
  REGENERATE_COMMAND,
  writeContractDocs,
} from "../src/docs/generate.ts";

const args = process.argv.slice(2);
const unknown = args.filter((arg) => arg !== "--check");
if (unknown.length > 0) {
  console.error(`usage: generate-docs.ts [--check]   (unknown: ${unknown.join(" ")})`);
  process.exit(2);
}

if (args.includes("--check")) {
  const drift = contractDocsDrift();
  if (drift.length === 0) {
    console.log(`docs:check: ${CONTRACT_DOCS_DIR}/ matches the contract's code`);
  } else {
    for (const problem of drift) console.error(`docs:check: ${describeDrift(problem)}`);
    console.error(`docs:check: run \`${REGENERATE_COMMAND}\` and commit ${CONTRACT_DOCS_DIR}/`);
    process.exit(1);
  }
} else {
  const changed = writeContractDocs();
  console.log(
    changed.length === 0
      ? `docs:contract: ${CONTRACT_DOCS_DIR}/ is up to date`
      : `docs:contract: updated ${changed.length} file(s):\n${changed.map((path) => `  ${path}`).join("\n")}`,
  );
}
