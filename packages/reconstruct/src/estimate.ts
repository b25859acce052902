/**
 * How long training will take: a short timed probe per model, scaled to the configured epochs and steps.
 */
import type { PipelineConfig, ModelName } from './config.js';
import type { Toolkit } from './toolkit.js';

/** Training records of the paper's GRACE era (158 records − 40 test). */
export const PAPER_TRAIN_RECORDS = 118;
/** Dihedral augmentation multiplies the training set by 8. */
export const AUGMENTATION_FACTOR = 8;

/** Result of {@link estimateTrainingSeconds}. */
export interface TrainingEstimate {
  readonly totalSeconds: number;
  readonly perModel: readonly { readonly model: ModelName; readonly secondsPerStep: number; readonly stepsPerEpoch: number; readonly seconds: number; readonly error?: string }[];
  /** Steps timed per model. */
  readonly probeSteps: number;
}

/**
 * Estimates training time from a timed probe.
 *
 * ## Method
 * For each model, `toolkit.timeTrainingStep` times a few optimizer steps at the configured preset and batch
 * size on the current backend. Steps per epoch = ⌈records × (8 if augmenting) / batch⌉ (capped by
 * `train.maxStepsPerEpoch` when set), total = Σ seconds/step × steps/epoch × epochs.
 */
export async function estimateTrainingSeconds(config: PipelineConfig, toolkit: Toolkit, trainRecords = PAPER_TRAIN_RECORDS): Promise<TrainingEstimate> {
  const perModel: { model: ModelName; secondsPerStep: number; stepsPerEpoch: number; seconds: number; error?: string }[] = [];
  for (const model of config.models.names) {
    let secondsPerStep = Number.NaN;
    let error: string | undefined;
    // A probe that fails (e.g. WASM running out of memory on a paper-size model) is reported, not fatal.
    try { secondsPerStep = await toolkit.timeTrainingStep(model, config); } catch (cause) { error = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause); }
    let stepsPerEpoch = Math.ceil((trainRecords * (config.data.augment ? AUGMENTATION_FACTOR : 1)) / config.train.batchSize);
    if (config.train.maxStepsPerEpoch > 0) stepsPerEpoch = Math.min(stepsPerEpoch, config.train.maxStepsPerEpoch);
    perModel.push({ model, secondsPerStep, stepsPerEpoch, seconds: secondsPerStep * stepsPerEpoch * (model === 'convlstm' && config.train.convlstmEpochs > 0 ? config.train.convlstmEpochs : config.train.epochs), ...(error !== undefined ? { error } : {}) });
  }
  return { totalSeconds: perModel.reduce((a, m) => a + (Number.isFinite(m.seconds) ? m.seconds : 0), 0), perModel, probeSteps: 3 };
}
