/** Supervised training of one-input image-to-image models (SEUNet, DCAE). */
import type * as tfl from '@tensorflow/tfjs-layers';
import { modelInputShape, prepareTraining } from './data.js';
import { trainOneModel } from './loop.js';
import { resolveOptions, type SupervisedData, type TrainOptions, type TrainResult } from './options.js';

/**
 * Trains a one-input image-to-image model (SEUNet, DCAE) on LSM → GRACE pairs with masked MSE and Adam.
 *
 * ## Method
 * Each step draws a batch (shuffled with a seeded RNG), runs the model in training mode and minimises
 * `Σ m·(ŷ − y)² / (b·Σ m)` over the trainable weights with `optimizer.minimize` inside `tf.tidy` (m = mask, 1
 * everywhere without one). After each epoch: validation loss, early stopping with `patience`, best weights kept
 * in memory, checkpoint, `onEpoch`. Masked pixels may hold NaN (set to 0 before training); NaN on valid pixels, or
 * anywhere without a mask, is refused.
 *
 * @param model - e.g. from {@link buildSeUnet} or {@link buildDcae}; trained in place
 * @param data - inputs `[n, rows, cols]`, targets `[n, rows, cols]`, optional validation and mask
 * @param options - see {@link TrainOptions}
 * @returns the run's {@link TrainResult}
 * @throws {@link ModelsShapeError} when the data do not fit the model; {@link ModelsNanError} for unexcused NaN;
 *   {@link ModelsArgumentError} for unknown or invalid options; {@link ModelsCheckpointError} for a checkpoint of another run.
 * @example
 * ```ts
 * const inputs = { data: new Float32Array(2 * 16 * 16).fill(0.5), shape: [2, 16, 16] };
 * const targets = { data: new Float32Array(2 * 16 * 16).fill(0.25), shape: [2, 16, 16] };
 * const mask = { data: new Float32Array(16 * 16).fill(1), shape: [16, 16] }; // 1 = land, trained on
 * const model = buildSeUnet({ preset: "tiny", inputShape: [16, 16], seed: 1 });
 * const result = await trainSupervised(model, { inputs, targets, mask }, { profile: "tiny", epochs: 2 });
 * result.history.length; // => 2
 * ```
 */
export async function trainSupervised(
  model: tfl.LayersModel,
  data: SupervisedData,
  options: TrainOptions = {},
): Promise<TrainResult> {
  const fn = 'trainSupervised';
  const o = resolveOptions(options, fn, []);
  const inShape = modelInputShape(model, fn, 'model');
  const prepared = prepareTraining(data, 'data', inShape, fn);
  return trainOneModel(fn, model, prepared, o);
}
