import { describe, expect, it } from "vitest";
import { type OrderProblem, type ReplayItem, replayInOrder } from "./replay-order.ts";

/** Replays items that each take their own seq (or none), recording the order they ran in. */
async function replay(items: ReplayItem<string>[]) {
  const ran: string[] = [];
  const problems: OrderProblem[] = [];
  let ledger = 0;
  await replayInOrder(
    items,
    async (item) => {
      ran.push(item.value);
      if (item.seq !== undefined && item.seq > ledger) ledger = item.seq;
      return ledger;
    },
    (p) => problems.push(p),
  );
  return { ran, problems };
}

let ops = 0;
const item = (key: string, value: string, seq?: number): ReplayItem<string> => ({ key, value, seq, op: ops++ });

describe("the replay order", () => {
  it("runs inputs in ledger order across keys, each key in log order", async () => {
    const { ran, problems } = await replay([
      item("a", "a1", 2),
      item("a", "a2", 3),
      item("b", "b1", 1),
      item("b", "b2", 4),
    ]);
    expect(ran).toEqual(["b1", "a1", "a2", "b2"]);
    expect(problems).toEqual([]);
  });

  it("runs inputs without a receipt as soon as their key's earlier inputs have run", async () => {
    const { ran } = await replay([item("a", "a1", 2), item("a", "a2"), item("b", "b1", 1), item("b", "b2")]);
    expect(ran.indexOf("b2")).toBeGreaterThan(ran.indexOf("b1"));
    expect(ran.indexOf("a2")).toBeGreaterThan(ran.indexOf("a1"));
    expect(ran.indexOf("a1")).toBeGreaterThan(ran.indexOf("b1"));
  });

  it("does not wait again for an operation that already ran (a redelivered input)", async () => {
    const a1 = item("a", "a1", 1);
    const { ran, problems } = await replay([a1, { ...item("a", "a1-again", 1), op: a1.op }, item("b", "b1", 2)]);
    expect(ran).toEqual(["a1", "a1-again", "b1"]);
    expect(problems).toEqual([]);
  });

  it("reports a sequence number no input took, and goes on", async () => {
    const { ran, problems } = await replay([item("a", "a1", 1), item("b", "b1", 3)]);
    expect(ran).toEqual(["a1", "b1"]);
    expect(problems).toEqual([{ kind: "seq_gap", missingSeq: 2, resumedAt: 3 }]);
  });
});
