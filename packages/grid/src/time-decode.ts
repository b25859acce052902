/**
 * Decoding of CF time coordinates (`<unit> since <date>`) into ISO 8601 UTC strings, and back.
 */
import { GridFormatError } from './errors.js';

/** Calendars {@link decodeCfTimes} understands. */
export const CF_CALENDARS = ['standard', 'gregorian', 'proleptic_gregorian', 'noleap', '365_day'] as const;

/** Options of {@link decodeCfTimes}. */
export interface DecodeCfTimesOptions {
  /** The CF `calendar` attribute. Default `"standard"`. */
  readonly calendar?: string;
  /** File named in errors. */
  readonly file?: string;
  /** Variable named in errors. Default `"time"`. */
  readonly field?: string;
}

const UNIT_MS: Readonly<Record<string, number>> = {
  day: 86_400_000,
  days: 86_400_000,
  d: 86_400_000,
  hour: 3_600_000,
  hours: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  h: 3_600_000,
  minute: 60_000,
  minutes: 60_000,
  min: 60_000,
  mins: 60_000,
  second: 1000,
  seconds: 1000,
  sec: 1000,
  secs: 1000,
  s: 1000,
};

/** A parsed CF time unit. */
export interface CfTimeUnit {
  /** `"days"`, `"hours"`, `"minutes"`, `"seconds"` or `"months"` (calendar months, CDO style). */
  readonly unit: 'days' | 'hours' | 'minutes' | 'seconds' | 'months';
  /** Epoch milliseconds (UTC, proleptic Gregorian) of the reference date. */
  readonly epochMs: number;
}

/**
 * Parses a CF time unit string such as `"days since 2002-01-01T00:00:00"` or `"months since 2002-04-01 00:00:00"`.
 *
 * ## Method
 * `<unit> since <YYYY-M-D>[( |T)h:m[:s[.f]]][Z| UTC|±hh[:mm]]`; the offset, when present, is removed to give UTC.
 * @throws {@link GridFormatError} naming the file and variable when the string does not parse.
 * @example
 * ```ts
 * parseCfTimeUnit("hours since 1970-01-02").epochMs; // => 86400000
 * ```
 */
export function parseCfTimeUnit(units: string, options: DecodeCfTimesOptions = {}): CfTimeUnit {
  const field = options.field ?? 'time';
  const fail = (why: string): never => {
    throw new GridFormatError(
      `Cannot decode ${field}:units = '${units}'${options.file ? ` in ${options.file}` : ''}: ${why}; expected '<days|hours|minutes|seconds|months> since YYYY-MM-DD[ hh:mm:ss]'`,
      { ...(options.file !== undefined ? { file: options.file } : {}), field: `${field}:units` },
    );
  };
  if (typeof units !== 'string') return fail('no units attribute');
  const m =
    /^\s*([a-zA-Z]+)\s+since\s+(-?\d{1,4})-(\d{1,2})-(\d{1,2})(?:[T\s]+(\d{1,2}):(\d{1,2})(?::(\d{1,2}(?:\.\d*)?))?)?\s*(Z|UTC|GMT|[+-]\d{1,2}(?::?\d{2})?)?\s*$/i.exec(
      units,
    );
  if (!m) return fail('not of the form <unit> since <date>');
  const word = m[1]!.toLowerCase();
  let unit: CfTimeUnit['unit'];
  if (word === 'month' || word === 'months') unit = 'months';
  else if (UNIT_MS[word] === 86_400_000) unit = 'days';
  else if (UNIT_MS[word] === 3_600_000) unit = 'hours';
  else if (UNIT_MS[word] === 60_000) unit = 'minutes';
  else if (UNIT_MS[word] === 1000) unit = 'seconds';
  else return fail(`unknown time unit '${m[1]}'`);
  const [year, month, day] = [Number(m[2]), Number(m[3]), Number(m[4])];
  const [hour, minute, second] = [Number(m[5] ?? 0), Number(m[6] ?? 0), Number(m[7] ?? 0)];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second >= 61)
    return fail('reference date out of range');
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, 0, 0);
  let epochMs = date.getTime() + Math.round(second * 1000);
  const zone = m[8];
  if (zone && /^[+-]/.test(zone)) {
    const z = /^([+-])(\d{1,2}):?(\d{2})?$/.exec(zone)!;
    const offsetMin = (Number(z[2]) * 60 + Number(z[3] ?? 0)) * (z[1] === '-' ? -1 : 1);
    epochMs -= offsetMin * 60_000;
  }
  return { unit, epochMs };
}

/**
 * Decodes CF time values into epoch milliseconds (UTC).
 *
 * ## Method
 * For `standard`, `gregorian` and `proleptic_gregorian`: t = epoch(reference) + value × unit length (dates are
 * treated as proleptic Gregorian, exact for every date after 1582-10-15). `months since` counts calendar months
 * (CDO convention) and requires whole-month values. For `noleap`/`365_day`: days are counted on a 365-day
 * calendar from the reference and mapped to the real calendar date (29 February never occurs).
 * @param values - raw time values.
 * @param units - the CF `units` attribute.
 * @param options - calendar, file and variable for errors.
 * @returns epoch milliseconds per value (NaN for non-finite input values).
 * @throws {@link GridFormatError} for unparseable units, unsupported calendars or fractional months.
 * @example
 * ```ts
 * decodeCfTimes([106.5], "days since 2002-01-01T00:00:00").map(isoDateTime); // => ["2002-04-17T12:00:00Z"]
 * ```
 */
export function decodeCfTimes(values: ArrayLike<number>, units: string, options: DecodeCfTimesOptions = {}): number[] {
  const field = options.field ?? 'time';
  const parsed = parseCfTimeUnit(units, options);
  const calendar = (options.calendar ?? 'standard').trim().toLowerCase();
  const where = { ...(options.file !== undefined ? { file: options.file } : {}), field: `${field}:calendar` };
  if (!(CF_CALENDARS as readonly string[]).includes(calendar)) {
    throw new GridFormatError(
      `Unsupported ${field}:calendar '${options.calendar}'${options.file ? ` in ${options.file}` : ''}: expected one of ${CF_CALENDARS.join(', ')}`,
      where,
    );
  }
  const out = new Array<number>(values.length);
  const noLeap = calendar === 'noleap' || calendar === '365_day';
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) {
      out[i] = Number.NaN;
      continue;
    }
    if (parsed.unit === 'months') {
      if (!Number.isInteger(v)) {
        throw new GridFormatError(
          `${field}[${i}] = ${v} ${units}${options.file ? ` in ${options.file}` : ''} is not a whole number of months; fractional calendar months are ambiguous`,
          { ...where, field },
        );
      }
      const d = new Date(parsed.epochMs);
      const target = d.getUTCMonth() + v;
      const y = d.getUTCFullYear() + Math.floor(target / 12);
      const mo = ((target % 12) + 12) % 12;
      const dim = daysInMonth(y, mo, noLeap);
      const r = new Date(parsed.epochMs);
      r.setUTCFullYear(y, mo, Math.min(d.getUTCDate(), dim));
      out[i] = r.getTime();
      continue;
    }
    const ms =
      v *
      (parsed.unit === 'days'
        ? 86_400_000
        : parsed.unit === 'hours'
          ? 3_600_000
          : parsed.unit === 'minutes'
            ? 60_000
            : 1000);
    out[i] = noLeap ? addNoLeap(parsed.epochMs, ms) : parsed.epochMs + ms;
  }
  return out;
}

function daysInMonth(year: number, month0: number, noLeap: boolean): number {
  if (month0 === 1 && noLeap) return 28;
  return new Date(Date.UTC(year, month0 + 1, 0)).getUTCDate();
}

/** Adds `ms` to `epochMs` on a 365-day calendar and returns the real-calendar epoch of the same Y-M-D h:m:s. */
function addNoLeap(epochMs: number, ms: number): number {
  const ref = new Date(epochMs);
  const dayMs = 86_400_000;
  const cum = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
  const refMonth = ref.getUTCMonth();
  const refDay = Math.min(ref.getUTCDate(), refMonth === 1 ? 28 : 31);
  const refDoy = cum[refMonth]! + refDay - 1;
  const refTimeOfDay = epochMs - Date.UTC(ref.getUTCFullYear(), refMonth, ref.getUTCDate());
  const totalMs = (ref.getUTCFullYear() * 365 + refDoy) * dayMs + refTimeOfDay + ms;
  const totalDays = Math.floor(totalMs / dayMs);
  const timeOfDay = totalMs - totalDays * dayMs;
  const year = Math.floor(totalDays / 365);
  let doy = totalDays - year * 365;
  let month = 0;
  while (month < 11 && doy >= cum[month + 1]!) month++;
  doy -= cum[month]!;
  const d = new Date(0);
  d.setUTCFullYear(year, month, doy + 1);
  return d.getTime() + timeOfDay;
}

/**
 * Formats epoch milliseconds as an ISO 8601 UTC date-time without milliseconds unless they are non-zero.
 * @example
 * ```ts
 * isoDateTime(Date.UTC(2002, 3, 17, 12)); // => "2002-04-17T12:00:00Z"
 * ```
 */
export function isoDateTime(epochMs: number): string {
  const s = new Date(epochMs).toISOString();
  return s.endsWith('.000Z') ? `${s.slice(0, -5)}Z` : s;
}

/**
 * Formats epoch milliseconds as an ISO date (`YYYY-MM-DD`) when it falls on midnight UTC, else as {@link isoDateTime}.
 * @example
 * ```ts
 * isoDate(Date.UTC(2002, 3, 4)); // => "2002-04-04"
 * ```
 */
export function isoDate(epochMs: number): string {
  return epochMs % 86_400_000 === 0 ? new Date(epochMs).toISOString().slice(0, 10) : isoDateTime(epochMs);
}
