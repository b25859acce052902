import { join } from 'node:path';
import { graceMonths, isGridError, missingMonths, openNetcdf, thirtyDayWindows } from '@twsa/grid';
import { haveRealData, realDataPath } from '../../../test-support/real-data.js';

const REAL = realDataPath();
const STACK = join(REAL, 'grace_jpl_rl06v03_land', 'jpl_rl06v03_lnd_northamerica_1deg_200204-201912.nc');
const haveReal = haveRealData(STACK);

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('graceMonths', () => {
  it('assigns the calendar month of the window mid-point and disambiguates duplicates by start', () => {
    const recs = graceMonths({
      timeBounds: [
        ['2002-04-04', '2002-05-01'],
        ['2012-01-01', '2012-02-01'],
        ['2011-12-17', '2012-01-16'],
        ['2011-10-17', '2011-11-16'],
      ],
    });
    expect(recs.map((r) => r.id)).toEqual(['2002-04', '2012-01b', '2012-01a', '2011-11']);
    expect(recs[0]).toEqual({
      index: 0,
      id: '2002-04',
      yearMonth: '2002-04',
      start: '2002-04-04',
      end: '2002-05-01',
      mid: '2002-04-17T12:00:00Z',
      days: 27,
    });
    expect(recs[2]!.mid).toBe('2012-01-01');
  });

  it('throws GridArgumentError when time bounds are missing, invalid or reversed', () => {
    expect(
      isGridError(
        thrown(() => graceMonths({})),
        'GridArgumentError',
      ),
    ).toBe(true);
    const bad = thrown(() =>
      graceMonths({
        timeBounds: [
          ['2002-04-04', '2002-05-01'],
          ['2002-02-30', '2002-03-01'],
        ],
      }),
    );
    expect(isGridError(bad, 'GridArgumentError')).toBe(true);
    expect((bad as Error).message).toMatch(/timeBounds\[1\]\[0\]/);
    expect(
      isGridError(
        thrown(() => graceMonths({ timeBounds: [['2002-05-01', '2002-04-01']] })),
        'GridArgumentError',
      ),
    ).toBe(true);
  });

  (haveReal ? it : it.skip)(
    'real JPL stack: 180 records, 158 in 2002-04..2016-12 covering 156 months, ids and mid-points as in the file',
    async () => {
      const h = await openNetcdf(STACK);
      try {
        const recs = graceMonths(h);
        expect(recs).toHaveLength(180);
        const paper = recs.filter((r) => r.yearMonth >= '2002-04' && r.yearMonth <= '2016-12');
        expect(paper).toHaveLength(158);
        expect(new Set(paper.map((r) => r.yearMonth)).size).toBe(156);
        expect(recs.filter((r) => r.id !== r.yearMonth).map((r) => r.id)).toEqual([
          '2012-01a',
          '2012-01b',
          '2015-04a',
          '2015-04b',
        ]);
        expect(new Set(recs.map((r) => r.id)).size).toBe(180);
        const yearMonth = h.frameVariables.year_month!;
        recs.forEach((r, i) => {
          expect(r.yearMonth.replace('-', '')).toBe(String(yearMonth[i]));
          expect(Date.parse(r.mid)).toBe(Date.parse(h.times[i]!));
        });
        // the months PROVENANCE.md lists as missing
        expect(missingMonths(recs, '2002-04', '2019-12')).toEqual([
          '2002-06',
          '2002-07',
          '2003-06',
          '2011-01',
          '2011-06',
          '2011-12',
          '2012-05',
          '2012-10',
          '2013-03',
          '2013-08',
          '2013-09',
          '2014-02',
          '2014-07',
          '2014-12',
          '2015-05',
          '2015-06',
          '2015-10',
          '2015-11',
          '2016-04',
          '2016-09',
          '2016-10',
          '2017-02',
          '2017-07',
          '2017-08',
          '2017-09',
          '2017-10',
          '2017-11',
          '2017-12',
          '2018-01',
          '2018-02',
          '2018-03',
          '2018-04',
          '2018-05',
          '2018-08',
          '2018-09',
        ]);
      } finally {
        h.close();
      }
    },
  );
});

describe('missingMonths', () => {
  it('lists calendar months without a record, both ends inclusive, across years', () => {
    expect(missingMonths([{ yearMonth: '2002-11' }, { yearMonth: '2003-02' }], '2002-11', '2003-02')).toEqual([
      '2002-12',
      '2003-01',
    ]);
    expect(missingMonths([], '2002-04', '2002-04')).toEqual(['2002-04']);
  });
  it('throws GridArgumentError for malformed or reversed months', () => {
    expect(
      isGridError(
        thrown(() => missingMonths([], '2002-13', '2003-01')),
        'GridArgumentError',
      ),
    ).toBe(true);
    expect(
      isGridError(
        thrown(() => missingMonths([], '2003-01', '2002-01')),
        'GridArgumentError',
      ),
    ).toBe(true);
  });
});

describe('thirtyDayWindows', () => {
  it('tiles 1979-01-01 .. 2002-04-01 with 283 full 30-day windows', () => {
    const w = thirtyDayWindows('1979-01-01', '2002-04-01');
    expect(w).toHaveLength(283);
    expect(w[0]).toEqual({ id: '1979-01-01', start: '1979-01-01', end: '1979-01-31' });
    expect(w[282]!.end).toBe('2002-03-31');
    for (let k = 1; k < w.length; k++) expect(w[k]!.start).toBe(w[k - 1]!.end);
  });
  it('returns no window when the span is shorter than 30 days, and throws for reversed dates', () => {
    expect(thirtyDayWindows('2001-01-01', '2001-01-30')).toEqual([]);
    expect(
      isGridError(
        thrown(() => thirtyDayWindows('2001-02-01', '2001-01-01')),
        'GridArgumentError',
      ),
    ).toBe(true);
    expect(
      isGridError(
        thrown(() => thirtyDayWindows('yesterday', '2001-01-01')),
        'GridArgumentError',
      ),
    ).toBe(true);
  });
});
