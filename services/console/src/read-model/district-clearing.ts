// District clearing status (社会面清零), by the rule of ../../../../../shared/DOMAIN.md: a
// district is "basically cleared" when, for three consecutive days, its new community cases
// (found outside quarantine) are fewer than 1 per 100,000 of its population; "cleared" when
// that number is zero on all three days. Days are Shanghai calendar days (UTC+8).

export type ClearingStatus = "cleared" | "basically_cleared" | "not_cleared" | "insufficient_data";

export const CLEARING_WINDOW_DAYS = 3;

const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

/** The Shanghai calendar day (YYYY-MM-DD) of an instant. */
export function shanghaiDay(epochMs: number): string {
  return new Date(epochMs + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** The day `n` days after `day` (negative: before). */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** Fewer than 1 per 100,000, in integers: count / population < 1 / 100,000. */
export function belowOnePer100k(count: number, population: number): boolean {
  return count * 100_000 < population;
}

export function ratePer100k(count: number, population: number): number {
  return population > 0 ? (count * 100_000) / population : 0;
}

/** The status for the daily community-case counts of the window's days, oldest first. */
export function clearingStatus(dailyCounts: readonly number[], population: number): ClearingStatus {
  if (dailyCounts.length < CLEARING_WINDOW_DAYS) return "insufficient_data";
  const window = dailyCounts.slice(-CLEARING_WINDOW_DAYS);
  if (window.every((count) => count === 0)) return "cleared";
  if (window.every((count) => belowOnePer100k(count, population))) return "basically_cleared";
  return "not_cleared";
}

/** The window's days, oldest first, ending with `lastDay`. */
export function windowDays(lastDay: string): string[] {
  return Array.from({ length: CLEARING_WINDOW_DAYS }, (_, i) => addDays(lastDay, i - CLEARING_WINDOW_DAYS + 1));
}

export interface DistrictClearing {
  status: ClearingStatus;
  /** Community cases on each window day, oldest first. */
  counts: number[];
  ratesPer100k: number[];
}

/**
 * One district's status over the window ending `lastDay`. Days before `dataSince` (the first
 * day the log has cases for) are unknown, not zero: the status is then `insufficient_data`.
 */
export function districtClearing(
  countsByDay: ReadonlyMap<string, number> | undefined,
  population: number,
  lastDay: string,
  dataSince: string | undefined,
): DistrictClearing {
  const days = windowDays(lastDay);
  const counts = days.map((day) => countsByDay?.get(day) ?? 0);
  const ratesPer100k = counts.map((count) => ratePer100k(count, population));
  const known = dataSince !== undefined && (days[0] as string) >= dataSince;
  return { status: known ? clearingStatus(counts, population) : "insufficient_data", counts, ratesPer100k };
}
