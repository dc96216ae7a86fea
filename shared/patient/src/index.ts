export * from "./patient-machine.ts";
export * from "./patient-snapshot.ts";
export * from "./patient-transition.ts";
export * from "./patient-types.ts";
