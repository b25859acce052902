import {
  ensembleMeanAndSpread,
  ensembleRow,
  formatEnsembleTable1Csv,
  formatEnsembleTable1Markdown,
  meanAndSd,
  scoresOf,
  type EnsembleTable1,
} from './ensemble-table1.js';
import type { Table1Row } from './table1.js';

const row = (rmseMm: number, cc: number, extra: object = {}): Table1Row =>
  ({
    key: 'seunet',
    label: 'SEUNet',
    params: 100,
    preset: 'tiny',
    rmseMm,
    cc,
    seriesRmseMm: rmseMm / 2,
    seriesCc: cc,
    testMonths: 40,
    paper: { rmseMm: 64, cc: 0.96 },
    ...extra,
  }) as Table1Row;

describe('ensemble Table 1', () => {
  test('scores are the numeric fields, nested ones too, without parameters and paper values', () => {
    expect(scoresOf(row(10, 0.9, { deseasonalised: { rmseMm: 5, cc: 0.5 } }))).toEqual({
      rmseMm: 10,
      cc: 0.9,
      seriesRmseMm: 5,
      seriesCc: 0.9,
      deseasonalised: { rmseMm: 5, cc: 0.5 },
    });
  });

  test('mean and sample sd per field; null where a member is not finite or with one member', () => {
    const { mean, sd } = meanAndSd([
      { a: 1, b: 2, n: { c: 0 } },
      { a: 3, b: Number.NaN, n: { c: 4 } },
    ]);
    expect(mean).toEqual({ a: 2, b: null, n: { c: 2 } });
    expect(sd['a']).toBeCloseTo(Math.SQRT2, 12);
    expect((sd['n'] as { c: number }).c).toBeCloseTo(2 * Math.SQRT2, 12);
    expect(meanAndSd([{ a: 1 }]).sd).toEqual({ a: null });
    expect(() => meanAndSd([])).toThrow(/no member/);
  });

  test('a model row holds the mean over seeds, its sd, the members and the ensemble-mean scores', () => {
    const r = ensembleRow(
      [
        { seed: 43, row: row(12, 0.8) },
        { seed: 42, row: row(10, 0.9) },
      ],
      row(9, 0.95),
    );
    expect(r.rmseMm).toBe(11);
    expect(r.cc).toBeCloseTo(0.85, 12);
    expect(r.params).toBe(100);
    expect(r.ensemble?.seeds).toEqual([42, 43]);
    expect(r.ensemble?.members.map((m) => m.rmseMm)).toEqual([10, 12]);
    expect(r.ensemble?.sd['rmseMm']).toBeCloseTo(Math.SQRT2, 12);
    expect(r.ensemble?.ensembleMean).toMatchObject({ rmseMm: 9, cc: 0.95 });
    expect(() => ensembleRow([{ seed: 1, row: { ...row(1, 1), key: 'dcae' } }], row(1, 1))).toThrow(/dcae member/);
  });

  test('ensemble mean and spread per element; NaN stays NaN; one member has no spread', () => {
    const { mean, spread } = ensembleMeanAndSpread([
      Float32Array.from([1, Number.NaN, 2]),
      Float32Array.from([3, 0, 2]),
    ]);
    expect(Array.from(mean)).toEqual([2, Number.NaN, 2]);
    expect(spread[0]).toBeCloseTo(Math.SQRT2, 6);
    expect(spread[1]).toBeNaN();
    expect(spread[2]).toBe(0);
    expect(ensembleMeanAndSpread([Float32Array.from([1])]).spread[0]).toBeNaN();
    expect(() => ensembleMeanAndSpread([new Float32Array(2), new Float32Array(3)])).toThrow(/different lengths/);
  });

  test('Markdown shows mean ± sd and the ensemble-mean columns; CSV lists every member', () => {
    const lsm = { ...row(98, 0.9), key: 'lsm', label: 'LSM baseline', params: null, preset: null };
    const table: EnsembleTable1 = {
      rows: [
        lsm,
        ensembleRow(
          [
            { seed: 42, row: row(10, 0.9) },
            { seed: 43, row: row(12, 0.8) },
          ],
          row(9, 0.95),
        ),
      ],
      definition: 'mean of per-pixel scores.',
      dataSource: 'synthetic',
      twinExperiment: true,
      seeds: [42, 43],
    };
    const md = formatEnsembleTable1Markdown(table);
    expect(md).toContain(
      '| SEUNet (tiny) |  | 100 | 11.0 ± 1.4 | 64 | 0.850 ± 0.071 | 0.96 |  |  | 9.0 | 0.950 | 5.5 ± 0.7 | 0.850 ± 0.071 |  |  | 40 |',
    );
    expect(md).toContain('| LSM baseline |  |  | 98.0 | 64 | 0.900 | 0.96 |  |  |  |  | 49.0 | 0.900 |  |  | 40 |');
    const csv = formatEnsembleTable1Csv(table).trim().split('\n');
    expect(csv).toHaveLength(5);
    expect(csv[0]).toMatch(/^model,seed,params,test_rmse_mm,test_rmse_mm_sd,test_cc,test_cc_sd,rmse_gain_pct,/);
    expect(csv[2]).toMatch(/^seunet,mean,100,11\.000,1\.414,0\.8500,0\.0707,/);
    expect(csv[3]).toMatch(/^seunet,42,100,10\.000,,0\.9000,/);
  });
});
