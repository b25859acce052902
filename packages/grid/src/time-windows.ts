/**
 * Time windows: the GRACE month index built from `time_bounds`, missing calendar months, and 30-day windows for
 * the years before GRACE.
 */
import { GridArgumentError } from './errors.js';
import type { TimeBounds } from './grid.js';
import { isoDate, isoDateTime } from './time-decode.js';
import { isYearMonth, monthIndex, monthRange, yearMonthOf } from './months.js';

const DAY_MS = 86_400_000;

/** A time window `[start, end)` (ISO 8601 UTC dates or date-times, end exclusive) with an identifier. */
export interface TimeWindow {
  readonly id: string;
  readonly start: string;
  readonly end: string;
}

/** One GRACE solution (one frame of a GRACE stack) as a time window. */
export interface GraceMonth extends TimeWindow {
  /** Index of the frame in the stack. */
  readonly index: number;
  /** Calendar month `"YYYY-MM"` of the window mid-point. */
  readonly yearMonth: string;
  /** Mid-point of `[start, end)`, ISO 8601 UTC. */
  readonly mid: string;
  /** Window length in days (`end − start`, may be fractional for date-times). */
  readonly days: number;
}

/**
 * Parses an ISO 8601 date (`"2002-04-04"`) or date-time as UTC (a date-time without zone is taken as UTC).
 * @internal
 * @throws {@link GridArgumentError} naming `argument` and `fn` when it is not a valid date.
 */
export function parseIsoUtc(value: string, argument: string, fn: string): number {
  const s = typeof value === 'string' ? value.trim() : '';
  const m = /^(\d{4})-(\d{2})(?:-(\d{2}))?(?:[T ](\d{2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(
    s,
  );
  let ms = Number.NaN;
  if (m) {
    const iso = `${m[1]}-${m[2]}-${m[3] ?? '01'}T${m[4] ?? '00'}:${m[5] ?? '00'}:${m[6] ?? '00'}${m[7] ?? 'Z'}`;
    ms = Date.parse(iso);
    // reject dates that JavaScript silently rolls over (2002-02-30)
    if (Number.isFinite(ms) && m[7] === undefined && new Date(ms).getUTCDate() !== Number(m[3] ?? '01'))
      ms = Number.NaN;
  }
  if (!Number.isFinite(ms))
    throw new GridArgumentError(
      argument,
      fn,
      'an ISO 8601 date such as "2002-04-04" or "2002-04-04T12:00:00Z"',
      JSON.stringify(value),
    );
  return ms;
}

/**
 * The GRACE month index of a stack: one record per frame, built from its `[start, end)` time bounds.
 *
 * ## Method
 * `mid = start + (end − start) / 2`; `yearMonth` is the calendar month (UTC) of `mid`, which is how JPL and the
 * paper assign a solution to a month. Missing months simply have no record; windows may overlap their neighbours.
 * When several frames fall in one calendar month their `id`s get the suffixes `a`, `b`, … in order of window start
 * (`"2012-01a"`, `"2012-01b"`); other ids are the plain `yearMonth`. Frames are never merged or dropped.
 *
 * @param stack - Anything with `timeBounds` (a {@link GridStack}, a `NetcdfHandle`, or `{ timeBounds }`).
 * @returns One {@link GraceMonth} per frame, in frame order.
 * @throws {@link GridArgumentError} when `timeBounds` is missing, a bound is not an ISO date or `end ≤ start`.
 * @example
 * ```ts
 * graceMonths({ timeBounds: [["2011-12-27", "2012-01-11"], ["2012-01-11", "2012-01-26"]] }).map((m) => m.id);
 * // => ["2012-01a", "2012-01b"]
 * ```
 */
export function graceMonths(stack: { readonly timeBounds?: readonly TimeBounds[] }): GraceMonth[] {
  const bounds = stack?.timeBounds;
  if (!Array.isArray(bounds)) {
    throw new GridArgumentError(
      'stack.timeBounds',
      'graceMonths',
      'an array of [start, end) ISO dates (GRACE time_bounds)',
      String(bounds),
    );
  }
  const recs = bounds.map((b, index) => {
    const start = parseIsoUtc(b?.[0], `stack.timeBounds[${index}][0]`, 'graceMonths');
    const end = parseIsoUtc(b?.[1], `stack.timeBounds[${index}][1]`, 'graceMonths');
    if (!(end > start))
      throw new GridArgumentError(
        `stack.timeBounds[${index}]`,
        'graceMonths',
        'a window with end after start',
        JSON.stringify(b),
      );
    const mid = start + (end - start) / 2;
    return {
      index,
      start: b[0],
      end: b[1],
      startMs: start,
      mid: isoDate(mid),
      yearMonth: yearMonthOf(new Date(mid).toISOString()),
      days: (end - start) / DAY_MS,
    };
  });
  const groups = new Map<string, typeof recs>();
  for (const r of recs) {
    const g = groups.get(r.yearMonth);
    if (g) g.push(r);
    else groups.set(r.yearMonth, [r]);
  }
  const ids = new Map<number, string>();
  for (const [ym, g] of groups) {
    if (g.length === 1) {
      ids.set(g[0].index, ym);
      continue;
    }
    [...g]
      .sort((a, b) => a.startMs - b.startMs || a.index - b.index)
      .forEach((r, k) => ids.set(r.index, `${ym}${suffix(k)}`));
  }
  return recs.map((r) => ({
    index: r.index,
    id: ids.get(r.index)!,
    yearMonth: r.yearMonth,
    start: r.start,
    end: r.end,
    mid: r.mid,
    days: r.days,
  }));
}

function suffix(k: number): string {
  let s = '';
  let n = k;
  do {
    s = String.fromCharCode(97 + (n % 26)) + s;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return s;
}

/**
 * The calendar months from `from` to `to` (both inclusive, `"YYYY-MM"`) that have no record.
 *
 * @param records - Anything with a `yearMonth` (e.g. from {@link graceMonths}).
 * @param from - First month, `"YYYY-MM"`.
 * @param to - Last month, `"YYYY-MM"` (inclusive).
 * @returns The missing months, ascending.
 * @throws {@link GridArgumentError} when `from`/`to` are not `"YYYY-MM"` or `to` is before `from`.
 * @example
 * ```ts
 * missingMonths([{ yearMonth: "2002-04" }, { yearMonth: "2002-07" }], "2002-04", "2002-08");
 * // => ["2002-05", "2002-06", "2002-08"]
 * ```
 */
export function missingMonths(records: readonly { readonly yearMonth: string }[], from: string, to: string): string[] {
  for (const [name, v] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (!isYearMonth(v)) throw new GridArgumentError(name, 'missingMonths', 'a month "YYYY-MM"', JSON.stringify(v));
  }
  if (monthIndex(to) < monthIndex(from))
    throw new GridArgumentError('to', 'missingMonths', `a month not before from (${from})`, JSON.stringify(to));
  const have = new Set(records.map((r) => r.yearMonth));
  return monthRange(from, to).filter((ym) => !have.has(ym));
}

/**
 * Consecutive 30-day windows for the years before GRACE (the paper averages daily LSM output over 30 days there).
 *
 * ## Method
 * Window k is `[from + 30k days, from + 30(k + 1) days)`; windows are produced while their end is ≤ `to`, so only
 * full 30-day windows are returned and the days after the last one (fewer than 30) are left out. Ids are the start
 * dates (`"1979-01-01"`). With `from = "1979-01-01"` and `to = "2002-04-01"` this gives 283 windows, the last one
 * ending 2002-03-31 (8490 days; the 1 remaining day is dropped).
 *
 * @param from - Start of the first window (ISO date, inclusive).
 * @param to - Latest allowed end (ISO date, exclusive).
 * @returns The windows in time order.
 * @throws {@link GridArgumentError} for invalid dates or `to` not after `from`.
 * @example
 * ```ts
 * thirtyDayWindows("2001-01-01", "2001-03-05").map((w) => [w.start, w.end]);
 * // => [["2001-01-01", "2001-01-31"], ["2001-01-31", "2001-03-02"]]
 * ```
 */
export function thirtyDayWindows(from: string, to: string): TimeWindow[] {
  const a = parseIsoUtc(from, 'from', 'thirtyDayWindows');
  const b = parseIsoUtc(to, 'to', 'thirtyDayWindows');
  if (!(b > a))
    throw new GridArgumentError('to', 'thirtyDayWindows', `a date after from (${from})`, JSON.stringify(to));
  const out: TimeWindow[] = [];
  const fmt = (ms: number) => (ms % DAY_MS === 0 ? isoDate(ms) : isoDateTime(ms));
  for (let s = a; s + 30 * DAY_MS <= b; s += 30 * DAY_MS)
    out.push({ id: fmt(s), start: fmt(s), end: fmt(s + 30 * DAY_MS) });
  return out;
}
