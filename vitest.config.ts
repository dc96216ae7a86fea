import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          // Generous: the machines running these are small and shared.
          testTimeout: 60_000,
          include: [
            "shared/*/src/**/*.unit.spec.ts",
            "services/*/src/**/*.unit.spec.ts",
            "infra/src/**/*.unit.spec.ts",
          ],
        },
      },
      {
        test: {
          name: "integration",
          include: [
            "tests/**/*.int.spec.ts",
            "tests/**/*.e2e.spec.ts",
            "services/*/src/**/*.int.spec.ts",
            "shared/*/src/**/*.int.spec.ts",
          ],
          // Finds or starts real Kafka and Redis; see tests/harness/global-setup.ts.
          globalSetup: ["tests/harness/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
