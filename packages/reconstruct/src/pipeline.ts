/**
 * The pipeline: prepare → train → evaluate → hindcast → report, each stage writing into one run folder.
 * A fresh run is written into `<out>.incomplete` and renamed to `<out>` when its last requested stage ends;
 * a stopped run keeps its checkpoints there and continues with `resume`.
 */
import { existsSync, readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type PipelineConfig, type ModelName, dataSourceKind, resolveConfig } from './config.js';
import { InputError, PipelineAbortedError, isReconstructError } from './errors.js';
import { type PipelineEvent, type StageName, STAGES } from './progress.js';
import {
  claimRunDirectory,
  finishRunDirectory,
  gitCommit,
  locateRunToResume,
  packageVersions,
  readJson,
  writeJsonAtomic,
  type RunLocation,
} from './run-folder.js';
import { loadPrepared, writePrepared } from './internal/store.js';
import { evaluateStage } from './stages/evaluate.js';
import { hindcastGap, hindcastStage } from './stages/hindcast.js';
import type { Table1 } from './table1.js';
import { defaultEngine, type Engine } from './seam.js';
import { buildReport } from './report.js';

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
  /** Prepares the data and trains the models. Default: the tfjs engine of `@twsa/datasets` and `@twsa/models` ({@link defaultEngine}). */
  readonly engine?: Engine;
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
  const engine = options.engine ?? (await defaultEngine());
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
    const backend = await engine.initBackend(runConfig.backend);
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
        const data = await engine.prepare(runConfig, { log: (message) => log({ type: 'info', message }) });
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
          const trained = await engine.train({
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
        table1 = await evaluateStage(work, runConfig, engine, log, record.backend);
      } else if (stage === 'hindcast') {
        await hindcastStage(work, hindcastData!, runConfig, engine, record);
      } else {
        reportPath = await buildReport(work, runConfig, record);
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

/** Reads the Table 1 of a finished run folder. */
export function readRunTable1(runDir: string): Table1 {
  return JSON.parse(readFileSync(join(runDir, 'evaluation', 'table1.json'), 'utf8')) as Table1;
}
