import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { allocatorStartScript } from "./runtime.ts";

describe("the allocator's runtime settings", () => {
  it("are what `npm start` (and docker-compose, which runs it) starts the allocator with", () => {
    const root = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8"));
    expect(root.scripts.start).toBe(allocatorStartScript());
    const compose = readFileSync(new URL("../../../docker-compose.yml", import.meta.url), "utf8");
    expect(compose).toContain("exec npm start");
  });
});
