/**
 * Training, saving, loading and prediction for the tfjs engine: `@twsa/datasets` scales, augments and windows the
 * prepared records, `@twsa/models` builds and trains the four networks.
 */
import { existsSync, readFileSync } from 'node:fs';
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
  targetWindows,
  type Scaler,
  type SequenceMode,
  type SequenceWindow,
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
import {
  decimalYear,
  fitSeasonalTrend,
  seasonalTrendAt,
  seasonalTrendFromJson,
  seasonalTrendToJson,
  type SeasonalTrendFit,
} from './seasonal-fit.js';

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

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** The frame axis the ConvLSTM slides over, with the scaled GRACE frames on it. */
interface SequenceAxis {
  readonly series: FrameStack;
  readonly valid: Uint8Array;
  readonly labels: SplitLabel[];
  /** Record of each frame (-1 for a missing calendar month). */
  readonly recordOfFrame: number[];
  /** Name of each frame: the record id (`records`) or the calendar month (`calendar`). */
  readonly names: string[];
}

/**
 * `records` (the paper's): the GRACE records themselves, as if consecutive. `calendar`: one frame per calendar
 * month, missing months invalid (filled later by interpolation when a window allows it).
 */
function sequenceAxis(data: PreparedData, stack: FrameStack, sequencing: 'records' | 'calendar'): SequenceAxis {
  if (sequencing === 'records') {
    const n = stack.shape[0];
    return {
      series: stack,
      valid: new Uint8Array(n).fill(1),
      labels: [...data.splits] as SplitLabel[],
      recordOfFrame: range(n),
      names: data.records.map((r) => r.id),
    };
  }
  const { series, valid, labels, recordOfMonth } = monthlySeries(data, stack);
  return { series, valid, labels: labels as SplitLabel[], recordOfFrame: recordOfMonth, names: [...data.months] };
}

/**
 * The evaluation window of every valid frame: the split is decided by the target. Frames of the test block before
 * the first training frame are hindcast (inputs: the frames after them, reversed), every other frame is forecast
 * (inputs: the frames before it); a frame that cannot be served that way tries the other mode.
 */
function evaluationWindows(
  axis: SequenceAxis,
  config: PipelineConfig,
): { windows: (SequenceWindow & { mode: SequenceMode })[]; skipped: { target: number; reason: string }[] } {
  const firstTrain = axis.labels.findIndex((l, f) => l === 'train' && axis.valid[f]);
  const targets = range(axis.valid.length).filter((f) => axis.valid[f]);
  const calendar = config.models.sequencing === 'calendar';
  const options = {
    length: config.models.sequenceLength + 1,
    labels: axis.labels,
    ...(calendar ? { gaps: 'allow-gaps' as const, maxMissing: config.models.maxInterpolated } : {}),
  };
  const preferred = targets.map((f): SequenceMode => (firstTrain >= 0 && f < firstTrain ? 'hindcast' : 'forecast'));
  const first = targetWindows(axis.valid, targets, { ...options, mode: preferred });
  const modeOf = new Map(targets.map((f, k) => [f, preferred[k]!]));
  const retry = first.skipped.map((s) => s.target);
  const other = retry.map((f): SequenceMode => (modeOf.get(f) === 'forecast' ? 'hindcast' : 'forecast'));
  const second = targetWindows(axis.valid, retry, { ...options, mode: other });
  retry.forEach((f, k) => modeOf.set(f, other[k]!));
  const windows = [...first.windows, ...second.windows]
    .sort((a, b) => a.target - b.target)
    .map((w) => ({ ...w, mode: modeOf.get(w.target)! }));
  return { windows, skipped: second.skipped };
}

const describeWindow = (axis: SequenceAxis, w: SequenceWindow & { mode?: SequenceMode }): object => ({
  target: axis.names[w.target],
  ...(w.mode ? { mode: w.mode } : {}),
  inputs: w.inputs.map((f) => axis.names[f]),
  ...(w.filled.length > 0 ? { interpolated: w.filled.map((f) => axis.names[f]) } : {}),
});

/**
 * What the ConvLSTM slides over: GRACE itself (`models.convlstmBaseline` `"none"`, the paper), or GRACE's departures
 * from the per-pixel seasonal-and-trend fit (`"seasonal-trend"`), with the scaler of those values.
 */
interface ConvLstmBaseline {
  readonly fit: SeasonalTrendFit;
  readonly scaler: Scaler;
}

const recordTimes = (data: PreparedData): number[] => data.records.map((r) => decimalYear(r.yearMonth));

/** GRACE (mm) minus the baseline at each record's month (NaN stays NaN). */
function departures(data: PreparedData, fit: SeasonalTrendFit): GridStack {
  const base = seasonalTrendAt(fit, recordTimes(data)).data;
  const out = Float32Array.from(data.grace.data, (v, i) => v - base[i]!);
  return { ...data.grace, data: out };
}

/** The ConvLSTM's frames, scaled: GRACE, or its departures from the baseline. */
function convLstmFrames(data: PreparedData, graceScaler: Scaler, baseline?: ConvLstmBaseline): FrameStack {
  return baseline ? scaled(baseline.scaler, departures(data, baseline.fit)) : scaled(graceScaler, data.grace);
}

/**
 * Least-squares weight w of the last input frame in w · last ≈ target over the training windows (scaled values,
 * cells of `mask`), clamped to [0, 1]: the damping with which departures from the seasonal-and-trend baseline
 * persist from one record to the next. The ConvLSTM starts from w · last and learns the change.
 */
function persistenceWeight(windows: { inputs: ArrayRecord; targets: ArrayRecord }, mask: ArrayRecord): number {
  const [n, steps, rows, cols] = windows.inputs.shape as readonly number[] as [number, number, number, number];
  const size = rows * cols;
  let xy = 0;
  let xx = 0;
  for (let k = 0; k < n; k++) {
    const last = (k * steps + steps - 1) * size;
    for (let i = 0; i < size; i++) {
      if (!mask.data[i]) continue;
      const x = windows.inputs.data[last + i]!;
      const y = windows.targets.data[k * size + i]!;
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      xy += x * y;
      xx += x * x;
    }
  }
  return xx > 0 ? Math.min(1, Math.max(0, xy / xx)) : 1;
}

export async function buildModel(
  name: ModelName,
  config: PipelineConfig,
  options: { readonly persistenceWeight?: number } = {},
): Promise<{ model: LayersModel; discriminator?: LayersModel }> {
  const base = { preset: config.models.preset, seed: config.seed, inputShape: [48, 48] as const };
  switch (name) {
    case 'seunet':
      return { model: buildSeUnet(base) };
    case 'dcae':
      return { model: buildDcae(base) };
    case 'convlstm':
      return {
        model: buildConvLstm({
          ...base,
          timeSteps: config.models.sequenceLength,
          ...(options.persistenceWeight !== undefined ? { persistenceWeight: options.persistenceWeight } : {}),
        }),
      };
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
  const built = await buildModel(req.model, config);
  let model = built.model;
  const discriminator = built.discriminator;
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
  let hindcastModel: LayersModel | undefined;
  let convLstmBaseline: ConvLstmBaseline | undefined;
  const selection: string[] = [];
  try {
    if (req.model === 'convlstm') {
      const sequencing = config.models.sequencing;
      if (config.models.convlstmBaseline === 'seasonal-trend') {
        const fit = fitSeasonalTrend(
          data.grace,
          recordTimes(data),
          labels.map((l) => l === 'train'),
          mask,
        );
        const dep = departures(data, fit);
        const scaler = fitMinMax(dep, { labels, fitOn: 'train', mask: mask.data, units: 'mm' });
        convLstmBaseline = { fit, scaler };
        selection.push(
          `forecasts GRACE's departure from a per-pixel mean + trend + annual + semiannual fit to the training records (models.convlstmBaseline "seasonal-trend", ${fit.fitted} cells fitted), added back at the target month`,
        );
        writeJsonAtomic(join(req.modelDir, 'seasonal-trend.json'), seasonalTrendToJson(fit, 'training records'));
        writeJsonAtomic(join(req.modelDir, 'scalers.json'), {
          grace: JSON.parse(scalerToJson(graceScaler)),
          lsm: JSON.parse(scalerToJson(lsmScaler)),
          convlstmDepartures: JSON.parse(scalerToJson(scaler)),
        });
      }
      const axis = sequenceAxis(data, convLstmFrames(data, graceScaler, convLstmBaseline), sequencing);
      const length = config.models.sequenceLength + 1;
      const gapOptions =
        sequencing === 'calendar' ? { gaps: 'allow-gaps' as const, maxMissing: config.models.maxInterpolated } : {};
      // Training windows: every frame (inputs and target) a training record, in both modes; the paper trains a
      // forecast network (used for the last test block) and a hindcast network on the reversed sequence (the first).
      const trainWindows = (mode: SequenceMode): SequenceWindow[] =>
        makeSequences(axis.valid, { length, mode, labels: axis.labels, ...gapOptions }).windows.filter(
          (w) => w.label === 'train',
        );
      const byMode = { forecast: trainWindows('forecast'), hindcast: trainWindows('hindcast') };
      if (byMode.forecast.length === 0)
        throw new InputError(
          `ConvLSTM: no training window of ${length} ${sequencing === 'records' ? 'records' : 'months'}; lower models.sequenceLength`,
        );
      const evaluation = evaluationWindows(axis, config);
      writeJsonAtomic(join(req.modelDir, 'sequences.json'), {
        sequencing,
        length,
        note:
          sequencing === 'records'
            ? 'frames are the GRACE records, slid over as if consecutive (the paper); missing months are not filled'
            : `frames are calendar months; up to ${config.models.maxInterpolated} missing input month(s) per window filled by linear interpolation (listed as interpolated)`,
        training: {
          forecast: byMode.forecast.map((w) => describeWindow(axis, w)),
          hindcast: byMode.hindcast.map((w) => describeWindow(axis, w)),
        },
        evaluation: evaluation.windows.map((w) => describeWindow(axis, w)),
        notPredicted: evaluation.skipped.map((k) => ({ target: axis.names[k.target], reason: k.reason })),
      });
      const results: TrainResult[] = [];
      for (const mode of ['forecast', 'hindcast'] as const) {
        const windows = byMode[mode];
        if (windows.length === 0) continue;
        const { inputs, targets } = sequenceArrays(axis.series, windows.slice(0, cap(windows.length)));
        // On departures from the baseline the network starts from a damped persistence fitted on its training
        // windows; on GRACE itself (the paper's set-up) from plain persistence.
        const weight = convLstmBaseline ? persistenceWeight({ inputs, targets }, mask) : 1;
        let net: LayersModel;
        if (mode === 'forecast') {
          if (weight !== 1) {
            model.dispose();
            model = (await buildModel('convlstm', config, { persistenceWeight: weight })).model;
          }
          net = model;
        } else {
          net = await hindcastTwin(config, weight);
          hindcastModel = net;
        }
        const r = await trainConvLstm(
          net,
          { inputs, targets, mask },
          {
            ...trainOptions,
            checkpointDir: mode === 'forecast' ? req.checkpointDir : `${req.checkpointDir}-hindcast`,
            // sequenceArrays already holds hindcast inputs in model order (reversed in time): fed as given.
            mode: 'forecast',
          },
        );
        results.push(r);
        selection.push(
          `${mode} network${weight !== 1 ? ` (starts from ${weight.toFixed(3)} × the last departure)` : ''}: ${r.monitor === 'valLoss' ? 'validation' : 'training'} loss over its ${windows.length} training windows (training records only), best epoch ${r.bestEpoch} of ${r.epochs}`,
        );
        if (r.aborted) break;
      }
      result = results.find((r) => r.aborted) ?? results[0]!;
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
      selection.push(
        `${result.monitor === 'valLoss' ? 'validation' : 'training'} loss over the ${inputs.shape[0]} training samples (${trainFrames.length} training records${config.data.augment ? ', ×8 flips and rotations' : ''}; no test record), best epoch ${result.bestEpoch} of ${result.epochs}`,
      );
    }
    if (!result.aborted) {
      await saveModel(model, req.modelDir);
      if (hindcastModel) await saveModel(hindcastModel, join(req.modelDir, 'hindcast'));
    }
  } catch (error) {
    model.dispose();
    discriminator?.dispose();
    hindcastModel?.dispose();
    throw error;
  }
  const params = paramsOf(model, discriminator);
  discriminator?.dispose();
  writeJsonAtomic(join(req.modelDir, 'params.json'), { params });
  return wrap(req.model, model, config, params, result.epochs, graceScaler, lsmScaler, {
    ...(hindcastModel ? { hindcastModel } : {}),
    ...(convLstmBaseline ? { baseline: convLstmBaseline } : {}),
    selectedOn: selection.join('; '),
  });
}

/** The ConvLSTM's second network, trained on the reversed sequence (hindcast mode), built as the first. */
async function hindcastTwin(config: PipelineConfig, persistenceWeight = 1): Promise<LayersModel> {
  return (await buildModel('convlstm', { ...config, seed: (config.seed + 1) >>> 0 }, { persistenceWeight })).model;
}

function wrap(
  name: ModelName,
  model: LayersModel,
  config: PipelineConfig,
  params: number,
  epochs: number,
  graceScaler: Scaler,
  lsmScaler: Scaler,
  extra: {
    readonly hindcastModel?: LayersModel;
    readonly baseline?: ConvLstmBaseline;
    readonly selectedOn?: string;
  } = {},
): TrainedModel {
  const { hindcastModel, baseline, selectedOn } = extra;
  return {
    params,
    preset: config.models.preset,
    epochs,
    ...(selectedOn ? { selectedOn } : {}),
    async predict(lsm: GridStack, context: { readonly data: PreparedData }): Promise<Float32Array> {
      const mask = validMask(context.data.mask, context.data.grace, context.data.lsm, lsm);
      const size = lsm.shape[1] * lsm.shape[2];
      if (name !== 'convlstm') {
        const y = await modelsPredict(model, scaled(lsmScaler, lsm), { mask });
        return Float32Array.from(invertScaler(graceScaler, y));
      }
      // ConvLSTM: GRACE → GRACE. Every GRACE record is predicted from its neighbouring records (forecast from the
      // ones before it, hindcast from the ones after it for the first test block); LSM-only frames cannot be.
      if (lsm !== context.data.lsm)
        throw new InputError(
          'ConvLSTM forecasts GRACE from GRACE: it cannot reconstruct from LSM alone (choose hindcast.model dcae, seunet or pix2pix)',
        );
      const data = context.data;
      const axis = sequenceAxis(data, convLstmFrames(data, graceScaler, baseline), config.models.sequencing);
      const { windows } = evaluationWindows(axis, config);
      const out = new Float32Array(lsm.data.length).fill(Number.NaN);
      const base = baseline ? seasonalTrendAt(baseline.fit, recordTimes(data)).data : undefined;
      for (const mode of ['forecast', 'hindcast'] as const) {
        const net = mode === 'hindcast' && hindcastModel ? hindcastModel : model;
        const mine = windows.filter((w) => w.mode === mode);
        if (mine.length === 0) continue;
        // sequenceArrays gives the inputs in model order (reversed for hindcast); the network sees them as given.
        const y = await modelsPredict(net, sequenceArrays(axis.series, mine).inputs, { mask });
        const mm = invertScaler(baseline ? baseline.scaler : graceScaler, y);
        mine.forEach((w, k) => {
          const t = axis.recordOfFrame[w.target]!;
          if (t < 0) return;
          for (let i = 0; i < size; i++) out[t * size + i] = mm[k * size + i]! + (base ? base[t * size + i]! : 0);
        });
      }
      return out;
    },
    dispose() {
      model.dispose();
      hindcastModel?.dispose();
    },
  };
}

export async function load(name: ModelName, modelDir: string, config: PipelineConfig): Promise<TrainedModel> {
  const scalers = JSON.parse(readFileSync(join(modelDir, 'scalers.json'), 'utf8')) as {
    grace: object;
    lsm: object;
    convlstmDepartures?: object;
  };
  const fitFile = join(modelDir, 'seasonal-trend.json');
  const baseline: ConvLstmBaseline | undefined = existsSync(fitFile)
    ? {
        fit: seasonalTrendFromJson(JSON.parse(readFileSync(fitFile, 'utf8')), fitFile),
        scaler: scalerFromJson(
          scalers.convlstmDepartures ??
            (() => {
              throw new InputError(`${modelDir}/scalers.json: no convlstmDepartures scaler beside ${fitFile}`);
            })(),
        ),
      }
    : undefined;
  const info = JSON.parse(readFileSync(join(modelDir, 'params.json'), 'utf8')) as { params: number };
  const model = await loadModel(modelDir);
  const hindcastModel = existsSync(join(modelDir, 'hindcast', 'model.json'))
    ? await loadModel(join(modelDir, 'hindcast'))
    : undefined;
  return wrap(name, model, config, info.params, 0, scalerFromJson(scalers.grace), scalerFromJson(scalers.lsm), {
    ...(hindcastModel ? { hindcastModel } : {}),
    ...(baseline ? { baseline } : {}),
  });
}

export async function initBackend(choice: BackendChoice): Promise<string> {
  const info = await modelsInitBackend(choice === 'auto' ? {} : { backend: choice });
  // The native engine is named with the TensorFlow it runs (run.json, report, Table 1, estimates).
  return info.tensorflowVersion !== undefined ? `${info.name} (TensorFlow ${info.tensorflowVersion})` : info.name;
}

export async function countParams(name: ModelName, config: PipelineConfig): Promise<number> {
  return describeModels({ presets: [config.models.preset], models: [name] })[0]!.total;
}
