/**
 * Options, data and result types of the training loops, the hyper-parameter profiles, and option
 * resolution (profile defaults, validation of every field).
 */
import type * as tf from '@tensorflow/tfjs-core';
import { ModelsArgumentError } from '../errors.js';
import { checkKeys } from '../internal/config.js';
import type { ArrayRecord } from '@twsa/grid';
import { createAdam } from '../backend/lean-adam.js';

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

export interface Resolved {
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

export function resolveOptions(
  options: TrainOptions,
  fn: string,
  extraKeys: readonly string[],
  sequence = false,
): Resolved {
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
