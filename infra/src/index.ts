export { type InfraConfig, loadInfraConfig } from "./config.ts";
export { KafkaNode, type KafkaNodeOptions } from "./kafka-node.ts";
export { createTopics, type DownResult, down, type ServiceStatus, status, type UpResult, up } from "./lifecycle.ts";
export { InfraError } from "./proc.ts";
export { waitForRedis } from "./redis.ts";
export { defaultTopics, type TopicRole, topicNames } from "./topics.ts";
