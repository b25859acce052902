/**
 * Plain record types shared by every @twsa/metrics function. This package has no dependencies, so it declares
 * them structurally: its {@link FrameStack} is the `FrameStack` of `@twsa/grid` (same name, same layout) widened
 * to plain number arrays, so a `GridStack` or any `{ data, shape: [time, rows, cols] }` can be passed as is.
 */

/** A series or flattened field of values; `NaN` (and `±Infinity`) mark missing values. */
export type NumericArray = Float32Array | Float64Array | readonly number[];

/**
 * An inclusion mask: `Uint8Array` 0/1, land fractions (`Float32Array`), numbers or booleans.
 * An element is included when it is `true` or a number `>= maskThreshold` (default `0.5`), so a fraction mask
 * selects cells that are at least half land and a 0/1 mask works unchanged. `NaN` entries exclude.
 */
export type MaskArray = ArrayLike<number> | readonly boolean[];

/**
 * A time stack of 2-D fields: `data[t * rows * cols + r * cols + c]`, `shape: [time, rows, cols]`.
 * The structural twin of `FrameStack` in `@twsa/grid` (which `GridStack` extends), accepting number arrays too.
 */
export interface FrameStack {
  readonly data: NumericArray;
  readonly shape: readonly [time: number, rows: number, cols: number];
}

/**
 * Why a score is undefined (`value` is `NaN`):
 * - `"no valid pairs"`: every pair has a NaN/±Inf member or is masked out;
 * - `"fewer than 2 valid pairs"` / `"fewer than 3 valid values"` / `"fewer than 5 valid values"`: too few for the statistic;
 * - `"constant series (obs)"`, `"constant series (pred)"`, `"constant series (pred and obs)"`, `"constant series"`: zero variance
 *   (all values equal, or a spread so small that its float64 sum of squares underflows to 0);
 * - `"observed mean is zero"`: KGE's bias ratio `beta = mean(pred) / mean(obs)` is undefined;
 * - `"predicted mean is zero"`: KGE-2012's variability ratio (a ratio of coefficients of variation) is undefined;
 * - `"singular design"`: the times do not constrain an annual harmonic (e.g. all in one month of the year).
 */
export type UndefinedReason =
  | 'no valid pairs'
  | 'fewer than 2 valid pairs'
  | 'fewer than 3 valid values'
  | 'fewer than 5 valid values'
  | 'constant series'
  | 'constant series (obs)'
  | 'constant series (pred)'
  | 'constant series (pred and obs)'
  | 'observed mean is zero'
  | 'predicted mean is zero'
  | 'singular design';

/** A scalar score with the number of valid pairs it used; `reason` is set exactly when `value` is `NaN`. */
export interface MetricResult {
  /** The score, or `NaN` when undefined. */
  readonly value: number;
  /** Number of valid (finite, unmasked) pairs used. */
  readonly count: number;
  /** Why `value` is `NaN`; absent when it is defined. */
  readonly reason?: UndefinedReason;
}
