/**
 * Calendar helpers on `"YYYY-MM"` month keys and UTC day numbers (days since 1970-01-01): the one set the
 * packages share (grid's GRACE calendar, datasets' pairing, windowing and emulator).
 */

const DAY_MS = 86_400_000;

/**
 * True for a well-formed `"YYYY-MM"` month key (month 01–12).
 * @example
 * ```ts
 * [isYearMonth("2002-04"), isYearMonth("2002-13"), isYearMonth("2002-4")]; // => [true, false, false]
 * ```
 */
export function isYearMonth(value: unknown): value is string {
  return typeof value === 'string' && /^\d{4}-(0[1-9]|1[0-2])$/.test(value);
}

/**
 * The `"YYYY-MM"` month key of an ISO date or date-time (its first seven characters; no time-zone shift).
 * @example
 * ```ts
 * yearMonthOf("2002-04-17T12:00:00Z"); // => "2002-04"
 * ```
 */
export function yearMonthOf(iso: string): string {
  return iso.slice(0, 7);
}

/**
 * Month index `year · 12 + (month − 1)` of a `"YYYY-MM"` key: consecutive months have consecutive indices.
 * @example
 * ```ts
 * monthIndex("2002-04") - monthIndex("2001-12"); // => 4
 * ```
 */
export function monthIndex(yearMonth: string): number {
  return Number(yearMonth.slice(0, 4)) * 12 + Number(yearMonth.slice(5, 7)) - 1;
}

/**
 * The `"YYYY-MM"` key of a {@link monthIndex}; `monthKey(monthIndex(k) + n)` adds `n` months to `k`.
 * @example
 * ```ts
 * monthKey(monthIndex("2002-11") + 3); // => "2003-02"
 * ```
 */
export function monthKey(index: number): string {
  const y = Math.floor(index / 12);
  const m = index - y * 12 + 1;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}`;
}

/**
 * Every `"YYYY-MM"` from `start` to `end`, both inclusive (empty when `end` is before `start`).
 * @example
 * ```ts
 * monthRange("2002-11", "2003-02"); // => ["2002-11", "2002-12", "2003-01", "2003-02"]
 * ```
 */
export function monthRange(start: string, end: string): string[] {
  const out: string[] = [];
  for (let i = monthIndex(start); i <= monthIndex(end); i++) out.push(monthKey(i));
  return out;
}

/**
 * Day number (UTC days since 1970-01-01) of an ISO date or date-time, with the time of day as a fraction;
 * NaN when it does not parse. A zone suffix is ignored (the time is read as UTC).
 * @example
 * ```ts
 * [dayNumber("1970-01-02"), dayNumber("1970-01-01T12:00:00Z")]; // => [1, 0.5]
 * ```
 */
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

/**
 * ISO date `"YYYY-MM-DD"` of a (possibly fractional) {@link dayNumber}; the fraction is dropped.
 * @example
 * ```ts
 * dayIsoDate(dayNumber("2002-04-17") + 0.75); // => "2002-04-17"
 * ```
 */
export function dayIsoDate(day: number): string {
  return new Date(Math.floor(day) * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Day number of the first day of a `"YYYY-MM"` month.
 * @example
 * ```ts
 * dayIsoDate(monthStartDay("2002-04")); // => "2002-04-01"
 * ```
 */
export function monthStartDay(yearMonth: string): number {
  return Date.UTC(Number(yearMonth.slice(0, 4)), Number(yearMonth.slice(5, 7)) - 1, 1) / DAY_MS;
}
