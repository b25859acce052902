/**
 * Seasonal amplitude and phase from a least-squares annual harmonic with a linear trend.
 */
import { MetricsArgumentError } from './errors.js';
import { assertNumeric, assertStack, checkThreshold, gatherValid, toInclusion } from './internal/arrays.js';
import { resolveTimes, type TimeAxis } from './time.js';
import type { MaskArray, NumericArray, FrameStack, UndefinedReason } from './types.js';

/** Options of {@link annualHarmonic}. */
export interface AnnualHarmonicOptions {
  /** Required: decimal years or ISO dates of each step (strictly increasing). */
  readonly times: TimeAxis;
  /** Inclusion mask per step; see {@link MaskArray}. */
  readonly mask?: MaskArray;
  /** Numeric mask entries `>= maskThreshold` are included. Default `0.5`. */
  readonly maskThreshold?: number;
}

/** Result of {@link annualHarmonic}. All NaN (with `reason`) when the fit is undefined. */
export interface AnnualHarmonicResult {
  /** a: the fitted value at `t0`, without the seasonal term. */
  readonly mean: number;
  /** b: linear trend per year. */
  readonly trend: number;
  /** Amplitude √(c² + d²) of the annual cycle (half the peak-to-trough range), in data units. */
  readonly amplitude: number;
  /** φ = atan2(d, c) in radians, in (−π, π]: the cycle is `amplitude · cos(2π t − φ)`. */
  readonly phase: number;
  /** Time of year of the maximum, as a fraction of the year in [0, 1): (φ / 2π) mod 1. */
  readonly peakYearFraction: number;
  /** Day of year of the maximum, 1 + peakYearFraction · 365.25 (continuous, in [1, 366.25)). */
  readonly peakDayOfYear: number;
  /** Month of the maximum, 1 + ⌊12 · peakYearFraction⌋ (twelfths of the year, 1–12). */
  readonly peakMonth: number;
  /** Reference time of `mean`: the mean of the valid times (decimal years). */
  readonly t0: number;
  /** Root-mean-square of the fit residuals. */
  readonly residualRms: number;
  /** Number of valid values used. */
  readonly count: number;
  readonly reason?: UndefinedReason;
}

/** Least-squares fit of the 4-parameter model to (t, y)[0..n); returns [a, b, c, d] and the residual RMS, or null if singular. */
function fitHarmonic(t: Float64Array, y: Float64Array, n: number): { beta: number[]; t0: number; rms: number } | null {
  let t0 = 0;
  for (let i = 0; i < n; i++) t0 += t[i]!;
  t0 /= n;
  const ata = [new Float64Array(4), new Float64Array(4), new Float64Array(4), new Float64Array(4)];
  const aty = new Float64Array(4);
  const row = new Float64Array(4);
  for (let i = 0; i < n; i++) {
    const w = 2 * Math.PI * t[i]!;
    row[0] = 1;
    row[1] = t[i]! - t0;
    row[2] = Math.cos(w);
    row[3] = Math.sin(w);
    for (let r = 0; r < 4; r++) {
      aty[r] += row[r]! * y[i]!;
      for (let c = 0; c < 4; c++) ata[r]![c] += row[r]! * row[c]!;
    }
  }
  // Gaussian elimination with partial pivoting on the 4×4 normal equations (t is centred, so well conditioned).
  const m = ata.map((r, i) => [...r, aty[i]!]);
  const scale = Math.max(...[0, 1, 2, 3].map((i) => Math.abs(m[i]![i]!)));
  for (let col = 0; col < 4; col++) {
    let piv = col;
    for (let r = col + 1; r < 4; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[piv]![col]!)) piv = r;
    if (!(Math.abs(m[piv]![col]!) > 1e-10 * scale)) return null;
    [m[col], m[piv]] = [m[piv]!, m[col]!];
    for (let r = col + 1; r < 4; r++) {
      const f = m[r]![col]! / m[col]![col]!;
      for (let c = col; c < 5; c++) m[r]![c] -= f * m[col]![c]!;
    }
  }
  const beta = [0, 0, 0, 0];
  for (let r = 3; r >= 0; r--) {
    let s = m[r]![4]!;
    for (let c = r + 1; c < 4; c++) s -= m[r]![c]! * beta[c]!;
    beta[r] = s / m[r]![r]!;
  }
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const w = 2 * Math.PI * t[i]!;
    const e = y[i]! - (beta[0]! + beta[1]! * (t[i]! - t0) + beta[2]! * Math.cos(w) + beta[3]! * Math.sin(w));
    ss += e * e;
  }
  return { beta, t0, rms: Math.sqrt(ss / n) };
}

function harmonicResult(t: Float64Array, y: Float64Array, n: number): AnnualHarmonicResult {
  const nan = Number.NaN;
  const empty = {
    mean: nan,
    trend: nan,
    amplitude: nan,
    phase: nan,
    peakYearFraction: nan,
    peakDayOfYear: nan,
    peakMonth: nan,
    t0: nan,
    residualRms: nan,
    count: n,
  };
  if (n < 5) return { ...empty, reason: n === 0 ? 'no valid pairs' : 'fewer than 5 valid values' };
  const fit = fitHarmonic(t, y, n);
  if (fit === null) return { ...empty, reason: 'singular design' };
  const [a, b, c, d] = fit.beta as [number, number, number, number];
  const phase = Math.atan2(d, c);
  let frac = phase / (2 * Math.PI);
  frac -= Math.floor(frac);
  if (frac >= 1) frac = 0;
  return {
    mean: a,
    trend: b,
    amplitude: Math.hypot(c, d),
    phase,
    peakYearFraction: frac,
    peakDayOfYear: 1 + frac * 365.25,
    peakMonth: 1 + Math.min(11, Math.floor(frac * 12)),
    t0: fit.t0,
    residualRms: fit.rms,
    count: n,
  };
}

/**
 * Seasonal amplitude and phase of one series from a least-squares annual harmonic with a linear trend.
 *
 * ## Method
 * Fits y(t) = a + b (t − t0) + c cos(2πt) + d sin(2πt) by least squares over the valid (finite, unmasked)
 * values, with t in decimal years (so the phase is relative to 1 January 00:00 UTC) and t0 the mean valid time.
 * amplitude = √(c² + d²); the maximum of the cycle falls at the year fraction (atan2(d, c) / 2π) mod 1, reported as
 * day of year (365.25-day year) and month (twelfths of the year). Needs ≥ 5 values spread over the year.
 *
 * @param series - Values in time order.
 * @param options - {@link AnnualHarmonicOptions}; `times` is required.
 * @returns {@link AnnualHarmonicResult}.
 * @throws {@link MetricsArgumentError} when `times` is missing, the wrong length or not increasing.
 * @example
 * ```ts
 * const times = Array.from({ length: 24 }, (_, i) => 2003 + i / 12);
 * const y = times.map((t) => 5 + 100 * Math.cos(2 * Math.PI * (t - 0.3)));
 * const h = annualHarmonic(y, { times });
 * h.amplitude.toFixed(6); // => "100.000000"
 * h.peakMonth; // => 4
 * ```
 */
export function annualHarmonic(series: NumericArray, options: AnnualHarmonicOptions): AnnualHarmonicResult {
  const fn = 'annualHarmonic';
  assertNumeric(series, 'series', fn);
  if (options === undefined || options === null || options.times === undefined)
    throw new MetricsArgumentError('options.times', fn, 'decimal years or ISO dates, one per value', 'undefined');
  const { times } = resolveTimes(options.times, series.length, fn);
  const mask = toInclusion(options.mask, [series.length], 'mask', fn, checkThreshold(options.maskThreshold, fn));
  const { t, x, n } = gatherValid(series, times, mask);
  return harmonicResult(t, x, n);
}

/** Options of {@link annualHarmonicMap}. */
export interface AnnualHarmonicMapOptions {
  /** Required: decimal years or ISO dates of the `time` axis. */
  readonly times: TimeAxis;
  /** Pixel mask (`rows*cols`) or per-element mask (`time*rows*cols`). Pixels outside are NaN. */
  readonly mask?: MaskArray;
  /** Time-step mask (`time` entries). */
  readonly timeMask?: MaskArray;
  /** Numeric mask entries `>= maskThreshold` are included. Default `0.5`. */
  readonly maskThreshold?: number;
}

/** Result of {@link annualHarmonicMap}: `rows*cols` maps, NaN where undefined or outside the mask. */
export interface AnnualHarmonicMapResult {
  readonly shape: readonly [rows: number, cols: number];
  readonly amplitude: Float32Array;
  readonly phase: Float32Array;
  readonly peakDayOfYear: Float32Array;
  /** Month of the maximum, 1–12; 0 where undefined. */
  readonly peakMonth: Uint8Array;
  readonly mean: Float32Array;
  readonly trend: Float32Array;
  readonly count: Uint32Array;
}

/**
 * Seasonal amplitude and phase for every pixel of a `[time, rows, cols]` stack.
 *
 * ## Method
 * {@link annualHarmonic} on each pixel's valid values.
 *
 * @param stack - `{ data, shape: [time, rows, cols] }`, e.g. a `GridStack`.
 * @param options - {@link AnnualHarmonicMapOptions}; `times` is required.
 * @returns {@link AnnualHarmonicMapResult}.
 * @throws {@link MetricsShapeError} when a mask has the wrong length. {@link MetricsArgumentError} for bad `times`.
 * @example
 * ```ts
 * const times = Array.from({ length: 12 }, (_, i) => 2005 + (i + 0.5) / 12);
 * const data = times.flatMap((t) => [10 * Math.sin(2 * Math.PI * t), 0]);
 * const m = annualHarmonicMap({ data, shape: [12, 1, 2] }, { times });
 * m.amplitude[0].toFixed(4); // => "10.0000"
 * m.peakMonth[0]; // => 4
 * m.amplitude[1]; // => 0
 * ```
 */
export function annualHarmonicMap(stack: FrameStack, options: AnnualHarmonicMapOptions): AnnualHarmonicMapResult {
  const fn = 'annualHarmonicMap';
  const [nt, rows, cols] = assertStack(stack, 'stack', fn);
  if (options === undefined || options === null || options.times === undefined)
    throw new MetricsArgumentError('options.times', fn, 'decimal years or ISO dates, one per time step', 'undefined');
  const size = rows * cols;
  const threshold = checkThreshold(options.maskThreshold, fn);
  const { times } = resolveTimes(options.times, nt, fn);
  const mask = toInclusion(options.mask, [size, nt * size], 'mask', fn, threshold);
  const timeMask = toInclusion(options.timeMask, [nt], 'timeMask', fn, threshold);
  const perElement = mask !== null && mask.length === nt * size && nt !== 1;
  const nanMap = (): Float32Array => new Float32Array(size).fill(Number.NaN);
  const out = {
    shape: [rows, cols] as const,
    amplitude: nanMap(),
    phase: nanMap(),
    peakDayOfYear: nanMap(),
    peakMonth: new Uint8Array(size),
    mean: nanMap(),
    trend: nanMap(),
    count: new Uint32Array(size),
  };
  const t = new Float64Array(nt);
  const y = new Float64Array(nt);
  for (let pix = 0; pix < size; pix++) {
    if (mask !== null && !perElement && mask[pix] === 0) continue;
    let n = 0;
    for (let k = 0, idx = pix; k < nt; k++, idx += size) {
      if (timeMask !== null && timeMask[k] === 0) continue;
      if (perElement && mask![idx] === 0) continue;
      const v = stack.data[idx]!;
      if (!Number.isFinite(v)) continue;
      t[n] = times[k]!;
      y[n] = v;
      n++;
    }
    out.count[pix] = n;
    const h = harmonicResult(t, y, n);
    if (h.reason !== undefined) continue;
    out.amplitude[pix] = h.amplitude;
    out.phase[pix] = h.phase;
    out.peakDayOfYear[pix] = h.peakDayOfYear;
    out.peakMonth[pix] = h.peakMonth;
    out.mean[pix] = h.mean;
    out.trend[pix] = h.trend;
  }
  return out;
}

/** Options of {@link removeSeasonalCycle}. */
export interface RemoveSeasonalCycleOptions {
  /** Required: decimal years or ISO dates of the `time` axis. */
  readonly times: TimeAxis;
  /** Time steps the cycle is fitted on (`time` entries), e.g. the training months only. Default: every step. */
  readonly fitMask?: MaskArray;
  /** Pixel mask (`rows*cols`): pixels outside are NaN in the result. Default: every pixel. */
  readonly mask?: MaskArray;
  /** Numeric mask entries `>= maskThreshold` are included. Default `0.5`. */
  readonly maskThreshold?: number;
}

/** Result of {@link removeSeasonalCycle}. */
export interface RemoveSeasonalCycleResult {
  /** `[time, rows, cols]`: the values minus each pixel's fitted annual cycle (NaN where undefined). */
  readonly data: Float32Array;
  readonly shape: readonly [time: number, rows: number, cols: number];
  /** Amplitude of the removed cycle per pixel (NaN where no fit: fewer than 5 valid fit steps or a singular design). */
  readonly amplitude: Float32Array;
}

/**
 * Deseasonalises a stack: removes from every pixel its mean annual cycle, fitted on some time steps only.
 *
 * ## Method
 * Per pixel, {@link annualHarmonic}'s least-squares fit y = a + b (t − t0) + c cos(2πt) + d sin(2πt) over the
 * valid values of the `fitMask` steps (e.g. the training months, so nothing of the test months enters the fit); then
 * c cos(2πt) + d sin(2πt) is subtracted at *every* step. Mean and trend stay in the result (they are not part of
 * the seasonal cycle). Pixels outside `mask`, and pixels without a fit, are NaN.
 *
 * @param stack - `{ data, shape: [time, rows, cols] }`.
 * @param options - {@link RemoveSeasonalCycleOptions}; `times` is required.
 * @returns {@link RemoveSeasonalCycleResult}.
 * @throws {@link MetricsShapeError} when a mask has the wrong length. {@link MetricsArgumentError} for bad `times`.
 * @example
 * ```ts
 * const times = Array.from({ length: 24 }, (_, i) => 2005 + (i + 0.5) / 12);
 * const data = times.map((t) => 3 + 10 * Math.cos(2 * Math.PI * t));
 * const r = removeSeasonalCycle({ data, shape: [24, 1, 1] }, { times, fitMask: times.map((_, i) => (i < 12 ? 1 : 0)) });
 * r.data[5].toFixed(4); // => "3.0000"
 * r.amplitude[0].toFixed(4); // => "10.0000"
 * ```
 */
export function removeSeasonalCycle(stack: FrameStack, options: RemoveSeasonalCycleOptions): RemoveSeasonalCycleResult {
  const fn = 'removeSeasonalCycle';
  const [nt, rows, cols] = assertStack(stack, 'stack', fn);
  if (options === undefined || options === null || options.times === undefined)
    throw new MetricsArgumentError('options.times', fn, 'decimal years or ISO dates, one per time step', 'undefined');
  const size = rows * cols;
  const threshold = checkThreshold(options.maskThreshold, fn);
  const { times } = resolveTimes(options.times, nt, fn);
  const mask = toInclusion(options.mask, [size], 'mask', fn, threshold);
  const fitMask = toInclusion(options.fitMask, [nt], 'fitMask', fn, threshold);
  const out = new Float32Array(nt * size).fill(Number.NaN);
  const amplitude = new Float32Array(size).fill(Number.NaN);
  const t = new Float64Array(nt);
  const y = new Float64Array(nt);
  for (let pix = 0; pix < size; pix++) {
    if (mask !== null && mask[pix] === 0) continue;
    let n = 0;
    for (let k = 0, idx = pix; k < nt; k++, idx += size) {
      if (fitMask !== null && fitMask[k] === 0) continue;
      const v = stack.data[idx]!;
      if (!Number.isFinite(v)) continue;
      t[n] = times[k]!;
      y[n] = v;
      n++;
    }
    const fit = n >= 5 ? fitHarmonic(t, y, n) : null;
    if (fit === null) continue;
    const [, , c, d] = fit.beta as [number, number, number, number];
    amplitude[pix] = Math.hypot(c, d);
    for (let k = 0, idx = pix; k < nt; k++, idx += size) {
      const w = 2 * Math.PI * times[k]!;
      out[idx] = stack.data[idx]! - (c * Math.cos(w) + d * Math.sin(w));
    }
  }
  return { data: out, shape: [nt, rows, cols], amplitude };
}
