import { decodeCfTimes, isoDate, isoDateTime, parseCfTimeUnit } from './time-decode.js';
import { isGridError } from './errors.js';

describe('parseCfTimeUnit', () => {
  it.each([
    ['days since 2002-01-01T00:00:00', 'days', Date.UTC(2002, 0, 1)],
    ['days since 2002-1-1', 'days', Date.UTC(2002, 0, 1)],
    ['hours since 1970-01-02 06:30', 'hours', Date.UTC(1970, 0, 2, 6, 30)],
    ['seconds since 2000-01-01 00:00:00 UTC', 'seconds', Date.UTC(2000, 0, 1)],
    ['minutes since 2000-01-01T00:00:00Z', 'minutes', Date.UTC(2000, 0, 1)],
    ['days since 2000-01-01 00:00:00 +06:00', 'days', Date.UTC(1999, 11, 31, 18)],
    ['months since 2002-04-01 00:00:00', 'months', Date.UTC(2002, 3, 1)],
    ['days since 0001-01-01', 'days', Date.UTC(2000, 0, 1) - 730119 * 86_400_000],
  ])('%s', (units, unit, epoch) => {
    const parsed = parseCfTimeUnit(units);
    expect(parsed.unit).toBe(unit);
    expect(parsed.epochMs).toBe(epoch);
  });
  it.each(['days', 'fortnights since 2000-01-01', 'days since yesterday', 'days since 2000-13-01'])(
    'rejects %s with GridFormatError naming the field',
    (units) => {
      let caught: unknown;
      try {
        parseCfTimeUnit(units, { file: 'f.nc', field: 'time' });
      } catch (error) {
        caught = error;
      }
      expect(isGridError(caught, 'GridFormatError')).toBe(true);
      expect((caught as { field?: string }).field).toBe('time:units');
      expect((caught as Error).message).toContain('f.nc');
    },
  );
});

describe('decodeCfTimes', () => {
  it('decodes GRACE mid-points and window bounds', () => {
    const t = decodeCfTimes([106.5, 93, 120], 'days since 2002-01-01T00:00:00', { calendar: 'gregorian' });
    expect(t.map(isoDateTime)).toEqual(['2002-04-17T12:00:00Z', '2002-04-04T00:00:00Z', '2002-05-01T00:00:00Z']);
  });
  it('counts calendar months for "months since" (CDO) and clamps the day', () => {
    expect(
      decodeCfTimes([0, 1, 8, 12, -1], 'months since 2002-04-01 00:00:00', { calendar: 'proleptic_gregorian' }).map(
        isoDate,
      ),
    ).toEqual(['2002-04-01', '2002-05-01', '2002-12-01', '2003-04-01', '2002-03-01']);
    expect(decodeCfTimes([1], 'months since 2004-01-31').map(isoDate)).toEqual(['2004-02-29']);
  });
  it('rejects fractional months and unknown calendars', () => {
    expect(() => decodeCfTimes([0.5], 'months since 2000-01-01')).toThrow(/not a whole number of months/);
    expect(() => decodeCfTimes([0], 'days since 2000-01-01', { calendar: '360_day' })).toThrow(
      /Unsupported time:calendar '360_day'/,
    );
  });
  it('handles the noleap calendar (no 29 February)', () => {
    // 2000-02-28 + 1 day on a 365-day calendar is 2000-03-01.
    expect(decodeCfTimes([58, 59, 365], 'days since 2000-01-01', { calendar: 'noleap' }).map(isoDate)).toEqual([
      '2000-02-28',
      '2000-03-01',
      '2001-01-01',
    ]);
  });
  it('gives NaN for non-finite values', () => {
    expect(decodeCfTimes([Number.NaN], 'days since 2000-01-01')).toEqual([Number.NaN]);
  });
});

describe('iso formatting', () => {
  it('drops zero milliseconds and uses dates at midnight', () => {
    expect(isoDateTime(Date.UTC(2002, 3, 17, 12))).toBe('2002-04-17T12:00:00Z');
    expect(isoDateTime(Date.UTC(2002, 3, 17, 12, 0, 0, 5))).toBe('2002-04-17T12:00:00.005Z');
    expect(isoDate(Date.UTC(2002, 3, 4))).toBe('2002-04-04');
    expect(isoDate(Date.UTC(1969, 11, 31))).toBe('1969-12-31');
    expect(isoDate(Date.UTC(2002, 3, 4, 1))).toBe('2002-04-04T01:00:00Z');
  });
});
