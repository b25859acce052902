/**
 * Custom training loops for the four models: supervised (SEUNet, DCAE), conditional GAN (Pix2Pix) and
 * sequence-to-next-frame (ConvLSTM), with masked MSE, Adam, validation, early stopping, checkpoints,
 * per-epoch events, abort signals and seeded determinism.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ModelsArgumentError, ModelsCheckpointError, ModelsNanError, ModelsShapeError } from './errors.js';
import { checkKeys } from './internal/config.js';
import { Rng } from './internal/rng.js';
import { loadCheckpoint, saveCheckpoint, type CheckpointState } from './checkpoint.js';
import type { ArrayRecord } from './tensor.js';
import type { Pix2PixModels } from './pix2pix.js';
import { createAdam } from './backend/lean-adam.js';

/**
 * Hyper-parameter profiles. `paper` is Yu et al. (2021): Adam lr 0.01, batch 1, 100 epochs, no early stopping.
 * `sequenceBatchSize` is the default batch of {@link trainConvLstm}. Backpropagation through the 19 unrolled steps
 * used to keep every step's activations (≈4 GiB heap for one sample of the paper preset on WASM, its 4 GiB limit);
 * with the ConvLSTM layer's default `recompute` (gradient checkpointing through time) one paper-preset sample peaks
 * at ≈0.7 GiB (bench/README.md). The paper trains with batch 1, which `paper` keeps.
 */
export const TRAINING_PROFILES = {
  paper: { learningRate: 0.01, batchSize: 1, sequenceBatchSize: 1, epochs: 100, patience: null },
  cpu: { learningRate: 1e-3, batchSize: 8, sequenceBatchSize: 2, epochs: 40, patience: 8 },
  tiny: { learningRate: 1e-2, batchSize: 4, sequenceBatchSize: 4, epochs: 3, patience: null },
} as const;
/** Name of a {@link TRAINING_PROFILES} entry. */
export type TrainingProfileName = keyof typeof TRAINING_PROFILES;

/** One split of supervised data: inputs `[n, rows, cols]` (or `[n, rows, cols, channels]`) and targets `[n, rows, cols]`. */
export interface SupervisedSplit {
  readonly inputs: ArrayRecord;
  readonly targets: ArrayRecord;
}

/** Training data of {@link trainSupervised} and {@link trainPix2Pix}. */
export interface SupervisedData extends SupervisedSplit {
  /** Validation split; when present, early stopping and best weights follow the validation loss. */
  readonly validation?: SupervisedSplit;
  /** `[rows, cols]`, 1 (non-zero) = valid (land) pixel. Masked pixels may hold NaN; the loss ignores them. */
  readonly mask?: ArrayRecord;
}

/** Windows for {@link trainConvLstm}: inputs `[n, steps, rows, cols]` (chronological), targets `[n, rows, cols]`. */
export interface SequenceData {
  readonly inputs: ArrayRecord;
  readonly targets: ArrayRecord;
  readonly validation?: SupervisedSplit;
  readonly mask?: ArrayRecord;
}

/** A per-epoch progress record. */
export interface EpochEvent {
  /** 1-based epoch number. */
  readonly epoch: number;
  /** Planned number of epochs. */
  readonly epochs: number;
  /** Mean training loss of the epoch (masked MSE; for Pix2Pix the generator's MSE term). */
  readonly loss: number;
  /** Validation loss (masked MSE), when validation data were given. */
  readonly valLoss?: number;
  /** Wall-clock seconds of the epoch, validation included. */
  readonly seconds: number;
  /** Training samples per second (optimizer steps only). */
  readonly samplesPerSecond: number;
  /** True when this epoch improved the monitored loss. */
  readonly improved: boolean;
  /** Extra losses of the loop (Pix2Pix: `discriminatorLoss`, `adversarialLoss`). */
  readonly extra?: Readonly<Record<string, number>>;
}

/** A log record (libraries are silent; pass `log` to see these). */
export interface TrainLogEvent {
  readonly level: 'info' | 'warn';
  readonly message: string;
  readonly epoch?: number;
}

/** Options of every training loop. Fields left out come from the profile. */
export interface TrainOptions {
  /** Hyper-parameter profile, see {@link TRAINING_PROFILES}. Default `'cpu'`. */
  readonly profile?: TrainingProfileName;
  /** Adam learning rate. */
  readonly learningRate?: number;
  /** Samples per optimizer step. Default: the profile's `batchSize` (`sequenceBatchSize` for {@link trainConvLstm}). */
  readonly batchSize?: number;
  /** Maximum number of epochs. */
  readonly epochs?: number;
  /** Stop after this many epochs without improvement of the monitored loss (valLoss, else loss); `null` never stops early. */
  readonly patience?: number | null;
  /** Smallest decrease that counts as an improvement. Default 0. */
  readonly minDelta?: number;
  /** Put the best epoch's weights back at the end (also when stopping early). Default true. */
  readonly restoreBest?: boolean;
  /** Seed of shuffling and dropout masks (initial weights are seeded by the builder). Default 0. */
  readonly seed?: number;
  /** Shuffle samples every epoch. Default true. */
  readonly shuffle?: boolean;
  /**
   * Optimizer factory, called once per optimizer with the learning rate. Default `createAdam({ learningRate })`: the
   * memory-lean Adam of this package, bit-identical to `tf.train.adam` (checkpoints store any optimizer's getWeights).
   */
  readonly createOptimizer?: (learningRate: number) => tf.Optimizer;
  /** Directory for a checkpoint written atomically after every epoch. */
  readonly checkpointDir?: string;
  /** Continue from the checkpoint in `checkpointDir` when there is one. Default true. */
  readonly resume?: boolean;
  /** Called after every epoch. */
  readonly onEpoch?: (event: EpochEvent) => void;
  /** Log sink. */
  readonly log?: (event: TrainLogEvent) => void;
  /** Aborting stops the loop after the current optimizer step (the last checkpoint stays the last completed epoch). */
  readonly signal?: AbortSignal;
}

/** Options of {@link trainPix2Pix}. */
export interface Pix2PixTrainOptions extends TrainOptions {
  /** Weight λ of the MSE term in the generator loss (adversarial + λ·MSE). Default 100. */
  readonly lambda?: number;
}

/** Options of {@link trainConvLstm}. */
export interface ConvLstmTrainOptions extends TrainOptions {
  /** `'forecast'`: predict the month after the window (frames as given). `'hindcast'`: predict the month before it (frames fed in reverse order). Default `'forecast'`. */
  readonly mode?: 'forecast' | 'hindcast';
}

/** Result of a training loop. */
export interface TrainResult {
  /** Epochs completed (including those of a resumed checkpoint). */
  readonly epochs: number;
  /** One event per completed epoch. */
  readonly history: readonly EpochEvent[];
  /** Epoch of the best monitored loss (0 when none). */
  readonly bestEpoch: number;
  /** Best monitored loss. */
  readonly bestLoss: number;
  /** Which loss was monitored. */
  readonly monitor: 'valLoss' | 'loss';
  readonly stoppedEarly: boolean;
  /** True when `signal` stopped the run. */
  readonly aborted: boolean;
  /** True when the best weights were put back. */
  readonly restoredBest: boolean;
  /** Epoch the run resumed from (0 when it started fresh). */
  readonly resumedFrom: number;
}

const TRAIN_KEYS = [
  'profile',
  'learningRate',
  'batchSize',
  'epochs',
  'patience',
  'minDelta',
  'restoreBest',
  'seed',
  'shuffle',
  'createOptimizer',
  'checkpointDir',
  'resume',
  'onEpoch',
  'log',
  'signal',
] as const;

interface Resolved {
  learningRate: number;
  batchSize: number;
  epochs: number;
  patience: number | null;
  minDelta: number;
  restoreBest: boolean;
  seed: number;
  shuffle: boolean;
  createOptimizer: (lr: number) => tf.Optimizer;
  checkpointDir?: string;
  resume: boolean;
  onEpoch?: (e: EpochEvent) => void;
  log?: (e: TrainLogEvent) => void;
  signal?: AbortSignal;
}

function resolveOptions(options: TrainOptions, fn: string, extraKeys: readonly string[], sequence = false): Resolved {
  checkKeys(options, [...TRAIN_KEYS, ...extraKeys], 'options', fn);
  const name = options.profile ?? 'cpu';
  if (!(name in TRAINING_PROFILES))
    throw new ModelsArgumentError(
      'options.profile',
      fn,
      `one of ${Object.keys(TRAINING_PROFILES)
        .map((k) => `'${k}'`)
        .join(', ')}`,
      JSON.stringify(name),
    );
  const p = TRAINING_PROFILES[name];
  const num = (key: string, v: unknown, ok: (x: number) => boolean, expected: string): number => {
    if (typeof v !== 'number' || !ok(v))
      throw new ModelsArgumentError(`options.${key}`, fn, expected, JSON.stringify(v));
    return v;
  };
  const learningRate = num(
    'learningRate',
    options.learningRate ?? p.learningRate,
    (x) => Number.isFinite(x) && x > 0,
    'a finite number > 0',
  );
  const batchSize = num(
    'batchSize',
    options.batchSize ?? (sequence ? p.sequenceBatchSize : p.batchSize),
    (x) => Number.isInteger(x) && x > 0,
    'a positive integer',
  );
  const epochs = num('epochs', options.epochs ?? p.epochs, (x) => Number.isInteger(x) && x > 0, 'a positive integer');
  const rawPatience = options.patience === undefined ? p.patience : options.patience;
  const patience =
    rawPatience === null
      ? null
      : num('patience', rawPatience, (x) => Number.isInteger(x) && x > 0, 'a positive integer or null');
  const minDelta = num('minDelta', options.minDelta ?? 0, (x) => Number.isFinite(x) && x >= 0, 'a finite number >= 0');
  const seed = num(
    'seed',
    options.seed ?? 0,
    (x) => Number.isInteger(x) && x >= 0 && x <= 0xffffffff,
    'an integer in [0, 2^32)',
  );
  if (options.createOptimizer !== undefined && typeof options.createOptimizer !== 'function')
    throw new ModelsArgumentError(
      'options.createOptimizer',
      fn,
      'a function (learningRate) => tf.Optimizer',
      typeof options.createOptimizer,
    );
  if (
    options.checkpointDir !== undefined &&
    (typeof options.checkpointDir !== 'string' || options.checkpointDir === '')
  )
    throw new ModelsArgumentError(
      'options.checkpointDir',
      fn,
      'a non-empty path',
      JSON.stringify(options.checkpointDir),
    );
  return {
    learningRate,
    batchSize,
    epochs,
    patience,
    minDelta,
    seed,
    restoreBest: options.restoreBest ?? true,
    shuffle: options.shuffle ?? true,
    createOptimizer: options.createOptimizer ?? ((lr: number) => createAdam({ learningRate: lr })),
    resume: options.resume ?? true,
    ...(options.checkpointDir !== undefined ? { checkpointDir: options.checkpointDir } : {}),
    ...(options.onEpoch ? { onEpoch: options.onEpoch } : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
}

// ------------------------------------------------------------------------------------------ data checks

interface Prepared {
  /** Samples, NaN replaced by 0 where masked. */
  x: Float32Array;
  y: Float32Array;
  n: number;
  /** Per-sample input shape (without batch), e.g. [r, c, 1] or [T, r, c, 1]. */
  xShape: number[];
  /** Per-sample target shape [r, c, 1]. */
  yShape: number[];
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function checkArray(value: unknown, argument: string, fn: string): ArrayRecord {
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
function prepareMask(mask: ArrayRecord | undefined, rows: number, cols: number, fn: string): Float32Array | null {
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

function prepareSplit(
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

function modelInputShape(model: tfl.LayersModel, fn: string, argument: string): number[] {
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
function gather(src: Float32Array, size: number, indices: readonly number[], reverseSteps = 0): Float32Array {
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

// ------------------------------------------------------------------------------------------ losses

/** Masked MSE: mean of (pred − target)² over valid pixels (all pixels without a mask). */
function maskedMse(pred: tf.Tensor, target: tf.Tensor, mask: tf.Tensor | null, maskCount: number): tf.Scalar {
  return tf.tidy(() => {
    const sq = tf.squaredDifference(pred, target);
    if (!mask) return tf.mean(sq) as tf.Scalar;
    return tf.div(tf.sum(tf.mul(sq, mask)), pred.shape[0]! * maskCount) as tf.Scalar;
  });
}

/** Binary cross-entropy of probabilities `p` against a constant label. */
function bce(p: tf.Tensor, label: 0 | 1): tf.Scalar {
  return tf.tidy(() => {
    const q = tf.clipByValue(p, 1e-7, 1 - 1e-7);
    return tf.neg(tf.mean(label === 1 ? tf.log(q) : tf.log1p(tf.neg(q)))) as tf.Scalar;
  });
}

function trainableVariables(model: tfl.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/** Gives every Dropout layer of `model` a fresh seed so its masks are reproducible. */
function seedDropout(model: tfl.LayersModel, rng: Rng): void {
  for (const layer of model.layers) {
    if (layer.getClassName() === 'Dropout') (layer as unknown as { seed?: number }).seed = rng.nextUint32();
  }
}

async function snapshot(model: tfl.LayersModel): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const w of model.weights) out.push(new Float32Array((await w.read().data()) as Float32Array));
  return out;
}

function restore(model: tfl.LayersModel, weights: Float32Array[]): void {
  const tensors = model.weights.map((w, i) => tf.tensor(weights[i]!, w.shape as number[], 'float32'));
  model.setWeights(tensors);
  tf.dispose(tensors);
}

// ------------------------------------------------------------------------------------------ the loop

interface LoopSpec {
  fn: string;
  models: Record<string, tfl.LayersModel>;
  optimizers: Record<string, tf.Optimizer>;
  n: number;
  /** One optimizer step on the samples `indices`; returns the step's losses (key `loss` required). */
  step: (indices: number[], rng: Rng) => Promise<Record<string, number>>;
  /** Validation loss, or null without validation data. */
  validate: (() => Promise<number>) | null;
  options: Resolved;
}

async function runLoop(spec: LoopSpec): Promise<TrainResult> {
  const { options: o, models, optimizers, fn } = spec;
  const rng = new Rng(o.seed);
  const monitor: 'valLoss' | 'loss' = spec.validate ? 'valLoss' : 'loss';
  let history: EpochEvent[] = [];
  let bestLoss = Infinity;
  let bestEpoch = 0;
  let wait = 0;
  let best: Record<string, Float32Array[]> | null = null;
  let startEpoch = 0;
  const settings = {
    fn,
    batchSize: o.batchSize,
    learningRate: o.learningRate,
    seed: o.seed,
    shuffle: o.shuffle,
    n: spec.n,
  };

  if (o.checkpointDir && o.resume) {
    const loaded = await loadCheckpoint(o.checkpointDir, { models, optimizers });
    if (loaded) {
      const before = loaded.state.extra?.['settings'] as Record<string, unknown> | undefined;
      if (before && (before['fn'] !== fn || before['n'] !== spec.n)) {
        throw new ModelsCheckpointError(
          `Checkpoint in ${o.checkpointDir} was written by ${String(before['fn'])} on ${String(before['n'])} samples; this run is ${fn} on ${spec.n}`,
          { file: o.checkpointDir },
        );
      }
      if (before && JSON.stringify(before) !== JSON.stringify(settings)) {
        o.log?.({
          level: 'warn',
          message: `resuming with different settings than the checkpoint: ${JSON.stringify(before)} → ${JSON.stringify(settings)}`,
        });
      }
      startEpoch = loaded.state.epoch;
      rng.state = loaded.state.rngState;
      bestLoss = loaded.state.bestLoss;
      bestEpoch = loaded.state.bestEpoch;
      wait = loaded.state.wait;
      history = loaded.state.history as unknown as EpochEvent[];
      best = loaded.best;
      o.log?.({
        level: 'info',
        message: `resumed from ${o.checkpointDir} after epoch ${startEpoch}`,
        epoch: startEpoch,
      });
    }
  }

  let aborted = false;
  let stoppedEarly = o.patience !== null && wait >= o.patience;
  for (let epoch = startEpoch + 1; epoch <= o.epochs && !stoppedEarly; epoch++) {
    const t0 = performance.now();
    const order = o.shuffle ? rng.permutation(spec.n) : Array.from({ length: spec.n }, (_, i) => i);
    const sums: Record<string, number> = {};
    let seen = 0;
    for (let start = 0; start < spec.n; start += o.batchSize) {
      if (o.signal?.aborted) {
        aborted = true;
        break;
      }
      const indices = order.slice(start, start + o.batchSize);
      const losses = await spec.step(indices, rng);
      for (const [k, v] of Object.entries(losses)) sums[k] = (sums[k] ?? 0) + v * indices.length;
      seen += indices.length;
    }
    if (aborted) {
      o.log?.({
        level: 'info',
        message: `aborted during epoch ${epoch} after ${seen} samples; the last checkpoint is epoch ${epoch - 1}`,
        epoch,
      });
      break;
    }
    const trainSeconds = (performance.now() - t0) / 1000;
    const loss = sums['loss']! / seen;
    if (!Number.isFinite(loss))
      o.log?.({ level: 'warn', message: `training loss is ${loss} at epoch ${epoch}; lower the learning rate`, epoch });
    const valLoss = spec.validate ? await spec.validate() : undefined;
    const monitored = monitor === 'valLoss' ? valLoss! : loss;
    const improved = monitored < bestLoss - o.minDelta;
    if (improved) {
      bestLoss = monitored;
      bestEpoch = epoch;
      wait = 0;
      if (o.restoreBest) {
        best = {};
        for (const [name, model] of Object.entries(models)) best[name] = await snapshot(model);
      }
    } else {
      wait += 1;
    }
    const extraEntries = Object.entries(sums)
      .filter(([k]) => k !== 'loss')
      .map(([k, v]) => [k, v / seen] as const);
    const event: EpochEvent = {
      epoch,
      epochs: o.epochs,
      loss,
      ...(valLoss !== undefined ? { valLoss } : {}),
      seconds: (performance.now() - t0) / 1000,
      samplesPerSecond: seen / Math.max(trainSeconds, 1e-9),
      improved,
      ...(extraEntries.length ? { extra: Object.fromEntries(extraEntries) } : {}),
    };
    history.push(event);
    if (o.patience !== null && wait >= o.patience) stoppedEarly = true;
    if (o.checkpointDir) {
      const state: CheckpointState = {
        epoch,
        rngState: rng.state,
        bestLoss,
        bestEpoch,
        wait,
        history: history as unknown as Record<string, unknown>[],
        extra: { settings },
      };
      await saveCheckpoint(o.checkpointDir, state, { models, optimizers, best });
    }
    o.log?.({
      level: 'info',
      message: `epoch ${epoch}/${o.epochs} loss ${loss.toPrecision(4)}${valLoss !== undefined ? ` valLoss ${valLoss.toPrecision(4)}` : ''} ${event.seconds.toFixed(1)} s`,
      epoch,
    });
    o.onEpoch?.(event);
    if (stoppedEarly)
      o.log?.({
        level: 'info',
        message: `early stop after epoch ${epoch}: no improvement for ${wait} epochs (best epoch ${bestEpoch})`,
        epoch,
      });
  }
  let restoredBest = false;
  if (!aborted && o.restoreBest && best && history.length > 0 && bestEpoch !== history[history.length - 1]!.epoch) {
    for (const [name, model] of Object.entries(models)) if (best[name]) restore(model, best[name]!);
    restoredBest = true;
  }
  return {
    epochs: history.length,
    history,
    bestEpoch,
    bestLoss,
    monitor,
    stoppedEarly,
    aborted,
    restoredBest,
    resumedFrom: startEpoch,
  };
}

function disposeOptimizers(optimizers: Record<string, tf.Optimizer>): void {
  for (const opt of Object.values(optimizers)) opt.dispose();
}

function makeMask(mask: Float32Array | null, rows: number, cols: number): { maskT: tf.Tensor | null; count: number } {
  if (!mask) return { maskT: null, count: rows * cols };
  let count = 0;
  for (const v of mask) count += v;
  return { maskT: tf.tensor4d(mask, [1, rows, cols, 1]), count };
}

/** Masked MSE of `predict` over a prepared split, in batches. */
async function evaluateSplit(
  predictBatch: (x: tf.Tensor) => tf.Tensor,
  split: Prepared,
  batchSize: number,
  mask: tf.Tensor | null,
  maskCount: number,
  reverseSteps = 0,
): Promise<number> {
  const xSize = sizeOf(split.xShape);
  const ySize = sizeOf(split.yShape);
  let total = 0;
  for (let start = 0; start < split.n; start += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, split.n - start) }, (_, i) => start + i);
    const value = tf.tidy(() => {
      const x = tf.tensor(gather(split.x, xSize, idx, reverseSteps), [idx.length, ...split.xShape]);
      const y = tf.tensor(gather(split.y, ySize, idx), [idx.length, ...split.yShape]);
      return tf.mul(maskedMse(predictBatch(x), y, mask, maskCount), idx.length);
    });
    total += (await value.data())[0]!;
    value.dispose();
  }
  return total / split.n;
}

// ------------------------------------------------------------------------------------------ public loops

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

/**
 * Trains a Pix2Pix conditional GAN (from {@link buildPix2Pix}) on LSM → GRACE pairs.
 *
 * ## Method
 * Per step, on one batch (x = LSM, y = GRACE): (1) the discriminator D minimises
 * `½[BCE(D(x, y), 1) + BCE(D(x, G(x)), 0)]` over D's weights (G(x) in training mode, with dropout); (2) the
 * generator G minimises `BCE(D(x, G(x)), 1) + λ·MSE_mask(G(x), y)` over G's weights, D in inference mode (the
 * Keras tutorial's frozen D). Two Adam optimizers (β₁ as tf default). The reported `loss` is the generator's MSE
 * term, `extra` holds `discriminatorLoss` and `adversarialLoss`; validation and early stopping use the
 * generator's masked MSE. Dropout masks are seeded from the loop's RNG.
 *
 * @param models - `{ generator, discriminator }`; trained in place
 * @param data - as {@link trainSupervised}
 * @param options - {@link Pix2PixTrainOptions} (`lambda`, default 100)
 * @returns the run's {@link TrainResult}
 * @throws as {@link trainSupervised}.
 */
export async function trainPix2Pix(
  models: Pix2PixModels,
  data: SupervisedData,
  options: Pix2PixTrainOptions = {},
): Promise<TrainResult> {
  const fn = 'trainPix2Pix';
  const o = resolveOptions(options, fn, ['lambda']);
  const lambda = options.lambda ?? 100;
  if (typeof lambda !== 'number' || !Number.isFinite(lambda) || lambda < 0)
    throw new ModelsArgumentError('options.lambda', fn, 'a finite number >= 0', JSON.stringify(lambda));
  if (!models || typeof models !== 'object')
    throw new ModelsArgumentError('models', fn, '{ generator, discriminator }', typeof models);
  const { generator: G, discriminator: D } = models;
  const inShape = modelInputShape(G, fn, 'models.generator');
  modelInputShape(D, fn, 'models.discriminator');
  const [rows, cols] = [inShape[0]!, inShape[1]!];
  const mask = prepareMask(data?.mask, rows, cols, fn);
  const train = prepareSplit(data, 'data', inShape, mask, fn);
  const val = data.validation ? prepareSplit(data.validation, 'data.validation', inShape, mask, fn) : null;
  const { maskT, count } = makeMask(mask, rows, cols);
  const optimizers = { generator: o.createOptimizer(o.learningRate), discriminator: o.createOptimizer(o.learningRate) };
  const gVars = trainableVariables(G);
  const dVars = trainableVariables(D);
  const xSize = sizeOf(train.xShape);
  const ySize = sizeOf(train.yShape);
  try {
    return await runLoop({
      fn,
      models: { generator: G, discriminator: D },
      optimizers,
      n: train.n,
      options: o,
      step: async (idx, rng) => {
        seedDropout(G, rng);
        const x = tf.tensor(gather(train.x, xSize, idx), [idx.length, ...train.xShape]);
        const y = tf.tensor(gather(train.y, ySize, idx), [idx.length, ...train.yShape]);
        const fake = tf.tidy(() => G.apply(x, { training: true }) as tf.Tensor);
        const dCost = optimizers.discriminator.minimize(
          () => {
            const real = D.apply([x, y], { training: true }) as tf.Tensor;
            const faked = D.apply([x, fake], { training: true }) as tf.Tensor;
            return tf.mul(tf.add(bce(real, 1), bce(faked, 0)), 0.5) as tf.Scalar;
          },
          true,
          dVars,
        );
        fake.dispose();
        let adversarial: tf.Scalar | null = null;
        let reconstruction: tf.Scalar | null = null;
        const gCost = optimizers.generator.minimize(
          () => {
            const out = G.apply(x, { training: true }) as tf.Tensor;
            const p = D.apply([x, out], { training: false }) as tf.Tensor;
            adversarial = tf.keep(bce(p, 1));
            reconstruction = tf.keep(maskedMse(out, y, maskT, count));
            return tf.add(adversarial, tf.mul(reconstruction, lambda)) as tf.Scalar;
          },
          true,
          gVars,
        );
        tf.dispose([x, y]);
        const [dl, al, rl] = await Promise.all([dCost!.data(), adversarial!.data(), reconstruction!.data()]);
        tf.dispose([dCost!, gCost!, adversarial!, reconstruction!]);
        return { loss: rl[0]!, discriminatorLoss: dl[0]!, adversarialLoss: al[0]! };
      },
      validate: val
        ? () =>
            evaluateSplit(
              (x) => G.apply(x, { training: false }) as tf.Tensor,
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
