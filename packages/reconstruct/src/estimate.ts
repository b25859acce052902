/**
 * How long training will take on the current backend: one timed optimizer step per model (the ConvLSTM on a short
 * sequence, scaled to the full one), scaled to the configured epochs and steps, with each step's measured memory
 * against the backend's limit. A model whose probe fails is estimated from its FLOPs instead, and labelled so.
 */
import type { PipelineConfig, ModelName } from './config.js';
import type { Engine } from './seam.js';
import { formatDuration } from './progress.js';

/** Training records of the paper's GRACE era (158 records − 40 test). */
export const PAPER_TRAIN_RECORDS = 118;
/** Dihedral augmentation multiplies the training set by 8. */
export const AUGMENTATION_FACTOR = 8;
/** Frames of the ConvLSTM probe sequence (scaled linearly to `models.sequenceLength`). */
export const CONVLSTM_PROBE_FRAMES = 3;

/** How a model's seconds per step were obtained. */
export type EstimateMethod =
  /** One timed step at full size. */
  | 'probe'
  /** One timed step on a shorter ConvLSTM sequence, × sequenceLength / probed frames. */
  | 'probe-scaled'
  /** The probe failed: training FLOPs ÷ the measured conv FLOP/s (a rough, usually optimistic figure). */
  | 'flops'
  /** The probe failed and no FLOP figure was available. */
  | 'none';

/** One model's part of a {@link TrainingEstimate}. */
export interface ModelEstimate {
  readonly model: ModelName;
  readonly method: EstimateMethod;
  /** Seconds per optimizer step at the full size (NaN with method `"none"`). */
  readonly secondsPerStep: number;
  readonly stepsPerEpoch: number;
  readonly epochs: number;
  /** secondsPerStep × stepsPerEpoch × epochs. */
  readonly seconds: number;
  /** ConvLSTM: frames of the probed sequence and of the real one. */
  readonly probeFrames?: number;
  readonly sequenceLength?: number;
  /** Peak tensor memory of one step at full size (measured; for the ConvLSTM scaled like the time), when known. */
  readonly peakBytes?: number;
  /** `peakBytes` ≤ the backend's memory limit (absent when either is unknown). */
  readonly fitsMemory?: boolean;
  /** Why the probe failed. */
  readonly error?: string;
}

/** Result of {@link estimateTrainingSeconds}. */
export interface TrainingEstimate {
  /** Σ seconds of the models with a figure. */
  readonly totalSeconds: number;
  readonly perModel: readonly ModelEstimate[];
  /** Timed steps per model (after one untimed warm-up step, except for the ConvLSTM). */
  readonly probeSteps: number;
  /** Measured FLOP/s of a representative convolution, when measured. */
  readonly flopsPerSecond?: number;
  /** The backend's memory limit, when known. */
  readonly memoryLimit?: { readonly bytes: number; readonly description: string };
  /** Wall seconds the estimate took. */
  readonly probeSeconds: number;
}

/** Options of {@link estimateTrainingSeconds}. */
export interface EstimateOptions {
  /** Training records per epoch before augmentation. Default 118 (the paper split's training records). */
  readonly trainRecords?: number;
  /** ConvLSTM probe frames. Default 3 (the time is scaled to the full sequence length). */
  readonly probeFrames?: number;
  /** Progress messages (one per model probed). */
  readonly log?: (message: string) => void;
}

const describe = (cause: unknown): string =>
  cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);

/**
 * Estimates training time (and memory) on the current backend.
 *
 * ## Method
 * 1. `engine.measureFlopsPerSecond` times a 3×3 64→64 convolution with both gradients (for the fallback of step 3),
 *    and `engine.memoryLimit` gives the backend's ceiling.
 * 2. Each model gets one timed optimizer step at the configured preset and batch size (`engine.probeTrainingStep`),
 *    after one untimed warm-up step that absorbs one-off costs. The ConvLSTM, whose step is dominated by its
 *    per-frame work, gets no warm-up and a `probeFrames`-frame sequence: seconds and the memory above the model's
 *    own (peak − baseline) are scaled by `sequenceLength / probeFrames`. The ConvLSTM is probed last, so that a
 *    failure there cannot spoil the others.
 * 3. A failed probe falls back to `engine.trainingFlops × batch ÷ FLOP/s` (method `"flops"`).
 * 4. Steps per epoch = ⌈records × (8 if augmenting) / batch⌉; for the ConvLSTM ⌈(records − sequenceLength) / batch⌉
 *    (an upper bound on its gap-free training windows, no augmentation); capped by `train.maxStepsPerEpoch` when set.
 *    Total = Σ seconds/step × steps/epoch × epochs (`train.convlstmEpochs` for the ConvLSTM when set; its steps per
 *    epoch count both of its networks, forecast and hindcast).
 *
 * @returns a {@link TrainingEstimate}; never throws for a failing probe (it is reported per model).
 */
export async function estimateTrainingSeconds(
  config: PipelineConfig,
  engine: Engine,
  options: EstimateOptions = {},
): Promise<TrainingEstimate> {
  const t0 = performance.now();
  const trainRecords = options.trainRecords ?? PAPER_TRAIN_RECORDS;
  const probeFrames = options.probeFrames ?? CONVLSTM_PROBE_FRAMES;
  const batch = config.train.batchSize;
  let flopsPerSecond: number | undefined;
  if (engine.measureFlopsPerSecond) {
    try {
      flopsPerSecond = await engine.measureFlopsPerSecond();
    } catch {
      flopsPerSecond = undefined;
    }
  }
  const memoryLimit = engine.memoryLimit ? ((await engine.memoryLimit()) ?? undefined) : undefined;
  const order = [...config.models.names].sort((a, b) => Number(a === 'convlstm') - Number(b === 'convlstm'));
  const results = new Map<ModelName, ModelEstimate>();
  for (const model of order) {
    const sequence = model === 'convlstm';
    const length = config.models.sequenceLength;
    const frames = Math.min(probeFrames, length);
    // The ConvLSTM trains two networks (forecast, and hindcast on the reversed records) on as many windows each.
    let stepsPerEpoch = sequence
      ? 2 * Math.ceil(Math.max(1, trainRecords - length) / batch)
      : Math.ceil((trainRecords * (config.data.augment ? AUGMENTATION_FACTOR : 1)) / batch);
    if (config.train.maxStepsPerEpoch > 0) stepsPerEpoch = Math.min(stepsPerEpoch, config.train.maxStepsPerEpoch);
    const epochs = sequence && config.train.convlstmEpochs > 0 ? config.train.convlstmEpochs : config.train.epochs;
    options.log?.(`timing one ${model} training step${sequence ? ` (${frames}-frame sequence)` : ''}…`);
    let method: EstimateMethod = 'none';
    let secondsPerStep = Number.NaN;
    let peakBytes: number | undefined;
    let error: string | undefined;
    try {
      const probe = await engine.probeTrainingStep(
        model,
        config,
        sequence ? { sequenceLength: frames, warmupSteps: 0 } : { warmupSteps: 1 },
      );
      const probed = sequence ? (probe.sequenceLength ?? length) : length;
      const scale = sequence ? length / probed : 1;
      secondsPerStep = probe.secondsPerStep * scale;
      method = scale === 1 ? 'probe' : 'probe-scaled';
      if (probe.peakBytes !== undefined) {
        const base = Math.min(probe.baselineBytes ?? 0, probe.peakBytes);
        peakBytes = base + (probe.peakBytes - base) * scale;
      }
    } catch (cause) {
      error = describe(cause);
      if (engine.trainingFlops && flopsPerSecond !== undefined && flopsPerSecond > 0) {
        try {
          secondsPerStep = ((await engine.trainingFlops(model, config)) * batch) / flopsPerSecond;
          method = 'flops';
        } catch {
          /* stays 'none' */
        }
      }
    }
    results.set(model, {
      model,
      method,
      secondsPerStep,
      stepsPerEpoch,
      epochs,
      seconds: secondsPerStep * stepsPerEpoch * epochs,
      ...(sequence ? { probeFrames: frames, sequenceLength: length } : {}),
      ...(peakBytes !== undefined ? { peakBytes } : {}),
      ...(peakBytes !== undefined && memoryLimit ? { fitsMemory: peakBytes <= memoryLimit.bytes } : {}),
      ...(error !== undefined ? { error } : {}),
    });
  }
  const perModel = config.models.names.map((m) => results.get(m)!);
  return {
    totalSeconds: perModel.reduce((a, m) => a + (Number.isFinite(m.seconds) ? m.seconds : 0), 0),
    perModel,
    probeSteps: 1,
    ...(flopsPerSecond !== undefined ? { flopsPerSecond } : {}),
    ...(memoryLimit ? { memoryLimit } : {}),
    probeSeconds: (performance.now() - t0) / 1000,
  };
}

const long = (seconds: number): string =>
  `${formatDuration(seconds)}${seconds >= 2 * 86400 ? ` ≈ ${(seconds / 86400).toFixed(1)} days` : ''}`;
const gib = (bytes: number): string =>
  bytes < 2 ** 30 ? `${Math.max(1, Math.round(bytes / 2 ** 20))} MiB` : `${(bytes / 2 ** 30).toFixed(1)} GiB`;
const perStep = (s: number): string => (s < 10 ? `${s.toFixed(2)} s` : formatDuration(s));

const NATIVE_HOW = "'twsa setup native', then --backend tensorflow";

/**
 * Whether the native TensorFlow engine ran the estimate (`selected`), is installed but another backend was chosen
 * (`installed`), or is not installed (`absent`); see {@link formatTrainingEstimate}.
 */
export type NativeEngineState = 'selected' | 'installed' | 'absent';

/**
 * The estimate as text lines for the CLI: the total, one line per model saying how its figure was obtained, and
 * a warning per model whose step does not fit the backend's memory or whose probe failed. When the estimate ran
 * on a JS backend, a last line says how to get the native engine's figure (`native`: installed or not).
 */
export function formatTrainingEstimate(
  estimate: TrainingEstimate,
  backend: string,
  profile: string,
  native?: NativeEngineState,
): string[] {
  const complete = estimate.perModel.every((m) => m.method !== 'none');
  const lines = [
    `${profile} profile on the '${backend}' backend: about ${long(estimate.totalSeconds)} of training${complete ? '' : ' for the models with a figure'} (estimated in ${formatDuration(estimate.probeSeconds)}):`,
  ];
  for (const m of estimate.perModel) {
    const how =
      m.method === 'probe'
        ? m.probeFrames !== undefined
          ? `timed step on the full ${m.probeFrames}-frame sequence`
          : 'timed step, after a warm-up step'
        : m.method === 'probe-scaled'
          ? `timed step on a ${m.probeFrames}-frame sequence, scaled ×${m.sequenceLength}/${m.probeFrames} to ${m.sequenceLength} frames`
          : m.method === 'flops'
            ? `FLOP-BASED GUESS (the probe failed): training FLOPs ÷ ${((estimate.flopsPerSecond ?? 0) / 1e9).toFixed(2)} GFLOP/s measured on a conv; real steps are usually slower`
            : 'no estimate: the probe failed';
    const figures = Number.isFinite(m.seconds)
      ? `${perStep(m.secondsPerStep)}/step × ${m.stepsPerEpoch} steps × ${m.epochs} epochs = ${long(m.seconds)}`
      : 'unknown';
    lines.push(
      `  ${m.model.padEnd(9)} ${figures}  (${how}${m.peakBytes !== undefined ? `; peak tensor memory ${m.method === 'probe-scaled' ? `≤ ${gib(m.peakBytes)}, scaled the same way (an upper bound: only part of it grows with the frames)` : `≈ ${gib(m.peakBytes)}`}` : ''})`,
    );
  }
  for (const m of estimate.perModel) {
    if (m.fitsMemory === false && estimate.memoryLimit) {
      lines.push(
        `  ${m.model}: one training step needs ≈ ${gib(m.peakBytes!)} of tensor memory (measured${m.method === 'probe-scaled' ? ` on ${m.probeFrames} frames and scaled to ${m.sequenceLength}` : ''}), more than ${estimate.memoryLimit.description}: it will likely fail on '${backend}' — use the native engine (${NATIVE_HOW}).`,
      );
    } else if (m.fitsMemory === true && estimate.memoryLimit && m.peakBytes! > 0.75 * estimate.memoryLimit.bytes) {
      lines.push(
        `  ${m.model}: one training step needs ≈ ${gib(m.peakBytes!)} of tensor memory, close to ${estimate.memoryLimit.description}; it may fail there.`,
      );
    }
    if (m.error !== undefined)
      lines.push(
        `  ${m.model}: the probe failed on '${backend}' (${m.error}); this model will likely fail there too — use the native engine (${NATIVE_HOW}).`,
      );
  }
  if (native === 'installed')
    lines.push(
      `The native TensorFlow engine is installed: --backend tensorflow (or the default auto) gives its figure.`,
    );
  else if (native === 'absent')
    lines.push(
      `The native TensorFlow engine is not installed: 'twsa setup native' (or npm run setup:native) builds it, then this command gives its figure; it trains DCAE, Pix2Pix and the ConvLSTM several times faster than WASM.`,
    );
  return lines;
}
