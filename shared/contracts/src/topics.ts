// Topic names: the contract's defaults, each optionally prefixed (tests give every file its own).
export const defaultTopics = {
  cases: "fangcang.cases",
  facilities: "fangcang.facilities",
  transfers: "fangcang.transfers",
  deadLetter: "fangcang.dead-letter",
  ledger: "fangcang.ledger",
} as const;

export type TopicRole = keyof typeof defaultTopics;
export type Topics = Record<TopicRole, string>;

export function topicNames(prefix = ""): Topics {
  return {
    cases: prefix + defaultTopics.cases,
    facilities: prefix + defaultTopics.facilities,
    transfers: prefix + defaultTopics.transfers,
    deadLetter: prefix + defaultTopics.deadLetter,
    ledger: prefix + defaultTopics.ledger,
  };
}
