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

  it("run operations asked for at once as one script call, with the results of running them one by one", async () => {
    const lua = new RedisLedger(redis, `${run}-${++n}`);
    const memory = new MemoryLedger();
    const fromLua = randomWorkload(lua, 4);
    const fromMemory = randomWorkload(memory, 4);
    await fromLua.setUp();
    await fromMemory.setUp();
    const scriptCalls = async () =>
      Number(/cmdstat_evalsha:calls=(\d+)/.exec(await redis.info("commandstats"))?.[1] ?? 0);
    const callsBefore = await scriptCalls();
    let operations = 0;
    // Groups of 1 to 250 (past MAX_OPERATIONS_PER_CALL), each drawn while both ledgers agree.
    for (let group = 0; operations < 3_000; group++) {
      const size = 1 + ((group * 37) % 250);
      const luaOps: (() => Promise<unknown>)[] = [];
      const memoryOps: (() => Promise<unknown>)[] = [];
      for (let k = 0; k < size; k++) {
        luaOps.push(await fromLua.next());
        memoryOps.push(await fromMemory.next());
      }
      const together = await Promise.all(luaOps.map((op) => op()));
      const oneByOne: unknown[] = [];
      for (const op of memoryOps) oneByOne.push(await op());
      expect(together, `group ${group} of ${size} operations`).toEqual(oneByOne);
      operations += size;
    }
    expect(await lua.snapshot()).toEqual(await memory.snapshot());
    // Far fewer calls than operations (another test file may share this Redis: an upper bound).
    expect(await scriptCalls()).toBeLessThan(callsBefore + operations / 5);
  });
});
