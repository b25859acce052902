/** Sequence-to-next-frame training of the ConvLSTM (forecast and hindcast). */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ModelsArgumentError } from '../errors.js';
import { gather, makeMask, modelInputShape, prepareMask, prepareSplit, sizeOf } from './data.js';
import { maskedMse } from './losses.js';
import { disposeOptimizers, evaluateSplit, runLoop, trainableVariables } from './loop.js';
import { resolveOptions, type ConvLstmTrainOptions, type SequenceData, type TrainResult } from './options.js';

/**
 * Trains the encoding–forecasting ConvLSTM (from {@link buildConvLstm}) on windows of consecutive months.
 *
 * ## Method
 * As {@link trainSupervised}, with inputs `[n, steps, rows, cols]` and targets `[n, rows, cols]`. In
 * `'forecast'` mode the frames are fed as given (chronological) and the target is the month after the window; in
 * `'hindcast'` mode each window is fed in reverse order, so the same next-frame network learns the month before
 * the window (what the datasets package's hindcast windows hold as targets).
 *
 * @param model - from {@link buildConvLstm}; trained in place
 * @param windows - inputs `[n, steps, rows, cols]`, targets `[n, rows, cols]`, optional validation and mask
 * @param options - {@link ConvLstmTrainOptions}
 * @returns the run's {@link TrainResult}
 * @throws as {@link trainSupervised}.
 */
export async function trainConvLstm(
  model: tfl.LayersModel,
  windows: SequenceData,
  options: ConvLstmTrainOptions = {},
): Promise<TrainResult> {
  const fn = 'trainConvLstm';
  const o = resolveOptions(options, fn, ['mode'], true);
  const mode = options.mode ?? 'forecast';
  if (mode !== 'forecast' && mode !== 'hindcast')
    throw new ModelsArgumentError('options.mode', fn, "'forecast' or 'hindcast'", JSON.stringify(mode));
  const inShape = modelInputShape(model, fn, 'model');
  if (inShape.length !== 4)
    throw new ModelsArgumentError(
      'model',
      fn,
      'a sequence model with input [batch, steps, rows, cols, 1]',
      JSON.stringify(model.inputs[0]!.shape),
    );
  const [steps, rows, cols] = [inShape[0]!, inShape[1]!, inShape[2]!];
  const mask = prepareMask(windows?.mask, rows, cols, fn);
  const train = prepareSplit(windows, 'windows', inShape, mask, fn);
  const val = windows.validation ? prepareSplit(windows.validation, 'windows.validation', inShape, mask, fn) : null;
  const { maskT, count } = makeMask(mask, rows, cols);
  const optimizers = { model: o.createOptimizer(o.learningRate) };
  const vars = trainableVariables(model);
  const reverse = mode === 'hindcast' ? steps : 0;
  const xSize = sizeOf(train.xShape);
  const ySize = sizeOf(train.yShape);
  try {
    return await runLoop({
      fn,
      models: { model },
      optimizers,
      n: train.n,
      options: o,
      step: async (idx) => {
        const x = tf.tensor(gather(train.x, xSize, idx, reverse), [idx.length, ...train.xShape]);
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
              reverse,
            )
        : null,
    });
  } finally {
    disposeOptimizers(optimizers);
    maskT?.dispose();
  }
}
