import { createServer } from "node:net";
import { GenericContainer, getContainerRuntimeClient, Wait } from "testcontainers";

/** The broker version the project pins (see infra/README.md); same image as docker-compose.yml. */
const kafkaImage = "apache/kafka:3.9.1";
const redisImage = "redis:7";

/** True when a Docker (or compatible) engine answers within `timeoutMs`. */
export async function containerRuntimeAnswers(timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([getContainerRuntimeClient().then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export interface StartedService {
  address: string;
  stop: () => Promise<void>;
}

/**
 * A single-node KRaft broker. Kafka hands clients the advertised address, so the host
 * port is chosen up front and bound to the same port inside the container.
 */
export async function startKafkaContainer(): Promise<StartedService> {
  const client = await getContainerRuntimeClient();
  const host = client.info.containerRuntime.host;
  const port = await freePort();
  const container = await new GenericContainer(kafkaImage)
    .withEnvironment({
      KAFKA_NODE_ID: "1",
      KAFKA_PROCESS_ROLES: "broker,controller",
      KAFKA_CONTROLLER_QUORUM_VOTERS: "1@localhost:9093",
      KAFKA_LISTENERS: `PLAINTEXT://0.0.0.0:${port},CONTROLLER://localhost:9093`,
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://${host}:${port}`,
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
      KAFKA_CONTROLLER_LISTENER_NAMES: "CONTROLLER",
      KAFKA_INTER_BROKER_LISTENER_NAME: "PLAINTEXT",
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: "1",
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: "1",
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: "1",
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: "0",
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: "false",
      KAFKA_NUM_PARTITIONS: "12",
    })
    .withExposedPorts({ container: port, host: port })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .withStartupTimeout(120_000)
    .start();
  return {
    address: `${host}:${port}`,
    stop: async () => {
      await container.stop();
    },
  };
}

export async function startRedisContainer(): Promise<StartedService> {
  const container = await new GenericContainer(redisImage)
    .withCommand(["redis-server", "--appendonly", "yes"])
    .withExposedPorts(6379)
    .withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/))
    .start();
  return {
    address: `redis://${container.getHost()}:${container.getMappedPort(6379)}`,
    stop: async () => {
      await container.stop();
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error("no free port found"))));
    });
  });
}
