/**
 * Time axes for trends and seasonal fits: decimal years from ISO 8601 dates.
 */
import { MetricsArgumentError } from './errors.js';

/** A time axis: decimal years (or any numeric unit) or ISO 8601 date strings (converted with {@link decimalYear}). */
export type TimeAxis = readonly (number | string)[] | Float64Array | Float32Array;

const ISO_DATE = /^\d{4}-\d{2}(-\d{2})?([T ][0-9:.]+)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Converts an ISO 8601 date (UTC) to a decimal year.
 *
 * ## Method
 * year + (t − Jan 1 00:00 UTC of that year) / (length of that year), so 2001-07-02T12:00Z is 2001.5 and
 * leap years are 366 days long. A date without a time or zone is read as UTC midnight.
 *
 * @param iso - A date such as `"2002-04-16"` or `"2002-04-16T12:00:00Z"` (`"YYYY-MM"` means the 1st).
 * @returns The decimal year.
 * @throws {@link MetricsArgumentError} when `iso` is not an ISO 8601 date.
 * @example
 * ```ts
 * decimalYear("2001-07-02T12:00:00Z"); // => 2001.5
 * decimalYear("2004-01-01"); // => 2004
 * ```
 */
export function decimalYear(iso: string): number {
  if (typeof iso !== 'string' || !ISO_DATE.test(iso.trim()))
    throw new MetricsArgumentError('iso', 'decimalYear', 'an ISO 8601 date such as "2002-04-16"', JSON.stringify(iso));
  let text = iso.trim();
  if (/^\d{4}-\d{2}$/.test(text)) text += '-01';
  if (!/[T ]/.test(text)) text += 'T00:00:00Z';
  else if (!/(Z|[+-]\d{2}:?\d{2})$/.test(text)) text += 'Z';
  const ms = Date.parse(text.replace(' ', 'T'));
  if (!Number.isFinite(ms))
    throw new MetricsArgumentError('iso', 'decimalYear', 'a valid calendar date', JSON.stringify(iso));
  const year = new Date(ms).getUTCFullYear();
  const start = Date.UTC(year, 0, 1);
  const end = Date.UTC(year + 1, 0, 1);
  return year + (ms - start) / (end - start);
}

/**
 * Reads a {@link TimeAxis} of `length` entries into a Float64Array (index 0, 1, … when absent).
 * Throws unless the times are finite and strictly increasing. Internal helper shared by trend and seasonal code.
 */
export function resolveTimes(
  times: TimeAxis | undefined,
  length: number,
  fn: string,
): { times: Float64Array; given: boolean } {
  const out = new Float64Array(length);
  if (times === undefined) {
    for (let i = 0; i < length; i++) out[i] = i;
    return { times: out, given: false };
  }
  if (!Array.isArray(times) && !(times instanceof Float64Array) && !(times instanceof Float32Array)) {
    throw new MetricsArgumentError('times', fn, 'an array of decimal years or ISO dates', typeof times);
  }
  if (times.length !== length)
    throw new MetricsArgumentError('times', fn, `${length} entries (one per time step)`, `${times.length}`);
  for (let i = 0; i < length; i++) {
    const t = times[i]!;
    out[i] = typeof t === 'string' ? decimalYear(t) : t;
    if (!Number.isFinite(out[i]!))
      throw new MetricsArgumentError(`times[${i}]`, fn, 'a finite number or an ISO date', String(t));
    if (i > 0 && !(out[i]! > out[i - 1]!))
      throw new MetricsArgumentError(
        'times',
        fn,
        'strictly increasing',
        `times[${i - 1}] = ${String(times[i - 1])} and times[${i}] = ${String(t)}`,
      );
  }
  return { times: out, given: true };
}
