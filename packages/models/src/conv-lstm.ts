import * as tfl from '@tensorflow/tfjs-layers';
import {
  BASE_KEYS,
  KernelInitializers,
  checkInitializer,
  checkInputShape,
  checkIntList,
  checkKeys,
  checkPositiveInt,
  checkPreset,
  checkSeed,
} from './internal/config.js';
import type { BaseModelConfig } from './model-config.js';
import { ModelsArgumentError } from './errors.js';
// ConvLstm2dLayerArgs is imported for the {@link} in a doc comment below (TypeDoc resolves it), not used in code.
// eslint-disable-next-line @typescript-eslint/no-unused-vars
import { ConvLstm2dLayer, LastStepLayer, SequenceBatchNormLayer, type ConvLstm2dLayerArgs } from './layers.js';
import { batchNormalization } from './layers.js';

type SymbolicTensor = tfl.SymbolicTensor;

/** Configuration of {@link buildConvLstm}; every field except `preset` overrides the preset's value. */
export interface ConvLstmConfig extends BaseModelConfig {
  /** `[rows, cols]` of each frame. Default `[48, 48]`. */
  readonly inputShape?: readonly [rows: number, cols: number];
  /** Frames per input sequence. Default 19 (the paper's window). */
  readonly timeSteps?: number;
  /** Hidden channels of each ConvLSTM layer (encoder and forecaster alike). paper `[64, 32, 32]`, cpu `[16, 16]`, tiny `[4, 4]`. */
  readonly filters?: readonly number[];
  /** Kernel size of every ConvLSTM layer. paper 5, cpu 3, tiny 3. */
  readonly kernelSize?: number;
  /**
   * Train the ConvLSTM layers with a recomputing backward through time ({@link ConvLstm2dLayerArgs.recompute}):
   * same outputs and gradients, far less memory. `true` (default) keeps each step's states and convolution output,
   * `'full'` only the states (≈20 % slower), `false` every step's activations on the autodiff tape. Measured on the
   * `'paper'` preset, batch 1, WASM, warm-up + 2 steps: WASM heap peak 0.70 GiB with true or 'full', 2.3 GiB
   * with false (4 GiB, i.e. out of memory, before the encoder layers stopped running once per output).
   */
  readonly recompute?: boolean | 'full';
  /**
   * `true` (default): the prediction is the last input frame plus the tanh output (persistence + a learned change),
   * whose 1×1 kernel starts at zero, so the untrained network is persistence; `false`: the tanh output itself, as in
   * Shi et al. / the paper. No parameters either way. Without it, a network
   * whose 1×1 output conv starts on unit-variance BatchNorm features emits saturated noise, and Adam first shrinks
   * it to a near-constant map; at lr 1e-3 and a few hundred steps it stays there (the quick run's ConvLSTM had a
   * spatial sd of ≈2.5 mm against GRACE's ≈92 mm). With the residual it starts at persistence, which already has
   * GRACE's spatial structure, and learns the month-to-month change.
   */
  readonly residual?: boolean;
  /**
   * With `residual`: the weight w of the last input frame in the prediction, w · last + change (default 1, plain
   * persistence). A w below 1 makes the untrained network a damped persistence, for inputs that are departures from
   * a baseline (they decay towards 0). A fixed scale (a `Rescaling` layer), not a trained weight: the parameter count
   * does not change.
   */
  readonly persistenceWeight?: number;
}

const KEYS = [
  ...BASE_KEYS,
  'inputShape',
  'timeSteps',
  'filters',
  'kernelSize',
  'recompute',
  'residual',
  'persistenceWeight',
] as const;

/** Preset values of {@link buildConvLstm}. */
export const CONV_LSTM_PRESETS = {
  paper: { filters: [64, 32, 32], kernelSize: 5 },
  cpu: { filters: [16, 16], kernelSize: 3 },
  tiny: { filters: [4, 4], kernelSize: 3 },
} as const;

/**
 * Builds the encoding–forecasting ConvLSTM (Shi et al. 2015) that Yu et al. (2021) use to predict next month's
 * GRACE TWSA from the previous 19 months.
 *
 * ## Method
 * Encoder: a stack of ConvLSTM layers (`filters`, `k×k`, hard-sigmoid gates, tanh) over the whole sequence, each
 * followed by BatchNorm except the last (whose sequence output is unused). Forecaster: the same stack run for
 * one step on the sequence's last frame, layer i starting from the final `(h, c)` of encoder layer i (Shi's
 * state copy), each followed by BatchNorm; the forecaster outputs are concatenated and a 1×1 tanh conv gives
 * the prediction; with `residual` (default) the last input frame is added to it (persistence + change). The
 * ConvLSTM cell is {@link ConvLstm2dLayer}. The `'paper'` preset (64-32-32, 5×5) has
 * 1,858,049 parameters, 448 non-trainable (Table 1).
 *
 * **Input shape:** `[batch, timeSteps, rows, cols, 1]`, frames in the order the model should continue
 * (chronological to forecast; reversed to hindcast).
 *
 * **Output shape:** `[batch, rows, cols, 1]`: the next frame (in (-1, 1) without `residual`).
 *
 * @param config - see {@link ConvLstmConfig}; default preset `'cpu'`.
 * @returns an uncompiled `tf.LayersModel`; the caller disposes it.
 * @throws {@link ModelsArgumentError} for an unknown preset or option.
 * @example
 * ```ts
 * const model = buildConvLstm({ preset: "paper", initializer: "zeros" });
 * model.countParams(); // => 1858049
 * model.dispose();
 * ```
 */
export function buildConvLstm(config: ConvLstmConfig = {}): tfl.LayersModel {
  const fn = 'buildConvLstm';
  checkKeys(config, KEYS, 'config', fn);
  const preset = checkPreset(config.preset, fn);
  const p = CONV_LSTM_PRESETS[preset];
  const filters = checkIntList(config.filters ?? p.filters, 'config.filters', fn);
  const k = checkPositiveInt(config.kernelSize ?? p.kernelSize, 'config.kernelSize', fn);
  if (k % 2 !== 1) throw new ModelsArgumentError('config.kernelSize', fn, 'an odd integer', String(k));
  const steps = checkPositiveInt(config.timeSteps ?? 19, 'config.timeSteps', fn);
  const [rows, cols] = checkInputShape(config.inputShape ?? [48, 48], 'config.inputShape', fn, 1);
  const initMode = checkInitializer(config.initializer, fn);
  const recompute = config.recompute ?? true;
  if (typeof recompute !== 'boolean' && recompute !== 'full')
    throw new ModelsArgumentError('config.recompute', fn, "a boolean or 'full'", JSON.stringify(recompute));
  const init = new KernelInitializers(checkSeed(config.seed, fn), initMode);
  const residual = config.residual ?? true;
  if (typeof residual !== 'boolean')
    throw new ModelsArgumentError('config.residual', fn, 'a boolean', JSON.stringify(residual));
  const weight = config.persistenceWeight ?? 1;
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0 || weight > 2)
    throw new ModelsArgumentError('config.persistenceWeight', fn, 'a number in [0, 2]', JSON.stringify(weight));
  if (weight !== 1 && !residual)
    throw new ModelsArgumentError('config.persistenceWeight', fn, '1 (or nothing) without residual', String(weight));

  const input = tfl.input({ shape: [steps, rows, cols, 1], name: 'sequence' });
  const states: [SymbolicTensor, SymbolicTensor][] = [];
  let x: SymbolicTensor = input;
  filters.forEach((f, i) => {
    const last = i === filters.length - 1;
    const layer = new ConvLstm2dLayer({
      filters: f,
      kernelSize: k,
      returnSequences: !last,
      returnState: true,
      recompute,
      kernelInitializer: init.next(),
      name: `encoder_convlstm${i + 1}`,
    });
    const [seq, h, c] = layer.apply(x) as SymbolicTensor[];
    states.push([h!, c!]);
    if (!last) x = new SequenceBatchNormLayer({ name: `encoder_bn${i + 1}` }).apply(seq!) as SymbolicTensor;
  });
  let y = new LastStepLayer({ name: 'last_frame' }).apply(input) as SymbolicTensor;
  const outputs: SymbolicTensor[] = [];
  filters.forEach((f, i) => {
    const layer = new ConvLstm2dLayer({
      filters: f,
      kernelSize: k,
      returnSequences: false,
      recompute,
      kernelInitializer: init.next(),
      name: `forecaster_convlstm${i + 1}`,
    });
    const [h0, c0] = states[i]!;
    const out = layer.apply([y, h0, c0]) as SymbolicTensor;
    const normed = batchNormalization({ name: `forecaster_bn${i + 1}` }).apply(out) as SymbolicTensor;
    outputs.push(normed);
    // The next forecaster layer takes this layer's output as a one-step sequence.
    if (i < filters.length - 1)
      y = tfl.layers.reshape({ targetShape: [1, rows, cols, f] }).apply(normed) as SymbolicTensor;
  });
  const merged =
    outputs.length > 1 ? (tfl.layers.concatenate({ axis: -1 }).apply(outputs) as SymbolicTensor) : outputs[0]!;
  // With the residual the change starts at zero (a zero 1×1 kernel): the untrained network is persistence, instead of
  // persistence plus the saturated noise of a random kernel on unit-variance BatchNorm features.
  const outputInit = init.next();
  let prediction = tfl.layers
    .conv2d({
      filters: 1,
      kernelSize: 1,
      activation: 'tanh',
      kernelInitializer: residual ? 'zeros' : outputInit,
      name: 'prediction',
    })
    .apply(merged) as SymbolicTensor;
  if (residual) {
    let last = tfl.layers
      .reshape({ targetShape: [rows, cols, 1], name: 'persistence' })
      .apply(new LastStepLayer({ name: 'last_input' }).apply(input)) as SymbolicTensor;
    if (weight !== 1)
      last = tfl.layers
        .rescaling({ scale: weight, offset: 0, name: 'damped_persistence' })
        .apply(last) as SymbolicTensor;
    prediction = tfl.layers.add({ name: 'persistence_plus_change' }).apply([last, prediction]) as SymbolicTensor;
  }
  return tfl.model({ inputs: input, outputs: prediction, name: config.name ?? `convlstm_${preset}` });
}
