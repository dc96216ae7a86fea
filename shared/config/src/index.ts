export * from "./env.ts";
export * from "./security.ts";
export * from "./service-config.ts";
export * from "./service-process.ts";
