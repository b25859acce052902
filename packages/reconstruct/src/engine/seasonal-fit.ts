/**
 * The per-pixel seasonal-and-trend baseline the ConvLSTM forecasts departures from (`models.convlstmBaseline`
 * `"seasonal-trend"`): mean + linear trend + annual + semiannual harmonics, fitted by least squares on the training
 * records only.
 */
import type { ArrayRecord, FrameStack } from '@twsa/grid';
import { InputError } from '../errors.js';

/** The fitted terms, in the order of {@link SeasonalTrendFit.coefficients}. */
export const SEASONAL_TREND_TERMS = [
  'mean',
  'trend per year',
  'cos annual',
  'sin annual',
  'cos semiannual',
  'sin semiannual',
] as const;
const K = SEASONAL_TREND_TERMS.length;
/** Fewest finite training values a pixel needs for a fit; pixels with fewer get all-zero coefficients. */
export const MIN_FIT_VALUES = 2 * K;

/** Per-pixel coefficients of the seasonal-and-trend baseline. */
export interface SeasonalTrendFit {
  /** Decimal year the trend is centred on (the mean time of the fitted records). */
  readonly t0: number;
  readonly rows: number;
  readonly cols: number;
  /** `[term, rows*cols]`, terms as {@link SEASONAL_TREND_TERMS}; all zero where a pixel had no fit. */
  readonly coefficients: Float64Array;
  /** Pixels fitted (the others have all-zero coefficients: the baseline is 0 there). */
  readonly fitted: number;
}

/** Mid-month decimal year of `"YYYY-MM"` (January 2003 → 2003.0417). */
export function decimalYear(yearMonth: string): number {
  const m = /^(\d{4})-(\d{2})/.exec(yearMonth);
  if (!m) throw new InputError(`not a month "YYYY-MM": ${JSON.stringify(yearMonth)}`);
  return Number(m[1]) + (Number(m[2]) - 0.5) / 12;
}

function design(t: number, t0: number, out: Float64Array): Float64Array {
  const w = 2 * Math.PI * t;
  out[0] = 1;
  out[1] = t - t0;
  out[2] = Math.cos(w);
  out[3] = Math.sin(w);
  out[4] = Math.cos(2 * w);
  out[5] = Math.sin(2 * w);
  return out;
}

/** Solves the symmetric `K×K` system `a x = b` in place (Gaussian elimination, partial pivoting); null if singular. */
function solve(a: Float64Array, b: Float64Array): Float64Array | null {
  for (let c = 0; c < K; c++) {
    let p = c;
    for (let r = c + 1; r < K; r++) if (Math.abs(a[r * K + c]!) > Math.abs(a[p * K + c]!)) p = r;
    if (Math.abs(a[p * K + c]!) < 1e-10) return null;
    if (p !== c) {
      for (let j = 0; j < K; j++) [a[c * K + j], a[p * K + j]] = [a[p * K + j]!, a[c * K + j]!];
      [b[c], b[p]] = [b[p]!, b[c]!];
    }
    for (let r = c + 1; r < K; r++) {
      const f = a[r * K + c]! / a[c * K + c]!;
      for (let j = c; j < K; j++) a[r * K + j]! -= f * a[c * K + j]!;
      b[r]! -= f * b[c]!;
    }
  }
  const x = new Float64Array(K);
  for (let r = K - 1; r >= 0; r--) {
    let s = b[r]!;
    for (let j = r + 1; j < K; j++) s -= a[r * K + j]! * x[j]!;
    x[r] = s / a[r * K + r]!;
  }
  return x;
}

/**
 * Fits the baseline per pixel on the frames with `fitOn[t]` true.
 *
 * @param stack - `[time, rows, cols]` values (mm); NaN values are left out of the fit
 * @param times - decimal year of each frame
 * @param fitOn - which frames to fit on (the training records)
 * @param mask - pixels to fit (non-zero); the others get all-zero coefficients
 * @throws {@link InputError} when the lengths disagree or no frame is fitted on.
 */
export function fitSeasonalTrend(
  stack: FrameStack,
  times: readonly number[],
  fitOn: readonly boolean[],
  mask: ArrayRecord,
): SeasonalTrendFit {
  const [nt, rows, cols] = stack.shape as readonly [number, number, number];
  const size = rows * cols;
  if (times.length !== nt || fitOn.length !== nt)
    throw new InputError(`seasonal fit: ${nt} frames but ${times.length} times and ${fitOn.length} fit flags`);
  if (mask.data.length !== size) throw new InputError(`seasonal fit: mask of ${mask.data.length} cells for ${size}`);
  const frames = fitOn.flatMap((f, t) => (f ? [t] : []));
  if (frames.length === 0) throw new InputError('seasonal fit: no frame to fit on (no training record)');
  const t0 = frames.reduce((s, t) => s + times[t]!, 0) / frames.length;
  const rowsOf = frames.map((t) => design(times[t]!, t0, new Float64Array(K)));
  const coefficients = new Float64Array(K * size);
  const a = new Float64Array(K * K);
  const b = new Float64Array(K);
  let fitted = 0;
  for (let pix = 0; pix < size; pix++) {
    if (!mask.data[pix]) continue;
    a.fill(0);
    b.fill(0);
    let n = 0;
    frames.forEach((t, k) => {
      const y = stack.data[t * size + pix]!;
      if (!Number.isFinite(y)) return;
      const x = rowsOf[k]!;
      for (let i = 0; i < K; i++) {
        b[i]! += x[i]! * y;
        for (let j = 0; j < K; j++) a[i * K + j]! += x[i]! * x[j]!;
      }
      n++;
    });
    if (n < MIN_FIT_VALUES) continue;
    const beta = solve(a, b);
    if (beta === null) continue;
    for (let i = 0; i < K; i++) coefficients[i * size + pix] = beta[i]!;
    fitted++;
  }
  return { t0, rows, cols, coefficients, fitted };
}

/** The baseline at each of `times`, as a `[time, rows, cols]` stack. */
export function seasonalTrendAt(fit: SeasonalTrendFit, times: readonly number[]): FrameStack {
  const size = fit.rows * fit.cols;
  const out = new Float32Array(times.length * size);
  const x = new Float64Array(K);
  times.forEach((t, k) => {
    design(t, fit.t0, x);
    for (let pix = 0; pix < size; pix++) {
      let s = 0;
      for (let i = 0; i < K; i++) s += x[i]! * fit.coefficients[i * size + pix]!;
      out[k * size + pix] = s;
    }
  });
  return { data: out, shape: [times.length, fit.rows, fit.cols] };
}

/** The fit as JSON (what `models/convlstm/seasonal-trend.json` holds). */
export function seasonalTrendToJson(fit: SeasonalTrendFit, fittedOn: string): object {
  const size = fit.rows * fit.cols;
  return {
    format: 'twsa-seasonal-trend',
    version: 1,
    description:
      'per-pixel least-squares fit of mean + trend + annual + semiannual harmonics (mm); the ConvLSTM forecasts departures from it',
    fittedOn,
    t0: fit.t0,
    rows: fit.rows,
    cols: fit.cols,
    fitted: fit.fitted,
    terms: [...SEASONAL_TREND_TERMS],
    coefficients: SEASONAL_TREND_TERMS.map((_, i) => Array.from(fit.coefficients.subarray(i * size, (i + 1) * size))),
  };
}

/** Reads what {@link seasonalTrendToJson} wrote. */
export function seasonalTrendFromJson(json: unknown, where: string): SeasonalTrendFit {
  const j = json as {
    format?: unknown;
    t0?: unknown;
    rows?: unknown;
    cols?: unknown;
    fitted?: unknown;
    coefficients?: unknown;
  };
  const size = Number(j?.rows) * Number(j?.cols);
  const coefs = j?.coefficients;
  if (
    j?.format !== 'twsa-seasonal-trend' ||
    typeof j.t0 !== 'number' ||
    !Number.isInteger(size) ||
    size <= 0 ||
    !Array.isArray(coefs) ||
    coefs.length !== K ||
    coefs.some((c) => !Array.isArray(c) || c.length !== size)
  )
    throw new InputError(`${where}: not a seasonal-trend fit written by twsa (format twsa-seasonal-trend, ${K} terms)`);
  const coefficients = new Float64Array(K * size);
  (coefs as number[][]).forEach((c, i) => coefficients.set(c, i * size));
  return { t0: j.t0, rows: Number(j.rows), cols: Number(j.cols), coefficients, fitted: Number(j.fitted ?? 0) };
}
