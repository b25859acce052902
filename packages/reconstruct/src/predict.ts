/**
 * `twsa predict`: a trained model of a run reconstructs GRACE-like TWSA for any period. Where GRACE has records in
 * the period after the run's training data (`data.end`), they are never-seen months and are scored as an
 * independent test (per pixel and nationwide); where it has none (e.g. the GRACE/GRACE-FO gap 2017-07..2018-05)
 * the prediction fills the gap.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isYearMonth, monthRange, type Grid, type GridStack } from '@twsa/grid';
import { type ModelName, type PipelineConfig, MODEL_NAMES } from './config.js';
import { InputError, StageOrderError } from './errors.js';
import { skillMaps, writeEvaluationGrids } from './evaluation-files.js';
import { readPrepared } from './internal/store.js';
import {
  frameKinds,
  framesBetween,
  predictWithModel,
  timeAxisAttributes,
  writePeriodFiles,
  type FrameKind,
} from './period.js';
import type { RunRecord } from './pipeline.js';
import { locateRunToResume, readJson, writeFileAtomic, writeJsonAtomic } from './run-folder.js';
import { csvNumber as fmt, domainMean, perPixelScores, table1Scores } from './scores.js';
import { defaultEngine, type Engine, type PreparedData } from './seam.js';
import { SMOKE_WARNING, type Table1 } from './table1.js';
import { predictSummaryMarkdown, type PredictScores } from './predict-report.js';
import { buildReport } from './report.js';
import { acquireRunLock } from './run-lock.js';
import { TWIN_NOTE } from './stages/hindcast.js';

/** Options of {@link predictPeriod}. */
export interface PredictPeriodOptions {
  /** First month `"YYYY-MM"`. */
  readonly from: string;
  /** Last month `"YYYY-MM"`, inclusive. */
  readonly to: string;
  /** Model to predict with. Default: the best reconstruction model of the run's Table 1 by test RMSE. */
  readonly model?: ModelName;
  /** Default: the tfjs engine. */
  readonly engine?: Engine;
}

/** What a frame of a predicted period is, for the scores and the series. */
export type FrameRole = 'gap-fill' | 'independent-test' | 'training-era' | 'before-grace' | 'after-grace';

/** Result of {@link predictPeriod}. */
export interface PeriodPrediction {
  readonly model: ModelName;
  readonly from: string;
  readonly to: string;
  /** The LSM input frames (mm), with times, bounds and labels. */
  readonly lsm: GridStack;
  /** Predicted TWSA (mm), laid out like `lsm`. */
  readonly predicted: Float32Array;
  /** GRACE (mm) at the frames GRACE has a record for, NaN elsewhere, laid out like `lsm`. */
  readonly grace: Float32Array;
  readonly kinds: readonly FrameKind[];
  readonly roles: readonly FrameRole[];
  /** GRACE mission of each frame with a record (`GRACE` or `GRACE-FO`), empty otherwise. */
  readonly missions: readonly string[];
  /** Land fraction of the run's grid. */
  readonly mask: Grid;
  /** How the LSM of the period was made. */
  readonly lsmNote: string;
  readonly data: PreparedData;
  readonly config: PipelineConfig;
}

const json = (v: number): number | null => (Number.isFinite(v) ? Number(v.toFixed(3)) : null);

/** The first GRACE-FO month of the JPL RL06 record. */
const GRACE_FO_START = '2018-06';

/**
 * The model a run predicts with by default: the reconstruction model (not the ConvLSTM, which forecasts GRACE from
 * GRACE) with the lowest test RMSE in the run's Table 1.
 * @throws {@link StageOrderError} when the run has no Table 1 and no model is given.
 */
export function bestModel(work: string, config: PipelineConfig): ModelName {
  const file = join(work, 'evaluation', 'table1.json');
  if (!existsSync(file))
    throw new StageOrderError('predict', 'evaluation/table1.json (the evaluate stage), or pass --model');
  const table = readJson<Table1>(file);
  const rows = table.rows
    .filter((r) => r.key !== 'lsm' && r.key !== 'convlstm' && config.models.names.includes(r.key as ModelName))
    .filter((r) => Number.isFinite(r.rmseMm))
    .sort((a, b) => a.rmseMm - b.rmseMm);
  if (rows.length === 0)
    throw new InputError('predict: the run has no scored reconstruction model (SEUNet, Pix2Pix or DCAE); pass --model');
  return rows[0]!.key as ModelName;
}

/**
 * Predicts `from..to` with a trained model of a run (the library side of `twsa predict`; writes nothing).
 *
 * ## Method
 * The LSM of the period comes from the run's prepared hindcast LSM when it covers every month of `from..to`,
 * else from {@link Engine.periodData} (the synthetic scenario or the emulator rerun through `to`, calendar
 * months outside GRACE's windows). Each frame is a GRACE solution window where GRACE has a record, a calendar month
 * elsewhere. Frames with a GRACE record after the run's `data.end` are `independent-test` (never seen in training),
 * frames with none inside GRACE's record are `gap-fill`, frames before/after GRACE's record `before-grace`/`after-grace`.
 *
 * @param runDir - a run folder with trained models.
 * @throws {@link InputError} for bad months, an unknown or untrained model, or a period the data source cannot cover.
 * @throws {@link StageOrderError} when the run has not been prepared/trained.
 * @example
 * ```ts
 * // not run: needs a trained run folder and tfjs (seconds to minutes)
 * const p = await predictPeriod("runs/smoke", { from: "2017-07", to: "2019-12" });
 * p.roles.filter((r) => r === "gap-fill").length; // => 13 on JPL RL06 v03 (2017-07..2018-05, 2018-08, 2018-09)
 * ```
 */
export async function predictPeriod(runDir: string, options: PredictPeriodOptions): Promise<PeriodPrediction> {
  const { from, to } = options;
  for (const [flag, v] of [
    ['from', from],
    ['to', to],
  ] as const)
    if (!isYearMonth(v)) throw new InputError(`predict: --${flag} expects a month YYYY-MM, got '${String(v)}'`);
  if (to < from) throw new InputError(`predict: --to (${to}) is before --from (${from})`);
  if (options.model !== undefined && !(MODEL_NAMES as readonly string[]).includes(options.model))
    throw new InputError(`predict: --model expects one of ${MODEL_NAMES.join(', ')}, got '${options.model}'`);
  const work = locateRunToResume(runDir).work;
  const record = readJson<RunRecord>(join(work, 'run.json'));
  const config = record.config;
  if (!existsSync(join(work, 'prepared', 'prepared.json')))
    throw new StageOrderError('predict', 'prepared/prepared.json (the prepare stage)');
  const data = readPrepared(join(work, 'prepared'));
  const model = options.model ?? bestModel(work, config);
  if (model === 'convlstm')
    throw new InputError('predict: the ConvLSTM forecasts GRACE from GRACE and cannot reconstruct from the LSM alone');
  if (!config.models.names.includes(model))
    throw new InputError(`predict: the run did not train ${model} (it trained ${config.models.names.join(', ')})`);
  const engine = options.engine ?? (await defaultEngine());
  await engine.initBackend(config.backend);
  const wanted = monthRange(from, to);
  const hindcast = data.hindcastLsm;
  const covered = hindcast ? new Set(hindcast.times.map((t) => t.slice(0, 7))) : new Set<string>();
  let lsm: GridStack;
  let graceStack: GridStack | null = null;
  let graceIds: readonly string[] = [];
  let lsmNote: string;
  const pairedIds = new Set(data.records.map((r) => r.id));
  if (hindcast && wanted.every((m) => covered.has(m)) && to <= config.data.end) {
    lsm = framesBetween(hindcast, from, to);
    lsmNote = `the run's prepared LSM (${data.description})`;
    const keep = data.records.flatMap((r, i) => (r.yearMonth >= from && r.yearMonth <= to ? [i] : []));
    if (keep.length) {
      graceStack = framesBetween({ ...data.grace, labels: data.records.map((r) => r.id) }, from, to);
      graceIds = keep.map((i) => data.records[i]!.id);
    }
  } else {
    if (!engine.periodData)
      throw new InputError(
        `predict: the run's prepared LSM does not cover ${from}..${to} and this engine cannot make the LSM of another period`,
      );
    const period = await engine.periodData(config, { from, to });
    lsm = period.lsm;
    graceStack = period.grace;
    graceIds = period.graceIds;
    lsmNote = period.note;
  }
  if (lsm.shape[0] === 0) throw new InputError(`predict: no LSM frame in ${from}..${to}`);
  const predicted = await predictWithModel(work, data, lsm, model, config, engine, 'predict');
  const size = lsm.shape[1] * lsm.shape[2];
  const grace = new Float32Array(lsm.data.length).fill(Number.NaN);
  const graceIndex = new Map(graceIds.map((id, k) => [id, k]));
  const labels = lsm.labels ?? [];
  const kinds = frameKinds(lsm, new Set(graceIds));
  // GRACE's record as far as the run knows it: its paired records, and the period's records.
  const graceMonthsKnown = [
    ...data.records.map((r) => r.yearMonth),
    ...(graceStack ? graceStack.times.map((t) => t.slice(0, 7)) : []),
  ].sort();
  const firstGrace = graceMonthsKnown[0] ?? null;
  const lastGrace = graceMonthsKnown[graceMonthsKnown.length - 1] ?? null;
  const missions: string[] = [];
  const roles = lsm.times.map((t, i): FrameRole => {
    const k = labels[i] !== undefined ? graceIndex.get(labels[i]!) : undefined;
    const month = t.slice(0, 7);
    if (k !== undefined && graceStack) {
      grace.set(graceStack.data.subarray(k * size, (k + 1) * size), i * size);
      missions.push(month >= GRACE_FO_START ? 'GRACE-FO' : 'GRACE');
      return pairedIds.has(labels[i]!) || month <= config.data.end ? 'training-era' : 'independent-test';
    }
    missions.push('');
    if (firstGrace !== null && month < firstGrace) return 'before-grace';
    return lastGrace !== null && month > lastGrace ? 'after-grace' : 'gap-fill';
  });
  return {
    model,
    from,
    to,
    lsm,
    predicted,
    grace,
    kinds,
    roles,
    missions,
    mask: data.mask,
    lsmNote,
    data,
    config,
  };
}

/**
 * Writes a predicted period into `<run>/predict/<model>_<from>_<to>/`: the CF NetCDF stack (prediction, GRACE at
 * the scored frames, skill maps), one GeoTIFF per frame, skill-map GeoTIFFs, `nationwide_series.csv`,
 * `scores.json` and `summary.md`. Returns the directory and the scores.
 */
export async function writePeriodPrediction(
  runDir: string,
  p: PeriodPrediction,
): Promise<{ readonly dir: string; readonly scores: PredictScores }> {
  const work = locateRunToResume(runDir).work;
  const record = readJson<RunRecord>(join(work, 'run.json'));
  const { lsm, predicted, config, data } = p;
  const name = `${p.model}_${p.from}_${p.to}`;
  const dir = join(work, 'predict', name);
  const testFrames = p.roles.flatMap((r, i) => (r === 'independent-test' ? [i] : []));
  const observed: GridStack = { ...lsm, data: p.grace, units: 'mm' };
  const months = lsm.times.map((t) => t.slice(0, 7));
  const ids = lsm.labels ?? months;
  const score = (values: Float32Array): PredictScores['test'] => {
    if (testFrames.length === 0) return null;
    const s = table1Scores(values, observed, p.mask, testFrames);
    return { rmseMm: s.rmseMm, cc: s.cc, seriesRmseMm: s.seriesRmseMm, seriesCc: s.seriesCc, records: s.frames };
  };
  const trainingPeriod = `${data.records[0]?.yearMonth ?? config.data.start}..${data.records[data.records.length - 1]?.yearMonth ?? config.data.end}`;
  const scores: PredictScores = {
    model: p.model,
    from: p.from,
    to: p.to,
    trainingPeriod,
    lsm: p.lsmNote,
    twinExperiment: data.twinExperiment,
    gapFilledMonths: months.filter((_, i) => p.roles[i] === 'gap-fill'),
    testRecords: testFrames.map((i) => ids[i]!),
    testMissions: testFrames.map((i) => p.missions[i]!),
    trainingEraRecords: p.roles.flatMap((r, i) => (r === 'training-era' ? [ids[i]!] : [])),
    beforeGraceMonths: months.filter((_, i) => p.roles[i] === 'before-grace'),
    afterGraceMonths: months.filter((_, i) => p.roles[i] === 'after-grace'),
    series: {
      months,
      roles: p.roles,
      predictedMm: Array.from(domainMean(predicted, lsm, p.mask), json),
      graceMm: Array.from(domainMean(p.grace, lsm, p.mask), json),
      lsmMm: Array.from(domainMean(lsm.data, lsm, p.mask), json),
    },
    test: score(predicted),
    lsmBaseline: score(Float32Array.from(lsm.data)),
    ...(config.profile === 'smoke' ? { warning: SMOKE_WARNING } : {}),
    definition:
      'Independent test: GRACE/GRACE-FO records after the training period, never seen in training. rmseMm/cc: per-pixel RMSE and CC over those records, averaged over land cells (as Table 1); seriesRmseMm/seriesCc: of the area-weighted nationwide series.',
  };
  const attributes: Record<string, string | number> = {
    title: `GRACE-like TWSA ${p.from}..${p.to} predicted by ${p.model}`,
    source: data.description,
    lsm_of_period: p.lsmNote,
    model: p.model,
    model_preset: config.models.preset,
    training_period: trainingPeriod,
    twin_experiment: data.twinExperiment ? 'yes' : 'no',
    software: `@twsa/reconstruct ${record.versions['@twsa/reconstruct'] ?? ''}`.trim(),
    git_commit: record.gitCommit ?? 'unknown',
    seed: config.seed,
    created: new Date().toISOString(),
    units: 'mm',
    crs: lsm.crs,
    gap_filled_months: scores.gapFilledMonths.join(' ') || 'none',
    independent_test_records: scores.testRecords.join(' ') || 'none',
    references: 'Yu et al. (2021), Int. J. Appl. Earth Obs. Geoinf. 102, 102404',
    ...(data.twinExperiment ? { warning: TWIN_NOTE } : {}),
  };
  const maps = testFrames.length > 0 ? skillMaps(p.model, perPixelScores(predicted, observed, p.mask, testFrames)) : [];
  const graceMean = domainMean(p.grace, lsm, p.mask);
  await writePeriodFiles({
    dir,
    netcdf: `twsa_predict_${name}.nc`,
    model: p.model,
    input: lsm,
    predicted,
    mask: p.mask,
    kinds: p.kinds,
    attributes,
    geotiffs: true,
    csvComments: [
      `# nationwide (area-weighted Canada mean) TWSA in mm predicted by ${p.model} for ${p.from}..${p.to}; trained on ${trainingPeriod}; LSM: ${p.lsmNote}${data.twinExperiment ? ' [TWIN EXPERIMENT]' : ''}`,
      `# time axis: ${timeAxisAttributes(p.kinds).time_axis_note}`,
      '# role: gap-fill (no GRACE record inside its record), independent-test (GRACE record after the training period, never seen), training-era, before-grace, after-grace',
    ],
    column: 'predicted_mm',
    extraColumns: {
      grace_mm: Array.from(graceMean, (v) => fmt(v)),
      role: p.roles,
      mission: p.missions,
    },
    extraVariables: [
      {
        name: 'twsa_grace',
        dims: 'stack',
        data: p.grace,
        units: 'mm',
        longName: 'GRACE/GRACE-FO TWSA where GRACE has a record (NaN elsewhere)',
      },
      ...maps.map((m) => ({
        name: `${m.metric}_independent_test`,
        dims: 'grid' as const,
        data: m.data,
        units: m.units,
        longName: `${m.longName} of ${p.model} against GRACE over the independent-test records`,
        ...(m.comment ? { attributes: { comment: m.comment } } : {}),
      })),
    ],
  });
  await writeEvaluationGrids(join(dir, 'skill'), lsm, maps, {
    ...attributes,
    content_scope: `the ${scores.testRecords.length} independent-test GRACE record(s) after ${trainingPeriod}`,
  });
  writeJsonAtomic(join(dir, 'scores.json'), scores);
  writeFileAtomic(join(dir, 'summary.md'), predictSummaryMarkdown(scores).join('\n') + '\n');
  return { dir, scores };
}

/** Result of {@link predictIntoRun}. */
export interface PredictIntoRunResult {
  /** The folder the period was written into, `<run>/predict/<model>_<from>_<to>`. */
  readonly dir: string;
  readonly scores: PredictScores;
  /** The rebuilt report (with the period's section), or null when the run has no report. */
  readonly reportPath: string | null;
}

/**
 * `twsa predict`: {@link predictPeriod}, {@link writePeriodPrediction}, then the run's report rebuilt with a
 * section for every predicted period.
 */
export async function predictIntoRun(runDir: string, options: PredictPeriodOptions): Promise<PredictIntoRunResult> {
  // The run folder is written into: hold its lock, as a pipeline stage does.
  const lock = acquireRunLock(locateRunToResume(runDir).target);
  try {
    const prediction = await predictPeriod(runDir, options);
    const { dir, scores } = await writePeriodPrediction(runDir, prediction);
    const work = locateRunToResume(runDir).work;
    const record = readJson<RunRecord>(join(work, 'run.json'));
    const config = record.config;
    const reportPath =
      (config.report.html || config.report.figures) && existsSync(join(work, 'evaluation', 'table1.json'))
        ? await buildReport(work, config, record)
        : null;
    return { dir, scores, reportPath };
  } finally {
    lock.release();
  }
}
