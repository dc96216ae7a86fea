// Patches the installed kafkajs (run by npm's postinstall and by infra/bootstrap.sh):
// its protocol Encoder takes each buffer from Node's buffer pool (Buffer.allocUnsafe)
// instead of allocating and zero-filling its own (Buffer.alloc). Every record and every
// header it encodes starts a new Encoder of 512 bytes, so an allocator producing ~10,000
// events/s with 7 CloudEvents headers each made ~40 MB/s of separate zeroed ArrayBuffers for
// the garbage collector; see docs/decisions/0004-hot-path.md for what it measured.
//
// Safe because an Encoder only ever exposes the bytes it has written (`buffer` is
// `buf.slice(0, offset)`, and every write advances `offset` by exactly what it wrote), so
// the pool's old contents are never sent.
//
// Plain JavaScript, so it runs under whatever Node npm runs it with. Idempotent; exits
// non-zero when the file holds neither the original nor the patched text (kafkajs changed:
// review the patch rather than lose it silently).
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const VERSION = "2.2.4";
const REPLACEMENTS = [
  [
    "this.buf = Buffer.alloc(Encoder.nextPowerOfTwo(initialSize))",
    "this.buf = Buffer.allocUnsafe(Encoder.nextPowerOfTwo(initialSize))",
  ],
  ["const newBuffer = Buffer.alloc(newLength)", "const newBuffer = Buffer.allocUnsafe(newLength)"],
];

const require = createRequire(new URL("../package.json", import.meta.url));
let packageJson;
try {
  packageJson = require.resolve("kafkajs/package.json");
} catch {
  console.log("patch-kafkajs: kafkajs is not installed yet; nothing to patch");
  process.exit(0);
}
const version = JSON.parse(readFileSync(packageJson, "utf8")).version;
const file = packageJson.replace(/package\.json$/, "src/protocol/encoder.js");
const source = readFileSync(file, "utf8");

let patched = source;
for (const [original, replacement] of REPLACEMENTS) {
  if (patched.includes(replacement)) continue;
  if (version !== VERSION || !patched.includes(original)) {
    console.error(
      `patch-kafkajs: ${file} (kafkajs ${version}) does not hold the text this patch was written for (kafkajs ${VERSION}):\n  ${original}\nReview shared/bus/scripts/patch-kafkajs.mjs for this version.`,
    );
    process.exit(1);
  }
  patched = patched.replace(original, replacement);
}
if (patched !== source) {
  writeFileSync(file, patched);
  console.log(`patch-kafkajs: kafkajs ${version}'s Encoder now takes its buffers from Node's pool`);
}
