/**
 * The plain array record every package shares: row-major typed data and its shape, with no georeferencing
 * (a {@link GridStack} or {@link Grid} carries the grid and times on top of this).
 */
import type { GridArray } from './grid.js';

/**
 * A row-major n-dimensional array: `data.length` equals the product of `shape`. What the training loops, the
 * scalers and the windowing functions exchange.
 *
 * @example
 * ```ts
 * const frames: ArrayRecord = { data: new Float32Array(2 * 48 * 48), shape: [2, 48, 48] };
 * ```
 */
export interface ArrayRecord<T extends GridArray = Float32Array> {
  readonly data: T;
  readonly shape: readonly number[];
}
