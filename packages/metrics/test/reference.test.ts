// @twsa/metrics against numpy/scipy reference values (scripts/fixtures/metrics_reference.py), to 1e-6 (relative
// to max(1, |expected|)).
import {
  annualHarmonic,
  areaWeightedMean,
  kge,
  mannKendall,
  perPixelMetrics,
  scoreSeries,
  senSlope,
  table1Summary,
  trendMap,
  trendTest,
} from '@twsa/metrics';
import { expectClose, num, nums, readFixture } from './helpers.js';

type N = number | null;
interface Reference {
  versions: Record<string, string>;
  scores: {
    name: string;
    pred: N[];
    obs: N[];
    expected: { count: number; rmse: N; bias: N; mae: N; cc: N; nse: N; kge: { value: N; r?: N; alpha?: N; beta?: N } };
  }[];
  trends: {
    name: string;
    times: N[];
    series: N[];
    mk: { s: N; varS: N; z: N; p: N; tau: N; count: N };
    sen: { slope: N; intercept: N };
  }[];
  harmonics: { name: string; times: N[]; series: N[]; expected: Record<string, N> }[];
  stack: {
    shape: [number, number, number];
    pred: N[];
    obs: N[];
    mask: number[];
    weights: N[];
    timeMask: number[];
    times: N[];
    perPixel: Record<'cc' | 'rmse' | 'nse' | 'bias' | 'mae' | 'kge', N[]> & { count: number[] };
    areaWeightedMeanObs: { mean: N[]; count: number[] };
    table1: {
      perPixelCc: number;
      perPixelRmse: number;
      pixelsWithCc: number;
      pixelsWithRmse: number;
      domainCc: N;
      domainRmse: N;
      domainMonths: number;
      seriesPred: N[];
      seriesObs: N[];
    };
    trendObs: { slope: N[]; p: N[]; z: N[] };
  };
}

const ref = readFixture<Reference>('reference.json');

describe('scores match numpy/scipy', () => {
  it.each(ref.scores.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    for (const make of [
      (v: N[]) => nums(v),
      (v: N[]) => Float32Array.from(nums(v)),
      (v: N[]) => Float64Array.from(nums(v)),
    ]) {
      const s = scoreSeries(make(c.pred), make(c.obs));
      const e = c.expected;
      expect(s.count).toBe(e.count);
      expectClose(s.cc.value, num(e.cc), 1e-6, 'cc');
      expectClose(s.rmse.value, num(e.rmse), 1e-6, 'rmse');
      expectClose(s.nse.value, num(e.nse), 1e-6, 'nse');
      expectClose(s.bias.value, num(e.bias), 1e-6, 'bias');
      expectClose(s.mae.value, num(e.mae), 1e-6, 'mae');
      expectClose(s.kge.value, num(e.kge.value), 1e-6, 'kge');
      if (e.kge.r !== undefined) {
        const k = kge(make(c.pred), make(c.obs));
        expectClose([k.r, k.alpha, k.beta], [num(e.kge.r), num(e.kge.alpha), num(e.kge.beta)], 1e-6, 'kge components');
      }
    }
  });
});

describe('Mann–Kendall and Sen match the explicit MK and scipy.stats.theilslopes', () => {
  it.each(ref.trends.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const series = Float32Array.from(nums(c.series));
    const times = nums(c.times);
    const mk = mannKendall(series);
    expect(mk.count).toBe(c.mk.count);
    expectClose(
      [mk.s, mk.varS, mk.z, mk.p, mk.tau],
      [num(c.mk.s), num(c.mk.varS), num(c.mk.z), num(c.mk.p), num(c.mk.tau)],
      1e-6,
      'mk',
    );
    const sen = senSlope(series, { times });
    expectClose([sen.slope, sen.intercept], [num(c.sen.slope), num(c.sen.intercept)], 1e-6, 'sen');
    const both = trendTest(series, { times });
    expect(both.slope).toBe(sen.slope);
    expect(both.p).toBe(mk.p);
  });
});

describe('annual harmonic matches numpy.linalg.lstsq', () => {
  it.each(ref.harmonics.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const h = annualHarmonic(nums(c.series), { times: nums(c.times) });
    const e = c.expected;
    for (const k of [
      'mean',
      'trend',
      'amplitude',
      'phase',
      'peakYearFraction',
      'peakDayOfYear',
      't0',
      'residualRms',
    ] as const)
      expectClose(h[k], num(e[k]), 1e-6, k);
    expect(h.peakMonth).toBe(e.peakMonth);
    expect(h.count).toBe(e.count);
  });
});

describe('stack functions match numpy', () => {
  const s = ref.stack;
  const pred = { data: Float32Array.from(nums(s.pred)), shape: s.shape };
  const obs = { data: Float32Array.from(nums(s.obs)), shape: s.shape };
  const mask = Uint8Array.from(s.mask);
  it('perPixelMetrics (Float32 maps: relative 1e-6)', () => {
    const m = perPixelMetrics(pred, obs, { mask });
    for (const k of ['cc', 'rmse', 'nse', 'bias', 'mae', 'kge'] as const)
      expectClose(m[k], nums(s.perPixel[k]), 1e-6, k);
    expect(Array.from(m.count)).toEqual(s.perPixel.count);
    // The fixture holds an all-NaN pixel (0) and a constant-pred pixel (1).
    expect(m.count[0]).toBe(0);
    expect(Number.isNaN(m.cc[1]!) && Number.isFinite(m.rmse[1]!)).toBe(true);
  });
  it('areaWeightedMean', () => {
    const r = areaWeightedMean(obs, nums(s.weights), { mask });
    expectClose(r.mean, nums(s.areaWeightedMeanObs.mean), 1e-6, 'mean');
    expect(Array.from(r.count)).toEqual(s.areaWeightedMeanObs.count);
  });
  it('table1Summary', () => {
    const t = table1Summary(pred, obs, { mask, weights: nums(s.weights), timeMask: s.timeMask });
    const e = s.table1;
    expectClose([t.perPixel.cc, t.perPixel.rmse], [e.perPixelCc, e.perPixelRmse], 1e-6, 'perPixel');
    expectClose(
      [t.domainMean.cc.value, t.domainMean.rmse.value],
      [num(e.domainCc), num(e.domainRmse)],
      1e-6,
      'domainMean',
    );
    expectClose(t.series.pred, nums(e.seriesPred), 1e-6, 'series.pred');
    expectClose(t.series.obs, nums(e.seriesObs), 1e-6, 'series.obs');
    expect(t.counts).toEqual({
      landPixels: s.mask.filter((v) => v > 0).length,
      pixelsWithCc: e.pixelsWithCc,
      pixelsWithRmse: e.pixelsWithRmse,
      months: 12,
      domainMonths: e.domainMonths,
    });
  });
  it('trendMap', () => {
    const m = trendMap(obs, { mask, times: nums(s.times) });
    expectClose(m.slope, nums(s.trendObs.slope), 1e-6, 'slope');
    expectClose(m.p, nums(s.trendObs.p), 1e-6, 'p');
    expectClose(m.z, nums(s.trendObs.z), 1e-6, 'z');
  });
});

it('fixture records its generator versions', () => {
  expect(Object.keys(ref.versions).sort()).toEqual(['numpy', 'python', 'scipy']);
});
