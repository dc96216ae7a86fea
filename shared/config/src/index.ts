export * from "./env.ts";
export * from "./security.ts";
