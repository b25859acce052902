/** Supervised training of one-input image-to-image models (SEUNet, DCAE). */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { gather, makeMask, modelInputShape, prepareMask, prepareSplit, sizeOf } from './data.js';
import { maskedMse } from './losses.js';
import { disposeOptimizers, evaluateSplit, runLoop, seedDropout, trainableVariables } from './loop.js';
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
 * const model = buildSeUnet({ preset: "tiny", seed: 1 });
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
  const [rows, cols] = [inShape[0]!, inShape[1]!];
  const mask = prepareMask(data?.mask, rows, cols, fn);
  const train = prepareSplit(data, 'data', inShape, mask, fn);
  const val = data.validation ? prepareSplit(data.validation, 'data.validation', inShape, mask, fn) : null;
  const { maskT, count } = makeMask(mask, rows, cols);
  const optimizers = { model: o.createOptimizer(o.learningRate) };
  const vars = trainableVariables(model);
  const xSize = sizeOf(train.xShape);
  const ySize = sizeOf(train.yShape);
  try {
    return await runLoop({
      fn,
      models: { model },
      optimizers,
      n: train.n,
      options: o,
      step: async (idx, rng) => {
        seedDropout(model, rng);
        const x = tf.tensor(gather(train.x, xSize, idx), [idx.length, ...train.xShape]);
        const y = tf.tensor(gather(train.y, ySize, idx), [idx.length, ...train.yShape]);
        const cost = optimizers.model.minimize(
          () => maskedMse(model.apply(x, { training: true }) as tf.Tensor, y, maskT, count),
          true,
          vars,
        );
        tf.dispose([x, y]);
        const loss = (await cost!.data())[0]!;
        cost!.dispose();
        return { loss };
      },
      validate: val
        ? () =>
            evaluateSplit(
              (x) => model.apply(x, { training: false }) as tf.Tensor,
              val,
              Math.max(o.batchSize, 8),
              maskT,
              count,
            )
        : null,
    });
  } finally {
    disposeOptimizers(optimizers);
    maskT?.dispose();
  }
}
