import { Redis } from "ioredis";
import { afterAll, describe, expect, inject, it } from "vitest";
import { describeLedgerContract } from "./ledger-contract.ts";
import { MemoryLedger } from "./memory-ledger.ts";
import { randomWorkload } from "./random-workload.ts";
import { RedisLedger } from "./redis-ledger.ts";

const redis = new Redis(inject("redisUrl"), { lazyConnect: false });
const run = `t-ledger-${process.pid}-${Date.now().toString(36)}`;
let n = 0;

afterAll(async () => {
  // Each test got its own namespace; remove them so the shared Redis stays small.
  const keys = await redis.keys(`${run}-*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describeLedgerContract("RedisLedger", async () => new RedisLedger(redis, `${run}-${++n}`));

describe("RedisLedger and MemoryLedger", () => {
  it.each([1, 2, 3])("give equal results and snapshots for the same random operations (seed %i)", async (seed) => {
    const lua = new RedisLedger(redis, `${run}-${++n}`);
    const memory = new MemoryLedger();
    // Both workloads draw the same numbers; each asks its own ledger for the current holds.
    const fromLua = randomWorkload(lua, seed);
    const fromMemory = randomWorkload(memory, seed);
    await fromLua.setUp();
    await fromMemory.setUp();
    for (let i = 0; i < 1_500; i++) {
      const [a, b] = [await (await fromLua.next())(), await (await fromMemory.next())()];
      expect(a, `operation ${i + 1} of seed ${seed}`).toEqual(b);
    }
    expect(await lua.snapshot()).toEqual(await memory.snapshot());
  });
});
