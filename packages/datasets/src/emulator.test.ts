import { emulateLsm, emulateLsmDaily, EMULATOR_DEFAULTS } from './emulator.js';
import { pairMonthly } from './pair.js';
import { isDatasetsError } from './errors.js';
import { caught } from '../../../test-support/caught.js';
import { graceLike } from '../test/helpers.js';

// A small GRACE-like field: spring-maximum seasonal cycle, a trend, a little interannual wiggle.
const graceT = (i: number, k: number, mid: string): number => {
  const t = 2002 + (Date.parse(mid) - Date.UTC(2002, 0, 1)) / (365.2425 * 86_400_000);
  return (
    (40 + 3 * k) * Math.cos(2 * Math.PI * (t - 0.25)) +
    (k % 3 === 0 ? -8 : 2) * (t - 2009.5) +
    10 * Math.sin(i * 0.7 + k)
  );
};
function grace(from = '2002-04', to = '2016-12') {
  const base = graceLike(() => 0, { from, to });
  return graceLike((i, k) => graceT(i, k, base.times[i]!), { from, to });
}
const FAST = { start: '2001-01', end: '2006-12' } as const;

describe('emulateLsm (twin experiment)', () => {
  const g = grace('2002-04', '2006-12');

  it('says it is a twin experiment, records seed and fine factor, and is deterministic for a seed', async () => {
    const a = await emulateLsm(g, { ...FAST, seed: 3, fineFactor: 1 });
    const b = await emulateLsm(g, { ...FAST, seed: 3, fineFactor: 1 });
    const c = await emulateLsm(g, { ...FAST, seed: 4, fineFactor: 1 });
    expect(a.attributes!.lsm_source).toBe('twsa LSM emulator (twin experiment), seed 3 — not EALCO');
    expect(a.attributes!.fine_factor).toBe(1);
    expect(a.attributes!.fine_resolution_km).toBe(112);
    expect(String(a.attributes!.emulator_parameters)).toContain('"amplitudeScale":2.2');
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(Array.from(a.data)).not.toEqual(Array.from(c.data));
    expect(a.units).toBe('mm');
  });

  it('windows: 30-day windows before GRACE, the GRACE windows (with their ids) after, centred windows for missing months', async () => {
    const lsm = await emulateLsm(g, { ...FAST, fineFactor: 1 });
    const labels = lsm.labels!;
    expect(labels[0]).toBe('2001-01-01');
    expect(lsm.timeBounds![0]).toEqual(['2001-01-01', '2001-01-31']);
    const firstGrace = labels.indexOf('2002-04');
    expect(lsm.timeBounds![firstGrace]).toEqual(['2002-04-04', '2002-05-01']);
    expect(labels.slice(0, firstGrace).every((l) => /^\d{4}-\d{2}-\d{2}$/.test(l))).toBe(true);
    expect(labels).toContain('2002-06'); // GRACE has no record: a centred 30-day window
    expect(lsm.timeBounds![labels.indexOf('2002-06')]).toEqual(['2002-06-01', '2002-07-01']);
    expect(pairMonthly(g, lsm).records).toHaveLength(g.shape[0]);
  });

  it('the monthly result does not depend on the fine factor (mean-preserving fine field), up to float rounding', async () => {
    const a = await emulateLsm(g, { ...FAST, fineFactor: 1, seed: 1 });
    const b = await emulateLsm(g, { ...FAST, fineFactor: 3, seed: 1 });
    expect(b.attributes!.fine_factor).toBe(3);
    let max = 0;
    for (let i = 0; i < a.data.length; i++) max = Math.max(max, Math.abs(a.data[i]! - b.data[i]!));
    expect(max).toBeLessThan(1e-3);
  });

  it('lacks the trend with trendRetained 0, keeps it with 1, and scales the seasonal cycle by amplitudeScale', async () => {
    const quiet = { noiseStd: 0, amplitudeSpread: 0, phaseSpreadDays: 0, biasStd: 0, glacierRegions: [] };
    const full = grace('2002-04', '2012-12');
    const slope = (lsm: typeof full, k: number): number => {
      const frames = lsm.labels!.map((l, i) => [l, i] as const).filter(([l]) => /^\d{4}-\d{2}[ab]?$/.test(l));
      // Annual means remove the cycle; slope of annual means over 2003..2012.
      const years = new Map<number, number[]>();
      for (const [l, i] of frames) {
        const y = Number(l.slice(0, 4));
        if (y >= 2003) (years.get(y) ?? years.set(y, []).get(y)!).push(lsm.data[i * 20 + k]!);
      }
      const pts = [...years].map(([y, v]) => [y, v.reduce((s, x) => s + x, 0) / v.length] as const);
      const my = pts.reduce((s, p) => s + p[0], 0) / pts.length;
      const mv = pts.reduce((s, p) => s + p[1], 0) / pts.length;
      return pts.reduce((s, p) => s + (p[0] - my) * (p[1] - mv), 0) / pts.reduce((s, p) => s + (p[0] - my) ** 2, 0);
    };
    const none = await emulateLsm(full, {
      start: '2002-01',
      end: '2012-12',
      fineFactor: 1,
      amplitudeScale: 1,
      trendRetained: 0,
      ...quiet,
    });
    const kept = await emulateLsm(full, {
      start: '2002-01',
      end: '2012-12',
      fineFactor: 1,
      amplitudeScale: 1,
      trendRetained: 1,
      ...quiet,
    });
    expect(Math.abs(slope(none, 0))).toBeLessThan(1);
    expect(slope(kept, 0)).toBeCloseTo(-8, 0);
    expect(slope(kept, 1)).toBeCloseTo(2, 0);
    const doubled = await emulateLsm(full, {
      start: '2002-01',
      end: '2012-12',
      fineFactor: 1,
      amplitudeScale: 2,
      trendRetained: 0,
      interannualScale: 0,
      ...quiet,
    });
    const single = await emulateLsm(full, {
      start: '2002-01',
      end: '2012-12',
      fineFactor: 1,
      amplitudeScale: 1,
      trendRetained: 0,
      interannualScale: 0,
      ...quiet,
    });
    for (const i of [30, 31, 32, 40]) expect(doubled.data[i * 20 + 5]).toBeCloseTo(2 * single.data[i * 20 + 5]!, 1);
  });

  it('holds the retained trend at its GRACE-era end value before the first record (no extrapolation into a hindcast)', async () => {
    const quiet = {
      noiseStd: 0,
      amplitudeSpread: 0,
      phaseSpreadDays: 0,
      biasStd: 0,
      glacierRegions: [],
      interannualScale: 0,
      amplitudeScale: 1,
      trendRetained: 1,
      fineFactor: 1,
    };
    const lsm = await emulateLsm(g, { start: '1979-01', end: '2006-12', ...quiet });
    const n = lsm.shape[0];
    const annual = (k: number, year: number): number => {
      const v: number[] = [];
      for (let i = 0; i < n; i++) if (lsm.times[i]!.startsWith(String(year))) v.push(lsm.data[i * 20 + k]!);
      return v.reduce((s, x) => s + x, 0) / v.length;
    };
    // Pixel 0 has a GRACE trend of −8 per year: extrapolated back to 1979 it would add ≈ +200; held, the pre-GRACE
    // annual means stay flat and within the GRACE era's range.
    expect(Math.abs(annual(0, 1980) - annual(0, 2000))).toBeLessThan(1);
    // The first GRACE year differs from the held level by at most about one year of trend (8), not by 22 years' worth.
    expect(Math.abs(annual(0, 1980) - annual(0, 2002))).toBeLessThan(8);
  });

  it('NaN pixels of GRACE stay NaN; too-short records give no pixel', async () => {
    const holes = graceLike((i, k) => (k === 2 ? Number.NaN : Math.sin(i)), { from: '2002-04', to: '2006-12' });
    const lsm = await emulateLsm(holes, { ...FAST, fineFactor: 2 });
    expect(Number.isNaN(lsm.data[2])).toBe(true);
    expect(Number.isFinite(lsm.data[3])).toBe(true);
    const short = graceLike(() => 1, { from: '2002-04', to: '2003-01' });
    expect(
      isDatasetsError(
        await caught(() => emulateLsm(short, { start: '2002-01', end: '2003-01' })),
        'DatasetsEmptyError',
      ),
    ).toBe(true);
  });

  it('rejects bad options and input with typed errors naming the option', async () => {
    for (const [opts, name] of [
      [{ fineFactor: 0 }, 'options.fineFactor'],
      [{ fineFactor: 1.5 }, 'options.fineFactor'],
      [{ start: '1979' }, 'options.start'],
      [{ end: '1970-01' }, 'options.end'],
      [{ noiseStd: -1 }, 'options.noiseStd'],
      [{ trendRetained: 2 }, 'options.trendRetained'],
      [{ interannualLag1: 1 }, 'options.interannualLag1'],
      [{ glacierRegions: [[0, 0, -1, 1]] }, 'options.glacierRegions'],
      [{ baseline: ['2010-01', '2002-01'] }, 'options.baseline'],
    ] as const) {
      const e = await caught(() => emulateLsm(g, { ...FAST, ...(opts as object) }));
      expect(isDatasetsError(e, 'DatasetsArgumentError')).toBe(true);
      expect((e as { argument: string }).argument).toBe(name);
    }
    const { timeBounds: _t, ...noBounds } = g;
    void _t;
    expect(isDatasetsError(await caught(() => emulateLsm(noBounds, FAST)), 'DatasetsCalendarError')).toBe(true);
    // A hindcast-only period is fine for the daily field, but the default baseline then has no frame.
    const e = await caught(() => emulateLsm(g, { start: '1980-01', end: '1980-06', fineFactor: 1 }));
    expect(isDatasetsError(e, 'DatasetsArgumentError')).toBe(true);
    expect((e as { argument: string }).argument).toBe('options.baseline');
    const hindcast = await emulateLsm(g, {
      start: '1980-01',
      end: '1980-06',
      fineFactor: 1,
      baseline: ['1980-01', '1980-06'],
    });
    expect(hindcast.labels).toEqual([
      '1980-01-01',
      '1980-01-31',
      '1980-03-01',
      '1980-03-31',
      '1980-04-30',
      '1980-05-30',
    ]);
  });
});

describe('emulateLsmDaily', () => {
  it('yields one fine grid per day, lazily, identical on every pass', async () => {
    const g = grace('2002-04', '2004-12');
    const daily = emulateLsmDaily(g, { start: '2003-01', end: '2003-03', fineFactor: 4, seed: 2 });
    expect(daily.fine.shape).toEqual([16, 20]);
    expect(daily.period).toEqual(['2003-01-01', '2003-04-01']);
    expect(daily.attributes.fine_resolution_km).toBe(28);
    const first: number[][] = [];
    let n = 0;
    for await (const day of daily.days()) {
      if (n < 3) first.push(Array.from(day.grid.data));
      n++;
    }
    expect(n).toBe(90);
    let m = 0;
    for await (const day of daily.days()) {
      if (m < 3) expect(Array.from(day.grid.data)).toEqual(first[m]);
      m++;
    }
    // Sub-cell detail: the fine field is not constant inside a coarse cell, but its block mean is the coarse value.
    expect(new Set(first[0]!.slice(0, 4)).size).toBeGreaterThan(1);
  });
  it('exposes its defaults', () => {
    expect(EMULATOR_DEFAULTS.fineFactor).toBe(22);
    expect(EMULATOR_DEFAULTS.start).toBe('1979-01');
    expect(Object.isFrozen(EMULATOR_DEFAULTS)).toBe(true);
  });
});
