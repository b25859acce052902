/**
 * Scalar skill scores of a predicted series against an observed one: Pearson CC, RMSE, NSE, KGE, bias, MAE.
 *
 * ## Missing values
 * A pair `(pred[i], obs[i])` is used only when both values are finite and `mask[i]` (when given) is included;
 * `NaN` and `±Infinity` are both treated as missing (numpy would propagate them instead) — pairwise deletion.
 * Every result carries `count`, the number of pairs used. A score that is undefined for the data (a constant
 * series, too few pairs) is `NaN` with a `reason`, never an exception and never a silent 0.
 * All sums are accumulated in float64, whatever the input type.
 */
import { MetricsArgumentError } from './errors.js';
import { assertNumeric, assertSameLength, checkThreshold, toInclusion } from './internal/arrays.js';
import {
  biasFrom,
  gatherPairs,
  kgeFrom,
  maeFrom,
  nseFrom,
  pairStats,
  pearsonFrom,
  rmseFrom,
  type PairStats,
} from './internal/kernels.js';
import type { MaskArray, MetricResult, NumericArray } from './types.js';

/** Options of the scalar scores ({@link pearson}, {@link rmse}, {@link nse}, {@link kge}, {@link bias}, {@link mae}, {@link scoreSeries}). */
export interface ScoreOptions {
  /** Inclusion mask, same length as the series; see {@link MaskArray}. Default: every pair. */
  readonly mask?: MaskArray;
  /** A numeric mask entry is included when `>= maskThreshold`. Default `0.5`. */
  readonly maskThreshold?: number;
}

/** Options of {@link kge}. */
export interface KgeOptions extends ScoreOptions {
  /**
   * `"2009"` (Gupta et al. 2009; variability term α = σp/σo, the default) or `"2012"` (Kling et al. 2012;
   * variability term γ = CVp/CVo = (σp/μp)/(σo/μo), reported in `alpha`).
   */
  readonly variant?: '2009' | '2012';
}

/** Result of {@link kge}: the efficiency and its three components. */
export interface KgeResult extends MetricResult {
  /** Which KGE formula was used. */
  readonly variant: '2009' | '2012';
  /** Pearson correlation r (NaN when undefined). */
  readonly r: number;
  /** Variability ratio: σp/σo for 2009, (σp/μp)/(σo/μo) for 2012 (population standard deviations). */
  readonly alpha: number;
  /** Bias ratio μp/μo (NaN when μo = 0). */
  readonly beta: number;
}

/** Result of {@link scoreSeries}: every score of one pair of series. */
export interface SeriesScores {
  readonly cc: MetricResult;
  readonly rmse: MetricResult;
  readonly nse: MetricResult;
  readonly kge: KgeResult;
  readonly bias: MetricResult;
  readonly mae: MetricResult;
  /** Number of valid pairs (the same for every score). */
  readonly count: number;
}

function statsOf(pred: NumericArray, obs: NumericArray, options: ScoreOptions | undefined, fn: string): PairStats {
  assertNumeric(pred, 'pred', fn);
  assertNumeric(obs, 'obs', fn);
  assertSameLength(pred, obs, 'obs', fn);
  if (options !== undefined && (options === null || typeof options !== 'object'))
    throw new MetricsArgumentError('options', fn, 'an options object', String(options));
  const threshold = checkThreshold(options?.maskThreshold, fn);
  const mask = toInclusion(options?.mask, [pred.length], 'mask', fn, threshold);
  const p = new Float64Array(pred.length);
  const o = new Float64Array(pred.length);
  const n = gatherPairs(pred, obs, 0, 1, pred.length, mask, null, p, o);
  return pairStats(p, o, n);
}

/**
 * Pearson correlation coefficient (CC) between `pred` and `obs` over their valid pairs.
 *
 * ## Method
 * r = Σ(p − p̄)(o − ō) / √(Σ(p − p̄)² Σ(o − ō)²), two-pass in float64, clamped to [−1, 1]. Undefined (NaN) with
 * fewer than 2 pairs or when either series is constant (`reason` says which).
 *
 * @param pred - Predicted (simulated) values.
 * @param obs - Observed (reference) values, same length.
 * @param options - {@link ScoreOptions}.
 * @returns `{ value, count, reason? }`.
 * @throws {@link MetricsShapeError} when the lengths differ. {@link MetricsArgumentError} when an argument is not an array.
 * @example
 * ```ts
 * pearson([1, 2, 3, NaN], [2, 4, 7, 1]);
 * // => { value: 0.9933992677987828, count: 3 }
 * pearson([1, 1, 1], [1, 2, 3]);
 * // => { value: NaN, count: 3, reason: "constant series (pred)" }
 * ```
 */
export function pearson(pred: NumericArray, obs: NumericArray, options?: ScoreOptions): MetricResult {
  return pearsonFrom(statsOf(pred, obs, options, 'pearson'));
}

/**
 * Root-mean-square error between `pred` and `obs`, in their units.
 *
 * ## Method
 * RMSE = √(Σ(p − o)² / n) over the n valid pairs; NaN with `reason: "no valid pairs"` when n = 0.
 *
 * @param pred - Predicted values.
 * @param obs - Observed values, same length.
 * @param options - {@link ScoreOptions}.
 * @returns `{ value, count, reason? }`.
 * @throws {@link MetricsShapeError} when the lengths differ.
 * @example
 * ```ts
 * rmse([1, 2, 3], [1, 2, 5]);
 * // => { value: 1.1547005383792515, count: 3 }
 * ```
 */
export function rmse(pred: NumericArray, obs: NumericArray, options?: ScoreOptions): MetricResult {
  return rmseFrom(statsOf(pred, obs, options, 'rmse'));
}

/**
 * Nash–Sutcliffe efficiency of `pred` against `obs`.
 *
 * ## Method
 * NSE = 1 − Σ(p − o)² / Σ(o − ō)², in (−∞, 1]; 1 is a perfect match, 0 is no better than the observed mean.
 * Undefined with fewer than 2 pairs or a constant `obs`.
 *
 * @param pred - Predicted values.
 * @param obs - Observed values, same length.
 * @param options - {@link ScoreOptions}.
 * @returns `{ value, count, reason? }`.
 * @throws {@link MetricsShapeError} when the lengths differ.
 * @example
 * ```ts
 * nse([1, 2, 4], [1, 2, 3]);
 * // => { value: 0.5, count: 3 }
 * ```
 */
export function nse(pred: NumericArray, obs: NumericArray, options?: ScoreOptions): MetricResult {
  return nseFrom(statsOf(pred, obs, options, 'nse'));
}

/**
 * Kling–Gupta efficiency, by default the 2009 formulation (Gupta et al. 2009), with its components.
 *
 * ## Method
 * KGE = 1 − √((r − 1)² + (α − 1)² + (β − 1)²) with r the Pearson correlation, β = μp/μo and
 * α = σp/σo (2009) or α = γ = (σp/μp)/(σo/μo) (2012, `variant: "2012"`); σ are population standard deviations.
 * Undefined when r is undefined or μo = 0. Note that TWS *anomalies* have means near zero, which makes β
 * (and so KGE) unstable; prefer CC, RMSE and NSE for anomalies.
 *
 * @param pred - Predicted values.
 * @param obs - Observed values, same length.
 * @param options - {@link KgeOptions}.
 * @returns `{ value, count, reason?, variant, r, alpha, beta }`.
 * @throws {@link MetricsShapeError} when the lengths differ. {@link MetricsArgumentError} for an unknown variant.
 * @example
 * ```ts
 * kge([2, 4, 6], [1, 2, 3]);
 * // => { value: -0.41421356237309515, count: 3, variant: "2009", r: 1, alpha: 2, beta: 2 }
 * ```
 */
export function kge(pred: NumericArray, obs: NumericArray, options?: KgeOptions): KgeResult {
  const variant = options?.variant ?? '2009';
  if (variant !== '2009' && variant !== '2012')
    throw new MetricsArgumentError('variant', 'kge', '"2009" or "2012"', JSON.stringify(variant));
  return { ...kgeFrom(statsOf(pred, obs, options, 'kge'), variant), variant };
}

/**
 * Mean error (bias) of `pred` relative to `obs`.
 *
 * ## Method
 * bias = Σ(p − o) / n = p̄ − ō; positive when `pred` overestimates.
 *
 * @param pred - Predicted values.
 * @param obs - Observed values, same length.
 * @param options - {@link ScoreOptions}.
 * @returns `{ value, count, reason? }`.
 * @throws {@link MetricsShapeError} when the lengths differ.
 * @example
 * ```ts
 * bias([2, 3, Infinity], [1, 1, 1]);
 * // => { value: 1.5, count: 2 }
 * ```
 */
export function bias(pred: NumericArray, obs: NumericArray, options?: ScoreOptions): MetricResult {
  return biasFrom(statsOf(pred, obs, options, 'bias'));
}

/**
 * Mean absolute error between `pred` and `obs`.
 *
 * ## Method
 * MAE = Σ|p − o| / n.
 *
 * @param pred - Predicted values.
 * @param obs - Observed values, same length.
 * @param options - {@link ScoreOptions}.
 * @returns `{ value, count, reason? }`.
 * @throws {@link MetricsShapeError} when the lengths differ.
 * @example
 * ```ts
 * mae([1, 2, 3], [2, 2, 1]);
 * // => { value: 1, count: 3 }
 * ```
 */
export function mae(pred: NumericArray, obs: NumericArray, options?: ScoreOptions): MetricResult {
  return maeFrom(statsOf(pred, obs, options, 'mae'));
}

/**
 * Every score of one pair of series at once (one gather, one pass of moments).
 *
 * ## Method
 * As {@link pearson}, {@link rmse}, {@link nse}, {@link kge} (2009 unless `variant` is given in a {@link KgeOptions}),
 * {@link bias} and {@link mae}, over the same valid pairs.
 *
 * @param pred - Predicted values.
 * @param obs - Observed values, same length.
 * @param options - {@link KgeOptions}.
 * @returns `{ cc, rmse, nse, kge, bias, mae, count }`.
 * @throws {@link MetricsShapeError} when the lengths differ.
 * @example
 * ```ts
 * const s = scoreSeries([1, 2, 4], [1, 2, 3]);
 * s.nse.value; // => 0.5
 * s.count; // => 3
 * ```
 */
export function scoreSeries(pred: NumericArray, obs: NumericArray, options?: KgeOptions): SeriesScores {
  const variant = options?.variant ?? '2009';
  if (variant !== '2009' && variant !== '2012')
    throw new MetricsArgumentError('variant', 'scoreSeries', '"2009" or "2012"', JSON.stringify(variant));
  const s = statsOf(pred, obs, options, 'scoreSeries');
  return {
    cc: pearsonFrom(s),
    rmse: rmseFrom(s),
    nse: nseFrom(s),
    kge: { ...kgeFrom(s, variant), variant },
    bias: biasFrom(s),
    mae: maeFrom(s),
    count: s.n,
  };
}
