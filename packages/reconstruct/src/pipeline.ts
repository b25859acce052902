/**
 * The pipeline: prepare → train → evaluate → hindcast → report, each stage writing into one run folder.
 * A fresh run is written into `<out>.incomplete` and renamed to `<out>` when its last requested stage ends;
 * a stopped run keeps its checkpoints there and continues with `resume`.
 */
import { existsSync, readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Grid, GridStack } from '@twsa/grid';
import { type PipelineConfig, type ModelName, dataSourceKind, resolveConfig } from './config.js';
import { InputError, PipelineAbortedError, StageOrderError, isReconstructError } from './errors.js';
import { type PipelineEvent, type StageName, STAGES } from './progress.js';
import {
  claimRunDirectory,
  finishRunDirectory,
  gitCommit,
  locateRunToResume,
  packageVersions,
  readJson,
  writeFileAtomic,
  writeJsonAtomic,
  type RunLocation,
} from './run-folder.js';
import { readPrepared, writeArray, writePrepared } from './internal/store.js';
import { type Table1, type Table1Row, formatTable1Csv, formatTable1Markdown } from './table1.js';
import type { PreparedData, Toolkit } from './toolkit.js';
import { buildReport } from './report.js';
import { createTable1Scorer, type Table1RowInfo } from './table1-scoring.js';

/** Options of {@link runPipeline}. */
export interface RunPipelineOptions {
  /** Output run folder for a new run. Required unless `resume` or `runDir` is given. */
  readonly out?: string;
  /** Replace an existing `out`. Default false. */
  readonly overwrite?: boolean;
  /** Continue the run in this folder (or `<folder>.incomplete`): completed stages and models are skipped. */
  readonly resume?: string;
  /** Run these stages only, in pipeline order. Default: all five. With `out`, a new run folder is made; with `resume`, the existing one is used. */
  readonly stages?: readonly StageName[];
  /** The functions that do the work. Default: the `@twsa` packages (see {@link defaultToolkit}). */
  readonly toolkit?: Toolkit;
  /** Receives progress events; the pipeline itself prints nothing. */
  readonly log?: (event: PipelineEvent) => void;
  /** Stops the run after the current step; training writes a checkpoint first. */
  readonly signal?: AbortSignal;
}

/** Record of a run, written to `run.json`. */
export interface RunRecord {
  readonly status: 'running' | 'aborted' | 'failed' | 'complete';
  readonly created: string;
  readonly updated: string;
  readonly config: PipelineConfig;
  readonly seed: number;
  readonly gitCommit: string | null;
  readonly versions: Readonly<Record<string, string>>;
  /** The tfjs backend that ran (from initBackend), per session. */
  readonly backend: string | null;
  readonly dataSource: { readonly kind: string; readonly description: string; readonly twinExperiment: boolean };
  /** Seconds per completed stage. */
  readonly timings: Readonly<Partial<Record<StageName, number>>>;
  readonly completedStages: readonly StageName[];
  readonly completedModels: readonly ModelName[];
  /** Stages that `run` skipped because the data cannot feed them, with the reason (e.g. no LSM before GRACE). */
  readonly skipped?: Readonly<Partial<Record<StageName, string>>>;
  readonly error?: string;
}

/** What {@link runPipeline} returns. */
export interface RunResult {
  /** Where the run folder is now. */
  readonly runDir: string;
  readonly record: RunRecord;
  /** Table 1 when the evaluate stage ran (or had run). */
  readonly table1: Table1 | null;
  /** Path of the HTML report when the report stage ran. */
  readonly reportPath: string | null;
}

const TWIN_NOTE =
  'TWIN EXPERIMENT: the LSM input is emulated from GRACE itself, so these scores measure how well the models invert the emulator, not a real land-surface model.';

/**
 * Runs the pipeline (or some of its stages) and writes the run folder.
 *
 * ## Method
 * 1. **prepare**: reads or synthesises GRACE and LSM TWSA on the 48×48 Canada grid, pairs them record by record,
 *    labels the paper's split and stores everything in `prepared/`.
 * 2. **train**: trains each model in `config.models.names` (checkpoint every epoch into `checkpoints/<model>/`),
 *    saves it into `models/<model>/`.
 * 3. **evaluate**: predicts every record, scores Table 1 on the test records for the LSM baseline and each model,
 *    writes `evaluation/table1.{md,csv,json}`, the predictions, per-pixel CC/RMSE and the nationwide series.
 * 4. **hindcast**: runs `config.hindcast.model` on the LSM of `hindcast.start..end`; one GeoTIFF per month,
 *    a CF NetCDF stack and a CSV of the nationwide series under `hindcast/`.
 * 5. **report**: the figures (PNG maps, SVG charts) and one self-contained `report/report.html`.
 *
 * `run.json` records the resolved config, seed, git commit, package versions, backend, timings per stage and the
 * data source (emulator runs say "twin experiment"). It is rewritten after every stage, so an interrupted run
 * keeps what it finished.
 *
 * @param config - a complete configuration (see {@link resolveConfig}); ignored when resuming (the stored one is used).
 * @throws {@link ConfigError} when `config` is invalid.
 * @throws {@link OutputExistsError} when `out` exists and `overwrite` is not set.
 * @throws {@link PipelineAbortedError} when `signal` fires; the folder keeps a checkpoint for `resume`.
 * @throws {@link StageOrderError} when a stage runs before the stage it needs.
 * @example
 * ```ts
 * // not run: a whole smoke-profile pipeline run (a minute or more on 2 cores); npm test runs the same as its `twsa run --profile smoke` check
 * const result = await runPipeline(resolveConfig({ profile: "smoke" }), { out: "runs/smoke" });
 * result.reportPath; // => ".../runs/smoke/report/report.html"
 * ```
 */
export async function runPipeline(config: PipelineConfig, options: RunPipelineOptions = {}): Promise<RunResult> {
  const log = options.log ?? (() => undefined);
  const toolkit = options.toolkit ?? (await (await import('./default-toolkit.js')).defaultToolkit());
  let location: RunLocation;
  let record: RunRecord;
  const now = (): string => new Date().toISOString();
  if (options.resume !== undefined) {
    location = locateRunToResume(options.resume);
    const stored = readJson<RunRecord>(join(location.work, 'run.json'));
    record = { ...stored, config: resolveConfig(stored.config), status: 'running', updated: now() };
    log({
      type: 'info',
      message: `resuming ${location.work} (done: ${stored.completedStages.join(', ') || 'nothing'})`,
    });
  } else {
    config = resolveConfig(config);
    if (options.out === undefined)
      throw new InputError('runPipeline: options.out (the run folder) is required for a new run');
    location = claimRunDirectory(options.out, { overwrite: options.overwrite ?? false });
    record = {
      status: 'running',
      created: now(),
      updated: now(),
      config,
      seed: config.seed,
      gitCommit: gitCommit(),
      versions: packageVersions(),
      backend: null,
      dataSource: {
        kind: dataSourceKind(config),
        description: '',
        twinExperiment: dataSourceKind(config) === 'emulate',
      },
      timings: {},
      completedStages: [],
      completedModels: [],
    };
  }
  const runConfig = record.config;
  const work = location.work;
  const save = (patch: Partial<RunRecord>): void => {
    record = { ...record, ...patch, updated: now() };
    writeJsonAtomic(join(work, 'run.json'), record);
  };
  save({});
  writeJsonAtomic(join(work, 'config.json'), runConfig);
  const wanted = options.stages ? STAGES.filter((s) => options.stages!.includes(s)) : [...STAGES];
  const todo = wanted.filter((s) => !record.completedStages.includes(s) || options.stages !== undefined);
  let table1: Table1 | null = existsSync(join(work, 'evaluation', 'table1.json'))
    ? readJson<Table1>(join(work, 'evaluation', 'table1.json'))
    : null;
  let reportPath: string | null = null;
  try {
    const backend = await toolkit.initBackend(runConfig.backend);
    save({ backend });
    log({ type: 'info', message: `tfjs backend: ${backend}` });
    for (const [index, stage] of todo.entries()) {
      if (options.signal?.aborted) throw new PipelineAbortedError(work);
      if (stage === 'hindcast' && !runConfig.hindcast.enabled) {
        log({ type: 'stage-skip', stage, reason: 'hindcast.enabled is false' });
        continue;
      }
      // The hindcast stage's data, read once for the skip check below and the stage itself.
      const hindcastData = stage === 'hindcast' ? loadPrepared(work, stage) : null;
      if (hindcastData !== null && options.stages === undefined) {
        // A whole run on an LSM that has nothing in the hindcast period still delivers Table 1 and the report; asked
        // for alone (`twsa hindcast <run>`), the hindcast stage fails with the same reason instead.
        const gap = hindcastGap(hindcastData, runConfig);
        if (gap !== null) {
          log({ type: 'stage-skip', stage, reason: gap });
          save({ skipped: { ...record.skipped, hindcast: gap } });
          continue;
        }
      }
      if (stage === 'report' && !runConfig.report.figures && !runConfig.report.html) {
        log({ type: 'stage-skip', stage, reason: 'report.figures and report.html are false' });
        continue;
      }
      log({ type: 'stage-start', stage, index: index + 1, total: todo.length });
      const t0 = performance.now();
      if (stage === 'prepare') {
        const data = await toolkit.prepare(runConfig, { log: (message) => log({ type: 'info', message }) });
        writePrepared(join(work, 'prepared'), data);
        save({
          dataSource: {
            kind: dataSourceKind(runConfig),
            description: data.description,
            twinExperiment: data.twinExperiment,
          },
        });
        const gap = runConfig.hindcast.enabled ? hindcastGap(data, runConfig) : null;
        if (gap !== null && todo.includes('hindcast') && options.stages === undefined)
          log({ type: 'info', message: `warning: ${gap}; the hindcast stage will be skipped` });
      } else if (stage === 'train') {
        const data = loadPrepared(work, stage);
        for (const [k, name] of runConfig.models.names.entries()) {
          if (
            record.completedModels.includes(name) &&
            existsSync(join(work, 'models', name, 'info.json')) &&
            options.stages === undefined
          ) {
            log({ type: 'info', message: `${name}: already trained, skipped` });
            continue;
          }
          log({
            type: 'progress',
            stage,
            label: `model ${name}`,
            done: k,
            total: runConfig.models.names.length,
            elapsedSeconds: (performance.now() - t0) / 1000,
          });
          const modelDir = join(work, 'models', name);
          mkdirSync(modelDir, { recursive: true });
          const trained = await toolkit.train({
            model: name,
            config: runConfig,
            data,
            checkpointDir: join(work, 'checkpoints', name),
            modelDir,
            ...(options.signal ? { signal: options.signal } : {}),
            onEpoch: (p) => log({ type: 'epoch', model: name, ...p }),
          });
          if (options.signal?.aborted) {
            trained.dispose();
            throw new PipelineAbortedError(work);
          }
          writeJsonAtomic(join(modelDir, 'info.json'), {
            model: name,
            params: trained.params,
            preset: trained.preset,
            epochs: trained.epochs,
            backend: record.backend,
            ...(trained.selectedOn ? { selectedOn: trained.selectedOn } : {}),
          });
          trained.dispose();
          save({ completedModels: [...record.completedModels.filter((m) => m !== name), name] });
        }
      } else if (stage === 'evaluate') {
        table1 = await evaluateStage(work, runConfig, toolkit, record, log);
      } else if (stage === 'hindcast') {
        await hindcastStage(work, hindcastData!, runConfig, toolkit, record);
      } else {
        reportPath = await buildReport(work, runConfig, toolkit, record);
      }
      const seconds = (performance.now() - t0) / 1000;
      save({
        timings: { ...record.timings, [stage]: seconds },
        completedStages: [...record.completedStages.filter((s) => s !== stage), stage],
      });
      log({ type: 'stage-end', stage, seconds });
    }
    const allDone = STAGES.every(
      (s) =>
        record.completedStages.includes(s) ||
        record.skipped?.[s] !== undefined ||
        (s === 'hindcast' && !runConfig.hindcast.enabled) ||
        (s === 'report' && !runConfig.report.figures && !runConfig.report.html),
    );
    save({ status: allDone ? 'complete' : 'running' });
    finishRunDirectory(location);
  } catch (error) {
    const aborted = isReconstructError(error, 'PipelineAbortedError') || options.signal?.aborted === true;
    save({
      status: aborted ? 'aborted' : 'failed',
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
    if (aborted && !isReconstructError(error, 'PipelineAbortedError'))
      throw new PipelineAbortedError(work, { cause: error });
    throw error;
  }
  if (reportPath !== null) reportPath = reportPath.replace(location.work, location.target);
  return { runDir: location.target, record, table1, reportPath };
}

/** Why the hindcast cannot run on this data (no LSM frame in hindcast.start..end), or null when it can. */
function hindcastGap(data: PreparedData, config: PipelineConfig): string | null {
  const { start, end } = config.hindcast;
  const lsm = data.hindcastLsm;
  if (!lsm || lsm.times.length === 0)
    return `the data source (${data.description}) has no LSM before GRACE; give LSM files covering ${start}..${end} or set hindcast.enabled false`;
  if (!lsm.times.some((t) => t.slice(0, 7) >= start && t.slice(0, 7) <= end)) {
    return `the LSM covers ${lsm.times[0]!.slice(0, 7)}..${lsm.times[lsm.times.length - 1]!.slice(0, 7)}, nothing in the hindcast period ${start}..${end}`;
  }
  return null;
}

function loadPrepared(work: string, stage: StageName): PreparedData {
  const dir = join(work, 'prepared');
  if (!existsSync(join(dir, 'prepared.json')))
    throw new StageOrderError(stage, 'prepared/prepared.json (the prepare stage)');
  return readPrepared(dir);
}

function framesOf(data: PreparedData, split: string): number[] {
  return data.splits.flatMap((s, i) => (s === split ? [i] : []));
}

async function evaluateStage(
  work: string,
  config: PipelineConfig,
  toolkit: Toolkit,
  record: RunRecord,
  log: (e: PipelineEvent) => void,
): Promise<Table1> {
  const data = loadPrepared(work, 'evaluate');
  const test = framesOf(data, 'test');
  if (test.length === 0)
    throw new InputError('evaluate: the prepared data have no test record; check data.testRecords');
  const dir = join(work, 'evaluation');
  const rows: Table1Row[] = [];
  // The same scorer as the ensemble collect (table1-scoring.ts): the LSM row first, the models' gain is against it.
  const scorer = createTable1Scorer(data, toolkit, dir);
  const scoreRow = (key: string, predicted: Float32Array, info: Table1RowInfo): void => {
    rows.push(scorer(key, predicted, info));
  };
  scoreRow('lsm', Float32Array.from(data.lsm.data), { params: null, preset: null });
  const means: Record<string, Float64Array> = {
    grace: toolkit.domainMean(Float32Array.from(data.grace.data), data.grace, data.mask),
    lsm: toolkit.domainMean(Float32Array.from(data.lsm.data), data.grace, data.mask),
  };
  for (const [k, name] of config.models.names.entries()) {
    log({
      type: 'progress',
      stage: 'evaluate',
      label: `predict ${name}`,
      done: k,
      total: config.models.names.length,
      elapsedSeconds: 0,
    });
    const modelDir = join(work, 'models', name);
    if (!existsSync(join(modelDir, 'info.json')))
      throw new StageOrderError('evaluate', `models/${name} (the train stage)`);
    const info = readJson<{ params: number; preset: string; backend?: string | null; selectedOn?: string }>(
      join(modelDir, 'info.json'),
    );
    const model = await toolkit.load(name, modelDir, config);
    try {
      const predicted = await model.predict(data.lsm, { data });
      writeArray(join(dir, 'predictions'), name, {
        ...data.grace,
        data: predicted,
        attributes: { ...data.attributes, model: name, content: `${name} reconstruction of GRACE-like TWSA (mm)` },
      } as GridStack);
      scoreRow(name, predicted, info);
      means[name] = toolkit.domainMean(predicted, data.grace, data.mask);
    } finally {
      model.dispose();
    }
  }
  const table: Table1 = {
    rows,
    definition: toolkit.table1Definition,
    besidePaper:
      'rmseMm and cc (the mean over land pixels of the per-pixel test scores) sit beside paper.rmseMm and paper.cc; seriesRmseMm and seriesCc score the nationwide-mean series',
    dataSource: data.description,
    twinExperiment: data.twinExperiment,
  };
  writeJsonAtomic(join(dir, 'table1.json'), table);
  writeFileAtomic(join(dir, 'table1.md'), formatTable1Markdown(table));
  writeFileAtomic(join(dir, 'table1.csv'), formatTable1Csv(table));
  const keys = Object.keys(means);
  const lines = [
    `# nationwide (area-weighted Canada mean) TWSA in mm; source: ${data.description}${data.twinExperiment ? ' [TWIN EXPERIMENT]' : ''}`,
    ['record', 'year_month', 'split', ...keys.map((k) => `${k}_mm`)].join(','),
  ];
  data.records.forEach((r, i) =>
    lines.push([r.id, r.yearMonth, data.splits[i], ...keys.map((k) => fmt(means[k]![i]!))].join(',')),
  );
  writeFileAtomic(join(dir, 'nationwide_series.csv'), lines.join('\n') + '\n');
  void record;
  return table;
}

const fmt = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : '');

async function hindcastStage(
  work: string,
  data: PreparedData,
  config: PipelineConfig,
  toolkit: Toolkit,
  record: RunRecord,
): Promise<void> {
  const gap = hindcastGap(data, config);
  if (gap !== null) throw new InputError(`hindcast: ${gap}`);
  const lsm = data.hindcastLsm!;
  const keep = lsm.times.flatMap((t, i) =>
    t.slice(0, 7) >= config.hindcast.start && t.slice(0, 7) <= config.hindcast.end ? [i] : [],
  );
  const size = lsm.shape[1] * lsm.shape[2];
  const sub = new Float32Array(keep.length * size);
  keep.forEach((t, k) => sub.set(lsm.data.subarray(t * size, (t + 1) * size), k * size));
  const input: GridStack = {
    ...lsm,
    data: sub,
    shape: [keep.length, lsm.shape[1], lsm.shape[2]],
    times: keep.map((t) => lsm.times[t]!),
    ...(lsm.timeBounds ? { timeBounds: keep.map((t) => lsm.timeBounds![t]!) } : {}),
  };
  delete (input as { labels?: unknown }).labels;
  const name = config.hindcast.model;
  const modelDir = join(work, 'models', name);
  if (!existsSync(join(modelDir, 'info.json')))
    throw new StageOrderError('hindcast', `models/${name} (the train stage)`);
  const model = await toolkit.load(name, modelDir, config);
  let predicted: Float32Array;
  try {
    predicted = await model.predict(input, { data });
  } finally {
    model.dispose();
  }
  const months = input.times.map((t) => t.slice(0, 7));
  // Frame ids: the month, with a/b/… when two LSM windows fall in one calendar month (as GRACE ids do).
  const ids = months.map((m, i) =>
    months.filter((x) => x === m).length > 1
      ? `${m}${String.fromCharCode(97 + months.slice(0, i).filter((x) => x === m).length)}`
      : m,
  );
  const wanted = monthList(config.hindcast.start, config.hindcast.end);
  const missingMonths = wanted.filter((m) => !months.includes(m));
  const attributes: Record<string, string | number> = {
    title: `GRACE-like TWSA hindcast ${months[0]}..${months[months.length - 1]} by ${name}`,
    source: data.description,
    model: name,
    model_preset: config.models.preset,
    twin_experiment: data.twinExperiment ? 'yes' : 'no',
    software: `@twsa/reconstruct ${record.versions['@twsa/reconstruct'] ?? ''}`.trim(),
    git_commit: record.gitCommit ?? 'unknown',
    seed: config.seed,
    backend: record.backend ?? 'unknown',
    created: new Date().toISOString(),
    units: 'mm',
    crs: lsm.crs,
    references: 'Yu et al. (2021), Int. J. Appl. Earth Obs. Geoinf. 102, 102404',
    ...(data.twinExperiment ? { warning: TWIN_NOTE } : {}),
  };
  const dir = join(work, 'hindcast');
  const stack: GridStack = { ...input, data: predicted, units: 'mm', attributes };
  writeArray(dir, 'hindcast', stack);
  await toolkit.writeNetcdf(
    stack,
    join(dir, `twsa_hindcast_${name}_${months[0]}_${months[months.length - 1]}.nc`),
    attributes,
  );
  if (config.hindcast.geotiffs) {
    for (const [k, m] of ids.entries()) {
      const grid: Grid = {
        data: predicted.slice(k * size, (k + 1) * size),
        shape: [lsm.shape[1], lsm.shape[2]],
        bounds: lsm.bounds,
        crs: lsm.crs,
        nodata: Number.NaN,
        units: 'mm',
      };
      await toolkit.writeGeoTiff(grid, join(dir, 'geotiff', `twsa_${name}_${m}.tif`), {
        ...attributes,
        month: months[k]!,
        window: input.timeBounds ? input.timeBounds[k]!.join('/') : months[k]!,
      });
    }
  }
  const mean = toolkit.domainMean(predicted, input, data.mask);
  const lsmMean = toolkit.domainMean(sub, input, data.mask);
  const lines = [
    `# nationwide (area-weighted Canada mean) TWSA hindcast in mm by ${name}; source: ${data.description}; git ${record.gitCommit ?? 'unknown'}; seed ${config.seed}${data.twinExperiment ? ' [TWIN EXPERIMENT]' : ''}`,
  ];
  if (missingMonths.length) lines.push(`# months with no LSM frame (not filled): ${missingMonths.join(' ')}`);
  lines.push('frame,year_month,window_start,window_end,hindcast_mm,lsm_mm');
  ids.forEach((id, i) =>
    lines.push(
      `${id},${months[i]},${input.timeBounds ? input.timeBounds[i]!.join(',') : ','},${fmt(mean[i]!)},${fmt(lsmMean[i]!)}`,
    ),
  );
  writeFileAtomic(join(dir, 'nationwide_series.csv'), lines.join('\n') + '\n');
}

function monthList(start: string, end: string): string[] {
  const out: string[] = [];
  let [y, m] = start.split('-').map(Number) as [number, number];
  const [ey, em] = end.split('-').map(Number) as [number, number];
  while (y < ey || (y === ey && m <= em)) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}

/** Reads the Table 1 of a finished run folder. */
export function readRunTable1(runDir: string): Table1 {
  return JSON.parse(readFileSync(join(runDir, 'evaluation', 'table1.json'), 'utf8')) as Table1;
}

export { TWIN_NOTE };
