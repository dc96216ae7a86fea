// Reporting days are Shanghai calendar days (UTC+8, no daylight saving); event times are
// RFC 3339 UTC instants, as everywhere else in the product.

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
const SHANGHAI_OFFSET_MS = 8 * HOUR_MS;

const isoDate = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `text` is a real calendar date written YYYY-MM-DD. */
export function isIsoDate(text: string): boolean {
  const match = isoDate.exec(text);
  if (!match) return false;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** The instant a Shanghai day (YYYY-MM-DD) begins. */
export function shanghaiDayStart(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) - SHANGHAI_OFFSET_MS;
}

/** The Shanghai date (YYYY-MM-DD) an instant falls on. */
export function shanghaiDateOf(instant: number | string): string {
  const ms = typeof instant === "string" ? Date.parse(instant) : instant;
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** The date `days` after `date`. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (both YYYY-MM-DD). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** YYYYMMDD, for identifiers. */
export function compactDate(date: string): string {
  return date.replaceAll("-", "");
}

const twoDigits = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, "0"));
const datePrefixes = new Map<number, string>();

/**
 * `new Date(ms).toISOString()` for whole seconds from 1970 on, several times faster: a
 * wave has millions of timestamps and they dominated the generator's profile.
 */
export function isoSeconds(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  let prefix = datePrefixes.get(day);
  if (prefix === undefined) {
    prefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    datePrefixes.set(day, prefix);
  }
  const seconds = Math.floor((ms - day * DAY_MS) / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return `${prefix}${twoDigits[h]}:${twoDigits[m]}:${twoDigits[seconds % 60]}.000Z`;
}
