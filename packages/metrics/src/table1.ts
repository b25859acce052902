/**
 * The paper's Table 1 summary: mean of per-pixel CC and RMSE over land, beside the scores of the nationwide mean series.
 */
import { MetricsShapeError } from './errors.js';
import { assertStack, checkThreshold, toInclusion } from './internal/arrays.js';
import { gatherPairs, pairStats, pearsonFrom, rmseFrom } from './internal/kernels.js';
import { areaWeightedMean } from './area.js';
import type { MaskArray, MetricResult, FrameStack } from './types.js';

/** Options of {@link table1Summary}. */
export interface Table1Options {
  /** `rows*cols` cell weights for the domain mean (cell areas). Default: all ones (equal-area grid). */
  readonly weights?: ArrayLike<number>;
  /** Land mask: `rows*cols` (0/1 or land fraction) or `time*rows*cols`; see {@link MaskArray}. Default: every pixel. */
  readonly mask?: MaskArray;
  /** Months to score (`time` entries), e.g. the 40 test months. Default: every month. */
  readonly timeMask?: MaskArray;
  /** Numeric mask entries `>= maskThreshold` are included. Default `0.5`. */
  readonly maskThreshold?: number;
}

/** Result of {@link table1Summary}. */
export interface Table1Summary {
  /** Arithmetic mean over land pixels of the per-pixel CC and RMSE (pixels where a metric is undefined are left out). */
  readonly perPixel: { readonly cc: number; readonly rmse: number };
  /** CC and RMSE of the area-weighted nationwide mean series of `pred` against that of `obs`. */
  readonly domainMean: { readonly cc: MetricResult; readonly rmse: MetricResult };
  /** The two nationwide mean series (NaN at months outside `timeMask` or without valid cells). */
  readonly series: { readonly pred: Float64Array; readonly obs: Float64Array };
  readonly counts: {
    /** Pixels inside the land mask. */
    readonly landPixels: number;
    /** Land pixels with a defined CC (≥ 2 valid months, neither series constant). */
    readonly pixelsWithCc: number;
    /** Land pixels with a defined RMSE (≥ 1 valid month). */
    readonly pixelsWithRmse: number;
    /** Months selected by `timeMask`. */
    readonly months: number;
    /** Months where both nationwide means are defined. */
    readonly domainMonths: number;
  };
  /** The definition above in words, to print beside the numbers. */
  readonly definition: string;
}

/** The definition string returned by {@link table1Summary}. */
export const TABLE1_DEFINITION =
  'perPixel: for each land pixel, Pearson CC and RMSE between pred and obs over the selected months (NaN/Inf pairs dropped), ' +
  'then the arithmetic mean over land pixels where the metric is defined (Yu et al. 2021, Table 1). ' +
  'domainMean: area-weighted mean over land cells valid in both pred and obs at each month (weights renormalised), ' +
  'then CC and RMSE between the two nationwide series over the selected months.';

/**
 * Table 1 of Yu et al. (2021): mean per-pixel CC and RMSE over land pixels on the test months, with the scores of
 * the nationwide (area-weighted) mean series beside them.
 *
 * ## Method
 * - `perPixel`: per-pixel CC and RMSE (as {@link perPixelMetrics}, in float64) over the months of `timeMask`, then the unweighted mean over land pixels of
 *   the per-pixel CC (resp. RMSE), skipping pixels where it is undefined — the paper's Table 1 definition.
 * - `domainMean`: at each selected month, the {@link areaWeightedMean} of `pred` and of `obs` over the land cells
 *   where *both* are finite (so the two series cover the same area), then {@link pearson} and {@link rmse} of the
 *   two series. This is usually much better than `perPixel`, since averaging cancels local errors.
 *
 * @param pred - Predicted stack `{ data, shape: [time, rows, cols] }`.
 * @param obs - Observed stack of the same shape.
 * @param options - {@link Table1Options}.
 * @returns {@link Table1Summary}.
 * @throws {@link MetricsShapeError} when shapes, weights or masks do not match.
 * @example
 * ```ts
 * const obs = { data: [1, 2, 3, 4, 2, 1, 4, 3], shape: [4, 1, 2] as const };
 * const pred = { data: [1, 2, 3, 4, 2, 1, 5, 3], shape: [4, 1, 2] as const };
 * const s = table1Summary(pred, obs);
 * s.perPixel.rmse; // => 0.25
 * s.domainMean.rmse.value; // => 0.25
 * s.counts.landPixels; // => 2
 * ```
 */
export function table1Summary(pred: FrameStack, obs: FrameStack, options?: Table1Options): Table1Summary {
  const fn = 'table1Summary';
  const [nt, rows, cols] = assertStack(pred, 'pred', fn);
  const shapeO = assertStack(obs, 'obs', fn);
  if (shapeO[0] !== nt || shapeO[1] !== rows || shapeO[2] !== cols)
    throw new MetricsShapeError('obs.shape', fn, [nt, rows, cols], shapeO);
  const size = rows * cols;
  const threshold = checkThreshold(options?.maskThreshold, fn);
  // Joint validity per element: in the land mask, in the selected months, finite in both stacks.
  const mask = toInclusion(options?.mask, [size, nt * size], 'mask', fn, threshold);
  const timeMask = toInclusion(options?.timeMask, [nt], 'timeMask', fn, threshold);
  const perElement = mask !== null && mask.length === nt * size && nt !== 1;
  // Per-pixel CC and RMSE in float64 (as perPixelMetrics, without rounding to the Float32 maps).
  const p = new Float64Array(nt);
  const o = new Float64Array(nt);
  let landPixels = 0,
    sumCc = 0,
    nCc = 0,
    sumRmse = 0,
    nRmse = 0;
  for (let pix = 0; pix < size; pix++) {
    if (mask !== null && !perElement && mask[pix] === 0) continue;
    landPixels++;
    const st = pairStats(
      p,
      o,
      gatherPairs(pred.data, obs.data, pix, size, nt, perElement ? mask : null, timeMask, p, o),
    );
    const cc = pearsonFrom(st).value;
    const e = rmseFrom(st).value;
    if (Number.isFinite(cc)) {
      sumCc += cc;
      nCc++;
    }
    if (Number.isFinite(e)) {
      sumRmse += e;
      nRmse++;
    }
  }
  const joint = new Uint8Array(nt * size);
  let months = 0;
  for (let t = 0; t < nt; t++) {
    if (timeMask !== null && timeMask[t] === 0) continue;
    months++;
    for (let i = 0, idx = t * size; i < size; i++, idx++) {
      if (mask !== null && mask[perElement ? idx : i] === 0) continue;
      if (Number.isFinite(pred.data[idx]!) && Number.isFinite(obs.data[idx]!)) joint[idx] = 1;
    }
  }
  const weights = options?.weights ?? new Float64Array(size).fill(1);
  const meanP = areaWeightedMean(pred, weights, { mask: joint }).mean;
  const meanO = areaWeightedMean(obs, weights, { mask: joint }).mean;
  const n = gatherPairs(meanP, meanO, 0, 1, nt, null, null, p, o);
  const stats = pairStats(p, o, n);
  return {
    perPixel: { cc: nCc > 0 ? sumCc / nCc : Number.NaN, rmse: nRmse > 0 ? sumRmse / nRmse : Number.NaN },
    domainMean: { cc: pearsonFrom(stats), rmse: rmseFrom(stats) },
    series: { pred: meanP, obs: meanO },
    counts: { landPixels, pixelsWithCc: nCc, pixelsWithRmse: nRmse, months, domainMonths: n },
    definition: TABLE1_DEFINITION,
  };
}
