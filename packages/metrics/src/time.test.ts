import { decimalYear, isMetricsError } from '@twsa/metrics';

describe('decimalYear', () => {
  it('handles leap years, date-only, month-only and offsets', () => {
    expect(decimalYear('2004-07-01T12:00:00Z')).toBeCloseTo(2004 + 182.5 / 366, 12);
    expect(decimalYear('2003-07-02T12:00:00Z')).toBeCloseTo(2003.5, 12);
    expect(decimalYear('2002-04')).toBe(decimalYear('2002-04-01'));
    expect(decimalYear('2002-04-16T02:00:00+02:00')).toBe(decimalYear('2002-04-16T00:00:00Z'));
    expect(decimalYear('2002-04-16T00:00:00')).toBe(decimalYear('2002-04-16'));
  });
  it('rejects non-dates with a typed error', () => {
    for (const bad of ['', 'April 2002', '2002-13-45', 2002 as unknown as string]) {
      let err: unknown;
      try {
        decimalYear(bad);
      } catch (e) {
        err = e;
      }
      expect(isMetricsError(err, 'MetricsArgumentError')).toBe(true);
    }
  });
});
