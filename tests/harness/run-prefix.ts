/**
 * Every topic and Redis key one test run creates starts with this prefix, so the run's
 * teardown can find and remove them without touching another run's.
 */
export function runPrefix(runId: string): string {
  return `t-${runId}-`;
}
