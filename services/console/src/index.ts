export * from "./auth/auth.ts";
export * from "./config.ts";
export * from "./console.ts";
