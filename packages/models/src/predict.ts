/** Batched inference of a trained model over many samples. */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ModelsArgumentError } from './errors.js';
import { checkKeys } from './internal/config.js';
import type { ArrayRecord } from '@twsa/grid';
import { checkArray, gather, modelInputShape, prepareMask, prepareSplit, sizeOf } from './train/data.js';

/** Options of {@link predict}. */
export interface PredictOptions {
  /** Samples per forward pass. Default 16. */
  readonly batchSize?: number;
  /** `[rows, cols]` mask: NaN inputs on masked pixels become 0 and the predictions there NaN. */
  readonly mask?: ArrayRecord;
  /** Sequence models only: `'hindcast'` feeds each window in reverse order (as {@link trainConvLstm}). Default `'forecast'`. */
  readonly mode?: 'forecast' | 'hindcast';
}

/**
 * Runs a trained model (SEUNet, DCAE, a Pix2Pix generator or the ConvLSTM) over many samples in inference mode.
 *
 * ## Method
 * Checks the inputs against the model's input shape, refuses NaN unless a mask excuses it, runs `model.predict`
 * in batches inside `tf.tidy` and copies the results into one Float32Array; masked pixels of the output are NaN.
 *
 * @param model - a trained model
 * @param inputs - `[n, rows, cols]` (image models) or `[n, steps, rows, cols]` (ConvLSTM)
 * @param options - see {@link PredictOptions}
 * @returns `{ data, shape: [n, rows, cols] }`
 * @throws {@link ModelsShapeError}, {@link ModelsNanError}, {@link ModelsArgumentError}.
 */
export async function predict(
  model: tfl.LayersModel,
  inputs: ArrayRecord,
  options: PredictOptions = {},
): Promise<ArrayRecord> {
  const fn = 'predict';
  checkKeys(options, ['batchSize', 'mask', 'mode'], 'options', fn);
  const batchSize = options.batchSize ?? 16;
  if (!Number.isInteger(batchSize) || batchSize <= 0)
    throw new ModelsArgumentError('options.batchSize', fn, 'a positive integer', JSON.stringify(batchSize));
  const mode = options.mode ?? 'forecast';
  if (mode !== 'forecast' && mode !== 'hindcast')
    throw new ModelsArgumentError('options.mode', fn, "'forecast' or 'hindcast'", JSON.stringify(mode));
  const inShape = modelInputShape(model, fn, 'model');
  const rows = inShape[inShape.length - 3]!;
  const cols = inShape[inShape.length - 2]!;
  const mask = prepareMask(options.mask, rows, cols, fn);
  const x = checkArray(inputs, 'inputs', fn);
  const n = x.shape[0]!;
  const prepared = prepareSplit(
    { inputs: x, targets: { data: new Float32Array(n * rows * cols), shape: [n, rows, cols] } },
    '',
    inShape,
    mask,
    fn,
  );
  const reverse = mode === 'hindcast' && inShape.length === 4 ? inShape[0]! : 0;
  const xSize = sizeOf(inShape);
  const out = new Float32Array(n * rows * cols);
  for (let start = 0; start < n; start += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, n - start) }, (_, i) => start + i);
    const y = tf.tidy(
      () => model.predict(tf.tensor(gather(prepared.x, xSize, idx, reverse), [idx.length, ...inShape])) as tf.Tensor,
    );
    out.set((await y.data()) as Float32Array, start * rows * cols);
    y.dispose();
  }
  if (mask) for (let i = 0; i < out.length; i++) if (mask[i % mask.length] === 0) out[i] = Number.NaN;
  return { data: out, shape: [n, rows, cols] };
}
