/**
 * The data and model half of the default toolkit: `@twsa/datasets` for the data (GRACE preparation, the LSM
 * emulator, pairing, scaling, augmentation, sequences) and `@twsa/models` for the networks (builders, training,
 * prediction, saving), `@twsa/grid` for the output files. Functions are looked up by name so a mismatched
 * install fails with a DependencyMissingError naming the package and the export.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { graceMonths, thirtyDayWindows, type Grid, type GridStack, type TimeWindow } from '@twsa/grid';
import type { ModelName, PipelineConfig, BackendChoice } from './config.js';
import { InputError } from './errors.js';
import { exportOf } from './internal/bindings.js';
import { writeJsonAtomic } from './run-folder.js';
import type {
  PreparedData,
  SplitName,
  Toolkit,
  TrainedModel,
  TrainingProbe,
  TrainingProbeOptions,
  TrainRequest,
} from './toolkit.js';

import {
  prepareGrace,
  prepareLsm,
  isDatasetsError,
  emulateLsm,
  pairMonthly,
  paperSplit,
  syntheticScenario,
  fitMinMax,
  applyScaler,
  invertScaler,
  scalerToJson,
  scalerFromJson,
  augmentSamples,
  makeSequences,
  sequenceData,
  targetWindows,
  type PairedSamples,
  type SequenceMode,
  type SequenceWindow,
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
  type ArrayRecord,
  type EpochEvent,
  type TrainResult,
} from '@twsa/models';

type LayersModel = ReturnType<typeof buildDcae>;

const grid = <T>(name: string): Promise<T> => exportOf<T>('@twsa/grid', name);

function fromPairs(
  pairs: PairedSamples,
  description: string,
  twin: boolean,
  hindcastLsm: GridStack | null,
): PreparedData {
  return {
    grace: pairs.grace,
    lsm: pairs.lsm,
    records: pairs.records.map((r) => ({ id: r.id, yearMonth: r.yearMonth })),
    splits: pairs.splits,
    months: pairs.months,
    missingMonths: pairs.missingMonths,
    mask: pairs.mask,
    hindcastLsm,
    description,
    twinExperiment: twin,
    attributes: { ...pairs.attributes, ...(twin ? { twin_experiment: 'yes: the LSM is emulated from GRACE' } : {}) },
  };
}

async function prepare(
  config: PipelineConfig,
  options: { readonly log?: (message: string) => void },
): Promise<PreparedData> {
  const n = config.data.testRecords;
  const pairOptions = {
    start: config.data.start,
    end: config.data.end,
    split: (records: readonly unknown[]): SplitLabel[] => paperSplit(records.length, { testHead: n, testTail: n }),
  };
  if (config.data.grace.length === 0) {
    options.log?.('synthetic scenario: generating a GRACE-like truth and its emulated LSM');
    const scenario = await syntheticScenario({ seed: config.seed, end: config.data.end });
    const pairs = pairMonthly(scenario.grace, scenario.lsm, { ...pairOptions, mask: scenario.mask });
    return fromPairs(
      pairs,
      `embedded synthetic scenario (seed ${config.seed}): a synthetic GRACE-like truth and an LSM emulated from it — a twin experiment, not real data`,
      true,
      scenario.lsm,
    );
  }
  for (const f of config.data.grace)
    if (!existsSync(f)) throw new InputError(`--grace: '${f}' does not exist`, { file: f });
  options.log?.(`reading GRACE: ${config.data.grace.length} file(s)`);
  const prepared = await prepareGrace(config.data.grace.length === 1 ? config.data.grace[0]! : config.data.grace, {
    start: config.data.start,
    end: config.data.end,
  });
  const grace = prepared.grace;
  if (config.data.lsm === 'emulate') {
    const fineFactor = config.profile === 'paper' ? 22 : 2;
    options.log?.(`emulating the LSM from GRACE (seed ${config.seed}, fine factor ${fineFactor}): a twin experiment`);
    const lsm = await emulateLsm(grace, {
      seed: config.seed,
      fineFactor,
      start:
        config.hindcast.enabled && config.hindcast.start < config.data.start
          ? config.hindcast.start
          : config.data.start,
      end: config.data.end,
    });
    const pairs = pairMonthly(grace, lsm, { ...pairOptions, mask: prepared.mask });
    const source = config.data.grace.length === 1 ? config.data.grace[0]! : `${config.data.grace.length} granules`;
    return fromPairs(
      pairs,
      `real GRACE JPL RL06 v03 land (${source}) + an LSM emulated from it (seed ${config.seed}) — a twin experiment, not EALCO`,
      true,
      lsm,
    );
  }
  return prepareUserLsm(config, options, prepared, config.data.lsm);
}

/**
 * Real GRACE + a user's LSM (GeoTIFF series or GLDAS NetCDF): the LSM is aggregated onto the GRACE solution windows
 * (and, for a hindcast starting before data.start, onto consecutive 30-day windows before the first GRACE record),
 * regridded and turned into anomalies by @twsa/datasets prepareLsm, then paired record by record over the GRACE
 * months the LSM covers.
 */
async function prepareUserLsm(
  config: PipelineConfig,
  options: { readonly log?: (message: string) => void },
  prepared: { grace: GridStack; mask: Grid },
  files: readonly string[],
): Promise<PreparedData> {
  for (const f of files) if (!existsSync(f)) throw new InputError(`--lsm: '${f}' does not exist`, { file: f });
  const grace = prepared.grace;
  const graceWindows = graceMonths(grace);
  const windows: TimeWindow[] = graceWindows.map((w) => ({ id: w.id, start: w.start, end: w.end }));
  const hindcastFirst = config.hindcast.enabled && config.hindcast.start < config.data.start;
  const firstStart = graceWindows.reduce((a, w) => (w.start < a ? w.start : a), graceWindows[0]!.start).slice(0, 10);
  if (hindcastFirst && `${config.hindcast.start}-01` < firstStart)
    windows.push(...thirtyDayWindows(`${config.hindcast.start}-01`, firstStart));
  options.log?.(`reading the LSM: ${files.length} path(s) onto ${windows.length} windows`);
  let preparedLsm: Awaited<ReturnType<typeof prepareLsm>>;
  try {
    preparedLsm = await prepareLsm(files.length === 1 ? files[0]! : files, {
      windows,
      baselineFallback: 'period',
      clip: config.data.lsmClip ?? 'canada',
      ...(options.log ? { log: options.log } : {}),
    });
  } catch (error) {
    if (isDatasetsError(error, 'DatasetsEmptyError') && error.field === 'options.windows') {
      throw new InputError(
        `--lsm: the LSM has no overlap with the GRACE records in ${config.data.start}..${config.data.end}${hindcastFirst ? ` nor with the hindcast period from ${config.hindcast.start}` : ''}: ${error.message}`,
        { file: files[0]! },
      );
    }
    throw error;
  }
  const { lsm, files: read, variables } = preparedLsm;
  const covered = new Set(lsm.labels ?? []);
  const months = graceWindows
    .filter((w) => covered.has(w.id) && w.yearMonth >= config.data.start && w.yearMonth <= config.data.end)
    .map((w) => w.yearMonth)
    .sort();
  const lsmPeriod = `${lsm.times[0]?.slice(0, 7)}..${lsm.times[lsm.times.length - 1]?.slice(0, 7)}`;
  if (months.length === 0) {
    throw new InputError(
      `--lsm: the LSM (${lsmPeriod}, ${read.length} file(s)) has no overlap with the GRACE records in ${config.data.start}..${config.data.end}; give LSM files covering part of the GRACE period`,
      { file: read[0]! },
    );
  }
  const start = months[0]!;
  const end = months[months.length - 1]!;
  const count = graceWindows.filter((w) => w.yearMonth >= start && w.yearMonth <= end).length;
  let n = config.data.testRecords;
  let splitNote: string | undefined;
  if (count <= 2 * n) {
    const m = Math.max(1, Math.floor(count / 4));
    if (count <= 2 * m)
      throw new InputError(
        `--lsm: the LSM overlaps only ${count} GRACE record(s) (${start}..${end}); at least 3 are needed for a train/test split`,
        { file: read[0]! },
      );
    splitNote = `the LSM overlaps ${count} GRACE records (${start}..${end}), not more than 2 × data.testRecords (${n}): ${m} + ${m} test records used instead`;
    options.log?.(`warning: ${splitNote}`);
    n = m;
  }
  if (start !== config.data.start || end !== config.data.end)
    options.log?.(`pairing over the GRACE months the LSM covers: ${start}..${end}`);
  let pairs: PairedSamples;
  try {
    pairs = pairMonthly(grace, lsm, {
      start,
      end,
      mask: prepared.mask,
      split: (records: readonly unknown[]): SplitLabel[] => paperSplit(records.length, { testHead: n, testTail: n }),
    });
  } catch (error) {
    if (isDatasetsError(error, 'DatasetsOverlapError'))
      throw new InputError(
        `--lsm: the LSM (${lsmPeriod}) has no overlap with the GRACE records in ${start}..${end}: ${error.message}`,
        { file: read[0]! },
      );
    throw error;
  }
  const source = config.data.grace.length === 1 ? config.data.grace[0]! : `${config.data.grace.length} granules`;
  const lsmText = read.length <= 3 ? read.join(', ') : `${read.length} files in ${dirname(read[0]!)}`;
  const clipped = (config.data.lsmClip ?? 'canada') === 'canada';
  const out = fromPairs(
    pairs,
    `real GRACE JPL RL06 v03 land (${source}) + user LSM (files ${lsmText}${variables.length > 0 ? `; ${variables.join(' + ')} summed` : ''}; ${clipped ? 'clipped to Canada at its own resolution' : 'not clipped to Canada'})`,
    false,
    lsm,
  );
  const clipNote = `LSM clip (data.lsmClip "${clipped ? 'canada' : 'none'}"): ${String(lsm.attributes?.lsm_clip ?? (clipped ? 'Canada' : 'none'))}`;
  return {
    ...out,
    attributes: {
      ...out.attributes,
      lsm_clip_note: clipNote,
      ...(splitNote ? { split_note: splitNote } : {}),
      ...(lsm.attributes?.baseline_note ? { lsm_baseline_note: String(lsm.attributes.baseline_note) } : {}),
    },
  };
}

/** Frames of the given split, as a `[n, rows, cols]` record. */
function subset(stack: { data: ArrayLike<number>; shape: readonly number[] }, frames: readonly number[]): ArrayRecord {
  const size = stack.shape[1]! * stack.shape[2]!;
  const out = new Float32Array(frames.length * size);
  frames.forEach((t, k) => {
    for (let i = 0; i < size; i++) out[k * size + i] = stack.data[t * size + i]!;
  });
  return { data: out, shape: [frames.length, stack.shape[1]!, stack.shape[2]!] };
}

/**
 * Cells the networks see: some land (fraction > 0) and a finite value in every frame of every given stack
 * (GRACE and LSM of the pairs, plus the stack being predicted). Table 1 applies its own ≥ 0.5 land threshold.
 */
function validMask(
  mask: Grid,
  ...stacks: readonly { readonly data: ArrayLike<number>; readonly shape: readonly number[] }[]
): ArrayRecord {
  const size = mask.data.length;
  const out = Float32Array.from(mask.data, (v) => (v > 0 ? 1 : 0));
  for (const s of stacks) {
    const frames = s.data.length / size;
    for (let t = 0; t < frames; t++)
      for (let i = 0; i < size; i++) if (out[i] && !Number.isFinite(s.data[t * size + i]!)) out[i] = 0;
  }
  return { data: out, shape: mask.shape };
}

/** One value per calendar month (first record of a month), NaN for missing months, with a split label per month. */
function monthlySeries(
  data: PreparedData,
  stack: GridStack,
): { series: ArrayRecord; valid: Uint8Array; labels: SplitName[]; recordOfMonth: number[] } {
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
    series: { data: out, shape: stack.shape.length === 3 ? [months.length, stack.shape[1], stack.shape[2]] : [] },
    valid,
    labels,
    recordOfMonth,
  };
}

/** The frame axis the ConvLSTM slides over, with the scaled GRACE frames on it. */
interface SequenceAxis {
  readonly series: { readonly data: Float32Array; readonly shape: readonly [number, number, number] };
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
function sequenceAxis(data: PreparedData, scaled: GridStack, sequencing: 'records' | 'calendar'): SequenceAxis {
  if (sequencing === 'records') {
    const [n, rows, cols] = scaled.shape;
    return {
      series: { data: Float32Array.from(scaled.data), shape: [n, rows, cols] },
      valid: new Uint8Array(n).fill(1),
      labels: [...data.splits] as SplitLabel[],
      recordOfFrame: range(n),
      names: data.records.map((r) => r.id),
    };
  }
  const { series, valid, labels, recordOfMonth } = monthlySeries(data, scaled);
  return {
    series: series as { data: Float32Array; shape: readonly [number, number, number] },
    valid,
    labels: labels as SplitLabel[],
    recordOfFrame: recordOfMonth,
    names: [...data.months],
  };
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

async function buildModel(
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

function zeroOutside(record: ArrayRecord, mask: ArrayRecord): ArrayRecord {
  const size = mask.data.length;
  const out = Float32Array.from(record.data);
  for (let i = 0; i < out.length; i++) if (!mask.data[i % size] || !Number.isFinite(out[i]!)) out[i] = 0;
  return { data: out, shape: record.shape };
}

const paramsOf = (m: LayersModel, d?: LayersModel): number => m.countParams() + (d ? d.countParams() : 0);
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const asRecord = (data: Float32Array | Float64Array, shape: readonly number[]): ArrayRecord => ({
  data: data instanceof Float32Array ? data : Float32Array.from(data),
  shape,
});

async function train(req: TrainRequest): Promise<TrainedModel> {
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
  let hindcastModel: LayersModel | undefined;
  const selection: string[] = [];
  try {
    if (req.model === 'convlstm') {
      const grace = {
        ...data.grace,
        data: asRecord(applyScaler(graceScaler, data.grace), data.grace.shape).data,
      } as GridStack;
      const sequencing = config.models.sequencing;
      const axis = sequenceAxis(data, grace, sequencing);
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
        const seq = sequenceData(axis.series, windows.slice(0, cap(windows.length)));
        const target = mode === 'forecast' ? model : await hindcastTwin(config);
        if (mode === 'hindcast') hindcastModel = target;
        results.push(
          await trainConvLstm(
            target,
            {
              inputs: { data: seq.input, shape: seq.inputShape },
              targets: { data: seq.target, shape: seq.targetShape },
              mask,
            },
            {
              ...trainOptions,
              checkpointDir: mode === 'forecast' ? req.checkpointDir : `${req.checkpointDir}-hindcast`,
              // sequenceData already holds hindcast inputs in model order (reversed in time): fed as given.
              mode: 'forecast',
            },
          ),
        );
        const r = results[results.length - 1]!;
        selection.push(
          `${mode} network: ${r.monitor === 'valLoss' ? 'validation' : 'training'} loss over its ${windows.length} training windows (training records only), best epoch ${r.bestEpoch} of ${r.epochs}`,
        );
      }
      result = results[0]!;
      if (results.some((r) => r.aborted)) result = results.find((r) => r.aborted)!;
    } else {
      // Cells outside the model mask are set to 0 (mid-range after scaling) so that the 8 dihedral copies carry no
      // NaN; the loss is taken on the (unrotated) model mask.
      let inputs = zeroOutside(
        subset({ data: applyScaler(lsmScaler, data.lsm), shape: data.lsm.shape }, trainFrames),
        mask,
      );
      let targets = zeroOutside(
        subset({ data: applyScaler(graceScaler, data.grace), shape: data.grace.shape }, trainFrames),
        mask,
      );
      if (config.data.augment) {
        const aug = augmentSamples(
          {
            input: inputs as { data: Float32Array; shape: readonly [number, number, number] },
            target: targets as { data: Float32Array; shape: readonly [number, number, number] },
            labels: trainFrames.map((): SplitLabel => 'train'),
          },
          { mode: 'all8', seed: config.seed },
        );
        inputs = { data: aug.input.data, shape: aug.input.shape };
        targets = { data: aug.target.data, shape: aug.target.shape };
      }
      const n = cap(inputs.shape[0]!);
      if (n < inputs.shape[0]!) {
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
  return wrap(
    req.model,
    model,
    config,
    params,
    result.epochs,
    graceScaler,
    lsmScaler,
    hindcastModel,
    selection.join('; '),
  );
}

/** The ConvLSTM's second network, trained on the reversed sequence (hindcast mode), built as the first. */
async function hindcastTwin(config: PipelineConfig): Promise<LayersModel> {
  return (await buildModel('convlstm', { ...config, seed: (config.seed + 1) >>> 0 })).model;
}

function wrap(
  name: ModelName,
  model: LayersModel,
  config: PipelineConfig,
  params: number,
  epochs: number,
  graceScaler: Scaler,
  lsmScaler: Scaler,
  hindcastModel?: LayersModel,
  selectedOn?: string,
): TrainedModel {
  return {
    params,
    preset: config.models.preset,
    epochs,
    ...(selectedOn ? { selectedOn } : {}),
    async predict(lsm: GridStack, context: { readonly data: PreparedData }): Promise<Float32Array> {
      const mask = validMask(context.data.mask, context.data.grace, context.data.lsm, lsm);
      const size = lsm.shape[1] * lsm.shape[2];
      if (name !== 'convlstm') {
        const y = await modelsPredict(model, asRecord(applyScaler(lsmScaler, lsm), lsm.shape), { mask });
        return Float32Array.from(invertScaler(graceScaler, y));
      }
      // ConvLSTM: GRACE → next month. Each GRACE record whose previous months are all present is predicted;
      // the others (and any LSM-only frames, e.g. a hindcast) stay NaN.
      if (lsm !== context.data.lsm)
        throw new InputError(
          'ConvLSTM forecasts GRACE from GRACE: it cannot reconstruct from LSM alone (choose hindcast.model dcae, seunet or pix2pix)',
        );
      const data = context.data;
      const grace = {
        ...data.grace,
        data: asRecord(applyScaler(graceScaler, data.grace), data.grace.shape).data,
      } as GridStack;
      const axis = sequenceAxis(data, grace, config.models.sequencing);
      const { windows } = evaluationWindows(axis, config);
      const out = new Float32Array(lsm.data.length).fill(Number.NaN);
      for (const mode of ['forecast', 'hindcast'] as const) {
        const net = mode === 'hindcast' && hindcastModel ? hindcastModel : model;
        const mine = windows.filter((w) => w.mode === mode);
        if (mine.length === 0) continue;
        // sequenceData gives the inputs in model order (reversed for hindcast); the network sees them as given.
        const seq = sequenceData(axis.series, mine);
        const y = await modelsPredict(net, { data: seq.input, shape: seq.inputShape }, { mask });
        const mm = invertScaler(graceScaler, y);
        mine.forEach((w, k) => {
          const t = axis.recordOfFrame[w.target]!;
          if (t >= 0) out.set(mm.subarray(k * size, (k + 1) * size), t * size);
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

async function load(name: ModelName, modelDir: string, config: PipelineConfig): Promise<TrainedModel> {
  const scalers = JSON.parse(readFileSync(join(modelDir, 'scalers.json'), 'utf8')) as { grace: object; lsm: object };
  const info = JSON.parse(readFileSync(join(modelDir, 'params.json'), 'utf8')) as { params: number };
  const model = await loadModel(modelDir);
  const hindcastModel = existsSync(join(modelDir, 'hindcast', 'model.json'))
    ? await loadModel(join(modelDir, 'hindcast'))
    : undefined;
  return wrap(
    name,
    model,
    config,
    info.params,
    0,
    scalerFromJson(scalers.grace),
    scalerFromJson(scalers.lsm),
    hindcastModel,
  );
}

async function initBackend(choice: BackendChoice): Promise<string> {
  const info = await modelsInitBackend(choice === 'auto' ? {} : { backend: choice });
  return info.name;
}

/** tfjs-core, the instance @twsa/models registered its backend with (a peer of both packages). */
const tfCore = (): Promise<typeof import('@tensorflow/tfjs-core')> => import('@tensorflow/tfjs-core');

async function probeTrainingStep(
  name: ModelName,
  config: PipelineConfig,
  options: TrainingProbeOptions = {},
): Promise<TrainingProbe> {
  const tf = await tfCore();
  const frames =
    name === 'convlstm'
      ? Math.max(1, Math.min(config.models.sequenceLength, options.sequenceLength ?? config.models.sequenceLength))
      : undefined;
  const probeConfig =
    frames !== undefined ? { ...config, models: { ...config.models, sequenceLength: frames } } : config;
  const warmup = options.warmupSteps ?? 1;
  const { model, discriminator } = await buildModel(name, probeConfig);
  try {
    // One epoch per step (batch samples each): the last epoch's wall time is the timed step; restoreBest off so no
    // weight snapshot is taken after it.
    const batch = config.train.batchSize;
    const frame = 48 * 48;
    const wave = (len: number): Float32Array => Float32Array.from({ length: len }, (_, i) => Math.sin(i * 0.37) * 0.5);
    const seconds: number[] = [];
    const trainOptions = {
      learningRate: config.train.learningRate,
      batchSize: batch,
      epochs: warmup + 1,
      patience: null,
      restoreBest: false,
      seed: config.seed,
      shuffle: false,
      onEpoch: (e: EpochEvent) => {
        seconds.push(e.seconds);
      },
    };
    const targets = { data: wave(batch * frame), shape: [batch, 48, 48] };
    const baselineBytes = tf.memory().numBytes;
    const profile = await tf.profile(async () => {
      if (name === 'convlstm')
        await trainConvLstm(
          model,
          { inputs: { data: wave(batch * frames! * frame), shape: [batch, frames!, 48, 48] }, targets },
          trainOptions,
        );
      else if (name === 'pix2pix')
        await trainPix2Pix(
          { generator: model, discriminator: discriminator! },
          { inputs: { data: wave(batch * frame), shape: [batch, 48, 48] }, targets },
          trainOptions,
        );
      else
        await trainSupervised(
          model,
          { inputs: { data: wave(batch * frame), shape: [batch, 48, 48] }, targets },
          trainOptions,
        );
    });
    return {
      secondsPerStep: seconds[seconds.length - 1]!,
      ...(frames !== undefined ? { sequenceLength: frames } : {}),
      peakBytes: profile.peakBytes,
      baselineBytes,
    };
  } finally {
    model.dispose();
    discriminator?.dispose();
  }
}

/** What the FLOP count needs of a tfjs-layers layer (public fields, typed loosely across layer classes). */
interface LayerLike {
  getClassName(): string;
  readonly layers?: readonly LayerLike[];
  readonly weights: readonly { readonly name: string; readonly shape: readonly (number | null)[] }[];
  readonly inboundNodes: readonly { readonly inputShapes: unknown; readonly outputShapes: unknown }[];
}
const firstShape = (s: unknown): number[] =>
  (Array.isArray(s) && Array.isArray(s[0]) ? s[0] : (s as number[])).map((d) => d ?? 1);

/**
 * Forward FLOPs (2 × multiply–adds) of one sample through a model: every call of a layer with a kernel (conv,
 * transposed conv, dense, ConvLSTM cell per time step); element-wise layers are not counted.
 */
function forwardFlops(model: LayerLike): number {
  let flops = 0;
  const visit = (layer: LayerLike): void => {
    if (layer.layers) {
      for (const l of layer.layers) visit(l);
      return;
    }
    const kernel = layer.weights.find((w) => /kernel/.test(w.name));
    if (!kernel) return;
    const k = kernel.shape.map((d) => d ?? 1);
    const size = k.reduce((a, b) => a * b, 1);
    const cls = layer.getClassName();
    for (const node of layer.inboundNodes) {
      const input = firstShape(node.inputShapes);
      const output = firstShape(node.outputShapes);
      if (k.length === 4 && cls === 'TwsaConvLstm2D') {
        const [steps, rows, cols] = input.length === 5 ? [input[1]!, input[2]!, input[3]!] : [1, input[1]!, input[2]!];
        flops += 2 * size * rows * cols * steps;
      } else if (k.length === 4) {
        const spatial = cls === 'Conv2DTranspose' ? input : output;
        flops += 2 * size * spatial[1]! * spatial[2]!;
      } else if (k.length === 2) {
        flops += 2 * size * output.slice(1, -1).reduce((a, b) => a * b, 1);
      }
    }
  };
  visit(model);
  return flops;
}

async function trainingFlops(name: ModelName, config: PipelineConfig): Promise<number> {
  const { model, discriminator } = await buildModel(name, config);
  try {
    const g = forwardFlops(model as unknown as LayerLike);
    // Pix2Pix step: D step = G forward + D forward/backward on a real and a fake pair; G step = G forward/backward
    // through D forward/backward: ≈ 4 G + 9 D forward passes. Others: forward + backward ≈ 3 forward.
    return discriminator ? 4 * g + 9 * forwardFlops(discriminator as unknown as LayerLike) : 3 * g;
  } finally {
    model.dispose();
    discriminator?.dispose();
  }
}

async function measureFlopsPerSecond(): Promise<number> {
  const tf = await tfCore();
  const x = tf.randomNormal([1, 48, 48, 64], 0, 1, 'float32', 1);
  const w = tf.randomNormal([3, 3, 64, 64], 0, 0.1, 'float32', 2);
  const gradients = tf.grads((a: import('@tensorflow/tfjs-core').Tensor, b: import('@tensorflow/tfjs-core').Tensor) =>
    tf.sum(
      tf.conv2d(
        a as import('@tensorflow/tfjs-core').Tensor4D,
        b as import('@tensorflow/tfjs-core').Tensor4D,
        1,
        'same',
      ),
    ),
  );
  const once = (): void => {
    const out = gradients([x, w]);
    for (const t of out) t.dataSync();
    tf.dispose(out);
  };
  try {
    once();
    const reps = 3;
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) once();
    const seconds = (performance.now() - t0) / 1000;
    return (reps * 3 * 2 * 48 * 48 * 3 * 3 * 64 * 64) / seconds; // forward + input gradient + filter gradient
  } finally {
    tf.dispose([x, w]);
  }
}

async function memoryLimit(): Promise<{ bytes: number; description: string } | null> {
  const tf = await tfCore();
  if (tf.getBackend() === 'wasm')
    return { bytes: 4 * 2 ** 30, description: "the wasm backend's heap (wasm32: 4 GiB at most)" };
  return { bytes: totalmem(), description: `this machine's memory (${(totalmem() / 2 ** 30).toFixed(0)} GiB)` };
}

async function writeGeoTiff(
  g: Grid,
  file: string,
  attributes: Readonly<Record<string, string | number>>,
): Promise<void> {
  const write = await grid<(path: string, g: Grid, o: object) => Promise<void>>('writeGeoTiff');
  mkdirSync(dirname(file), { recursive: true });
  await write(file, g, { overwrite: true, metadata: attributes, units: 'mm' });
}

async function writeNetcdf(
  stack: GridStack,
  file: string,
  attributes: Readonly<Record<string, string | number>>,
): Promise<void> {
  const write = await grid<(path: string, s: GridStack, o: object) => Promise<void>>('writeNetcdf');
  mkdirSync(dirname(file), { recursive: true });
  await write(file, stack, {
    overwrite: true,
    variable: 'twsa',
    longName: 'GRACE-like terrestrial water storage anomaly',
    units: 'mm',
    title: String(attributes['title'] ?? 'twsa hindcast'),
    producer: '@twsa/reconstruct hindcast',
    attributes,
  });
}

async function countParams(name: ModelName, config: PipelineConfig): Promise<number> {
  return describeModels({ presets: [config.models.preset], models: [name] })[0]!.total;
}

/** The data/model/IO half of the default toolkit. */
export const DATA_MODEL_TOOLKIT: Pick<
  Toolkit,
  | 'initBackend'
  | 'prepare'
  | 'train'
  | 'load'
  | 'countParams'
  | 'probeTrainingStep'
  | 'trainingFlops'
  | 'measureFlopsPerSecond'
  | 'memoryLimit'
  | 'writeGeoTiff'
  | 'writeNetcdf'
> = Object.freeze({
  initBackend,
  prepare,
  train,
  load,
  countParams,
  probeTrainingStep,
  trainingFlops,
  measureFlopsPerSecond,
  memoryLimit,
  writeGeoTiff,
  writeNetcdf,
});
