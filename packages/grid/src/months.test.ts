import {
  dayIsoDate,
  dayNumber,
  isYearMonth,
  monthIndex,
  monthKey,
  monthRange,
  monthStartDay,
  yearMonthOf,
} from './months.js';

describe('month keys and day numbers', () => {
  it('adds months across year ends and lists ranges inclusively', () => {
    expect(monthKey(monthIndex('2002-11') + 3)).toBe('2003-02');
    expect(monthKey(monthIndex('2003-01') - 1)).toBe('2002-12');
    expect(monthRange('2002-11', '2003-02')).toEqual(['2002-11', '2002-12', '2003-01', '2003-02']);
    expect(monthRange('2003-02', '2002-11')).toEqual([]);
  });
  it('validates keys and reads months of ISO dates', () => {
    expect(['2002-04', '2002-13', '2002-4', 200204].map(isYearMonth)).toEqual([true, false, false, false]);
    expect(yearMonthOf('2002-04-17T12:00:00Z')).toBe('2002-04');
  });
  it('converts between ISO dates and UTC day numbers', () => {
    expect(dayNumber('1970-01-02')).toBe(1);
    expect(dayNumber('1970-01-01T18:00:00Z')).toBe(0.75);
    expect(dayNumber('not a date')).toBeNaN();
    expect(dayIsoDate(dayNumber('2002-04-17') + 0.75)).toBe('2002-04-17');
    expect(dayIsoDate(monthStartDay('2004-02'))).toBe('2004-02-01');
    expect(monthStartDay('2004-03') - monthStartDay('2004-02')).toBe(29);
  });
});
