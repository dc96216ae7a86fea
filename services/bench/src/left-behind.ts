// For the benchmark's integration specs: what a run left on the broker and in Redis under its
// run id (there should be nothing). Leftover topics are deleted, so a failing spec does not
// leave them for the next one.
import { deleteTopics, listTopics } from "@fangcang/bus";
import { Redis } from "ioredis";

export async function leftBehind(
  brokers: string[],
  redisUrl: string,
  runId: string,
): Promise<{ topicsLeft: string[]; keysLeft: string[] }> {
  const topicsLeft = (await listTopics(brokers)).filter((t) => t.startsWith(runId));
  const redis = new Redis(redisUrl);
  const keysLeft = await redis.keys(`${runId}*`);
  redis.disconnect();
  await deleteTopics({ brokers, topics: topicsLeft });
  return { topicsLeft, keysLeft };
}
