/**
 * Monotonic trends: Sen's slope (Theil–Sen) with the Mann–Kendall test, for one series or per pixel (paper Fig. 2).
 */
import { MetricsArgumentError } from './errors.js';
import { assertNumeric, assertStack, checkThreshold, gatherValid, toInclusion } from './internal/arrays.js';
import { medianInPlace, twoSidedNormalP } from './internal/special.js';
import { resolveTimes, type TimeAxis } from './time.js';
import type { MaskArray, NumericArray, FrameStack, UndefinedReason } from './types.js';

/** Options of {@link mannKendall}, {@link senSlope} and {@link trendTest}. */
export interface TrendOptions {
  /**
   * Time of each step: decimal years (or any numeric unit) or ISO dates; must be strictly increasing.
   * Sen's slope is per unit of this axis (per year for decimal years / ISO dates). Default: the index, so
   * the slope is per step. The Mann–Kendall statistic uses only the order.
   */
  readonly times?: TimeAxis;
  /** Inclusion mask per time step; see {@link MaskArray}. Default: all. */
  readonly mask?: MaskArray;
  /** Numeric mask entries `>= maskThreshold` are included. Default `0.5`. */
  readonly maskThreshold?: number;
  /** Significance level of the two-sided Mann–Kendall test. Default `0.05`. */
  readonly alpha?: number;
}

/** Result of {@link mannKendall}. */
export interface MannKendallResult {
  /** Kendall's S = Σ_{i<j} sign(x_j − x_i) over valid values in time order. */
  readonly s: number;
  /** Var(S) with the tie correction: [n(n−1)(2n+5) − Σ t(t−1)(2t+5)] / 18 over groups of t tied values. */
  readonly varS: number;
  /** Normal score with continuity correction: (S − 1)/√Var(S) if S > 0, (S + 1)/√Var(S) if S < 0, else 0. */
  readonly z: number;
  /** Two-sided p-value 2·(1 − Φ(|z|)). */
  readonly p: number;
  /** Kendall's tau-a, S / (n(n−1)/2) (pymannkendall's `Tau`). */
  readonly tau: number;
  /** `p < alpha`. */
  readonly significant: boolean;
  /** `"increasing"` / `"decreasing"` when significant (sign of z), else `"no trend"`. */
  readonly direction: 'increasing' | 'decreasing' | 'no trend';
  /** Number of valid values used. */
  readonly count: number;
  /** Why the statistics are NaN: fewer than 3 values, or all values tied (`"constant series"`). */
  readonly reason?: UndefinedReason;
}

/** Result of {@link senSlope}. */
export interface SenSlopeResult {
  /** Median of (x_j − x_i)/(t_j − t_i) over all i < j: units of the data per unit of `times`. */
  readonly slope: number;
  /** scipy's convention: median(x) − slope · median(t), i.e. the value at t = 0. */
  readonly intercept: number;
  readonly count: number;
  readonly reason?: UndefinedReason;
}

/** Result of {@link trendTest}: Sen's slope and the Mann–Kendall test on the same values. */
export interface TrendResult extends MannKendallResult {
  readonly slope: number;
  readonly intercept: number;
}

/** Gathered valid (time, value) pairs of one series. */
interface Gathered {
  t: Float64Array;
  x: Float64Array;
  n: number;
}

function gatherSeries(
  series: NumericArray,
  options: TrendOptions | undefined,
  fn: string,
): { g: Gathered; alpha: number } {
  assertNumeric(series, 'series', fn);
  const alpha = checkAlpha(options?.alpha, fn);
  const { times } = resolveTimes(options?.times, series.length, fn);
  const mask = toInclusion(options?.mask, [series.length], 'mask', fn, checkThreshold(options?.maskThreshold, fn));
  return { g: gatherValid(series, times, mask), alpha };
}

function checkAlpha(alpha: number | undefined, fn: string): number {
  const a = alpha ?? 0.05;
  if (typeof a !== 'number' || !(a > 0 && a < 1))
    throw new MetricsArgumentError('alpha', fn, 'a number in (0, 1)', String(alpha));
  return a;
}

/** Mann–Kendall statistics of x[0..n) (already in time order). `scratch` holds ≥ n entries. */
function mannKendallKernel(x: Float64Array, n: number, alpha: number, scratch: Float64Array): MannKendallResult {
  const nan = Number.NaN;
  if (n < 3)
    return {
      s: nan,
      varS: nan,
      z: nan,
      p: nan,
      tau: nan,
      significant: false,
      direction: 'no trend',
      count: n,
      reason: n === 0 ? 'no valid pairs' : 'fewer than 3 valid values',
    };
  let s = 0;
  for (let i = 0; i < n - 1; i++) {
    const xi = x[i]!;
    for (let j = i + 1; j < n; j++) {
      const d = x[j]! - xi;
      s += d > 0 ? 1 : d < 0 ? -1 : 0;
    }
  }
  // Tie correction: groups of equal values.
  for (let i = 0; i < n; i++) scratch[i] = x[i]!;
  const sorted = scratch.subarray(0, n).sort();
  let tieTerm = 0;
  for (let i = 0; i < n;) {
    let j = i + 1;
    while (j < n && sorted[j] === sorted[i]) j++;
    const tp = j - i;
    if (tp > 1) tieTerm += tp * (tp - 1) * (2 * tp + 5);
    i = j;
  }
  const varS = (n * (n - 1) * (2 * n + 5) - tieTerm) / 18;
  const tau = s / ((n * (n - 1)) / 2);
  if (!(varS > 0))
    return {
      s,
      varS,
      z: nan,
      p: nan,
      tau,
      significant: false,
      direction: 'no trend',
      count: n,
      reason: 'constant series',
    };
  const z = s > 0 ? (s - 1) / Math.sqrt(varS) : s < 0 ? (s + 1) / Math.sqrt(varS) : 0;
  const p = twoSidedNormalP(z);
  const significant = p < alpha;
  return {
    s,
    varS,
    z,
    p,
    tau,
    significant,
    direction: significant ? (z > 0 ? 'increasing' : 'decreasing') : 'no trend',
    count: n,
  };
}

/** Sen's slope of (t, x)[0..n). `slopes` holds ≥ n(n−1)/2 entries, `scratch` ≥ n. */
function senKernel(
  t: Float64Array,
  x: Float64Array,
  n: number,
  slopes: Float64Array,
  scratch: Float64Array,
): SenSlopeResult {
  if (n < 2)
    return {
      slope: Number.NaN,
      intercept: Number.NaN,
      count: n,
      reason: n === 0 ? 'no valid pairs' : 'fewer than 2 valid pairs',
    };
  let m = 0;
  for (let i = 0; i < n - 1; i++) {
    for (let j = i + 1; j < n; j++) slopes[m++] = (x[j]! - x[i]!) / (t[j]! - t[i]!);
  }
  const slope = medianInPlace(slopes, m);
  for (let i = 0; i < n; i++) scratch[i] = x[i]!;
  const medX = medianInPlace(scratch, n);
  for (let i = 0; i < n; i++) scratch[i] = t[i]!;
  const medT = medianInPlace(scratch, n);
  return { slope, intercept: medX - slope * medT, count: n };
}

/**
 * Mann–Kendall test for a monotonic trend in one series (the "original test" of pymannkendall).
 *
 * ## Method
 * S = Σ_{i<j} sign(x_j − x_i) over the valid values in time order (NaN, ±Inf and masked steps are dropped);
 * Var(S) = [n(n−1)(2n+5) − Σ_g t_g(t_g−1)(2t_g+5)] / 18 (tie correction over groups of t_g equal values);
 * z = (S − sign(S)) / √Var(S) (continuity correction); p = 2(1 − Φ(|z|)); tau = S / (n(n−1)/2).
 * Undefined with fewer than 3 values or when every value is tied.
 *
 * @param series - Values in time order.
 * @param options - {@link TrendOptions} (`times` only checks ordering here).
 * @returns {@link MannKendallResult}.
 * @throws {@link MetricsArgumentError} for a bad `alpha`, `times` or `mask`.
 * @example
 * ```ts
 * const r = mannKendall([1, 2, 3, 4, 5]);
 * r.s; // => 10
 * r.p; // => 0.02748633611151019
 * r.direction; // => "increasing"
 * ```
 */
export function mannKendall(series: NumericArray, options?: TrendOptions): MannKendallResult {
  const { g, alpha } = gatherSeries(series, options, 'mannKendall');
  return mannKendallKernel(g.x, g.n, alpha, new Float64Array(g.n));
}

/**
 * Sen's slope (Theil–Sen estimator) of one series, as `scipy.stats.theilslopes(x, t)`.
 *
 * ## Method
 * slope = median over i < j of (x_j − x_i)/(t_j − t_i); intercept = median(x) − slope · median(t).
 * With decimal years or ISO dates as `times`, the slope is per year (mm/yr for mm data).
 *
 * @param series - Values in time order.
 * @param options - {@link TrendOptions}.
 * @returns {@link SenSlopeResult}.
 * @throws {@link MetricsArgumentError} for bad `times` (wrong length, not increasing) or `mask`.
 * @example
 * ```ts
 * // the outlier 10 does not move the median of the pairwise slopes:
 * senSlope([0, 1, 2, 3, 10], { times: [2000, 2000.5, 2001, 2001.5, 2002] }).slope; // => 2
 * ```
 */
export function senSlope(series: NumericArray, options?: TrendOptions): SenSlopeResult {
  const { g } = gatherSeries(series, options, 'senSlope');
  return senKernel(g.t, g.x, g.n, new Float64Array((g.n * (g.n - 1)) / 2), new Float64Array(g.n));
}

/**
 * Sen's slope and the Mann–Kendall test of one series, on the same valid values.
 *
 * ## Method
 * {@link senSlope} and {@link mannKendall}; `reason` is the Mann–Kendall one when the test is undefined.
 *
 * @param series - Values in time order.
 * @param options - {@link TrendOptions}.
 * @returns {@link TrendResult}.
 * @throws {@link MetricsArgumentError} for bad options.
 * @example
 * ```ts
 * const r = trendTest([3, 1, 4, 1, 5, 9, 2, 6], { times: ["2002-01-01", "2003-01-01", "2004-01-01", "2005-01-01", "2006-01-01", "2007-01-01", "2008-01-01", "2009-01-01"] });
 * r.slope; // => 0.4642857142857143
 * r.significant; // => false
 * ```
 */
export function trendTest(series: NumericArray, options?: TrendOptions): TrendResult {
  const { g, alpha } = gatherSeries(series, options, 'trendTest');
  const scratch = new Float64Array(g.n);
  const mk = mannKendallKernel(g.x, g.n, alpha, scratch);
  const sen = senKernel(g.t, g.x, g.n, new Float64Array((g.n * (g.n - 1)) / 2), scratch);
  return { ...mk, slope: sen.slope, intercept: sen.intercept };
}

/** Options of {@link trendMap}. */
export interface TrendMapOptions {
  /** Times of the `time` axis (decimal years or ISO dates; strictly increasing). Default: index. */
  readonly times?: TimeAxis;
  /** Pixel mask (`rows*cols`) or per-element mask (`time*rows*cols`); see {@link MaskArray}. Pixels outside are NaN. */
  readonly mask?: MaskArray;
  /** Time-step mask (`time` entries), e.g. the valid GRACE months. */
  readonly timeMask?: MaskArray;
  /** Numeric mask entries `>= maskThreshold` are included. Default `0.5`. */
  readonly maskThreshold?: number;
  /** Significance level. Default `0.05`. */
  readonly alpha?: number;
}

/** Result of {@link trendMap}: `rows*cols` maps, NaN where undefined or outside the mask. */
export interface TrendMapResult {
  readonly shape: readonly [rows: number, cols: number];
  /** Sen's slope per unit of `times` (per year for decimal years). */
  readonly slope: Float32Array;
  readonly intercept: Float32Array;
  readonly z: Float32Array;
  readonly p: Float32Array;
  readonly tau: Float32Array;
  /** 1 where the Mann–Kendall test is significant at `alpha`. */
  readonly significant: Uint8Array;
  /** Valid values per pixel. */
  readonly count: Uint32Array;
}

/**
 * Sen's slope and Mann–Kendall significance for every pixel of a `[time, rows, cols]` stack (paper Fig. 2).
 *
 * ## Method
 * {@link trendTest} on each pixel's series of valid (finite, unmasked) values. Cost is O(n²) pairs per pixel
 * (158 months × 2304 pixels: 1–3 s on one core).
 *
 * @param stack - `{ data, shape: [time, rows, cols] }`, e.g. a `GridStack`.
 * @param options - {@link TrendMapOptions}.
 * @returns {@link TrendMapResult}.
 * @throws {@link MetricsShapeError} when a mask has the wrong length. {@link MetricsArgumentError} for bad options.
 * @example
 * ```ts
 * const stack = { data: [0, 5, 1, 5, 2, 5, 3, 5], shape: [4, 1, 2] as const };
 * const m = trendMap(stack, { times: [2002, 2003, 2004, 2005] });
 * Array.from(m.slope); // => [1, 0]
 * Array.from(m.significant); // => [0, 0]
 * ```
 */
export function trendMap(stack: FrameStack, options?: TrendMapOptions): TrendMapResult {
  const fn = 'trendMap';
  const [nt, rows, cols] = assertStack(stack, 'stack', fn);
  const size = rows * cols;
  const alpha = checkAlpha(options?.alpha, fn);
  const threshold = checkThreshold(options?.maskThreshold, fn);
  const { times } = resolveTimes(options?.times, nt, fn);
  const mask = toInclusion(options?.mask, [size, nt * size], 'mask', fn, threshold);
  const timeMask = toInclusion(options?.timeMask, [nt], 'timeMask', fn, threshold);
  const perElement = mask !== null && mask.length === nt * size && nt * size !== size;
  const slope = new Float32Array(size).fill(Number.NaN);
  const intercept = new Float32Array(size).fill(Number.NaN);
  const z = new Float32Array(size).fill(Number.NaN);
  const p = new Float32Array(size).fill(Number.NaN);
  const tau = new Float32Array(size).fill(Number.NaN);
  const significant = new Uint8Array(size);
  const count = new Uint32Array(size);
  const t = new Float64Array(nt);
  const x = new Float64Array(nt);
  const scratch = new Float64Array(nt);
  const slopes = new Float64Array((nt * (nt - 1)) / 2);
  const data = stack.data;
  for (let pix = 0; pix < size; pix++) {
    if (mask !== null && !perElement && mask[pix] === 0) continue;
    let n = 0;
    for (let k = 0, idx = pix; k < nt; k++, idx += size) {
      if (timeMask !== null && timeMask[k] === 0) continue;
      if (perElement && mask![idx] === 0) continue;
      const v = data[idx]!;
      if (!Number.isFinite(v)) continue;
      t[n] = times[k]!;
      x[n] = v;
      n++;
    }
    count[pix] = n;
    const mk = mannKendallKernel(x, n, alpha, scratch);
    const sen = senKernel(t, x, n, slopes, scratch);
    slope[pix] = sen.slope;
    intercept[pix] = sen.intercept;
    z[pix] = mk.z;
    p[pix] = mk.p;
    tau[pix] = mk.tau;
    significant[pix] = mk.significant ? 1 : 0;
  }
  return { shape: [rows, cols], slope, intercept, z, p, tau, significant, count };
}
