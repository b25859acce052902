/** Sequence-to-next-frame training of the ConvLSTM (forecast and hindcast). */
import type * as tfl from '@tensorflow/tfjs-layers';
import { ModelsArgumentError } from '../errors.js';
import { modelInputShape, prepareTraining } from './data.js';
import { trainOneModel } from './loop.js';
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
  const prepared = prepareTraining(windows, 'windows', inShape, fn, mode === 'hindcast' ? inShape[0]! : 0);
  return trainOneModel(fn, model, prepared, o);
}
