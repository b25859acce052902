/**
 * Training, saving, loading and prediction for the tfjs engine: `@twsa/datasets` scales, augments and windows the
 * prepared records, `@twsa/models` builds and trains the four networks.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ArrayRecord, FrameStack, Grid, GridStack } from '@twsa/grid';
import {
  fitMinMax,
  applyScaler,
  invertScaler,
  scalerToJson,
  scalerFromJson,
  augmentSamples,
  makeSequences,
  sequenceArrays,
  type Scaler,
  type SplitLabel,
} from '@twsa/datasets';
import {
  initBackend as modelsInitBackend,
  buildSeUnet,
  buildPix2Pix,
  buildDcae,
  buildConvLstm,
  trainSupervised,
  trainPix2Pix,
  trainConvLstm,
  predict as modelsPredict,
  saveModel,
  loadModel,
  describeModels,
  type EpochEvent,
  type TrainResult,
} from '@twsa/models';
import type { BackendChoice, ModelName, PipelineConfig } from '../config.js';
import { InputError } from '../errors.js';
import { writeJsonAtomic } from '../run-folder.js';
import type { PreparedData, SplitName, TrainedModel, TrainRequest } from '../seam.js';

/** A tfjs-layers model as `@twsa/models` builds it. */
export type LayersModel = ReturnType<typeof buildDcae>;

/** Frames of the given split, as a `[n, rows, cols]` record. */
function subset(stack: FrameStack, frames: readonly number[]): FrameStack {
  const size = stack.shape[1] * stack.shape[2];
  const out = new Float32Array(frames.length * size);
  frames.forEach((t, k) => {
    for (let i = 0; i < size; i++) out[k * size + i] = stack.data[t * size + i]!;
  });
  return { data: out, shape: [frames.length, stack.shape[1], stack.shape[2]] };
}

/**
 * Cells the networks see: some land (fraction > 0) and a finite value in every frame of every given stack
 * (GRACE and LSM of the pairs, plus the stack being predicted). Table 1 applies its own ≥ 0.5 land threshold.
 */
function validMask(mask: Grid, ...stacks: readonly FrameStack<Float32Array | Float64Array>[]): ArrayRecord {
  const size = mask.data.length;
  const out = Float32Array.from(mask.data, (v) => (v > 0 ? 1 : 0));
  for (const s of stacks) {
    const frames = s.data.length / size;
    for (let t = 0; t < frames; t++)
      for (let i = 0; i < size; i++) if (out[i] && !Number.isFinite(s.data[t * size + i]!)) out[i] = 0;
  }
  return { data: out, shape: mask.shape };
}

/**
 * One frame per calendar month (the first record of a month) of `stack` (laid out like the prepared records), NaN
 * for missing months, with a split label per month.
 */
function monthlySeries(
  data: PreparedData,
  stack: FrameStack,
): { series: FrameStack; valid: Uint8Array; labels: SplitName[]; recordOfMonth: number[] } {
  const size = stack.shape[1] * stack.shape[2];
  const months = data.months;
  const index = new Map(months.map((m, i) => [m, i]));
  const out = new Float32Array(months.length * size).fill(Number.NaN);
  const valid = new Uint8Array(months.length);
  const recordOfMonth = new Array<number>(months.length).fill(-1);
  data.records.forEach((r, t) => {
    const m = index.get(r.yearMonth);
    if (m === undefined || valid[m]) return;
    valid[m] = 1;
    recordOfMonth[m] = t;
    out.set(stack.data.subarray(t * size, (t + 1) * size), m * size);
  });
  const labels: SplitName[] = [];
  let last: SplitName = data.splits[0] ?? 'train';
  for (let m = 0; m < months.length; m++) {
    if (recordOfMonth[m]! >= 0) last = data.splits[recordOfMonth[m]!]!;
    labels.push(last);
  }
  return {
    series: { data: out, shape: [months.length, stack.shape[1], stack.shape[2]] },
    valid,
    labels,
    recordOfMonth,
  };
}

export async function buildModel(
  name: ModelName,
  config: PipelineConfig,
): Promise<{ model: LayersModel; discriminator?: LayersModel }> {
  const base = { preset: config.models.preset, seed: config.seed, inputShape: [48, 48] as const };
  switch (name) {
    case 'seunet':
      return { model: buildSeUnet(base) };
    case 'dcae':
      return { model: buildDcae(base) };
    case 'convlstm':
      return { model: buildConvLstm({ ...base, timeSteps: config.models.sequenceLength }) };
    case 'pix2pix': {
      const m = buildPix2Pix(base);
      return { model: m.generator, discriminator: m.discriminator };
    }
  }
}

function zeroOutside(record: FrameStack, mask: ArrayRecord): FrameStack {
  const size = mask.data.length;
  const out = Float32Array.from(record.data);
  for (let i = 0; i < out.length; i++) if (!mask.data[i % size] || !Number.isFinite(out[i]!)) out[i] = 0;
  return { data: out, shape: record.shape };
}

const paramsOf = (m: LayersModel, d?: LayersModel): number => m.countParams() + (d ? d.countParams() : 0);
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
/** `stack` scaled by `scaler`, as a Float32 record of the same shape. */
function scaled(scaler: Scaler, stack: GridStack): FrameStack {
  const data = applyScaler(scaler, stack);
  return { data: data instanceof Float32Array ? data : Float32Array.from(data), shape: stack.shape };
}

export async function train(req: TrainRequest): Promise<TrainedModel> {
  const { config, data } = req;
  const mask = validMask(data.mask, data.grace, data.lsm);
  const labels = data.splits as readonly SplitLabel[];
  const graceScaler = fitMinMax(data.grace, { labels, fitOn: 'train', mask: mask.data, units: 'mm' });
  const lsmScaler = fitMinMax(data.lsm, { labels, fitOn: 'train', mask: mask.data, units: 'mm' });
  writeJsonAtomic(join(req.modelDir, 'scalers.json'), {
    grace: JSON.parse(scalerToJson(graceScaler)),
    lsm: JSON.parse(scalerToJson(lsmScaler)),
  });
  const trainFrames = labels.flatMap((s, i) => (s === 'train' ? [i] : []));
  const { model, discriminator } = await buildModel(req.model, config);
  const trainOptions = {
    learningRate: config.train.learningRate,
    batchSize: config.train.batchSize,
    epochs:
      req.model === 'convlstm' && config.train.convlstmEpochs > 0 ? config.train.convlstmEpochs : config.train.epochs,
    patience: config.train.patience > 0 ? config.train.patience : null,
    seed: config.seed,
    checkpointDir: req.checkpointDir,
    ...(req.signal ? { signal: req.signal } : {}),
    onEpoch: (e: EpochEvent) =>
      req.onEpoch?.({
        epoch: e.epoch,
        epochs: e.epochs,
        loss: e.loss,
        ...(e.valLoss !== undefined ? { validationLoss: e.valLoss } : {}),
        seconds: e.seconds,
      }),
  };
  // The smoke profile caps the optimizer steps per epoch by training on the first maxSteps × batch samples.
  const cap = (n: number): number =>
    config.train.maxStepsPerEpoch > 0 ? Math.min(n, config.train.maxStepsPerEpoch * config.train.batchSize) : n;
  let result: TrainResult;
  try {
    if (req.model === 'convlstm') {
      const { series, valid, labels: monthLabels } = monthlySeries(data, scaled(graceScaler, data.grace));
      const windows = makeSequences(valid, {
        length: config.models.sequenceLength + 1,
        labels: monthLabels as SplitLabel[],
      }).windows.filter((w) => w.label === 'train');
      if (windows.length === 0)
        throw new InputError(
          `ConvLSTM: no gap-free training window of ${config.models.sequenceLength + 1} months; lower models.sequenceLength`,
        );
      const { inputs, targets } = sequenceArrays(series, windows.slice(0, cap(windows.length)));
      result = await trainConvLstm(model, { inputs, targets, mask }, trainOptions);
    } else {
      // Cells outside the model mask are set to 0 (mid-range after scaling) so that the 8 dihedral copies carry no
      // NaN; the loss is taken on the (unrotated) model mask.
      let inputs = zeroOutside(subset(scaled(lsmScaler, data.lsm), trainFrames), mask);
      let targets = zeroOutside(subset(scaled(graceScaler, data.grace), trainFrames), mask);
      if (config.data.augment) {
        const aug = augmentSamples(
          { input: inputs, target: targets, labels: trainFrames.map((): SplitLabel => 'train') },
          { mode: 'all8', seed: config.seed },
        );
        inputs = aug.input;
        targets = aug.target;
      }
      const n = cap(inputs.shape[0]);
      if (n < inputs.shape[0]) {
        inputs = subset(inputs, range(n));
        targets = subset(targets, range(n));
      }
      const training = { inputs, targets, mask };
      if (req.model === 'pix2pix')
        result = await trainPix2Pix({ generator: model, discriminator: discriminator! }, training, {
          ...trainOptions,
          lambda: config.train.pix2pixLambda,
        });
      else result = await trainSupervised(model, training, trainOptions);
    }
    if (!result.aborted) await saveModel(model, req.modelDir);
  } catch (error) {
    model.dispose();
    discriminator?.dispose();
    throw error;
  }
  const params = paramsOf(model, discriminator);
  discriminator?.dispose();
  writeJsonAtomic(join(req.modelDir, 'params.json'), { params });
  return wrap(req.model, model, config, params, result.epochs, graceScaler, lsmScaler);
}

function wrap(
  name: ModelName,
  model: LayersModel,
  config: PipelineConfig,
  params: number,
  epochs: number,
  graceScaler: Scaler,
  lsmScaler: Scaler,
): TrainedModel {
  return {
    params,
    preset: config.models.preset,
    epochs,
    async predict(lsm: GridStack, context: { readonly data: PreparedData }): Promise<Float32Array> {
      const mask = validMask(context.data.mask, context.data.grace, context.data.lsm, lsm);
      const size = lsm.shape[1] * lsm.shape[2];
      if (name !== 'convlstm') {
        const y = await modelsPredict(model, scaled(lsmScaler, lsm), { mask });
        return Float32Array.from(invertScaler(graceScaler, y));
      }
      // ConvLSTM: GRACE → next month. Each GRACE record whose previous months are all present is predicted;
      // the others (and any LSM-only frames, e.g. a hindcast) stay NaN.
      if (lsm !== context.data.lsm)
        throw new InputError(
          'ConvLSTM forecasts GRACE from GRACE: it cannot reconstruct from LSM alone (choose hindcast.model dcae, seunet or pix2pix)',
        );
      const data = context.data;
      const { series, valid, recordOfMonth } = monthlySeries(data, scaled(graceScaler, data.grace));
      const windows = makeSequences(valid, { length: config.models.sequenceLength + 1 }).windows;
      const out = new Float32Array(lsm.data.length).fill(Number.NaN);
      if (windows.length === 0) return out;
      const y = await modelsPredict(model, sequenceArrays(series, windows).inputs, { mask });
      const mm = invertScaler(graceScaler, y);
      windows.forEach((w, k) => {
        const t = recordOfMonth[w.target]!;
        if (t >= 0) out.set(mm.subarray(k * size, (k + 1) * size), t * size);
      });
      return out;
    },
    dispose() {
      model.dispose();
    },
  };
}

export async function load(name: ModelName, modelDir: string, config: PipelineConfig): Promise<TrainedModel> {
  const scalers = JSON.parse(readFileSync(join(modelDir, 'scalers.json'), 'utf8')) as { grace: object; lsm: object };
  const info = JSON.parse(readFileSync(join(modelDir, 'params.json'), 'utf8')) as { params: number };
  const model = await loadModel(modelDir);
  return wrap(name, model, config, info.params, 0, scalerFromJson(scalers.grace), scalerFromJson(scalers.lsm));
}

export async function initBackend(choice: BackendChoice): Promise<string> {
  const info = await modelsInitBackend(choice === 'auto' ? {} : { backend: choice });
  // The native engine is named with the TensorFlow it runs (run.json, report, Table 1, estimates).
  return info.tensorflowVersion !== undefined ? `${info.name} (TensorFlow ${info.tensorflowVersion})` : info.name;
}

export async function countParams(name: ModelName, config: PipelineConfig): Promise<number> {
  return describeModels({ presets: [config.models.preset], models: [name] })[0]!.total;
}
