// The contract's topic names live in @fangcang/contracts; infra creates them.
export { defaultTopics, type TopicRole, topicNames } from "@fangcang/contracts";
