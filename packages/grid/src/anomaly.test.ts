import { anomalies, createStack, isGridError, readNetcdf, PAPER_BASELINE } from '@twsa/grid';
import { haveRealData, realDataPath } from '../../../test-support/real-data.js';

const STACK = realDataPath('grace_jpl_rl06v03_land', 'jpl_rl06v03_lnd_northamerica_1deg_200204-201912.nc');
const haveReal = haveRealData(STACK);

describe('anomalies', () => {
  const s = createStack(new Float32Array([1, 10, 3, Number.NaN, 5, 30, 100, 7]), {
    shape: [4, 1, 2],
    bounds: [0, 0, 2, 1],
    crs: 'EPSG:4326',
    times: ['2002-04-17', '2002-05-10', '2016-12-16', '2020-01-16'],
    timeBounds: [
      ['2002-04-04', '2002-05-01'],
      ['2002-05-02', '2002-05-19'],
      ['2016-12-01', '2017-01-01'],
      ['2020-01-01', '2020-02-01'],
    ],
    attributes: { source: 'test' },
  });

  it('removes the per-pixel mean of the frames whose window mid-point is in the baseline (hand-computed)', () => {
    const a = anomalies(s, { baseline: PAPER_BASELINE });
    // pixel 0: baseline frames 0-2 → mean (1 + 3 + 5) / 3 = 3; pixel 1: (10 + 30) / 2 = 20 (NaN skipped)
    expect(Array.from(a.data)).toEqual([-2, -10, 0, Number.NaN, 2, 10, 97, -13]);
    expect(a.attributes).toMatchObject({ source: 'test', baseline: '2002-04-01/2017-01-01', baseline_frames: 3 });
    expect(a.timeBounds).toEqual(s.timeBounds);
    expect(s.data[0]).toBe(1); // input untouched
  });

  it('uses times when there are no time bounds, and any baseline', () => {
    const { timeBounds: _omit, ...noBounds } = s;
    void _omit;
    const a = anomalies(noBounds, { baseline: ['2016-01-01', '2021-01-01'] });
    expect(Array.from(a.data.subarray(0, 2))).toEqual([1 - 52.5, 10 - 18.5]);
  });

  it('a pixel without valid baseline values becomes NaN; GridEmptyError when no frame is in the baseline', () => {
    const t = createStack(new Float32Array([Number.NaN, 1, 2, 3]), {
      shape: [2, 1, 2],
      bounds: [0, 0, 2, 1],
      crs: 'EPSG:4326',
      times: ['2002-04-17', '2020-01-16'],
    });
    const a = anomalies(t, { baseline: ['2002-01-01', '2003-01-01'] });
    expect(Number.isNaN(a.data[0]!)).toBe(true);
    expect(Number.isNaN(a.data[2]!)).toBe(true);
    expect(a.data[3]).toBe(2);
    let err: unknown;
    try {
      anomalies(t, { baseline: ['1990-01-01', '1991-01-01'] });
    } catch (e) {
      err = e;
    }
    expect(isGridError(err, 'GridEmptyError')).toBe(true);
    err = undefined;
    try {
      anomalies(t, { baseline: ['2003-01-01', '2002-01-01'] });
    } catch (e) {
      err = e;
    }
    expect(isGridError(err, 'GridArgumentError')).toBe(true);
  });

  (haveReal ? it : it.skip)(
    'real JPL stack: the product already has its 2005-2010 mean removed, so that baseline changes it by < 1e-6 m',
    async () => {
      const stack = await readNetcdf(STACK);
      const a = anomalies(stack, { baseline: ['2005-01-01', '2011-01-01'] });
      expect(a.attributes!.baseline_frames).toBe(72);
      let worst = 0;
      for (let i = 0; i < stack.data.length; i++)
        if (!Number.isNaN(stack.data[i]!)) worst = Math.max(worst, Math.abs(a.data[i]! - stack.data[i]!));
      expect(worst).toBeLessThan(1e-6);
      // against the paper's baseline the shift is real (non-zero) and the new 2002-04..2016-12 mean is zero
      const p = anomalies(stack, { baseline: PAPER_BASELINE });
      expect(p.attributes!.baseline_frames).toBe(158);
      const [nt, rows, cols] = p.shape;
      const size = rows * cols;
      const inPaper = stack.timeBounds!.map(([b0, b1]) => {
        const m = (Date.parse(b0) + Date.parse(b1)) / 2;
        return m >= Date.parse('2002-04-01') && m < Date.parse('2017-01-01');
      });
      let shifted = 0,
        worstMean = 0;
      for (let i = 0; i < size; i++) {
        if (Number.isNaN(p.data[i]!)) continue;
        let sum = 0,
          n = 0;
        for (let t = 0; t < nt; t++)
          if (inPaper[t] && !Number.isNaN(p.data[t * size + i]!)) {
            sum += p.data[t * size + i]!;
            n++;
          }
        worstMean = Math.max(worstMean, Math.abs(sum / n));
        if (Math.abs(p.data[i]! - stack.data[i]!) > 1e-4) shifted++;
      }
      expect(worstMean).toBeLessThan(1e-6);
      expect(shifted).toBeGreaterThan(100);
    },
  );
});
