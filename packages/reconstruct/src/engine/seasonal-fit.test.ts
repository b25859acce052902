import { caught } from '../../../../test-support/caught.js';
import { InputError } from '../errors.js';
import {
  decimalYear,
  fitSeasonalTrend,
  MIN_FIT_VALUES,
  seasonalTrendAt,
  seasonalTrendFromJson,
  seasonalTrendToJson,
} from './seasonal-fit.js';

// Two pixels (1×2) over 48 months 2004-01..2007-12: pixel 0 follows a known mean + trend + annual + semiannual
// signal; pixel 1 is masked out.
const months = Array.from(
  { length: 48 },
  (_, i) => `${2004 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`,
);
const times = months.map(decimalYear);
const truth = (t: number): number =>
  12 + 3 * (t - 2006) + 40 * Math.cos(2 * Math.PI * t) - 25 * Math.sin(2 * Math.PI * t) + 8 * Math.cos(4 * Math.PI * t);
const stack = {
  data: Float32Array.from(times.flatMap((t) => [truth(t), 999])),
  shape: [48, 1, 2] as const,
};
const mask = { data: Float32Array.of(1, 0), shape: [1, 2] as const };

describe('decimalYear', () => {
  it('is the middle of the month', () => {
    expect(decimalYear('2003-01')).toBeCloseTo(2003 + 0.5 / 12, 12);
    expect(decimalYear('2016-12a')).toBeCloseTo(2016 + 11.5 / 12, 12);
  });
  it('refuses what is not a month', async () => {
    expect(await caught(() => decimalYear('Jan 2003'))).toBeInstanceOf(InputError);
  });
});

describe('fitSeasonalTrend', () => {
  it('recovers mean, trend and both harmonics from the fitted frames only, and extrapolates them', () => {
    // Fit on the first 36 months; the last 12 carry a large offset that must not enter the fit.
    const data = Float32Array.from(stack.data);
    for (let t = 36; t < 48; t++) data[t * 2] = data[t * 2]! + 500;
    const fit = fitSeasonalTrend(
      { data, shape: stack.shape },
      times,
      times.map((_, t) => t < 36),
      mask,
    );
    expect(fit.fitted).toBe(1);
    const at = seasonalTrendAt(fit, times);
    for (let t = 0; t < 48; t++) expect(at.data[t * 2]).toBeCloseTo(truth(times[t]!), 2);
    // The masked pixel has no fit: its baseline is 0.
    expect(at.data[1]).toBe(0);
    expect(at.shape).toEqual([48, 1, 2]);
  });

  it('leaves NaN values out and gives no fit to a pixel with too few values', () => {
    const data = Float32Array.from(stack.data);
    data[10] = Number.NaN;
    const ok = fitSeasonalTrend(
      { data, shape: stack.shape },
      times,
      times.map(() => true),
      mask,
    );
    expect(seasonalTrendAt(ok, [times[5]!]).data[0]).toBeCloseTo(truth(times[5]!), 2);
    const few = fitSeasonalTrend(
      stack,
      times,
      times.map((_, t) => t < MIN_FIT_VALUES - 1),
      mask,
    );
    expect(few.fitted).toBe(0);
    expect(Array.from(few.coefficients).every((c) => c === 0)).toBe(true);
  });

  it('refuses mismatched lengths and an empty fit set', async () => {
    const all = times.map(() => true);
    expect(await caught(() => fitSeasonalTrend(stack, times.slice(1), all, mask))).toBeInstanceOf(InputError);
    const none = times.map(() => false);
    expect((await caught(() => fitSeasonalTrend(stack, times, none, mask))).message).toMatch(/no frame to fit on/);
  });

  it('round-trips through JSON and refuses a foreign file', async () => {
    const fit = fitSeasonalTrend(
      stack,
      times,
      times.map(() => true),
      mask,
    );
    const back = seasonalTrendFromJson(JSON.parse(JSON.stringify(seasonalTrendToJson(fit, 'training records'))), 'x');
    expect(back.t0).toBe(fit.t0);
    expect(Array.from(back.coefficients)).toEqual(Array.from(fit.coefficients));
    expect((await caught(() => seasonalTrendFromJson({ format: 'other' }, 'f.json'))).message).toMatch(/f\.json/);
  });
});
