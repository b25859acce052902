import { sameGrid, CANADA_LCC_110KM, transformer, cellCenter } from '@twsa/grid';
import { syntheticScenario } from './synthetic.js';
import { describePairs } from './pair.js';
import { isDatasetsError } from './errors.js';
import { caught } from '../../../test-support/caught.js';

describe('syntheticScenario', () => {
  // A shorter emulator period keeps the default lane fast; the full 1979 default is exercised once below.
  const quick = { end: '2006-12', emulator: { start: '2001-01' } } as const;

  it('is deterministic for a seed and differs between seeds', async () => {
    const a = await syntheticScenario({ seed: 5, ...quick });
    const b = await syntheticScenario({ seed: 5, ...quick });
    const c = await syntheticScenario({ seed: 6, ...quick });
    expect(Array.from(a.grace.data)).toEqual(Array.from(b.grace.data));
    expect(Array.from(a.lsm.data)).toEqual(Array.from(b.lsm.data));
    expect(Array.from(a.grace.data)).not.toEqual(Array.from(c.grace.data));
  });

  it("has GRACE's real calendar, the paper split, a Canada mask, a spring maximum and regional negative trends", async () => {
    const s = await syntheticScenario({ seed: 1 });
    expect(s.grace.shape).toEqual([158, 48, 48]);
    expect(sameGrid({ shape: [48, 48], bounds: s.grace.bounds, crs: s.grace.crs }, CANADA_LCC_110KM)).toBe(true);
    expect(s.grace.units).toBe('mm');
    const d = describePairs(s.pairs);
    expect(d.counts).toEqual({ train: 118, validation: 0, test: 40, unused: 0 });
    expect(d.duplicatedMonths).toEqual(['2012-01', '2015-04']);
    expect(d.missingMonths).toContain('2011-06');
    // LSM: 1979-01 onwards, emulator recorded as a twin experiment with its fine factor.
    expect(s.lsm.timeBounds![0]).toEqual(['1979-01-01', '1979-01-31']);
    expect(s.attributes.lsm_source).toBe('twsa LSM emulator (twin experiment), seed 1 — not EALCO');
    expect(s.attributes.emulator_fine_factor).toBe(1);
    // Land mask: ocean cells NaN, Canada cells finite.
    const size = 48 * 48;
    let land = 0;
    for (let k = 0; k < size; k++) {
      if (s.mask.data[k]! > 0) {
        land++;
        expect(Number.isFinite(s.grace.data[k]!)).toBe(true);
      } else expect(Number.isNaN(s.grace.data[k]!)).toBe(true);
    }
    expect(land).toBeGreaterThan(700);
    // Spring maximum: the domain-mean climatology peaks in March–May.
    const byMonth = new Map<number, number[]>();
    s.grace.times.forEach((t, i) => {
      let sum = 0,
        n = 0;
      for (let k = 0; k < size; k++) {
        const v = s.grace.data[i * size + k]!;
        if (Number.isFinite(v)) {
          sum += v;
          n++;
        }
      }
      const m = Number(t.slice(5, 7));
      (byMonth.get(m) ?? byMonth.set(m, []).get(m)!).push(sum / n);
    });
    const clim = [...byMonth]
      .map(([m, v]) => [m, v.reduce((a, b) => a + b, 0) / v.length] as const)
      .sort((x, y) => y[1] - x[1]);
    expect([3, 4, 5]).toContain(clim[0]![0]);
    // Negative trend at the St Elias icefields: last three years well below the first three.
    const toGrid = transformer('EPSG:4326', 'EPSG:3978');
    const [x, y] = toGrid(-139.5, 60.8);
    const col = Math.floor((x - CANADA_LCC_110KM.bounds[0]) / 112_000);
    const row = Math.floor((CANADA_LCC_110KM.bounds[3] - y) / 112_000);
    expect(cellCenter(CANADA_LCC_110KM, row, col)[0]).toBeCloseTo(x, -5);
    const k = row * 48 + col;
    const mean = (from: string, to: string) => {
      const v = s.grace.times.flatMap((t, i) => (t >= from && t < to ? [s.grace.data[i * size + k]!] : []));
      return v.reduce((a, b) => a + b, 0) / v.length;
    };
    expect(mean('2014-01', '2017-01') - mean('2003-01', '2006-01')).toBeLessThan(-200);
  });

  it('rejects bad options with typed errors', async () => {
    for (const opts of [
      { end: '2002-12' },
      { seasonalAmplitudeMm: -1 },
      { interannualLag1: 1 },
      { icefieldTrendMmPerYear: Number.NaN },
      { seed: Number.POSITIVE_INFINITY },
    ]) {
      expect(isDatasetsError(await caught(() => syntheticScenario(opts)), 'DatasetsArgumentError')).toBe(true);
    }
  });
});
