/**
 * The two plain record types every @twsa package speaks: an {@link ArrayRecord} (a typed array with a shape) and
 * its `[n, rows, cols]` special case, the {@link FrameStack}. A {@link GridStack} is a FrameStack with
 * georeferencing and times; datasets, models and reconstruct pass the plain records between them.
 */
import type { GridArray } from './grid.js';

/**
 * A typed array with a row-major shape (`data.length === product(shape)`): the array record that datasets,
 * models and reconstruct pass around (model inputs and targets, `[n, rows, cols]` or `[n, steps, rows, cols]`).
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

/** Frames `[n, rows, cols]`, frame-major (`data[t * rows * cols + r * cols + c]`); {@link GridStack} is one. */
export interface FrameStack<T extends GridArray = Float32Array> extends ArrayRecord<T> {
  readonly shape: readonly [n: number, rows: number, cols: number];
}
