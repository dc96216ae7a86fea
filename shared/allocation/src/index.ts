export * from "./allocation-core.ts";
export * from "./case-record.ts";
export * from "./identity.ts";
