import { Redis } from "ioredis";
import { afterAll, inject } from "vitest";
import { describeLedgerContract } from "./ledger-contract.ts";
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
