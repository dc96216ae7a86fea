export * from "./choose-facility.ts";
export * from "./districts.ts";
export * from "./need.ts";
export * from "./waiting-queue.ts";
