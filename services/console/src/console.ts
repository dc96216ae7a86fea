// Wires the console together: a log follower feeding the read model from the cases,
// facilities and transfers topics, a producer for operator actions, and the HTTP server.
// `main.ts` runs it as a process; tests run it in-process.
import type { AddressInfo } from "node:net";
import { createKafka, EventProducer, type FollowedMessage, LogFollower } from "@fangcang/bus";
import { kafkaSecurity } from "@fangcang/config";
import { type AnyCloudEvent, topicNames } from "@fangcang/contracts";
import type { FastifyInstance } from "fastify";
import { buildServer } from "./api/server.ts";
import { authSettings, type ConsoleConfig } from "./config.ts";
import { ConsoleMetrics } from "./metrics.ts";
import { apply, emptyModel, type ReadModel } from "./read-model/read-model.ts";

export interface RunningConsole {
  model: ReadModel;
  server: FastifyInstance;
  port: number;
  url: string;
  stop(): Promise<void>;
}

export type ConsoleLog = (message: string, fields?: Record<string, unknown>) => void;

export async function startConsole(
  config: ConsoleConfig,
  onFatal: (error: Error) => void = () => {},
  log: ConsoleLog = () => {},
): Promise<RunningConsole> {
  const topics = topicNames(config.FANGCANG_TOPIC_PREFIX);
  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: "fangcang-console",
    ...kafkaSecurity(config.security),
  });
  const model = emptyModel();
  const metrics = new ConsoleMetrics();
  let undecodableLogged = 0;
  const onMessages = (messages: FollowedMessage[]) => {
    for (const message of messages) {
      if (message.ok) {
        if (apply(model, message.event)) ConsoleMetrics.bump(metrics.eventsApplied, message.topic);
        continue;
      }
      // The allocator dead-letters these with their reasons; the console only counts them.
      ConsoleMetrics.bump(metrics.undecodable, message.topic);
      if (undecodableLogged++ < 10) {
        log("skipped a message that is not a contract event", {
          topic: message.topic,
          partition: message.partition,
          offset: message.offset,
          errors: message.errors,
        });
      }
    }
  };
  const producer = new EventProducer(kafka);
  await producer.connect();
  const follower = await LogFollower.start(kafka, {
    topics: [topics.facilities, topics.cases, topics.transfers],
    clientId: "fangcang-console",
    onMessages,
    onCrash: onFatal,
  });
  const server = await buildServer({
    model,
    metrics,
    isReady: () => follower.caughtUp(),
    readiness: () => ({
      backlog: follower.backlog(),
      messagesRead: follower.messagesRead,
      eventsApplied: model.applied,
      consumerError: follower.error?.message ?? null,
    }),
    publish: (event: AnyCloudEvent) => producer.send([{ topic: topics.facilities, events: [event] }]),
    auth: authSettings(config),
    source: config.FANGCANG_CONSOLE_SOURCE,
  });
  await server.listen({ port: config.FANGCANG_CONSOLE_PORT, host: config.FANGCANG_CONSOLE_HOST });
  const port = (server.server.address() as AddressInfo).port;
  return {
    model,
    server,
    port,
    url: `http://${config.FANGCANG_CONSOLE_HOST}:${port}`,
    async stop() {
      await server.close();
      await follower.stop();
      await producer.disconnect();
    },
  };
}
