// The installed kafkajs is patched (shared/bus/scripts/patch-kafkajs.mjs): its Encoder takes
// buffers from Node's pool and writes varints in place, and a produce request's messages are
// grouped by partition without copying. These specs fail if the patch was not applied (an
// install with --ignore-scripts) and check that what it encodes and groups is unchanged.
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";

const require = createRequire(import.meta.url);

interface EncoderLike {
  buf: Buffer;
  buffer: Buffer;
  writeInt32(value: number): EncoderLike;
  writeVarIntString(value: string): EncoderLike;
  writeVarInt(value: number): EncoderLike;
  writeUVarInt(value: number): EncoderLike;
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

type Message = { key: string };
const groupMessagesPerPartition = require("kafkajs/src/producer/groupMessagesPerPartition") as (args: {
  topic: string;
  partitionMetadata: { partitionId: number; leader: number }[];
  messages: Message[];
  partitioner: (args: { message: Message }) => number;
}) => Record<string, Message[]>;

/** kafkajs 2.2.4's own varint encoding, before the patch. */
function releasedUVarInt(value: number): number[] {
  const bytes = [];
  while ((value & 0xffffff80) !== 0) {
    bytes.push((value & 0x7f) | 0x80);
    value >>>= 7;
  }
  bytes.push(value & 0x7f);
  return bytes;
}

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
    // Long enough to make the encoder grow its buffer past the first 512 bytes.
    const value = JSON.stringify({ caseId: "SH-1", facilityId: "FC-1", reasons: ["x".repeat(600)] });
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

  it("writes every varint as the released kafkajs did, in place", () => {
    const values = [0, 1, 63, 64, 127, 128, 300, 16_383, 16_384, 2 ** 21, 2 ** 28, 2 ** 31 - 1, 2 ** 32 - 1, -1, -64];
    const encoder = new Encoder(4);
    for (const value of values) encoder.writeUVarInt(value);
    expect([...encoder.buffer]).toEqual(values.flatMap(releasedUVarInt));
    const zigzag = (v: number) => (v << 1) ^ (v >> 31);
    expect([...new Encoder().writeVarInt(-300).writeVarInt(300).buffer]).toEqual([
      ...releasedUVarInt(zigzag(-300)),
      ...releasedUVarInt(zigzag(300)),
    ]);
  });
});

describe("kafkajs's grouping of messages by partition, as installed", () => {
  it("gives each partition its messages in their order, asking the partitioner once per message", () => {
    const messages = Array.from({ length: 500 }, (_, i) => ({ key: `SH-${(i * 7919) % 997}` }));
    const asked: string[] = [];
    const partitioner = ({ message }: { message: Message }) => {
      asked.push(message.key);
      return Number(message.key.slice(3)) % 12;
    };
    const partitionMetadata = Array.from({ length: 12 }, (_, partitionId) => ({ partitionId, leader: 0 }));
    const grouped = groupMessagesPerPartition({ topic: "t", partitionMetadata, messages, partitioner });
    const expected: Record<string, Message[]> = {};
    for (const m of messages) (expected[Number(m.key.slice(3)) % 12] ??= []).push(m);
    expect(grouped).toEqual(expected);
    expect(asked).toEqual(messages.map((m) => m.key));
    expect(groupMessagesPerPartition({ topic: "t", partitionMetadata: [], messages, partitioner })).toEqual({});
  });
});
