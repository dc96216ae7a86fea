// What Redis spent while a service ran: its CPU seconds and its script calls, from INFO. The
// Redis may be shared (other tests, other engineers), so this is an upper bound for the service.
import { Redis } from "ioredis";

export interface RedisUsage {
  cpuSeconds: number;
  scriptCalls: number;
  scriptMicros: number;
}

export async function redisUsage(redisUrl: string): Promise<RedisUsage> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const cpu = await redis.info("cpu");
    const stats = await redis.info("commandstats");
    const field = (text: string, name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(text)?.[1] ?? 0);
    const scripts = /cmdstat_evalsha:calls=(\d+),usec=(\d+)/.exec(stats);
    return {
      cpuSeconds: field(cpu, "used_cpu_user") + field(cpu, "used_cpu_sys"),
      scriptCalls: Number(scripts?.[1] ?? 0),
      scriptMicros: Number(scripts?.[2] ?? 0),
    };
  } finally {
    redis.disconnect();
  }
}

/** Per case, not per script call: one script call runs all the ledger operations asked for at once. */
export function redisPerCase(before: RedisUsage, after: RedisUsage, cases: number) {
  const n = Math.max(cases, 1);
  return {
    scriptMicros: (after.scriptMicros - before.scriptMicros) / n,
    cpuMicros: ((after.cpuSeconds - before.cpuSeconds) / n) * 1e6,
  };
}

export function describeRedisUsage(before: RedisUsage, after: RedisUsage, seconds: number, cases: number): string {
  const cpu = after.cpuSeconds - before.cpuSeconds;
  const calls = after.scriptCalls - before.scriptCalls;
  const micros = after.scriptMicros - before.scriptMicros;
  return (
    `Redis: ${cpu.toFixed(1)} CPU-s (${((cpu / seconds) * 100).toFixed(0)}% of one core), ` +
    `${calls.toLocaleString("en")} ledger script calls, ${redisPerCase(before, after, cases).scriptMicros.toFixed(0)} µs of script per case ` +
    `(${((micros / 1e6 / seconds) * 100).toFixed(0)}% of one core in scripts)`
  );
}
