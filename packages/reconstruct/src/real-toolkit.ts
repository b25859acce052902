/**
 * The data and model half of the default toolkit: `@twsa/datasets` for the data (GRACE preparation, the LSM
 * emulator, pairing, scaling, augmentation, sequences) and `@twsa/models` for the networks (builders, training,
 * prediction, saving), `@twsa/grid` for the output files. Functions are looked up by name so a mismatched
 * install fails with a DependencyMissingError naming the package and the export.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Grid, GridStack } from '@twsa/grid';
import type { ModelName, PipelineConfig, BackendChoice } from './config.js';
import { InputError } from './errors.js';
import { exportOf } from './internal/bindings.js';
import { writeJsonAtomic } from './run-folder.js';
import type { PreparedData, SplitName, Toolkit, TrainedModel, TrainRequest } from './toolkit.js';

// Minimal local views of the sibling APIs this module calls.
interface ArrayRecord { readonly data: Float32Array; readonly shape: readonly number[] }
interface Scaler { readonly kind: 'minmax'; readonly min: number; readonly max: number; readonly range: readonly [number, number] }
type LayersModel = { dispose(): void; countParams(): number; trainableWeights: unknown[] };
interface PairedSamples {
  readonly grace: GridStack; readonly lsm: GridStack; readonly records: readonly { id: string; yearMonth: string }[];
  readonly months: readonly string[]; readonly missingMonths: readonly string[]; readonly mask: Grid; readonly splits: readonly SplitName[];
  readonly attributes: Readonly<Record<string, string | number>>;
}
interface EpochEvent { epoch: number; epochs: number; loss: number; valLoss?: number; seconds: number }
interface TrainResult { epochs: number; aborted: boolean }
type Builder = (config: Record<string, unknown>) => LayersModel | { generator: LayersModel; discriminator: LayersModel };

const BUILDERS: Record<ModelName, string> = { seunet: 'buildSeUnet', pix2pix: 'buildPix2Pix', dcae: 'buildDcae', convlstm: 'buildConvLstm' };

const models = <T>(name: string): Promise<T> => exportOf<T>('@twsa/models', name);
const datasets = <T>(name: string): Promise<T> => exportOf<T>('@twsa/datasets', name);
const grid = <T>(name: string): Promise<T> => exportOf<T>('@twsa/grid', name);

/** Reads the GRACE files of a run onto the 48×48 grid (mm, anomalies) with `@twsa/datasets`' prepareGrace. */
async function readGrace(files: readonly string[], config: PipelineConfig): Promise<GridStack> {
  const prepareGrace = await datasets<(input: string | GridStack, options?: object) => GridStack>('prepareGrace');
  for (const f of files) if (!existsSync(f)) throw new InputError(`--grace: file '${f}' does not exist`, { file: f });
  const options = { start: config.data.start, end: config.data.end };
  if (files.length === 1) return prepareGrace(files[0]!, options);
  // Several granules (one month each): read each, stack them in time order, then prepare the stack.
  const readNetcdf = await grid<(path: string, options?: object) => Promise<GridStack>>('readNetcdf');
  const parts: GridStack[] = [];
  for (const f of files) parts.push(await readNetcdf(f, { variable: 'lwe_thickness' }));
  const first = parts[0]!;
  const size = first.shape[1] * first.shape[2];
  for (const [i, p] of parts.entries()) {
    if (p.shape[1] !== first.shape[1] || p.shape[2] !== first.shape[2] || p.units !== first.units) throw new InputError(`--grace: '${files[i]}' is not on the same grid/units as '${files[0]}'`, { file: files[i]! });
  }
  const frames = parts.flatMap((p, i) => p.times.map((t, k) => ({ t, k, i }))).sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0));
  const data = new Float32Array(frames.length * size);
  frames.forEach((f, j) => data.set(parts[f.i]!.data.subarray(f.k * size, (f.k + 1) * size), j * size));
  const stack: GridStack = {
    ...first, data, shape: [frames.length, first.shape[1], first.shape[2]], times: frames.map((f) => f.t),
    timeBounds: frames.map((f) => { const tb = parts[f.i]!.timeBounds; if (!tb) throw new InputError(`--grace: '${files[f.i]}' has no time_bounds`, { file: files[f.i]! }); return tb[f.k]!; }),
    attributes: { ...(first.attributes ?? {}), source_files: files.length },
  };
  delete (stack as { labels?: unknown }).labels;
  return prepareGrace(stack, options);
}

function fromPairs(pairs: PairedSamples, description: string, twin: boolean, hindcastLsm: GridStack | null): PreparedData {
  return {
    grace: pairs.grace, lsm: pairs.lsm, records: pairs.records.map((r) => ({ id: r.id, yearMonth: r.yearMonth })), splits: pairs.splits,
    months: pairs.months, missingMonths: pairs.missingMonths, mask: pairs.mask, hindcastLsm, description, twinExperiment: twin,
    attributes: { ...pairs.attributes, ...(twin ? { twin_experiment: 'yes: the LSM is emulated from GRACE' } : {}) },
  };
}

async function prepare(config: PipelineConfig, options: { readonly log?: (message: string) => void }): Promise<PreparedData> {
  const pairMonthly = await datasets<(g: GridStack, l: GridStack, o?: object) => PairedSamples>('pairMonthly');
  const firstLastTestSplit = await datasets<(h: number, t: number) => unknown>('firstLastTestSplit');
  const split = firstLastTestSplit(config.data.testRecords, config.data.testRecords);
  const pairOptions = { start: config.data.start, end: config.data.end, split };
  if (config.data.grace.length === 0) {
    const syntheticScenario = await datasets<(o?: object) => Promise<{ grace: GridStack; lsm: GridStack; description?: string }> | { grace: GridStack; lsm: GridStack; description?: string }>('syntheticScenario');
    options.log?.('synthetic scenario: generating GRACE-like truth and its emulated LSM');
    const scenario = await syntheticScenario({ seed: config.seed });
    const pairs = pairMonthly(scenario.grace, scenario.lsm, pairOptions);
    return fromPairs(pairs, `embedded synthetic scenario (seed ${config.seed}): synthetic GRACE-like truth and an LSM emulated from it — a twin experiment, not real data`, true, scenario.lsm);
  }
  options.log?.(`reading GRACE: ${config.data.grace.length} file(s)`);
  const grace = await readGrace(config.data.grace, config);
  if (config.data.lsm === 'emulate') {
    const emulateLsm = await datasets<(g: GridStack, o?: object) => Promise<GridStack>>('emulateLsm');
    const fineFactor = config.profile === 'paper' ? 22 : 2;
    options.log?.(`emulating the LSM from GRACE (seed ${config.seed}, fine factor ${fineFactor})`);
    const lsm = await emulateLsm(grace, { seed: config.seed, fineFactor, start: config.hindcast.start < config.data.start ? config.hindcast.start : config.data.start, end: config.data.end });
    const pairs = pairMonthly(grace, lsm, pairOptions);
    return fromPairs(pairs, `real GRACE JPL RL06 v03 land (${config.data.grace.length === 1 ? config.data.grace[0] : `${config.data.grace.length} granules`}) + LSM emulated from it (seed ${config.seed}) — a twin experiment, not EALCO`, true, lsm);
  }
  const prepareLsm = await datasets<(files: readonly string[], like: GridStack, o?: object) => Promise<GridStack>>('prepareLsm');
  for (const f of config.data.lsm) if (!existsSync(f)) throw new InputError(`--lsm: file '${f}' does not exist`, { file: f });
  const lsm = await prepareLsm(config.data.lsm, grace, { start: config.hindcast.start });
  const pairs = pairMonthly(grace, lsm, pairOptions);
  return fromPairs(pairs, `real GRACE JPL RL06 v03 land + user LSM (${config.data.lsm.length} file(s))`, false, lsm);
}

/** Frames of the given split, as a `[n, rows, cols]` record. */
function subset(stack: { data: ArrayLike<number>; shape: readonly number[] }, frames: readonly number[]): ArrayRecord {
  const size = stack.shape[1]! * stack.shape[2]!;
  const out = new Float32Array(frames.length * size);
  frames.forEach((t, k) => { for (let i = 0; i < size; i++) out[k * size + i] = stack.data[t * size + i]!; });
  return { data: out, shape: [frames.length, stack.shape[1]!, stack.shape[2]!] };
}

function landMask(mask: Grid): ArrayRecord {
  return { data: Float32Array.from(mask.data, (v) => (v >= 0.5 ? 1 : 0)), shape: mask.shape };
}

/** One value per calendar month (first record of a month), NaN for missing months, with a split label per month. */
function monthlySeries(data: PreparedData, stack: GridStack): { series: ArrayRecord; valid: Uint8Array; labels: SplitName[]; recordOfMonth: number[] } {
  const size = stack.shape[1] * stack.shape[2];
  const months = data.months;
  const index = new Map(months.map((m, i) => [m, i]));
  const out = new Float32Array(months.length * size).fill(Number.NaN);
  const valid = new Uint8Array(months.length);
  const recordOfMonth = new Array<number>(months.length).fill(-1);
  data.records.forEach((r, t) => {
    const m = index.get(r.yearMonth);
    if (m === undefined || valid[m]) return;
    valid[m] = 1; recordOfMonth[m] = t;
    out.set(stack.data.subarray(t * size, (t + 1) * size), m * size);
  });
  const labels: SplitName[] = [];
  let last: SplitName = data.splits[0] ?? 'train';
  for (let m = 0; m < months.length; m++) { if (recordOfMonth[m]! >= 0) last = data.splits[recordOfMonth[m]!]!; labels.push(last); }
  return { series: { data: out, shape: stack.shape.length === 3 ? [months.length, stack.shape[1], stack.shape[2]] : [] }, valid, labels, recordOfMonth };
}

async function buildModel(name: ModelName, config: PipelineConfig): Promise<{ model: LayersModel; discriminator?: LayersModel }> {
  const build = await models<Builder>(BUILDERS[name]);
  const [rows, cols] = [48, 48];
  const base: Record<string, unknown> = { preset: config.models.preset, seed: config.seed, inputShape: [rows, cols] };
  if (name === 'convlstm') base['timeSteps'] = config.models.sequenceLength;
  const built = build(base);
  if ('generator' in built) return { model: built.generator, discriminator: built.discriminator };
  return { model: built };
}

const paramsOf = (m: LayersModel, d?: LayersModel): number => m.countParams() + (d ? d.countParams() : 0);

async function train(req: TrainRequest): Promise<TrainedModel> {
  const { config, data } = req;
  const fitMinMax = await datasets<(d: ArrayRecord, o: object) => Scaler>('fitMinMax');
  const applyScaler = await datasets<(s: Scaler, d: ArrayRecord) => Float32Array>('applyScaler');
  const scalerToJson = await datasets<(s: Scaler) => string>('scalerToJson');
  const mask = landMask(data.mask);
  const labels = data.splits;
  const graceScaler = fitMinMax(data.grace, { labels, fitOn: 'train', mask: mask.data, units: 'mm' });
  const lsmScaler = fitMinMax(data.lsm, { labels, fitOn: 'train', mask: mask.data, units: 'mm' });
  writeJsonAtomic(join(req.modelDir, 'scalers.json'), { grace: JSON.parse(scalerToJson(graceScaler)), lsm: JSON.parse(scalerToJson(lsmScaler)) });
  const trainFrames = labels.flatMap((s, i) => (s === 'train' ? [i] : []));
  const { model, discriminator } = await buildModel(req.model, config);
  const trainOptions = {
    learningRate: config.train.learningRate, batchSize: config.train.batchSize, epochs: config.train.epochs,
    patience: config.train.patience > 0 ? config.train.patience : null, seed: config.seed, checkpointDir: req.checkpointDir,
    ...(req.signal ? { signal: req.signal } : {}),
    onEpoch: (e: EpochEvent) => req.onEpoch?.({ epoch: e.epoch, epochs: e.epochs, loss: e.loss, ...(e.valLoss !== undefined ? { validationLoss: e.valLoss } : {}), seconds: e.seconds }),
  };
  const cap = (n: number): number => (config.train.maxStepsPerEpoch > 0 ? Math.min(n, config.train.maxStepsPerEpoch * config.train.batchSize) : n);
  let result: TrainResult;
  try {
    if (req.model === 'convlstm') {
      const grace = { ...data.grace, data: applyScaler(graceScaler, data.grace) } as GridStack;
      const { series, valid, labels: monthLabels } = monthlySeries(data, grace);
      const makeSequences = await datasets<(v: Uint8Array, o: object) => { windows: { label: string }[] }>('makeSequences');
      const sequenceData = await datasets<(s: ArrayRecord, w: readonly unknown[]) => { input: Float32Array; inputShape: readonly number[]; target: Float32Array; targetShape: readonly number[] }>('sequenceData');
      const windows = makeSequences(valid, { length: config.models.sequenceLength + 1, labels: monthLabels }).windows.filter((w) => w.label === 'train');
      if (windows.length === 0) throw new InputError(`ConvLSTM: no gap-free training window of ${config.models.sequenceLength + 1} months; lower models.sequenceLength`);
      const seq = sequenceData(series as unknown as ArrayRecord, windows.slice(0, cap(windows.length)));
      const trainConvLstm = await models<(m: LayersModel, d: object, o: object) => Promise<TrainResult>>('trainConvLstm');
      result = await trainConvLstm(model, { inputs: { data: seq.input, shape: seq.inputShape }, targets: { data: seq.target, shape: seq.targetShape }, mask }, trainOptions);
    } else {
      let inputs = subset({ data: applyScaler(lsmScaler, data.lsm), shape: data.lsm.shape }, trainFrames);
      let targets = subset({ data: applyScaler(graceScaler, data.grace), shape: data.grace.shape }, trainFrames);
      if (config.data.augment) {
        const augmentSamples = await datasets<(s: object, o: object) => { input: ArrayRecord; target: ArrayRecord }>('augmentSamples');
        const aug = augmentSamples({ input: inputs, target: targets, labels: trainFrames.map(() => 'train') }, { mode: 'all8', seed: config.seed });
        inputs = { data: aug.input.data as Float32Array, shape: aug.input.shape };
        targets = { data: aug.target.data as Float32Array, shape: aug.target.shape };
      }
      const n = cap(inputs.shape[0]!);
      if (n < inputs.shape[0]!) { inputs = subset(inputs, range(n)); targets = subset(targets, range(n)); }
      const training = { inputs, targets, mask };
      if (req.model === 'pix2pix') {
        const trainPix2Pix = await models<(m: object, d: object, o: object) => Promise<TrainResult>>('trainPix2Pix');
        result = await trainPix2Pix({ generator: model, discriminator }, training, { ...trainOptions, lambda: config.train.pix2pixLambda });
      } else {
        const trainSupervised = await models<(m: LayersModel, d: object, o: object) => Promise<TrainResult>>('trainSupervised');
        result = await trainSupervised(model, training, trainOptions);
      }
    }
    if (!result.aborted) await (await models<(m: LayersModel, dir: string) => Promise<void>>('saveModel'))(model, req.modelDir);
  } catch (error) {
    model.dispose(); discriminator?.dispose();
    throw error;
  }
  const params = paramsOf(model, discriminator);
  discriminator?.dispose();
  writeJsonAtomic(join(req.modelDir, 'params.json'), { params });
  return wrap(req.model, model, config, params, result.epochs, graceScaler, lsmScaler);
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

function wrap(name: ModelName, model: LayersModel, config: PipelineConfig, params: number, epochs: number, graceScaler: Scaler, lsmScaler: Scaler): TrainedModel {
  return {
    params, preset: config.models.preset, epochs,
    async predict(lsm: GridStack, context: { readonly data: PreparedData }): Promise<Float32Array> {
      const predict = await models<(m: LayersModel, x: ArrayRecord, o: object) => Promise<ArrayRecord>>('predict');
      const applyScaler = await datasets<(s: Scaler, d: ArrayRecord) => Float32Array>('applyScaler');
      const invertScaler = await datasets<(s: Scaler, d: ArrayRecord) => Float32Array>('invertScaler');
      const mask = landMask(context.data.mask);
      const size = lsm.shape[1] * lsm.shape[2];
      if (name !== 'convlstm') {
        const y = await predict(model, { data: applyScaler(lsmScaler, lsm), shape: lsm.shape }, { mask });
        return Float32Array.from(invertScaler(graceScaler, y));
      }
      // ConvLSTM: GRACE → next month. Each GRACE record whose previous months are all present is predicted;
      // the others (and any LSM-only frames, e.g. a hindcast) stay NaN.
      if (lsm !== context.data.lsm) throw new InputError('ConvLSTM forecasts GRACE from GRACE: it cannot reconstruct from LSM alone (choose hindcast.model dcae, seunet or pix2pix)');
      const data = context.data;
      const grace = { ...data.grace, data: applyScaler(graceScaler, data.grace) } as GridStack;
      const { series, valid, recordOfMonth } = monthlySeries(data, grace);
      const makeSequences = await datasets<(v: Uint8Array, o: object) => { windows: { target: number }[] }>('makeSequences');
      const sequenceData = await datasets<(s: ArrayRecord, w: readonly unknown[]) => { input: Float32Array; inputShape: readonly number[] }>('sequenceData');
      const windows = makeSequences(valid, { length: config.models.sequenceLength + 1 }).windows;
      const out = new Float32Array(lsm.data.length).fill(Number.NaN);
      if (windows.length === 0) return out;
      const seq = sequenceData(series as unknown as ArrayRecord, windows);
      const y = await predict(model, { data: seq.input, shape: seq.inputShape }, { mask });
      const mm = invertScaler(graceScaler, y);
      windows.forEach((w, k) => { const t = recordOfMonth[w.target]!; if (t >= 0) out.set(mm.subarray(k * size, (k + 1) * size), t * size); });
      return out;
    },
    dispose() { model.dispose(); },
  };
}

async function load(name: ModelName, modelDir: string, config: PipelineConfig): Promise<TrainedModel> {
  const loadModel = await models<(dir: string) => Promise<LayersModel>>('loadModel');
  const scalerFromJson = await datasets<(j: object) => Scaler>('scalerFromJson');
  const scalers = JSON.parse(readFileSync(join(modelDir, 'scalers.json'), 'utf8')) as { grace: object; lsm: object };
  const info = JSON.parse(readFileSync(join(modelDir, 'params.json'), 'utf8')) as { params: number };
  const model = await loadModel(modelDir);
  return wrap(name, model, config, info.params, 0, scalerFromJson(scalers.grace), scalerFromJson(scalers.lsm));
}

async function initBackend(choice: BackendChoice): Promise<string> {
  const init = await models<(o: object) => Promise<{ name: string; choice: string; reason: string }>>('initBackend');
  const info = await init(choice === 'auto' ? {} : { backend: choice });
  return info.name;
}

async function timeTrainingStep(name: ModelName, config: PipelineConfig): Promise<number> {
  const { model, discriminator } = await buildModel(name, config);
  try {
    const batch = config.train.batchSize;
    const steps = 3;
    const n = batch * steps;
    const frame = 48 * 48;
    const rand = (len: number): Float32Array => Float32Array.from({ length: len }, (_, i) => Math.sin(i * 0.37) * 0.5);
    const options = { learningRate: config.train.learningRate, batchSize: batch, epochs: 1, patience: null, seed: config.seed, shuffle: false };
    const t0 = performance.now();
    if (name === 'convlstm') {
      const trainConvLstm = await models<(m: LayersModel, d: object, o: object) => Promise<unknown>>('trainConvLstm');
      const s = config.models.sequenceLength;
      await trainConvLstm(model, { inputs: { data: rand(n * s * frame), shape: [n, s, 48, 48] }, targets: { data: rand(n * frame), shape: [n, 48, 48] } }, options);
    } else if (name === 'pix2pix') {
      const trainPix2Pix = await models<(m: object, d: object, o: object) => Promise<unknown>>('trainPix2Pix');
      await trainPix2Pix({ generator: model, discriminator }, { inputs: { data: rand(n * frame), shape: [n, 48, 48] }, targets: { data: rand(n * frame), shape: [n, 48, 48] } }, options);
    } else {
      const trainSupervised = await models<(m: LayersModel, d: object, o: object) => Promise<unknown>>('trainSupervised');
      await trainSupervised(model, { inputs: { data: rand(n * frame), shape: [n, 48, 48] }, targets: { data: rand(n * frame), shape: [n, 48, 48] } }, options);
    }
    return (performance.now() - t0) / 1000 / steps;
  } finally { model.dispose(); discriminator?.dispose(); }
}

async function writeGeoTiff(g: Grid, file: string, attributes: Readonly<Record<string, string | number>>): Promise<void> {
  const write = await grid<(path: string, g: Grid, o: object) => Promise<void>>('writeGeoTiff');
  await write(file, g, { overwrite: true, metadata: attributes, units: 'mm' });
}

async function writeNetcdf(stack: GridStack, file: string, attributes: Readonly<Record<string, string | number>>): Promise<void> {
  const write = await grid<(path: string, s: GridStack, o: object) => Promise<void>>('writeNetcdf');
  await write(file, stack, { overwrite: true, variable: 'twsa', longName: 'GRACE-like terrestrial water storage anomaly', units: 'mm', title: String(attributes['title'] ?? 'twsa hindcast'), producer: '@twsa/reconstruct hindcast', attributes });
}

async function countParams(name: ModelName, config: PipelineConfig): Promise<number> {
  const describeModels = await models<(o: object) => { total: number }[]>('describeModels');
  return describeModels({ presets: [config.models.preset], models: [name] })[0]!.total;
}

/** The data/model/IO half of the default toolkit. */
export const DATA_MODEL_TOOLKIT: Pick<Toolkit, 'initBackend' | 'prepare' | 'train' | 'load' | 'countParams' | 'timeTrainingStep' | 'writeGeoTiff' | 'writeNetcdf'> = Object.freeze({
  initBackend, prepare, train, load, countParams, timeTrainingStep, writeGeoTiff, writeNetcdf,
});
