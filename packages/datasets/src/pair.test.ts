import { createGrid, createStack } from '@twsa/grid';
import { pairMonthly, describePairs } from './pair.js';
import { isDatasetsError } from './errors.js';
import { caught } from '../../../test-support/caught.js';
import { SMALL_GRID, calendar, graceLike, lsmOnWindows } from '../test/helpers.js';

describe('pairMonthly', () => {
  const grace = graceLike((i, k) => i * 100 + k);
  const lsm = lsmOnWindows(grace, (i, k) => -(i * 100 + k));

  it('makes one sample per GRACE record: 158 on the real calendar 2002-04..2016-12, split 118/40', () => {
    const p = pairMonthly(grace, lsm);
    expect(p.records).toHaveLength(158);
    expect(p.grace.shape).toEqual([158, 4, 5]);
    expect(p.lsm.shape).toEqual([158, 4, 5]);
    expect(p.splits.filter((s) => s === 'test')).toHaveLength(40);
    expect(p.splits.filter((s) => s === 'train')).toHaveLength(118);
    // Frames are aligned record by record.
    expect(p.grace.data[57 * 20 + 3]).toBe(57 * 100 + 3);
    expect(p.lsm.data[57 * 20 + 3]).toBe(-(57 * 100 + 3));
  });

  it('keeps both solutions of a doubled month apart as "a"/"b"', () => {
    const p = pairMonthly(grace, lsm);
    const ids = p.records.map((r) => r.id);
    expect(ids).toEqual(expect.arrayContaining(['2012-01a', '2012-01b', '2015-04a', '2015-04b']));
    expect(ids).not.toContain('2012-01');
    const a = p.records.find((r) => r.id === '2012-01a')!;
    const b = p.records.find((r) => r.id === '2012-01b')!;
    expect(a.start < b.start).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('lists missing months and flags them in the month mask without filling them', () => {
    const p = pairMonthly(grace, lsm);
    expect(p.months[0]).toBe('2002-04');
    expect(p.months[p.months.length - 1]).toBe('2016-12');
    expect(p.months).toHaveLength(177);
    expect(p.missingMonths).toEqual([
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
    ]);
    expect(Array.from(p.monthMask).filter((v) => v === 0)).toHaveLength(p.missingMonths.length);
    expect(p.monthMask[p.months.indexOf('2002-06')]).toBe(0);
    expect(p.monthMask[p.months.indexOf('2002-05')]).toBe(1);
    expect(p.records).toHaveLength(177 - 21 + 2);
  });

  it('restricts to a period and applies the split rule given', () => {
    const full = graceLike((i) => i, { to: '2019-12' });
    const p = pairMonthly(
      full,
      lsmOnWindows(full, (i) => i),
      { start: '2002-04', end: '2016-12' },
    );
    expect(p.records).toHaveLength(158);
    const q = pairMonthly(
      full,
      lsmOnWindows(full, (i) => i),
      {
        start: '2010-01',
        end: '2012-12',
        split: (r) => r.map((x) => (x.yearMonth < '2012-01' ? 'train' : 'validation')),
      },
    );
    expect(q.records[0]!.id).toBe('2010-01');
    expect(describePairs(q).counts).toEqual({ train: 21, validation: 11, test: 0, unused: 0 });
  });

  it('matches calendar-month LSM means with match: "month"', () => {
    const months = calendar().map((w) => w.yearMonth);
    const unique = [...new Set(months)];
    const data = new Float32Array(unique.length * 20).map((_, j) => Math.floor(j / 20));
    const monthly = createStack(data, {
      shape: [unique.length, 4, 5],
      bounds: SMALL_GRID.bounds,
      crs: SMALL_GRID.crs,
      units: 'mm',
      times: unique.map((m) => `${m}-15`),
    });
    const p = pairMonthly(grace, monthly, { match: 'month' });
    expect(p.records).toHaveLength(158);
    const ia = p.records.findIndex((r) => r.id === '2012-01a');
    expect(p.lsm.data[ia * 20]).toBe(p.lsm.data[(ia + 1) * 20]); // both solutions share the month's LSM frame
  });

  it('derives a land mask from GRACE when none is given, and checks a given one', async () => {
    const holes = graceLike((i, k) => (k === 0 ? Number.NaN : i));
    const p = pairMonthly(
      holes,
      lsmOnWindows(holes, (i) => i),
    );
    expect(p.mask.data[0]).toBe(0);
    expect(p.mask.data[1]).toBe(1);
    const wrong = createGrid(new Float32Array(4), { shape: [2, 2], bounds: [0, 0, 1, 1], crs: 'EPSG:4326' });
    expect(isDatasetsError(await caught(() => pairMonthly(grace, lsm, { mask: wrong })), 'DatasetsMismatchError')).toBe(
      true,
    );
  });

  describe('bad input', () => {
    it('mismatched grids → DatasetsMismatchError naming both grids', async () => {
      const other = graceLike((i) => i, { spec: { ...SMALL_GRID, bounds: [112_000, 0, 6 * 112_000, 4 * 112_000] } });
      const e = await caught(() => pairMonthly(grace, other));
      expect(isDatasetsError(e, 'DatasetsMismatchError')).toBe(true);
      expect((e as Error).message).toMatch(/different grids/);
    });
    it('different units → DatasetsMismatchError', async () => {
      expect(
        isDatasetsError(
          await caught(() =>
            pairMonthly(
              grace,
              lsmOnWindows(grace, () => 0, { units: 'm' }),
            ),
          ),
          'DatasetsMismatchError',
        ),
      ).toBe(true);
    });
    it('GRACE without timeBounds → DatasetsCalendarError', async () => {
      const { timeBounds: _drop, ...noBounds } = grace;
      void _drop;
      expect(isDatasetsError(await caught(() => pairMonthly(noBounds, lsm)), 'DatasetsCalendarError')).toBe(true);
    });
    it('an LSM lacking a GRACE window → DatasetsCalendarError listing it', async () => {
      const shifted = {
        ...lsm,
        timeBounds: lsm.timeBounds!.map((b, i): [string, string] =>
          i === 10 ? ['1999-01-01', '1999-02-01'] : [b[0], b[1]],
        ),
      };
      const e = await caught(() => pairMonthly(grace, shifted));
      expect(isDatasetsError(e, 'DatasetsCalendarError')).toBe(true);
      expect((e as Error).message).toContain(grace.timeBounds![10]![0]);
    });
    it('empty overlap → DatasetsOverlapError', async () => {
      const old = createStack(new Float32Array(2 * 20), {
        shape: [2, 4, 5],
        bounds: SMALL_GRID.bounds,
        crs: SMALL_GRID.crs,
        units: 'mm',
        times: ['1980-01-16', '1980-02-15'],
        timeBounds: [
          ['1980-01-01', '1980-01-31'],
          ['1980-01-31', '1980-03-01'],
        ],
      });
      expect(isDatasetsError(await caught(() => pairMonthly(grace, old)), 'DatasetsOverlapError')).toBe(true);
      expect(
        isDatasetsError(
          await caught(() => pairMonthly(grace, lsm, { start: '1990-01', end: '1990-12' })),
          'DatasetsOverlapError',
        ),
      ).toBe(true);
    });
    it('an all-NaN frame → DatasetsEmptyError naming the record', async () => {
      const nanFrame = graceLike((i) => (i === 5 ? Number.NaN : 1));
      const e = await caught(() => pairMonthly(nanFrame, lsm));
      expect(isDatasetsError(e, 'DatasetsEmptyError')).toBe(true);
      expect((e as Error).message).toContain(calendar()[5]!.yearMonth);
      const nanLsm = lsmOnWindows(grace, (i) => (i === 7 ? Number.NaN : 1));
      expect(isDatasetsError(await caught(() => pairMonthly(grace, nanLsm)), 'DatasetsEmptyError')).toBe(true);
    });
    it('non-stacks, malformed options and unordered times → DatasetsArgumentError / DatasetsCalendarError', async () => {
      expect(isDatasetsError(await caught(() => pairMonthly({} as never, lsm)), 'DatasetsArgumentError')).toBe(true);
      expect(
        isDatasetsError(await caught(() => pairMonthly(grace, lsm, { start: '2002-4' })), 'DatasetsArgumentError'),
      ).toBe(true);
      expect(
        isDatasetsError(
          await caught(() => pairMonthly(grace, lsm, { match: 'day' as never })),
          'DatasetsArgumentError',
        ),
      ).toBe(true);
      expect(
        isDatasetsError(
          await caught(() => pairMonthly(grace, lsm, { split: () => ['train'] })),
          'DatasetsArgumentError',
        ),
      ).toBe(true);
      const reversed = { ...grace, times: [...grace.times].reverse() };
      expect(isDatasetsError(await caught(() => pairMonthly(reversed, lsm)), 'DatasetsCalendarError')).toBe(true);
    });
  });
});

describe('describePairs', () => {
  it('counts per split, split blocks, missing and doubled months', () => {
    const grace = graceLike((i) => i);
    const d = describePairs(
      pairMonthly(
        grace,
        lsmOnWindows(grace, (i) => i),
      ),
    );
    expect(d.total).toBe(158);
    expect(d.counts).toEqual({ train: 118, validation: 0, test: 40, unused: 0 });
    expect(d.blocks).toEqual([
      { split: 'test', from: '2002-04', to: '2004-02', records: 20 },
      { split: 'train', from: '2004-03', to: '2014-09', records: 118 },
      { split: 'test', from: '2014-10', to: '2016-12', records: 20 },
    ]);
    expect(d.duplicatedMonths).toEqual(['2012-01', '2015-04']);
    expect(d.missingMonths).toHaveLength(21);
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
  });
});
