/**
 * Per-pixel skill maps of a predicted `[time, rows, cols]` stack against an observed one.
 */
import { MetricsArgumentError, MetricsShapeError } from './errors.js';
import { assertStack, checkThreshold, toInclusion } from './internal/arrays.js';
import {
  biasFrom,
  gatherPairs,
  kgeFrom,
  maeFrom,
  nseFrom,
  pairStats,
  pearsonFrom,
  rmseFrom,
} from './internal/kernels.js';
import type { MaskArray, FrameStack } from './types.js';

/** Options of {@link perPixelMetrics}. */
export interface PerPixelMetricsOptions {
  /**
   * Pixel mask (`rows*cols`, e.g. a land mask or land fraction) or per-element mask (`time*rows*cols`);
   * see {@link MaskArray}. Pixels outside a pixel mask are NaN in every map and 0 in `count`.
   */
  readonly mask?: MaskArray;
  /** Time-step mask (`time` entries), e.g. the test months or the valid GRACE months. */
  readonly timeMask?: MaskArray;
  /** Numeric mask entries `>= maskThreshold` are included. Default `0.5`. */
  readonly maskThreshold?: number;
  /** KGE formula, `"2009"` (default) or `"2012"`. */
  readonly kgeVariant?: '2009' | '2012';
}

/** Result of {@link perPixelMetrics}: `rows*cols` maps in row-major order; NaN where undefined or masked. */
export interface PerPixelMetricsResult {
  readonly shape: readonly [rows: number, cols: number];
  /** Pearson CC per pixel. */
  readonly cc: Float32Array;
  readonly rmse: Float32Array;
  readonly nse: Float32Array;
  readonly kge: Float32Array;
  /** mean(pred − obs) per pixel. */
  readonly bias: Float32Array;
  readonly mae: Float32Array;
  /** Valid (finite, unmasked) pairs per pixel. */
  readonly count: Uint32Array;
  /** Number of pixels inside the pixel mask (all pixels without one). */
  readonly pixels: number;
}

/**
 * Pearson CC, RMSE, NSE, KGE, bias and MAE over time for every pixel, with the count of valid pairs.
 *
 * ## Method
 * For pixel (r, c), the pairs (pred[t, r, c], obs[t, r, c]) over the time steps included by `timeMask` whose values
 * are both finite (and included by a per-element `mask`) are scored as in {@link scoreSeries}: float64 sums,
 * pairwise deletion, NaN where a score is undefined (e.g. a constant pixel has CC NaN, RMSE defined).
 *
 * @param pred - Predicted stack `{ data, shape: [time, rows, cols] }`.
 * @param obs - Observed stack of the same shape.
 * @param options - {@link PerPixelMetricsOptions}.
 * @returns {@link PerPixelMetricsResult}.
 * @throws {@link MetricsShapeError} when the shapes or mask lengths differ. {@link MetricsArgumentError} for bad options.
 * @example
 * ```ts
 * const pred = { data: [1, 5, 2, 5, 4, 5], shape: [3, 1, 2] as const };
 * const obs = { data: [1, 1, 2, 2, 3, 3], shape: [3, 1, 2] as const };
 * const m = perPixelMetrics(pred, obs);
 * m.nse[0]; // => 0.5
 * m.cc[1]; // => NaN
 * m.rmse[1].toFixed(4); // => "3.1091"
 * Array.from(m.count); // => [3, 3]
 * ```
 */
export function perPixelMetrics(
  pred: FrameStack,
  obs: FrameStack,
  options?: PerPixelMetricsOptions,
): PerPixelMetricsResult {
  const fn = 'perPixelMetrics';
  const [nt, rows, cols] = assertStack(pred, 'pred', fn);
  const shapeO = assertStack(obs, 'obs', fn);
  if (shapeO[0] !== nt || shapeO[1] !== rows || shapeO[2] !== cols)
    throw new MetricsShapeError('obs.shape', fn, [nt, rows, cols], shapeO);
  const variant = options?.kgeVariant ?? '2009';
  if (variant !== '2009' && variant !== '2012')
    throw new MetricsArgumentError('kgeVariant', fn, '"2009" or "2012"', JSON.stringify(variant));
  const size = rows * cols;
  const threshold = checkThreshold(options?.maskThreshold, fn);
  const mask = toInclusion(options?.mask, [size, nt * size], 'mask', fn, threshold);
  const timeMask = toInclusion(options?.timeMask, [nt], 'timeMask', fn, threshold);
  const perElement = mask !== null && mask.length === nt * size && nt !== 1;
  const nanMap = (): Float32Array => new Float32Array(size).fill(Number.NaN);
  const cc = nanMap(),
    rmse = nanMap(),
    nse = nanMap(),
    kge = nanMap(),
    bias = nanMap(),
    mae = nanMap();
  const count = new Uint32Array(size);
  const p = new Float64Array(nt);
  const o = new Float64Array(nt);
  let pixels = 0;
  for (let pix = 0; pix < size; pix++) {
    if (mask !== null && !perElement && mask[pix] === 0) continue;
    pixels++;
    const n = gatherPairs(pred.data, obs.data, pix, size, nt, perElement ? mask : null, timeMask, p, o);
    count[pix] = n;
    const s = pairStats(p, o, n);
    cc[pix] = pearsonFrom(s).value;
    rmse[pix] = rmseFrom(s).value;
    nse[pix] = nseFrom(s).value;
    kge[pix] = kgeFrom(s, variant).value;
    bias[pix] = biasFrom(s).value;
    mae[pix] = maeFrom(s).value;
  }
  return { shape: [rows, cols], cc, rmse, nse, kge, bias, mae, count, pixels };
}
