// How the allocator process is run: `npm start` (and docker-compose through it) and the
// benchmark use these. V8's default young generation and glibc's default malloc arenas (up
// to 8 per core) let a busy allocator keep ~480 MB resident; with these it keeps ~325 MB, for
// ~15% more CPU per case (more frequent scavenges). Measured back to back, 3 runs each, in
// BENCHMARKS.md. Where memory is plentiful and throughput scarce, start main.ts without them.

/** Node flags: a smaller young generation (8 MB semi-spaces instead of V8's 16 MB). */
export const allocatorNodeFlags = ["--max-semi-space-size=8"];

/** Environment: two malloc arenas, for a process whose work is on one thread. */
export const allocatorEnvironment: Record<string, string> = { MALLOC_ARENA_MAX: "2" };

/** The root package.json's `start` script, from the settings above (a unit spec keeps them equal). */
export function allocatorStartScript(): string {
  const env = Object.entries(allocatorEnvironment).map(([name, value]) => `${name}=${value}`);
  return [...env, "node", ...allocatorNodeFlags, "services/allocator/src/main.ts"].join(" ");
}
