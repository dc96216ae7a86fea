// The installed kafkajs is patched (shared/bus/scripts/patch-kafkajs.mjs): its Encoder takes
// buffers from Node's pool. These specs fail if the patch was not applied (an install with
// --ignore-scripts) and check that what it encodes is unchanged.
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";

const require = createRequire(import.meta.url);

interface EncoderLike {
  buf: Buffer;
  buffer: Buffer;
  writeInt32(value: number): EncoderLike;
  writeVarIntString(value: string): EncoderLike;
}
const Encoder = require("kafkajs/src/protocol/encoder") as new (initialSize?: number) => EncoderLike;
const Decoder = require("kafkajs/src/protocol/decoder") as new (buffer: Buffer) => { readVarIntBytes(): Buffer };
const encodeRecord = require("kafkajs/src/protocol/recordBatch/record/v0") as (record: {
  key: Buffer | string;
  value: Buffer | string;
  headers: Record<string, string>;
}) => EncoderLike;
const decodeRecord = require("kafkajs/src/protocol/recordBatch/record/v0/decoder") as (
  decoder: InstanceType<typeof Decoder>,
  batch: { firstOffset: string; firstTimestamp: string; magicByte: number },
) => { key: Buffer; value: Buffer; headers: Record<string, Buffer> };

describe("kafkajs's Encoder, as installed", () => {
  it("takes its buffer from Node's buffer pool rather than allocating its own", () => {
    // A pooled buffer is a slice of a shared pool ArrayBuffer; Buffer.alloc(512) owns one of 512 bytes.
    expect(new Encoder().buf.buffer.byteLength).toBe(Buffer.poolSize);
  });

  it("still sends exactly the bytes written, whatever the pool held before", () => {
    // Soil the pool the next encoder's buffer comes from.
    new Uint8Array(Buffer.allocUnsafe(1).buffer).fill(0xee);
    const bytes = new Encoder().writeInt32(7).writeVarIntString("ce_id").buffer;
    expect([...bytes]).toEqual([0, 0, 0, 7, 10, ...Buffer.from("ce_id")]);
  });

  it("encodes a record with CloudEvents headers that decodes to the same record", () => {
    const headers = { ce_id: "dec-1", ce_type: "transfer.ordered", "content-type": "application/json" };
    const value = JSON.stringify({ caseId: "SH-1", facilityId: "FC-1", reasons: ["x".repeat(600)] });
    // Long enough to make the encoder grow its buffer past the first 512 bytes.
    // As a record batch holds it: its length, then the record; decoded as kafkajs's fetch does.
    const record = encodeRecord({ key: "SH-1", value, headers }).buffer;
    const decoded = decodeRecord(new Decoder(new Decoder(record).readVarIntBytes()), {
      firstOffset: "0",
      firstTimestamp: "0",
      magicByte: 2,
    });
    expect(decoded.key.toString()).toBe("SH-1");
    expect(decoded.value.toString()).toBe(value);
    expect(Object.fromEntries(Object.entries(decoded.headers).map(([k, v]) => [k, v.toString()]))).toEqual(headers);
  });
});
