/**
 * Calendar days and weeks of the analytics page, in the platform's time zone (CARNET_TIMEZONE):
 * `YYYY-MM-DD` strings, which sort and compare as dates. Pure.
 */

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The day `at` falls on in `zone`, as `YYYY-MM-DD`. */
export function localDay(at: Date, zone: string): string {
  let format = dayFormats.get(zone);
  if (!format) {
    // en-CA writes dates as ISO does (2026-03-02).
    format = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
    if (dayFormats.size >= 50) dayFormats.clear();
    dayFormats.set(zone, format);
  }
  return format.format(at);
}

const DAY_MS = 86_400_000;
const toMs = (day: string): number => Date.parse(`${day}T00:00:00Z`);
const fromMs = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** `day` moved by `n` days (negative: earlier). */
export function addDays(day: string, n: number): string {
  return fromMs(toMs(day) + n * DAY_MS);
}

/** The Monday of `day`'s week (ISO weeks start on Monday). */
export function mondayOf(day: string): string {
  const weekday = (new Date(toMs(day)).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  return addDays(day, -weekday);
}

/** The `n` days that end with `last`, oldest first. */
export function daysEndingOn(last: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => addDays(last, i - n + 1));
}

/** The Mondays from `first`'s week to `last`'s, at most `max` (the latest ones), oldest first. */
export function weeksBetween(first: string, last: string, max: number): string[] {
  const end = mondayOf(last);
  let start = mondayOf(first < last ? first : last);
  const span = Math.round((toMs(end) - toMs(start)) / (7 * DAY_MS)) + 1;
  if (span > max) start = addDays(end, -7 * (max - 1));
  const weeks: string[] = [];
  for (let week = start; week <= end; week = addDays(week, 7)) weeks.push(week);
  return weeks;
}
