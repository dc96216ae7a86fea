import { type Admin, Kafka, logLevel } from "kafkajs";

/**
 * Topic administration and broker readiness. Kept next to the rest of the bus so that
 * kafkajs stays behind this one package and can be swapped for another client.
 */

export interface EnsureTopicsOptions {
  brokers: string[];
  topics: string[];
  partitions: number;
  replicationFactor?: number;
  clientId?: string;
  /** How long to wait for every new partition to have a leader. */
  timeoutMs?: number;
  /** Topic-level settings for topics created now, e.g. `message.timestamp.type`. */
  configEntries?: { name: string; value: string }[];
}

const pollIntervalMs = 250;

/**
 * Creates the topics that do not exist yet and waits until every partition of every
 * requested topic has a leader. Topics that already exist are left as they are, even
 * with another partition count: repartitioning would reorder a case's events.
 */
export async function ensureTopics(opts: EnsureTopicsOptions): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  await withAdmin(opts.brokers, opts.clientId ?? "fangcang-admin", async (admin) => {
    const existing = new Set(await admin.listTopics());
    const missing = [...new Set(opts.topics)].filter((topic) => !existing.has(topic));
    if (missing.length > 0) {
      try {
        await admin.createTopics({
          topics: missing.map((topic) => ({
            topic,
            numPartitions: opts.partitions,
            replicationFactor: opts.replicationFactor ?? 1,
            ...(opts.configEntries === undefined ? {} : { configEntries: opts.configEntries }),
          })),
          // kafkajs's own wait retries only LEADER_NOT_AVAILABLE; a broker that has not yet
          // caught up with its new topic's metadata answers UNKNOWN_TOPIC_OR_PARTITION, and
          // the create fails although it worked. waitForLeaders below tolerates both.
          waitForLeaders: false,
          timeout: timeoutMs,
        });
      } catch (error) {
        // Another process may have created the same topic between list and create.
        if (!onlyTopicAlreadyExists(error)) throw error;
      }
    }
    await waitForLeaders(admin, opts.topics, timeoutMs);
  });
}

export interface DeleteTopicsOptions {
  brokers: string[];
  topics: string[];
  clientId?: string;
}

/** Deletes the given topics; topics that do not exist are ignored. */
export async function deleteTopics(opts: DeleteTopicsOptions): Promise<void> {
  await withAdmin(opts.brokers, opts.clientId ?? "fangcang-admin", async (admin) => {
    const existing = new Set(await admin.listTopics());
    const present = opts.topics.filter((topic) => existing.has(topic));
    if (present.length > 0) await admin.deleteTopics({ topics: present });
  });
}

/** Lists the topic names on the cluster, internal topics (`__*`) excluded. */
export async function listTopics(brokers: string[], clientId = "fangcang-admin"): Promise<string[]> {
  return withAdmin(brokers, clientId, async (admin) =>
    (await admin.listTopics()).filter((topic) => !topic.startsWith("__")).sort(),
  );
}

/**
 * Polls the cluster's metadata until a broker answers, or throws after `timeoutMs` with
 * the last error seen. The client is always disconnected before returning.
 */
export async function waitForBroker(brokers: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const remaining = deadline - Date.now();
    try {
      await withAdmin(
        brokers,
        "fangcang-health",
        async (admin) => {
          const cluster = await admin.describeCluster();
          if (cluster.brokers.length === 0) throw new Error("the cluster reports no live broker yet");
        },
        Math.max(200, Math.min(remaining, 3_000)),
      );
      return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() + pollIntervalMs >= deadline) break;
    await sleep(pollIntervalMs);
  }
  throw new Error(`Kafka at ${brokers.join(",")} did not answer within ${timeoutMs} ms: ${describe(lastError)}`);
}

/**
 * Waits until the group coordinator and the producer-id allocation answer. A fresh broker
 * creates `__consumer_offsets` on the first group request and loads it for a moment;
 * consumers and idempotent producers that arrive first crash and restart instead of
 * waiting. Calling this once after start-up takes that hit here, quietly.
 */
export async function waitForCoordinators(brokers: string[], timeoutMs: number): Promise<void> {
  const kafka = new Kafka({ clientId: "fangcang-health", brokers, logLevel: logLevel.NOTHING });
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    const admin = kafka.admin();
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    try {
      await admin.connect();
      await admin.describeGroups(["fangcang-readiness-probe"]);
      // An idempotent producer asks for a producer id while connecting.
      await producer.connect();
      return;
    } catch (error) {
      lastError = error;
    } finally {
      await producer.disconnect().catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
    }
    await sleep(pollIntervalMs);
  }
  throw new Error(
    `Kafka at ${brokers.join(",")} has no working group coordinator after ${timeoutMs} ms: ${describe(lastError)}`,
  );
}

async function withAdmin<T>(
  brokers: string[],
  clientId: string,
  work: (admin: Admin) => Promise<T>,
  connectionTimeoutMs?: number,
): Promise<T> {
  const quick = connectionTimeoutMs !== undefined;
  const kafka = new Kafka({
    clientId,
    brokers,
    // Failures are reported by the caller with context; kafkajs' own error logs would
    // only repeat them, noisily, on every poll.
    logLevel: logLevel.NOTHING,
    ...(quick
      ? {
          connectionTimeout: connectionTimeoutMs,
          requestTimeout: connectionTimeoutMs,
          retry: { retries: 0 },
        }
      : {}),
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    return await work(admin);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function waitForLeaders(admin: Admin, topics: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let pending: string[] = topics;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const metadata = await admin.fetchTopicMetadata({ topics });
      pending = metadata.topics
        .filter((t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0))
        .map((t) => t.name);
      if (pending.length === 0) {
        // A leader in the metadata may not serve yet (KRaft hands the broker its leadership a
        // moment later: "not the leader for that topic-partition"); asking every partition's
        // offsets proves it does.
        pending = topics;
        await Promise.all(topics.map((topic) => admin.fetchTopicOffsets(topic)));
        return;
      }
    } catch (error) {
      lastError = error;
    }
    await sleep(pollIntervalMs);
  }
  const cause = lastError === undefined ? "" : ` (last error: ${describe(lastError)})`;
  throw new Error(`Topics without a partition leader after ${timeoutMs} ms: ${pending.join(", ")}${cause}`);
}

function onlyTopicAlreadyExists(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const nested = (error as { errors?: unknown }).errors;
  const errors = Array.isArray(nested) ? nested : [error];
  return errors.every((e) => (e as { type?: unknown }).type === "TOPIC_ALREADY_EXISTS");
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** How far a consumer group has got through its topics: committed and end offsets, summed over partitions. */
export interface GroupProgress {
  committed: number;
  end: number;
}

/**
 * Watches consumer groups' committed offsets against the topics' end offsets, on one admin
 * connection, for tools that wait until a group has drained a backlog (the benchmark).
 */
export class GroupProgressProbe {
  private readonly admin: Admin;

  private constructor(admin: Admin) {
    this.admin = admin;
  }

  static async connect(brokers: string[], clientId = "fangcang-progress"): Promise<GroupProgressProbe> {
    const admin = new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    return new GroupProgressProbe(admin);
  }

  async progress(groupId: string, topics: string[]): Promise<GroupProgress> {
    const [offsets, ends] = await Promise.all([
      this.admin.fetchOffsets({ groupId, topics }),
      Promise.all(topics.map((topic) => this.admin.fetchTopicOffsets(topic))),
    ]);
    let committed = 0;
    for (const topic of offsets) for (const p of topic.partitions) committed += Math.max(0, Number(p.offset));
    let end = 0;
    for (const partitions of ends) for (const p of partitions) end += Number(p.high);
    return { committed, end };
  }

  close(): Promise<void> {
    return this.admin.disconnect();
  }
}
