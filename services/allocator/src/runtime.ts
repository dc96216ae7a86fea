// How the allocator process is run: `npm start` (and docker-compose through it) and the
// benchmark use these. A busy allocator's live heap is ~50 MB, but with V8's and glibc's
// defaults it keeps ~480 MB resident; with the semi-spaces and arenas below ~375 MB, and with
// the old space's growth bounded as well ~275 MB at 600,000 cases, for ~12% more CPU per case
// than the semi-spaces and arenas alone (~4% fewer cases/s). Measured back to back in
// BENCHMARKS.md. Where memory is plentiful and throughput scarce, start main.ts without them.

/**
 * Node flags: a smaller young generation (8 MB semi-spaces instead of V8's 16 MB), and an
 * old space that grows to twice its live size before a full collection, not up to 4x: the
 * live heap stays ~50 MB, but cases in flight outlive scavenges and would otherwise pile up
 * as ~150 MB of old-space garbage between full collections.
 */
export const allocatorNodeFlags = ["--max-semi-space-size=8", "--heap-growing-percent=100"];

/** Environment: two malloc arenas, for a process whose work is on one thread. */
export const allocatorEnvironment: Record<string, string> = { MALLOC_ARENA_MAX: "2" };

/** The root package.json's `start` script, from the settings above (a unit spec keeps them equal). */
export function allocatorStartScript(): string {
  const env = Object.entries(allocatorEnvironment).map(([name, value]) => `${name}=${value}`);
  return [...env, "node", ...allocatorNodeFlags, "services/allocator/src/main.ts"].join(" ");
}
