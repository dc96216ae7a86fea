export * from "./audit.ts";
export * from "./audit-log.ts";
export * from "./replay-order.ts";
export * from "./report-text.ts";
export * from "./simulated-production.ts";
