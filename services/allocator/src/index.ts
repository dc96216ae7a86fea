export * from "./allocator.ts";
export * from "./config.ts";
export { MAX_DEAD_LETTER_VALUE_CHARS } from "./dead-letter.ts";
export * from "./runtime.ts";
