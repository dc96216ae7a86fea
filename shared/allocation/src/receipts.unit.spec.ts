import { type AnyCloudEvent, cloudEvent, RECEIPTS_PER_EVENT } from "@fangcang/contracts";
import { describe, expect, it } from "vitest";
import type { Outcome } from "./allocation-core.ts";
import { type LogPosition, receiptEvents } from "./receipts.ts";

const message = (partition: number, offset: number): LogPosition => ({
  topic: "fangcang.cases",
  partition,
  offset: String(offset),
});
const input = (n: number): AnyCloudEvent =>
  cloudEvent(
    "case.withdrawn",
    { id: `in-${n}`, source: "lab", time: `2022-04-10T08:00:${String(n % 60).padStart(2, "0")}Z` },
    { caseId: `c-${n}`, at: "2022-04-10T08:00:00Z", reason: "duplicate" },
  );
const receipted = (n: number): Outcome => ({ outputs: [], followUps: [], receipt: { opId: `op-${n}`, seq: 100 + n } });

describe("ledger receipts", () => {
  it("name each partition's inputs that took a sequence number, and skip the rest", () => {
    const messages = [message(0, 10), message(1, 7), message(0, 11), message(0, 12)];
    const events = [input(1), input(2), undefined, input(4)];
    const outcomes = [receipted(1), receipted(2), { outputs: [], followUps: [] }, receipted(4)];
    const out = receiptEvents(messages, events, outcomes, "fangcang/allocator");
    expect(out.map((e) => e.data)).toEqual([
      {
        batchId: "fangcang.cases/0@10-12",
        receipts: [
          { causationId: "in-1", opId: "op-1", seq: 101 },
          { causationId: "in-4", opId: "op-4", seq: 104 },
        ],
      },
      { batchId: "fangcang.cases/1@7-7", receipts: [{ causationId: "in-2", opId: "op-2", seq: 102 }] },
    ]);
    expect(out[0]).toMatchObject({ id: "receipts-fangcang.cases/0@10-12-0", source: "fangcang/allocator" });
  });

  it("split a large batch over several events, each within the contract's limit", () => {
    const count = RECEIPTS_PER_EVENT * 2 + 1;
    const messages = Array.from({ length: count }, (_, i) => message(0, i));
    const out = receiptEvents(
      messages,
      messages.map((_, i) => input(i)),
      messages.map((_, i) => receipted(i)),
      "a",
    );
    expect(out.map((e) => (e.data as { receipts: unknown[] }).receipts.length)).toEqual([
      RECEIPTS_PER_EVENT,
      RECEIPTS_PER_EVENT,
      1,
    ]);
    expect(new Set(out.map((e) => e.id)).size).toBe(3);
  });

  it("are none when no input took a sequence number", () => {
    expect(receiptEvents([message(0, 1)], [input(1)], [{ outputs: [], followUps: [] }], "a")).toEqual([]);
  });
});
