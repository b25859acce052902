/**
 * Checks and prepares training/prediction data: shape checks against the model, the mask, NaN handling,
 * batch gathering.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ModelsArgumentError, ModelsNanError, ModelsShapeError } from '../errors.js';
import type { ArrayRecord } from '@twsa/grid';
import type { SequenceData, SupervisedData } from './options.js';
import type { SupervisedSplit } from './options.js';

export interface Prepared {
  /** Samples, NaN replaced by 0 where masked. */
  x: Float32Array;
  y: Float32Array;
  n: number;
  /** Per-sample input shape (without batch), e.g. [r, c, 1] or [T, r, c, 1]. */
  xShape: number[];
  /** Per-sample target shape [r, c, 1]. */
  yShape: number[];
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function checkArray(value: unknown, argument: string, fn: string): ArrayRecord {
  const r = value as ArrayRecord;
  if (!r || typeof r !== 'object' || !(r.data instanceof Float32Array) || !Array.isArray(r.shape)) {
    throw new ModelsArgumentError(
      argument,
      fn,
      'a { data: Float32Array, shape } record',
      r === null ? 'null' : typeof r,
    );
  }
  if (sizeOf(r.shape) !== r.data.length)
    throw new ModelsShapeError(argument, fn, [r.data.length], [...r.shape], `data.length is ${r.data.length}`);
  return r;
}

/** Reads the mask as a 0/1 Float32Array `[rows·cols]`, or null. */
export function prepareMask(
  mask: ArrayRecord | undefined,
  rows: number,
  cols: number,
  fn: string,
): Float32Array | null {
  if (mask === undefined) return null;
  const m = checkArray(mask, 'data.mask', fn);
  const shape = m.shape.length === 3 && m.shape[2] === 1 ? m.shape.slice(0, 2) : m.shape;
  if (shape.length !== 2 || shape[0] !== rows || shape[1] !== cols)
    throw new ModelsShapeError('data.mask', fn, [rows, cols], [...m.shape]);
  const out = new Float32Array(rows * cols);
  let count = 0;
  for (let i = 0; i < out.length; i++)
    if (m.data[i] !== 0 && !Number.isNaN(m.data[i])) {
      out[i] = 1;
      count++;
    }
  if (count === 0)
    throw new ModelsArgumentError('data.mask', fn, 'at least one valid (non-zero) pixel', 'an all-zero mask');
  return out;
}

/** Copies `src`, replacing non-finite values by 0 where the mask is 0; throws for non-finite values elsewhere. */
function cleanValues(src: Float32Array, mask: Float32Array | null, argument: string, fn: string): Float32Array {
  const out = new Float32Array(src);
  const frame = mask?.length ?? 0;
  let first = -1;
  let count = 0;
  for (let i = 0; i < out.length; i++) {
    if (Number.isFinite(out[i]!)) continue;
    if (mask && mask[i % frame] === 0) {
      out[i] = 0;
      continue;
    }
    if (first < 0) first = i;
    count++;
  }
  if (count > 0) throw new ModelsNanError(argument, fn, first, count, mask !== null);
  return out;
}

export function prepareSplit(
  split: SupervisedSplit,
  prefix: string,
  inputShape: number[],
  mask: Float32Array | null,
  fn: string,
): Prepared {
  const name = (key: string): string => (prefix ? `${prefix}.${key}` : key);
  const inputs = checkArray(split?.inputs, name('inputs'), fn);
  const targets = checkArray(split?.targets, name('targets'), fn);
  const n = inputs.shape[0]!;
  // Accept the sample shape with or without the trailing channel axis of 1.
  const sampleIn = inputs.shape.slice(1);
  const want = inputShape;
  const wantNoChannel = want[want.length - 1] === 1 ? want.slice(0, -1) : null;
  const okIn =
    sampleIn.join(',') === want.join(',') || (wantNoChannel !== null && sampleIn.join(',') === wantNoChannel.join(','));
  if (!okIn)
    throw new ModelsShapeError(
      name('inputs'),
      fn,
      [-1, ...(wantNoChannel ?? want)],
      [...inputs.shape],
      'the model was built for this sample shape',
    );
  if (n === 0) throw new ModelsArgumentError(name('inputs'), fn, 'at least one sample', '0 samples');
  const rows = want[want.length - 3]!;
  const cols = want[want.length - 2]!;
  const tShape = targets.shape;
  const okT =
    tShape[0] === n &&
    tShape[1] === rows &&
    tShape[2] === cols &&
    (tShape.length === 3 || (tShape.length === 4 && tShape[3] === 1));
  if (!okT)
    throw new ModelsShapeError(
      name('targets'),
      fn,
      [n, rows, cols],
      [...tShape],
      `targets must have one [${rows}, ${cols}] frame per input sample`,
    );
  return {
    x: cleanValues(inputs.data, mask, name('inputs'), fn),
    y: cleanValues(targets.data, mask, name('targets'), fn),
    n,
    xShape: want,
    yShape: [rows, cols, 1],
  };
}

export function modelInputShape(model: tfl.LayersModel, fn: string, argument: string): number[] {
  if (!model || typeof model !== 'object' || !Array.isArray(model.inputs))
    throw new ModelsArgumentError(argument, fn, 'a tf.LayersModel', typeof model);
  const shape = model.inputs[0]!.shape.slice(1);
  if (!shape.every((d) => typeof d === 'number'))
    throw new ModelsArgumentError(
      argument,
      fn,
      'a model with a fully defined input shape',
      JSON.stringify(model.inputs[0]!.shape),
    );
  return shape as number[];
}

/** Gathers samples `indices` of `src` (sample size `size`) into a new array; optionally reverses the time axis. */
export function gather(src: Float32Array, size: number, indices: readonly number[], reverseSteps = 0): Float32Array {
  const out = new Float32Array(indices.length * size);
  indices.forEach((s, b) => {
    const from = src.subarray(s * size, (s + 1) * size);
    if (reverseSteps > 0) {
      const frame = size / reverseSteps;
      for (let t = 0; t < reverseSteps; t++)
        out.set(from.subarray(t * frame, (t + 1) * frame), b * size + (reverseSteps - 1 - t) * frame);
    } else {
      out.set(from, b * size);
    }
  });
  return out;
}

function makeMask(mask: Float32Array | null, rows: number, cols: number): { maskT: tf.Tensor | null; count: number } {
  if (!mask) return { maskT: null, count: rows * cols };
  let count = 0;
  for (const v of mask) count += v;
  return { maskT: tf.tensor4d(mask, [1, rows, cols, 1]), count };
}

/** The data of one training run, checked and prepared once: splits, mask tensor and a batch builder. */
export interface TrainingData {
  readonly train: Prepared;
  readonly val: Prepared | null;
  /** `[1, rows, cols, 1]` mask tensor, or null without a mask. */
  readonly maskT: tf.Tensor | null;
  /** Valid pixels per frame (all pixels without a mask). */
  readonly count: number;
  /** Steps of each input window fed in reverse (hindcast), 0 otherwise. */
  readonly reverseSteps: number;
  /** Input and target tensors of the training samples `indices`; the caller disposes them. */
  batch(indices: readonly number[]): [tf.Tensor, tf.Tensor];
  /** Frees the mask tensor. */
  dispose(): void;
}

/**
 * Checks `data` (mask, training split, optional validation split) against a model input shape `inShape` and
 * prepares it for {@link runLoop}; `prefix` names the argument in errors (`data`, `windows`).
 */
export function prepareTraining(
  data: SupervisedData | SequenceData,
  prefix: string,
  inShape: number[],
  fn: string,
  reverseSteps = 0,
): TrainingData {
  const rows = inShape[inShape.length - 3]!;
  const cols = inShape[inShape.length - 2]!;
  const mask = prepareMask(data?.mask, rows, cols, fn);
  const train = prepareSplit(data, prefix, inShape, mask, fn);
  const val = data.validation ? prepareSplit(data.validation, `${prefix}.validation`, inShape, mask, fn) : null;
  const { maskT, count } = makeMask(mask, rows, cols);
  const xSize = sizeOf(train.xShape);
  const ySize = sizeOf(train.yShape);
  return {
    train,
    val,
    maskT,
    count,
    reverseSteps,
    batch: (idx) => [
      tf.tensor(gather(train.x, xSize, idx, reverseSteps), [idx.length, ...train.xShape]),
      tf.tensor(gather(train.y, ySize, idx), [idx.length, ...train.yShape]),
    ],
    dispose: () => maskT?.dispose(),
  };
}
