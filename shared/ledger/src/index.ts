export * from "./invariants.ts";
export * from "./keys.ts";
export * from "./ledger.ts";
export * from "./memory-ledger.ts";
export * from "./redis-ledger.ts";
