// The fault-injection suite (npm run test:faults): real allocator processes killed for real,
// on the Kafka and Redis the integration tests find or start (same globalSetup).
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: fileURLToPath(new URL("../..", import.meta.url)),
    include: ["tests/faults/*.faults.spec.ts"],
    globalSetup: ["tests/harness/global-setup.ts"],
    fileParallelism: false,
    testTimeout: 420_000,
    hookTimeout: 120_000,
  },
});
