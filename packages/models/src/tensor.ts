/**
 * Conversions between the plain `{ data, shape }` records of @twsa/grid and tfjs tensors (NHWC).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ArrayRecord, Grid, GridStack } from '@twsa/grid';
import { ModelsArgumentError, ModelsShapeError } from './errors.js';

function isStackLike(v: unknown): v is GridStack {
  const s = v as GridStack;
  return !!s && Array.isArray(s.times) && Array.isArray(s.shape) && s.shape.length === 3;
}

function isGridLike(v: unknown): v is Grid {
  const g = v as Grid;
  return !!g && Array.isArray(g.bounds) && typeof g.crs === 'string' && Array.isArray(g.shape) && g.shape.length === 2;
}

function checkRecord(value: unknown, argument: string, fn: string): ArrayRecord {
  const r = value as ArrayRecord;
  if (
    !r ||
    typeof r !== 'object' ||
    !((r.data as unknown) instanceof Float32Array || (r.data as unknown) instanceof Float64Array) ||
    !Array.isArray(r.shape)
  ) {
    throw new ModelsArgumentError(
      argument,
      fn,
      'a { data: Float32Array, shape } record, a Grid or a GridStack',
      r === null ? 'null' : typeof r,
    );
  }
  const size = r.shape.reduce((a, b) => a * b, 1);
  if (!r.shape.every((d) => Number.isInteger(d) && d > 0) || size !== r.data.length) {
    throw new ModelsShapeError(
      argument,
      fn,
      [r.data.length],
      [...r.shape],
      `the shape's product (${size}) must equal data.length (${r.data.length})`,
    );
  }
  return r;
}

/**
 * Converts a grid, a stack or an array record to a float32 tensor laid out for the models (NHWC).
 *
 * ## Method
 * A {@link Grid} `[rows, cols]` becomes `[1, rows, cols, 1]`; a {@link GridStack} `[time, rows, cols]` becomes
 * `[time, rows, cols, 1]` (one sample per frame); any other `{ data, shape }` record keeps its shape. Values are
 * copied as they are (NaN stays NaN): the training loops check and mask them.
 *
 * @param value - a Grid, GridStack or `{ data, shape }` record
 * @returns a new tensor the caller disposes
 * @throws {@link ModelsArgumentError} when `value` is not one of those; {@link ModelsShapeError} when `data.length` disagrees with `shape`.
 * @example
 * ```ts
 * const t = toTensor({ data: new Float32Array([1, 2, 3, 4]), shape: [2, 2], bounds: [0, 0, 2, 2], crs: "EPSG:4326", nodata: NaN });
 * t.shape; // => [1, 2, 2, 1]
 * t.dispose();
 * ```
 */
export function toTensor(value: Grid | GridStack | ArrayRecord): tf.Tensor {
  const r = checkRecord(value, 'value', 'toTensor');
  const data = r.data instanceof Float32Array ? r.data : Float32Array.from(r.data);
  if (isStackLike(value)) return tf.tensor4d(data, [r.shape[0]!, r.shape[1]!, r.shape[2]!, 1]);
  if (isGridLike(value)) return tf.tensor4d(data, [1, r.shape[0]!, r.shape[1]!, 1]);
  return tf.tensor(data, [...r.shape], 'float32');
}

/**
 * Converts a tensor back into a record shaped like `like`: a {@link Grid}, a {@link GridStack} (one frame per
 * sample) or a plain `{ data, shape }` record; georeferencing and metadata are copied from `like`.
 *
 * ## Method
 * Reads the tensor synchronously (`dataSync`) and checks that its size matches: `rows·cols` for a Grid,
 * `time·rows·cols` for a GridStack, the product of `like.shape` otherwise. A trailing channel axis of 1 is
 * ignored. The tensor is not disposed.
 *
 * @param t - the tensor (e.g. a model prediction `[n, rows, cols, 1]`)
 * @param like - the record whose shape and metadata the result takes
 * @returns a new record with a fresh Float32Array
 * @throws {@link ModelsShapeError} when the sizes disagree.
 * @example
 * ```ts
 * const like = { data: new Float32Array(4), shape: [2, 2] };
 * fromTensor(tf.ones([1, 2, 2, 1]), like).data; // => Float32Array [1, 1, 1, 1]
 * ```
 */
export function fromTensor<L extends Grid | GridStack | ArrayRecord>(t: tf.Tensor, like: L): L {
  const r = checkRecord(like, 'like', 'fromTensor');
  const size = r.shape.reduce((a, b) => a * b, 1);
  if (t.size !== size)
    throw new ModelsShapeError(
      't',
      'fromTensor',
      [...r.shape, 1],
      t.shape,
      `its size (${t.size}) must equal that of 'like' (${size})`,
    );
  const data = new Float32Array(t.dataSync() as Float32Array);
  return { ...like, data, shape: [...r.shape] } as L;
}
