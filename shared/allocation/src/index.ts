export * from "./allocation-core.ts";
export * from "./identity.ts";
export * from "./patient-store.ts";
