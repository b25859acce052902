/** Calendar helpers on UTC day numbers (days since 1970-01-01) and `"YYYY-MM"` month keys. Internal. */

const DAY_MS = 86_400_000;

/** Day number (UTC days since 1970-01-01) of an ISO date or date-time; NaN when it does not parse. */
export function dayNumber(iso: string): number {
  if (typeof iso !== 'string') return Number.NaN;
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!m) return Number.NaN;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const rest = iso.slice(10);
  let frac = 0;
  const t = /^[T ](\d{2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?/.exec(rest);
  if (t) frac = (Number(t[1]) * 3600 + Number(t[2]) * 60 + Number(t[3] ?? 0)) / 86400;
  return ms / DAY_MS + frac;
}

/** ISO date `"YYYY-MM-DD"` of a (possibly fractional) day number; the fraction is dropped. */
export function isoDate(day: number): string {
  return new Date(Math.floor(day) * DAY_MS).toISOString().slice(0, 10);
}

/** `"YYYY-MM"` of an ISO date. */
export function yearMonthOf(iso: string): string {
  return iso.slice(0, 7);
}

/** True for a well-formed `"YYYY-MM"` key. */
export function isYearMonth(value: unknown): value is string {
  return typeof value === 'string' && /^\d{4}-(0[1-9]|1[0-2])$/.test(value);
}

/** Month index (years * 12 + month - 1) of a `"YYYY-MM"` key. */
export function monthIndex(yearMonth: string): number {
  return Number(yearMonth.slice(0, 4)) * 12 + Number(yearMonth.slice(5, 7)) - 1;
}

/** `"YYYY-MM"` of a month index. */
export function monthKey(index: number): string {
  const y = Math.floor(index / 12);
  const m = index - y * 12 + 1;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}`;
}

/** Every `"YYYY-MM"` from `start` to `end` inclusive. */
export function monthRange(start: string, end: string): string[] {
  const out: string[] = [];
  for (let i = monthIndex(start); i <= monthIndex(end); i++) out.push(monthKey(i));
  return out;
}

/** Day number of the first day of a month. */
export function monthStartDay(yearMonth: string): number {
  return Date.UTC(Number(yearMonth.slice(0, 4)), Number(yearMonth.slice(5, 7)) - 1, 1) / DAY_MS;
}

/** Decimal year of a day number (for trends and seasonal phases; 365.2425-day years). */
export function decimalYear(day: number): number {
  return 1970 + day / 365.2425;
}
