/**
 * Area-weighted domain means of a `[time, rows, cols]` stack (the nationwide mean series).
 */
import { MetricsArgumentError, MetricsShapeError } from './errors.js';
import { assertStack, checkThreshold, toInclusion } from './internal/arrays.js';
import type { MaskArray, FrameStack } from './types.js';

/** Options of {@link areaWeightedMean}. */
export interface AreaWeightedMeanOptions {
  /**
   * Pixel mask (`rows*cols`) or per-element mask (`time*rows*cols`); see {@link MaskArray}. Default: all cells.
   * A numeric mask is a yes/no cut at `maskThreshold`; for fractional coverage use `cellFraction`.
   */
  readonly mask?: MaskArray;
  /**
   * Fraction of each cell inside the region (`rows*cols`, 0..1, e.g. a basin's coverage from @twsa/grid
   * `rasterizePolygons`): it multiplies the weights, so a cell half inside counts half (no cut). NaN counts as 0.
   * Default: every cell whole.
   */
  readonly cellFraction?: ArrayLike<number>;
  /** Numeric mask entries `>= maskThreshold` are included. Default `0.5`. */
  readonly maskThreshold?: number;
  /**
   * Minimum fraction of the domain's weight (Σ weights of in-mask cells) that must hold valid values at a step;
   * below it the step's mean is NaN. Default `0` (any valid cell gives a mean).
   */
  readonly minCoverage?: number;
}

/** Result of {@link areaWeightedMean}: one entry per time step. */
export interface AreaWeightedMeanResult {
  /** Σ wᵢxᵢ / Σ wᵢ over the valid cells of each step; NaN when none (or below `minCoverage`). */
  readonly mean: Float64Array;
  /** Valid cells used per step. */
  readonly count: Uint32Array;
  /** Σ weights of valid cells / Σ weights of in-mask cells, per step (0–1). */
  readonly coverage: Float64Array;
}

/**
 * Area-weighted mean of every time step over the valid cells, with weights renormalised per step.
 *
 * ## Method
 * mean(t) = Σᵢ wᵢ x(t, i) / Σᵢ wᵢ over cells i inside the mask whose value is finite at t and whose weight is
 * finite and > 0 (cells with a NaN weight are outside the domain); with `cellFraction`, wᵢ = weightᵢ × cellFractionᵢ
 * (e.g. cell area × the fraction of the cell inside a basin). Missing cells therefore do not dilute
 * the mean (no zero filling). Sums are float64.
 *
 * @param stack - `{ data, shape: [time, rows, cols] }`, e.g. a `GridStack`.
 * @param weights - `rows*cols` non-negative weights (cell areas, or cos(latitude) on a lat-lon grid; all ones on an equal-area grid).
 * @param options - {@link AreaWeightedMeanOptions}.
 * @returns {@link AreaWeightedMeanResult}.
 * @throws {@link MetricsShapeError} when `weights` or `mask` have the wrong length.
 * {@link MetricsArgumentError} when a weight is negative or `minCoverage` is outside [0, 1].
 * @example
 * ```ts
 * const stack = { data: [1, 3, NaN, 3], shape: [2, 1, 2] as const };
 * const r = areaWeightedMean(stack, [1, 3]);
 * Array.from(r.mean); // => [2.5, 3]
 * Array.from(r.count); // => [2, 1]
 * Array.from(r.coverage); // => [1, 0.75]
 * // a basin covering all of the first cell and half of the second, cell areas 1 and 3:
 * Array.from(areaWeightedMean(stack, [1, 3], { cellFraction: [1, 0.5] }).mean); // => [2.2, 3]
 * ```
 */
export function areaWeightedMean(
  stack: FrameStack,
  weights: ArrayLike<number>,
  options?: AreaWeightedMeanOptions,
): AreaWeightedMeanResult {
  const fn = 'areaWeightedMean';
  const [nt, rows, cols] = assertStack(stack, 'stack', fn);
  const size = rows * cols;
  if (weights === null || typeof weights !== 'object' || typeof weights.length !== 'number')
    throw new MetricsArgumentError('weights', fn, `an array of ${size} weights`, String(weights));
  if (weights.length !== size) throw new MetricsShapeError('weights', fn, [size], [weights.length]);
  const minCoverage = options?.minCoverage ?? 0;
  if (typeof minCoverage !== 'number' || !(minCoverage >= 0 && minCoverage <= 1))
    throw new MetricsArgumentError('minCoverage', fn, 'a number in [0, 1]', String(minCoverage));
  const threshold = checkThreshold(options?.maskThreshold, fn);
  const mask = toInclusion(options?.mask, [size, nt * size], 'mask', fn, threshold);
  const perElement = mask !== null && mask.length === nt * size && nt !== 1;
  const cover = options?.cellFraction;
  if (cover !== undefined) {
    if (cover === null || typeof cover !== 'object' || typeof cover.length !== 'number')
      throw new MetricsArgumentError('cellFraction', fn, `an array of ${size} fractions`, String(cover));
    if (cover.length !== size) throw new MetricsShapeError('cellFraction', fn, [size], [cover.length]);
  }
  const w = new Float64Array(size);
  let domainWeight = 0;
  for (let i = 0; i < size; i++) {
    const v = weights[i]!;
    if (v < 0) throw new MetricsArgumentError(`weights[${i}]`, fn, 'non-negative', String(v));
    w[i] = Number.isFinite(v) ? v : 0;
    if (cover !== undefined) {
      const f = cover[i]!;
      if (f < 0 || f > 1) throw new MetricsArgumentError(`cellFraction[${i}]`, fn, 'a fraction in [0, 1]', String(f));
      w[i] *= Number.isFinite(f) ? f : 0;
    }
    if (mask !== null && !perElement && mask[i] === 0) w[i] = 0;
    domainWeight += w[i]!;
  }
  const mean = new Float64Array(nt);
  const count = new Uint32Array(nt);
  const coverage = new Float64Array(nt);
  for (let t = 0; t < nt; t++) {
    let sw = 0,
      swx = 0,
      n = 0;
    const base = t * size;
    for (let i = 0; i < size; i++) {
      const wi = w[i]!;
      if (wi === 0) continue;
      if (perElement && mask![base + i] === 0) continue;
      const x = stack.data[base + i]!;
      if (!Number.isFinite(x)) continue;
      sw += wi;
      swx += wi * x;
      n++;
    }
    // The domain is every cell with a positive weight inside a pixel mask (a per-element mask only removes values).
    coverage[t] = domainWeight > 0 ? sw / domainWeight : 0;
    count[t] = n;
    mean[t] = n > 0 && sw > 0 && coverage[t]! >= minCoverage ? swx / sw : Number.NaN;
  }
  return { mean, count, coverage };
}
