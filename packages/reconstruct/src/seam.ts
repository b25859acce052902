/**
 * The one seam of the pipeline: the {@link Engine} prepares the paired data and trains, loads and probes the
 * models (the parts that need tfjs, real data and minutes). {@link runPipeline} uses the tfjs engine of
 * `@twsa/datasets` and `@twsa/models` by default; tests pass a small stand-in. Scoring (`@twsa/metrics`) and the
 * output files (`@twsa/grid`) are called directly, not through the seam.
 */
import type { Grid, GridStack } from '@twsa/grid';
import type { BackendChoice, ModelName, PipelineConfig } from './config.js';

/** Split label of a paired record. */
export type SplitName = 'train' | 'validation' | 'test' | 'unused';

/** Paired GRACE/LSM records on the target grid, in mm, plus the LSM months to hindcast. */
export interface PreparedData {
  /** GRACE TWSA (mm) `[records, rows, cols]`; `times` = window mid-points. */
  readonly grace: GridStack;
  /** LSM TWSA (mm) on the same grid and records. */
  readonly lsm: GridStack;
  /** Record ids (`"YYYY-MM"`, or `"YYYY-MMa"`/`"b"` for a month with two solutions) and calendar months. */
  readonly records: readonly { readonly id: string; readonly yearMonth: string }[];
  /** Split label of each record. */
  readonly splits: readonly SplitName[];
  /** Calendar months from the first to the last record, with GRACE's missing months listed (never filled). */
  readonly months: readonly string[];
  readonly missingMonths: readonly string[];
  /** Land fraction in [0, 1] on the target grid (0 outside the domain). */
  readonly mask: Grid;
  /** Monthly LSM TWSA (mm) for the hindcast period, `times` one per month; `null` when the source has none. */
  readonly hindcastLsm: GridStack | null;
  /** One sentence on where the data came from. Emulator runs must say "twin experiment". */
  readonly description: string;
  /** True when the LSM was emulated from GRACE. */
  readonly twinExperiment: boolean;
  /** Provenance attributes carried into every output. */
  readonly attributes: Readonly<Record<string, string | number>>;
}

/** Indices of the prepared records in one split (`'train'`, `'test'`, …), in record order. */
export function framesOf(data: PreparedData, split: string): number[] {
  return data.splits.flatMap((s, i) => (s === split ? [i] : []));
}

/** Events a training call may report. */
export interface TrainProgress {
  readonly epoch: number;
  readonly epochs: number;
  readonly loss: number;
  readonly validationLoss?: number;
  readonly seconds: number;
}

/** What the pipeline asks a model trainer for. */
export interface TrainRequest {
  readonly model: ModelName;
  readonly config: PipelineConfig;
  /** Scaled inputs and targets of the training records, `[n, rows, cols]` each, in [-1, 1], NaN-free (0 outside land). */
  readonly data: PreparedData;
  /** Directory for this model's checkpoints; resume from it when it holds one. */
  readonly checkpointDir: string;
  /** Directory to save the trained model into. */
  readonly modelDir: string;
  readonly signal?: AbortSignal;
  readonly onEpoch?: (progress: TrainProgress) => void;
}

/** A trained model as the pipeline sees it. */
export interface TrainedModel {
  /** Parameters (trainable + non-trainable; Pix2Pix counts G + D as the paper does). */
  readonly params: number;
  readonly preset: string;
  /** Epochs actually run. */
  readonly epochs: number;
  /** Which records early stopping and the best-epoch choice looked at, in words (never test records). */
  readonly selectedOn?: string;
  /** Predicts GRACE-like TWSA (mm) for each frame of an LSM stack (mm); same shape, NaN outside land. */
  predict(lsm: GridStack, context: { readonly data: PreparedData }): Promise<Float32Array>;
  /** Frees tensors. */
  dispose(): void;
}

/** Options of {@link Engine.probeTrainingStep}. */
export interface TrainingProbeOptions {
  /** ConvLSTM only: frames per probed sequence. Default `models.sequenceLength`. */
  readonly sequenceLength?: number;
  /** Untimed steps before the timed one (they absorb one-off costs: optimizer state, first kernel calls). Default 1. */
  readonly warmupSteps?: number;
}

/** Result of {@link Engine.probeTrainingStep}. */
export interface TrainingProbe {
  /** Wall seconds of the timed optimizer step. */
  readonly secondsPerStep: number;
  /** ConvLSTM: frames per sequence probed. */
  readonly sequenceLength?: number;
  /** Peak bytes held by tensors during the probe (weights, optimizer state, activations), when measured. */
  readonly peakBytes?: number;
  /** Bytes held by tensors before the probe's training started (the model's weights and the probe data). */
  readonly baselineBytes?: number;
}

/** Inputs of a period outside the prepared data, from {@link Engine.periodData}. */
export interface PeriodData {
  /**
   * LSM TWSA (mm) on the run's grid for the months `from..to`: GRACE's solution windows where GRACE has a record
   * (labels = the GRACE record ids), calendar months elsewhere; `timeBounds` and `labels` set.
   */
  readonly lsm: GridStack;
  /** GRACE TWSA (mm) records in `from..to`, processed as in the run (same grid, mask and baseline); `null` when none. */
  readonly grace: GridStack | null;
  /** GRACE record ids of `grace` (as `graceMonths` names them), one per frame. */
  readonly graceIds: readonly string[];
  /** One sentence on how the LSM of the period was made (e.g. re-emulated from the whole GRACE record). */
  readonly note: string;
}

/** What the pipeline needs done with data and models: the part tests replace. */
export interface Engine {
  /** Selects the tfjs backend and returns the name of the one that runs. */
  initBackend(choice: BackendChoice): Promise<string>;
  /** Reads/derives the paired data for a configuration (synthetic, emulated twin experiment or user files). */
  prepare(config: PipelineConfig, options: { readonly log?: (message: string) => void }): Promise<PreparedData>;
  /**
   * The LSM (and GRACE, where it has records) of a period outside the prepared data, for `twsa predict`; absent
   * when the engine cannot make it.
   * @throws {@link InputError} when the run's data source cannot cover `from..to`.
   */
  periodData?(config: PipelineConfig, period: { readonly from: string; readonly to: string }): Promise<PeriodData>;
  /** Trains one model (resuming from `checkpointDir` when it holds a checkpoint) and saves it into `modelDir`. */
  train(request: TrainRequest): Promise<TrainedModel>;
  /** Loads a model saved by {@link Engine.train}. */
  load(model: ModelName, modelDir: string, config: PipelineConfig): Promise<TrainedModel>;
  /**
   * Times one optimizer step of `model` (the configured preset and batch size) on the current backend, after
   * `options.warmupSteps` untimed steps, and measures the step's peak tensor memory. `options.sequenceLength` builds
   * the ConvLSTM for that many frames instead of `models.sequenceLength` (a cheap probe, scaled by the caller).
   * @throws whatever the backend throws when the step does not fit (e.g. WASM out of memory).
   */
  probeTrainingStep(model: ModelName, config: PipelineConfig, options?: TrainingProbeOptions): Promise<TrainingProbe>;
  /** Training FLOPs of one sample of `model` (forward + backward ≈ 3 × forward) at the configured size; for the fallback estimate. */
  trainingFlops?(model: ModelName, config: PipelineConfig): Promise<number>;
  /** FLOP/s of a representative convolution (3×3, 64→64 channels, 48×48, forward + both gradients) on the current backend. */
  measureFlopsPerSecond?(): Promise<number>;
  /** The current backend's memory ceiling for tensors, with what it is; `null` when unknown. */
  memoryLimit?(): Promise<{ readonly bytes: number; readonly description: string } | null>;
  /** Parameter count of a model built with a preset (no training). */
  countParams(model: ModelName, config: PipelineConfig): Promise<number>;
}

/**
 * The tfjs engine (`@twsa/datasets` + `@twsa/models`), loaded on first use so that commands which do not train
 * never load tfjs.
 */
export async function defaultEngine(): Promise<Engine> {
  return (await import('./engine/index.js')).TFJS_ENGINE;
}
