export * from "./allocation-core.ts";
export * from "./batch-tick.ts";
export * from "./identity.ts";
export * from "./patient-store.ts";
export * from "./receipts.ts";
