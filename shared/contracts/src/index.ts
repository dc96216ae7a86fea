export * from "./case-events.ts";
export * from "./catalog.ts";
export * from "./cloudevents.ts";
export * from "./dead-letter.ts";
export * from "./facility-events.ts";
export * from "./topics.ts";
export * from "./transfer-events.ts";
export * from "./vocabulary.ts";
