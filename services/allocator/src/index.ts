export * from "./allocator.ts";
export * from "./config.ts";
