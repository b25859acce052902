/**
 * The contract between the pipeline and the packages that do the work (`@twsa/grid`, datasets, metrics, models).
 * The pipeline only orchestrates: it calls these functions, stores their results in the run folder and draws
 * the figures. {@link runPipeline} binds the real packages by default; tests and users may pass another
 * toolkit (a plug-in passed as a value, never a global registry).
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
  /** Predicts GRACE-like TWSA (mm) for each frame of an LSM stack (mm); same shape, NaN outside land. */
  predict(lsm: GridStack, context: { readonly data: PreparedData }): Promise<Float32Array>;
  /** Frees tensors. */
  dispose(): void;
}

/** Table-1 scores of one prediction over some frames. */
export interface Table1Scores {
  readonly rmseMm: number;
  readonly cc: number;
  readonly seriesRmseMm: number;
  readonly seriesCc: number;
  readonly frames: number;
}

/** The functions the pipeline needs from the other `@twsa` packages. */
export interface Toolkit {
  /** Selects the tfjs backend and returns the name of the one that runs. */
  initBackend(choice: BackendChoice): Promise<string>;
  /** Reads/derives the paired data for a configuration (synthetic, emulated twin experiment or user files). */
  prepare(config: PipelineConfig, options: { readonly log?: (message: string) => void }): Promise<PreparedData>;
  /** Trains one model (resuming from `checkpointDir` when it holds a checkpoint) and saves it into `modelDir`. */
  train(request: TrainRequest): Promise<TrainedModel>;
  /** Loads a model saved by {@link Toolkit.train}. */
  load(model: ModelName, modelDir: string, config: PipelineConfig): Promise<TrainedModel>;
  /** Seconds one optimizer step of `model` takes on the current backend, from a short timed probe (≥ 2 steps, first one discarded). */
  timeTrainingStep(model: ModelName, config: PipelineConfig): Promise<number>;
  /** Parameter count of a model built with a preset (no training). */
  countParams(model: ModelName, config: PipelineConfig): Promise<number>;
  /** Table-1 scores over the given frames; `definition` of the nationwide numbers. */
  table1(predicted: Float32Array, observed: GridStack, mask: Grid, frames: readonly number[]): Table1Scores;
  /** The sentence that defines the nationwide RMSE and CC. */
  readonly table1Definition: string;
  /** Per-pixel CC and RMSE (mm) over the given frames; NaN outside the mask. */
  perPixel(predicted: Float32Array, observed: GridStack, mask: Grid, frames: readonly number[]): { readonly cc: Float32Array; readonly rmseMm: Float32Array };
  /** Area-weighted mean over land of every frame (mm); NaN for an empty frame. */
  domainMean(values: Float32Array, like: GridStack, mask: Grid): Float64Array;
  /** Per-pixel linear trend (mm/year) of a stack; NaN outside the mask. */
  trend(stack: GridStack, mask: Grid): Float32Array;
  /** Writes one Float32 GeoTIFF with provenance. */
  writeGeoTiff(grid: Grid, file: string, attributes: Readonly<Record<string, string | number>>): Promise<void>;
  /** Writes a CF NetCDF stack with provenance. */
  writeNetcdf(stack: GridStack, file: string, attributes: Readonly<Record<string, string | number>>): Promise<void>;
}
