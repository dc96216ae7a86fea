// Patches the installed kafkajs (run by npm's postinstall and by infra/bootstrap.sh) where it
// makes garbage for every message it produces; see docs/decisions/0004-hot-path.md for what
// each measured. kafkajs is unmaintained (2.2.4, 2023), so there is no release to wait for.
//
// - Its protocol Encoder takes each buffer from Node's buffer pool (Buffer.allocUnsafe)
//   instead of allocating and zero-filling its own (Buffer.alloc): every record and every
//   header it encodes starts a new Encoder of 512 bytes. Safe because an Encoder only ever
//   exposes the bytes it has written (`buffer` is `buf.slice(0, offset)`, and every write
//   advances `offset` by exactly what it wrote), so the pool's old contents are never sent.
// - Its varints are written straight into the encoder's buffer, not through a new array and
//   a new Buffer each (~20 varints per record).
// - Grouping a produce request's messages by partition appends to each partition's array
//   instead of copying it for every message (quadratic in the messages per partition).
//
// Plain JavaScript, so it runs under whatever Node npm runs it with. Idempotent; exits
// non-zero when a file holds neither the original nor the patched text (kafkajs changed:
// review the patch rather than lose it silently). The specs beside the bus package's
// sources check that the patched code encodes and groups exactly as the original.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const VERSION = "2.2.4";
const PATCHES = [
  {
    file: "src/protocol/encoder.js",
    replacements: [
      [
        "this.buf = Buffer.alloc(Encoder.nextPowerOfTwo(initialSize))",
        "this.buf = Buffer.allocUnsafe(Encoder.nextPowerOfTwo(initialSize))",
      ],
      ["const newBuffer = Buffer.alloc(newLength)", "const newBuffer = Buffer.allocUnsafe(newLength)"],
      [
        `  writeUVarInt(value) {
    const byteArray = []
    while ((value & UNSIGNED_INT32_MAX_NUMBER) !== 0) {
      byteArray.push((value & OTHER_BITS) | MOST_SIGNIFICANT_BIT)
      value >>>= 7
    }
    byteArray.push(value & OTHER_BITS)
    this.writeBufferInternal(Buffer.from(byteArray))
    return this
  }`,
        `  writeUVarInt(value) {
    // Patched by fangcang (shared/bus/scripts/patch-kafkajs.mjs): at most 5 bytes, written in place.
    this.ensureAvailable(5)
    while ((value & UNSIGNED_INT32_MAX_NUMBER) !== 0) {
      this.buf[this.offset++] = (value & OTHER_BITS) | MOST_SIGNIFICANT_BIT
      value >>>= 7
    }
    this.buf[this.offset++] = value & OTHER_BITS
    return this
  }`,
      ],
    ],
  },
  {
    file: "src/producer/groupMessagesPerPartition.js",
    replacements: [
      [
        `  return messages.reduce((result, message) => {
    const partition = partitioner({ topic, partitionMetadata, message })
    const current = result[partition] || []
    return Object.assign(result, { [partition]: [...current, message] })
  }, {})`,
        `  // Patched by fangcang (shared/bus/scripts/patch-kafkajs.mjs): appends instead of copying.
  const result = {}
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message })
    ;(result[partition] || (result[partition] = [])).push(message)
  }
  return result`,
      ],
    ],
  },
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
const root = packageJson.replace(/package\.json$/, "");

for (const { file, replacements } of PATCHES) {
  const path = root + file;
  const source = readFileSync(path, "utf8");
  let patched = source;
  for (const [original, replacement] of replacements) {
    if (patched.includes(replacement)) continue;
    if (version !== VERSION || !patched.includes(original)) {
      console.error(
        `patch-kafkajs: ${path} (kafkajs ${version}) does not hold the text this patch was written for (kafkajs ${VERSION}):\n${original}\nReview shared/bus/scripts/patch-kafkajs.mjs for this version.`,
      );
      process.exit(1);
    }
    patched = patched.replace(original, replacement);
  }
  if (patched !== source) {
    writeFileSync(path, patched);
    console.log(`patch-kafkajs: patched kafkajs ${version}'s ${file}`);
  }
}
