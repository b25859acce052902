/**
 * The `twsa` command line. Parses flags (node:util parseArgs), builds and validates a PipelineConfig, calls the
 * same exported functions a user would, prints, and sets the exit code. The only module that prints or exits.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { readdirSync, existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import {
  resolveConfig,
  readConfigFile,
  PROFILE_NAMES,
  BACKEND_CHOICES,
  MODEL_NAMES,
  type PipelineConfig,
  type ProfileName,
} from './config.js';
import { isReconstructError, InputError, ConfigError, type OutputExistsError } from './errors.js';
import { formatProgressBar, formatDuration, type PipelineEvent, type StageName } from './progress.js';
import type { RunPipelineOptions, RunResult } from './pipeline.js';
import type { EnsembleRunOptions, EnsembleRunResult, ExecutorName } from './ensemble-run.js';
import type { EnsembleTable1 } from './ensemble-table1.js';
import { parsePerModel, validateSlurmOptions, type SlurmOptions, type TwsaCommand } from './slurm.js';
import { isDirectory, locateRunToResume, readJson } from './run-folder.js';
import { defaultEngine } from './seam.js';
import type { GridInfo } from '@twsa/grid';
import type { DataBaselineResult, DataPairsResult } from './data-commands.js';
import type { PresetName } from '@twsa/models';
import type { Table1 } from './table1.js';

/** Where the CLI writes. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** stderr is a terminal (progress bars are drawn only then). */
  readonly isTTY: boolean;
  /** Fires on Ctrl-C. */
  readonly signal?: AbortSignal;
}

const EXIT_USAGE = 2;
const EXIT_ABORTED = 130;

const RUN_OPTIONS = {
  profile: { type: 'string' },
  config: { type: 'string' },
  out: { type: 'string' },
  overwrite: { type: 'boolean' },
  seed: { type: 'string' },
  backend: { type: 'string' },
  quiet: { type: 'boolean' },
  resume: { type: 'string' },
  grace: { type: 'string', multiple: true },
  lsm: { type: 'string', multiple: true },
  'lsm-clip': { type: 'string' },
  'hindcast-steps': { type: 'string' },
  'accept-implausible': { type: 'boolean' },
  models: { type: 'string' },
  yes: { type: 'boolean' },
  'estimate-only': { type: 'boolean' },
  seeds: { type: 'string' },
  executor: { type: 'string' },
  jobs: { type: 'string' },
  'slurm-partition': { type: 'string' },
  'slurm-account': { type: 'string' },
  'slurm-time': { type: 'string' },
  'slurm-gpus': { type: 'string' },
  'slurm-mem': { type: 'string' },
  'slurm-cpus': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

const HELP: Record<string, string> = {
  main: `twsa — reconstruct GRACE-like terrestrial water storage anomalies from LSM output (Yu et al. 2021)

Usage: twsa <command> [options]

Pipeline:
  run        prepare → train → evaluate → hindcast → report, into one run folder
  prepare    read/derive the paired data into a new run folder (--out)
  train      train the models of a run folder        (twsa train <run-dir>)
  evaluate   Table 1, predictions, per-pixel scores  (twsa evaluate <run-dir>)
  hindcast   1979-01..2002-03 reconstruction          (twsa hindcast <run-dir>)
  report     figures and the HTML report              (twsa report <run-dir>)
  predict    any period with a trained model, scored where GRACE has unseen records
             (twsa predict <run-dir> --from 2017-07 --to 2019-12 [--model dcae])
Ensembles (twsa run --seeds N [--executor local|slurm]):
  member     one model × one seed of an ensemble     (twsa member <run-dir> --model M --seed S)
  status     members pending/running/done/failed     (twsa status <run-dir>)
  collect    ensemble Table 1, mean/spread, report   (twsa collect <run-dir>)
Tools:
  models --json                  parameter counts of the four models per preset
  grid info <file>               summary of a GeoTIFF or NetCDF raster
  grid upscale <in.tif> --factor N|--like <grid.tif> --out <out.tif>
  grid reproject <in> --to canada-lcc-110km --out <out.tif|out.nc>
  data pairs --grace <file> [--lsm <files>|--lsm emulate] --json
  data baseline --grace <file> --lsm emulate --json
  basin series --grace <file>|--run <dir> --basins <geojson|shp> --out <csv>
                                 area-weighted basin means per calendar month (and per-basin CC/RMSE for a run)
  setup native [--wheel <file>]  build the native TensorFlow engine (tfjs-node) offline from a TensorFlow wheel

Run 'twsa <command> --help' for the options of a command.
Data: no --grace/--lsm = the embedded synthetic scenario; --grace <files|dir> --lsm emulate = the twin experiment
on real GRACE; --grace … --lsm <files|dir> = your LSM.`,
  run: `Usage: twsa run [options]
       twsa run --resume <run-dir>

Runs every stage into a run folder. The run is written into <out>.incomplete and renamed to <out> at the end;
a stopped run (Ctrl-C writes a checkpoint first) continues with --resume.

Options:
  --profile smoke|quick|paper   defaults (smoke: all four models, a few steps — its scores mean nothing; quick: ≈ 5 min on 2 idle cores;
                                paper: 100 epochs, batch 1, lr 0.01, paper presets — asks for --yes). Default quick
  --config <file.json|yaml>     configuration ({ data, models, train, evaluate, hindcast, report, seed, backend })
  --out <dir>                   run folder to create
  --overwrite                   replace an existing --out
  --seed <n>                    seed for every random choice (default 42)
  --backend auto|cpu|wasm|tensorflow|tensorflow-gpu   tfjs backend (default auto)
  --grace <files|dir>           GRACE JPL RL06 Tellus land granules (NetCDF-4) or the stacked NetCDF-3 file; repeatable
  --lsm <files|dir>|emulate     LSM GeoTIFF series or GLDAS NetCDF-4; 'emulate' = twin experiment on real GRACE
  --lsm-clip canada|none        LSM files: set source cells whose centres lie outside Canada to NaN before the
                                regrid, so border cells average Canadian land only (default canada; data.lsmClip)
  --hindcast-steps calendar-month|paper-30day
                                hindcast time steps: one frame per calendar month (default), or the paper's
                                consecutive 30-day windows (Yu et al. 2021 resampled pre-GRACE EALCO so;
                                hindcast.steps)
  --accept-implausible          read input values that look wrong as they are: ±Infinity, frames with no valid
                                value, cm-like values labelled m, |TWSA| > 10 m (refused by default, naming the
                                file, variable and value; data.acceptImplausible)
  --models a,b                  subset of ${MODEL_NAMES.join(',')}
  --resume <run-dir>            continue a stopped run; an ensemble runs (or resubmits) only the members that
                                are missing or failed, then collects
  --yes                         start a long (paper-profile) run without asking
  --seeds <n>                    seed ensemble: train each model n times (seeds seed, seed+1, …; config 'seeds');
                                Table 1 gives mean ± sd over seeds and the ensemble-mean scores
  --executor local|slurm        how the members run (default local): local = worker processes (--jobs);
                                slurm = one job array per model + a collect job, submitted with sbatch; returns
                                at once (see 'twsa status'). The run folder must be on a file system every node sees
  --jobs <n>                    local executor: members at once (default 2, one per core on 2 cores)
  --slurm-partition <p>         slurm: partition
  --slurm-account <a>           slurm: account
  --slurm-time <t|m=t,…>        slurm: wall time per member [D-]HH:MM:SS, one for all or per model
                                (default 00:10:00 smoke, 02:00:00 quick, 3-00:00:00 paper)
  --slurm-gpus <n>              slurm: GPUs per member (use with --backend tensorflow-gpu)
  --slurm-mem <m|m=x,…>         slurm: memory per member, e.g. 8G (default 2G tiny, 4G cpu, 8G/16G paper presets)
  --slurm-cpus <n>              slurm: CPU cores per member (default 1)
  --estimate-only               print how long training would take on this backend (one timed step per model,
                                ≈1 min; the ConvLSTM on a 3-frame sequence scaled to its length; memory per step
                                against the backend's limit) and stop; writes nothing, needs no --out
  --quiet                       no progress output
  -h, --help`,
  stage: `Usage: twsa prepare --out <dir> [run options]
       twsa train|evaluate|hindcast|report <run-dir> [--quiet] [--backend b]

Runs one stage. 'prepare' makes a new run folder (same data and config options as 'twsa run');
the other stages work on an existing run folder and redo their stage.`,
  predict: `Usage: twsa predict <run-dir> --from YYYY-MM --to YYYY-MM [--model seunet|pix2pix|dcae] [--quiet]

Reconstructs GRACE-like TWSA for any period with a trained model of the run (default: the best by test RMSE
in its Table 1). Months without a GRACE record (e.g. the GRACE/GRACE-FO gap 2017-07..2018-05) are filled;
GRACE/GRACE-FO records after the training period (never seen in training) are scored as an independent test.
Writes <run>/predict/<model>_<from>_<to>/ (NetCDF, GeoTIFFs, skill maps, series CSV, scores.json, summary.md)
and rebuilds the report with a section for the period. With --lsm emulate the LSM of the period is re-emulated
from the whole GRACE file (a twin experiment); runs on LSM files re-read them for the period (they must cover it).`,
  member: `Usage: twsa member <run-dir> --model <name> --seed <n> [--quiet]

Runs one member of an ensemble run folder: trains the model with that seed on the run's prepared data
(continuing from its checkpoint when there is one), predicts every paired record and, for the hindcast model,
the hindcast period, into <run-dir>/members/<model>-s<seed>/. The Slurm array tasks and the local workers run
this. SIGTERM (preemption, time limit) writes a checkpoint and exits 130.`,
  status: `Usage: twsa status <run-dir> [--json]

Lists the members of an ensemble: done (outputs written), running, pending (queued, or requeued after a
preemption or time limit), failed (the scheduler state or the error) or missing (never run). Slurm runs ask
sacct and squeue about the job ids recorded in run.json; the collect job's state is shown too.`,
  collect: `Usage: twsa collect <run-dir> [--quiet]

Collects an ensemble whose members are done: Table 1 with mean ± sd over seeds and the ensemble-mean scores,
the ensemble-mean and spread predictions, the hindcast ensemble and the report. The Slurm collect job runs it.`,
  models: `Usage: twsa models --json [--preset paper|cpu|tiny]

Prints, per model and preset, the trainable and non-trainable parameter counts (JSON).`,
  grid: `Usage:
  twsa grid info <file> [--json]
  twsa grid upscale <in.tif> --factor N | --like <grid.tif> --out <out.tif> [--overwrite] [--accept-implausible]
  twsa grid reproject <in.tif|in.nc> --to canada-lcc-110km --out <out.tif|out.nc> [--frame N] [--variable v]
                 [--overwrite] [--accept-implausible]
upscale and reproject refuse an input with ±Infinity or a frame with no valid value, naming the file, variable
and value, unless --accept-implausible. 'grid info' lists such values under 'warnings'.`,
  data: `Usage:
  twsa data pairs --grace <file> [--lsm <files> [--lsm-clip canada|none]|--lsm emulate] [--accept-implausible] --json
      counts of paired records per split and the missing GRACE months, and notes (LSM clip, baseline, split)
  twsa data baseline --grace <file> --lsm emulate --json [--seed n]
      LSM-vs-GRACE Table-1 metrics on the test split (the emulator's twin experiment)`,
  basin: `Usage:
  twsa basin series --grace <file.nc> --basins <file> --out <series.csv> [--name-field F] [--variable v]
  twsa basin series --run <run-dir> --basins <file> --out <series.csv> [--scores-out <scores.csv>] [--name-field F]

Area-weighted basin means (fraction of each cell inside the basin × the cell's true area) per calendar month,
GRACE's duplicate solutions merged into their month.
  --grace <file.nc>     GRACE TWSA NetCDF (lwe_thickness, converted to mm), on its own grid
                        → CSV columns basin,month,twsa_mm,coverage
  --run <run-dir>       a run folder after 'evaluate': GRACE, the LSM and every model, on the run's grid
                        → CSV columns basin,month,source,split,twsa_mm,coverage, and a second CSV
                          basin,source,split,months,cc,rmse_mm (each series against GRACE; split test and all)
  --basins <file>       GeoJSON (lon/lat, or a crs member naming EPSG:3978), shapefile .shp (its .prj is honoured)
                        or a .vec outline (lon lat rows)
  --name-field <F>      attribute naming the basins (default: name, NAME, … else basin-<n>)
  --out <csv>           series CSV to write; --scores-out <csv> the scores (default <out>-scores.csv)
  --variable <v>        NetCDF variable of --grace (default lwe_thickness, else the only data variable)
  --subsamples <n>      coverage sub-samples per cell side (default 20)
  --overwrite           replace existing CSVs
coverage is the share of the basin's area with valid values: below 1 where the basin leaves the grid (a warning
says by how much) or GRACE has no value.`,
};

// Heavy modules (tfjs, the readers) load only when a command needs them, so help and usage errors answer fast.
async function runPipeline(config: PipelineConfig, options: RunPipelineOptions): Promise<RunResult> {
  return (await import('./pipeline.js')).runPipeline(config, options);
}

/** Whether the estimate ran on the native engine, or it is installed, or neither (for the estimate's last line). */
function nativeEngineState(backend: string): 'selected' | 'installed' | 'absent' {
  if (backend.startsWith('tensorflow')) return 'selected';
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    return 'installed';
  } catch {
    return 'absent';
  }
}

class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The CLI's refusal of an existing output: names the `--overwrite` flag, not the library option. */
class OutputExistsCliError extends Error {
  override readonly name = 'OutputExistsCliError';
  constructor(path: string, kind: 'directory' | 'file') {
    super(`output ${kind} '${path}' already exists: choose another --out, or pass --overwrite to replace it`);
  }
}

function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, command: string) {
  // `--factor -2`: a negative number after a string option is its value (parseArgs calls it ambiguous), so that the
  // option's own check can say what is wrong with it.
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const next = args[i + 1];
    const name = a.startsWith('--') ? a.slice(2) : null;
    if (name !== null && options[name]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      joined.push(`${a}=${next}`);
      i++;
    } else joined.push(a);
  }
  args = joined;
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (cause) {
    throw new UsageError(
      `${(cause as Error).message.replace(/\. To specify a positional.*$/s, '')} (see 'twsa ${command} --help')`,
    );
  }
}

/** Expands files and directories given to --grace/--lsm into a sorted file list. */
function expandInputs(values: readonly string[], flag: string): string[] {
  const out: string[] = [];
  for (const v of values.flatMap((x) => x.split(',')).filter((x) => x !== '')) {
    if (!existsSync(v)) throw new InputError(`${flag}: '${v}' does not exist`, { file: v });
    if (isDirectory(v)) {
      const files = readdirSync(v)
        .filter((f) => /\.(nc|nc4|h5|tif|tiff)$/i.test(f))
        .sort()
        .map((f) => join(v, f));
      if (files.length === 0)
        throw new InputError(`${flag}: directory '${v}' holds no .nc, .nc4, .tif or .tiff file`, { file: v });
      out.push(...files);
    } else if (!statSync(v).isFile()) {
      throw new InputError(
        `${flag}: '${v}' is not a regular file (a FIFO, device or socket would block or never end); give a NetCDF or GeoTIFF file or a directory of them`,
        { file: v },
      );
    } else out.push(v);
  }
  return out;
}

/** Builds the configuration from --config, --profile and the flags, validated. */
function configFrom(
  values: Record<string, string | boolean | string[] | undefined>,
  warn: (text: string) => void = () => {},
): PipelineConfig {
  const raw = values['config'] !== undefined ? readConfigFile(values['config'] as string) : {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ConfigError('', 'expected a mapping at the top of the config file');
  const doc: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  const section = (k: string): Record<string, unknown> => ({
    ...((doc[k] as Record<string, unknown> | undefined) ?? {}),
  });
  if (values['profile'] !== undefined) {
    if (!(PROFILE_NAMES as readonly string[]).includes(values['profile'] as string))
      throw new ConfigError('profile', `expected one of ${PROFILE_NAMES.join(', ')}, got "${values['profile']}"`);
    doc['profile'] = values['profile'];
  }
  if (values['seed'] !== undefined) {
    const s = Number(values['seed']);
    doc['seed'] = Number.isFinite(s) && String(values['seed']).trim() !== '' ? s : values['seed'];
  }
  if (values['backend'] !== undefined) doc['backend'] = values['backend'];
  if (values['seeds'] !== undefined) {
    const s = Number(values['seeds']);
    doc['seeds'] = Number.isFinite(s) && String(values['seeds']).trim() !== '' ? s : values['seeds'];
  }
  const grace = values['grace'] as string[] | undefined;
  const lsm = values['lsm'] as string[] | undefined;
  const lsmClip = values['lsm-clip'] as string | undefined;
  const accept = values['accept-implausible'] === true;
  if (grace !== undefined || lsm !== undefined || lsmClip !== undefined || accept) {
    const data = section('data');
    if (accept) data['acceptImplausible'] = true;
    if (grace) data['grace'] = expandInputs(grace, '--grace');
    if (lsm) data['lsm'] = lsm.length === 1 && lsm[0] === 'emulate' ? 'emulate' : expandInputs(lsm, '--lsm');
    if (lsmClip !== undefined) data['lsmClip'] = lsmClip;
    doc['data'] = data;
  }
  if (values['hindcast-steps'] !== undefined)
    doc['hindcast'] = { ...section('hindcast'), steps: values['hindcast-steps'] };
  if (values['models'] !== undefined) {
    const models = section('models');
    models['names'] = (values['models'] as string)
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    doc['models'] = models;
    const hindcast = section('hindcast');
    const names = models['names'] as string[];
    if (hindcast['model'] === undefined && !names.includes('dcae') && names.length > 0) {
      // The hindcast needs a model that maps LSM → GRACE; the ConvLSTM forecasts GRACE from GRACE and cannot.
      const lsmModel = names.find((n) => n !== 'convlstm');
      if (lsmModel !== undefined) hindcast['model'] = lsmModel;
      else if (hindcast['enabled'] === undefined) {
        hindcast['enabled'] = false;
        warn('twsa: no hindcast: the ConvLSTM forecasts GRACE from GRACE and cannot reconstruct from the LSM\n');
      }
      doc['hindcast'] = hindcast;
    }
  }
  return resolveConfig(doc);
}

/** Draws progress on stderr when it is a TTY and not quiet. */
function progressPrinter(io: CliIo, quiet: boolean): (event: PipelineEvent) => void {
  const draw = io.isTTY && !quiet;
  let stageStart = 0;
  let stage: StageName | null = null;
  let epochStart = 0;
  const line = (text: string): void => {
    if (draw) io.stderr(`\r\x1b[2K${text}`);
  };
  return (event) => {
    if (quiet) return;
    switch (event.type) {
      case 'stage-start':
        stage = event.stage;
        stageStart = performance.now();
        epochStart = stageStart;
        if (draw) io.stderr(`\n[${event.index}/${event.total}] ${event.stage}\n`);
        else io.stderr(`[${event.index}/${event.total}] ${event.stage}…\n`);
        break;
      case 'stage-end':
        if (draw) io.stderr('\r\x1b[2K');
        io.stderr(`    ${event.stage} done in ${formatDuration(event.seconds)}\n`);
        break;
      case 'stage-skip':
        io.stderr(`    ${event.stage} skipped: ${event.reason}\n`);
        break;
      case 'progress':
        line(
          formatProgressBar(
            `${stage ?? event.stage}: ${event.label}`,
            event.done,
            event.total,
            (performance.now() - stageStart) / 1000,
          ),
        );
        break;
      case 'epoch': {
        const elapsed = (performance.now() - epochStart) / 1000;
        line(
          `${formatProgressBar(`  ${event.model} epoch`, event.epoch, event.epochs, elapsed)}  loss ${event.loss.toPrecision(3)}${event.validationLoss !== undefined ? ` val ${event.validationLoss.toPrecision(3)}` : ''}`,
        );
        if (event.epoch === event.epochs) epochStart = performance.now();
        break;
      }
      case 'info':
        if (draw) io.stderr(`\r\x1b[2K    ${event.message}\n`);
        break;
      case 'warning':
        io.stderr(`${draw ? '\r\x1b[2K' : ''}warning: ${event.message}\n`);
        break;
    }
  };
}

function summary(io: CliIo, runDir: string, table: Table1 | null, reportPath: string | null): void {
  io.stdout(`run folder: ${runDir}\n`);
  if (table) {
    if (table.warning) io.stdout(`WARNING: ${table.warning}\n`);
    if (table.twinExperiment) io.stdout('TWIN EXPERIMENT (LSM emulated from GRACE)\n');
    for (const r of table.rows)
      io.stdout(
        `  ${r.label.padEnd(13)} test RMSE ${r.rmseMm.toFixed(1).padStart(7)} mm  CC ${r.cc.toFixed(3)}${r.params !== null ? `  params ${r.params.toLocaleString('en-US')}` : ''}\n`,
      );
  }
  if (reportPath) io.stdout(`report: ${reportPath}\n`);
}

async function commandRun(args: string[], io: CliIo, stage?: StageName): Promise<number> {
  const helpKey = stage === undefined ? 'run' : 'stage';
  const { values, positionals } = parse(args, RUN_OPTIONS, stage ?? 'run');
  if (values.help) {
    io.stdout(HELP[helpKey]! + '\n');
    return 0;
  }
  const estimateOnly = values['estimate-only'] === true;
  if (estimateOnly && stage !== undefined)
    throw new UsageError(`--estimate-only belongs to 'twsa run', not 'twsa ${stage}'`);
  if (estimateOnly && values.resume !== undefined)
    throw new UsageError('--estimate-only estimates a new run: drop --resume');
  const quiet = values.quiet === true;
  const log = progressPrinter(io, quiet);
  const base = { log, ...(io.signal ? { signal: io.signal } : {}) };
  if (stage !== undefined && stage !== 'prepare') {
    const dir = positionals[0] ?? values.resume;
    if (dir === undefined) throw new UsageError(`twsa ${stage} needs a run folder: twsa ${stage} <run-dir>`);
    if (positionals.length > 1) throw new UsageError(`twsa ${stage}: unexpected argument '${positionals[1]}'`);
    const loc = locateRunToResume(dir);
    const stored = readJson<{ config: PipelineConfig }>(join(loc.work, 'run.json'));
    const result = await runPipeline(stored.config, { ...base, resume: dir, stages: [stage] });
    summary(io, result.runDir, stage === 'evaluate' ? result.table1 : null, result.reportPath);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`twsa ${stage ?? 'run'}: unexpected argument '${positionals[0]}'`);
  if (values.resume !== undefined) {
    if (values.out !== undefined || values.config !== undefined || values.profile !== undefined)
      throw new UsageError(
        '--resume continues a stored run with its stored config: drop --out, --config and --profile',
      );
    const loc = locateRunToResume(values.resume);
    const stored = readJson<{ config: PipelineConfig; ensemble?: { executor: ExecutorName } }>(
      join(loc.work, 'run.json'),
    );
    if (stored.ensemble !== undefined) {
      const { resumeEnsemble } = await import('./ensemble-run.js');
      const result = await resumeEnsemble(loc.work, {
        ...ensembleOptions(values, stored.ensemble.executor),
        ...base,
      });
      return ensembleSummary(io, result);
    }
    if (values.executor !== undefined || values.seeds !== undefined)
      throw new UsageError(`--resume ${values.resume}: not an ensemble run; drop --executor and --seeds`);
    const result = await runPipeline(stored.config, { ...base, resume: values.resume });
    summary(io, result.runDir, result.table1, result.reportPath);
    return 0;
  }
  if (values.out === undefined && !estimateOnly)
    throw new UsageError(`twsa ${stage ?? 'run'} needs --out <dir> (the run folder to create)`);
  const config = configFrom(values, quiet ? undefined : io.stderr);
  if ((config.profile === 'paper' || estimateOnly) && stage === undefined) {
    const engine = await defaultEngine();
    const backend = await engine.initBackend(config.backend);
    const { estimateTrainingSeconds, formatTrainingEstimate } = await import('./estimate.js');
    if (!quiet)
      io.stderr(
        `estimating the training time on the '${backend}' backend (one timed step per model after a warm-up step; about a minute for the paper presets on wasm)…\n`,
      );
    const estimate = await estimateTrainingSeconds(config, engine, {
      ...(quiet ? {} : { log: (message: string) => io.stderr(`  ${message}\n`) }),
    });
    const text =
      formatTrainingEstimate(estimate, backend, config.profile, nativeEngineState(backend)).join('\n') + '\n';
    if (estimateOnly) {
      io.stdout(text);
      return 0;
    }
    io.stderr(text);
    if (!values.yes) {
      io.stderr('Re-run with --yes to start it (or use --profile quick).\n');
      return EXIT_USAGE;
    }
    if (isEnsemble(config, values, stage)) {
      const { startEnsemble } = await import('./ensemble-run.js');
      const result = await startEnsemble(config, values.out!, {
        ...ensembleOptions(values),
        ...base,
        engine,
        overwrite: values.overwrite === true,
      });
      return ensembleSummary(io, result);
    }
    const result = await runPipeline(config, {
      ...base,
      out: values.out!,
      overwrite: values.overwrite === true,
      engine,
    });
    summary(io, result.runDir, result.table1, result.reportPath);
    return 0;
  }
  if (isEnsemble(config, values, stage)) {
    const { startEnsemble } = await import('./ensemble-run.js');
    const result = await startEnsemble(config, values.out!, {
      ...ensembleOptions(values),
      ...base,
      overwrite: values.overwrite === true,
    });
    return ensembleSummary(io, result);
  }
  const result = await runPipeline(config, {
    ...base,
    out: values.out,
    overwrite: values.overwrite === true,
    ...(stage ? { stages: [stage] } : {}),
  });
  summary(io, result.runDir, result.table1, result.reportPath);
  return 0;
}

async function commandPredict(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      from: { type: 'string' },
      to: { type: 'string' },
      model: { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    'predict',
  );
  if (values.help) {
    io.stdout(HELP['predict']! + '\n');
    return 0;
  }
  const dir = positionals[0];
  if (dir === undefined)
    throw new UsageError('twsa predict needs a run folder: twsa predict <run-dir> --from YYYY-MM --to YYYY-MM');
  if (positionals.length > 1) throw new UsageError(`twsa predict: unexpected argument '${positionals[1]}'`);
  if (values.from === undefined || values.to === undefined)
    throw new UsageError('twsa predict needs --from YYYY-MM and --to YYYY-MM');
  if (values.model !== undefined && !(MODEL_NAMES as readonly string[]).includes(values.model))
    throw new UsageError(`--model expects one of ${MODEL_NAMES.join(', ')}, got '${values.model}'`);
  if (!values.quiet) io.stderr(`predicting ${values.from}..${values.to}…\n`);
  const { predictIntoRun } = await import('./predict.js');
  const { predictSummaryMarkdown } = await import('./predict-report.js');
  const result = await predictIntoRun(dir, {
    from: values.from,
    to: values.to,
    ...(values.model !== undefined ? { model: values.model as (typeof MODEL_NAMES)[number] } : {}),
  });
  io.stdout(`${predictSummaryMarkdown(result.scores).join('\n')}\n`);
  io.stdout(`written: ${result.dir}\n`);
  if (result.reportPath) io.stdout(`report: ${result.reportPath}\n`);
  return 0;
}

type RunValues = ReturnType<typeof parse<typeof RUN_OPTIONS>>['values'];

/** A seed ensemble runs when `seeds` > 1 or an executor is named. */
function isEnsemble(config: PipelineConfig, values: RunValues, stage: StageName | undefined): boolean {
  const wanted = config.seeds > 1 || values.executor !== undefined || values.jobs !== undefined;
  if (wanted && stage !== undefined)
    throw new UsageError(`--seeds, --executor and --jobs belong to 'twsa run', not 'twsa ${stage}'`);
  return wanted;
}

const positiveInt = (v: string | undefined, flag: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || v.trim() === '')
    throw new UsageError(`${flag} expects an integer ≥ 0, got '${v}'`);
  return n;
};

/** How a job script or a worker starts this very `twsa`: this node, its flags (tsx resolved) and this script. */
export function selfCommand(): TwsaCommand {
  const execArgv = process.execArgv.map((a, i, all) => {
    if (all[i - 1] === '--import' && a === 'tsx') {
      try {
        return import.meta.resolve('tsx');
      } catch {
        return a;
      }
    }
    return a;
  });
  return { node: process.execPath, args: [...execArgv, resolve(process.argv[1] ?? 'twsa')] };
}

function ensembleOptions(values: RunValues, stored?: ExecutorName): EnsembleRunOptions {
  const executor = (values.executor ?? stored ?? 'local') as ExecutorName;
  if (executor !== 'local' && executor !== 'slurm')
    throw new UsageError(`--executor expects local or slurm, got '${values.executor}'`);
  if (stored !== undefined && values.executor !== undefined && values.executor !== stored)
    throw new UsageError(`--resume: this ensemble runs on the ${stored} executor; drop --executor ${values.executor}`);
  const jobs = positiveInt(values.jobs, '--jobs');
  if (jobs === 0) throw new UsageError('--jobs expects an integer ≥ 1');
  const slurmFlags = Object.keys(values).filter((k) => k.startsWith('slurm-'));
  if (executor !== 'slurm' && slurmFlags.length > 0) throw new UsageError(`--${slurmFlags[0]} needs --executor slurm`);
  if (executor === 'slurm' && jobs !== undefined) throw new UsageError('--jobs is for the local executor');
  const names = [...MODEL_NAMES] as string[];
  const gpus = positiveInt(values['slurm-gpus'], '--slurm-gpus');
  const cpus = positiveInt(values['slurm-cpus'], '--slurm-cpus');
  const slurm: SlurmOptions = {
    ...(values['slurm-partition'] ? { partition: values['slurm-partition'] } : {}),
    ...(values['slurm-account'] ? { account: values['slurm-account'] } : {}),
    ...(values['slurm-time'] !== undefined ? { time: parsePerModel(values['slurm-time'], 'slurm-time', names) } : {}),
    ...(values['slurm-mem'] !== undefined ? { mem: parsePerModel(values['slurm-mem'], 'slurm-mem', names) } : {}),
    ...(gpus !== undefined ? { gpus } : {}),
    ...(cpus !== undefined ? { cpusPerTask: cpus } : {}),
  };
  validateSlurmOptions(slurm);
  return {
    executor,
    twsa: selfCommand(),
    ...(jobs !== undefined ? { jobs } : {}),
    ...(executor === 'slurm' ? { slurm } : {}),
  };
}

function ensembleTableSummary(io: CliIo, table: EnsembleTable1): void {
  if (table.twinExperiment) io.stdout('TWIN EXPERIMENT (LSM emulated from GRACE)\n');
  io.stdout(
    `ensemble of ${table.seeds.length} seed(s): ${table.seeds.join(', ')} (test scores: mean ± sd over seeds; ensemble mean)\n`,
  );
  const pm = (m: number, sd: unknown, d: number): string =>
    `${m.toFixed(d)}${typeof sd === 'number' ? ` ± ${sd.toFixed(d)}` : ''}`;
  for (const r of table.rows) {
    const e = r.ensemble;
    io.stdout(
      `  ${r.label.padEnd(13)} RMSE ${pm(r.rmseMm, e?.sd['rmseMm'], 1).padStart(14)} mm  CC ${pm(r.cc, e?.sd['cc'], 3).padStart(13)}${e ? `  ensemble mean: RMSE ${Number(e.ensembleMean['rmseMm']).toFixed(1)} mm, CC ${Number(e.ensembleMean['cc']).toFixed(3)}` : ''}\n`,
    );
  }
}

function ensembleSummary(io: CliIo, result: EnsembleRunResult): number {
  io.stdout(`run folder: ${result.runDir}\n`);
  if (result.kind === 'collected') {
    ensembleTableSummary(io, result.table1);
    if (existsSync(join(result.runDir, 'report', 'report.html')))
      io.stdout(`report: ${join(result.runDir, 'report', 'report.html')}\n`);
    return 0;
  }
  if (result.kind === 'failed') {
    io.stderr(
      `twsa: ${result.failed.length} member(s) failed: ${result.failed.map((m) => `${m.model} seed ${m.seed}`).join(', ')}; their logs are members/<model>-s<seed>/member.log; rerun them with: twsa run --resume ${result.runDir}\n`,
    );
    return 1;
  }
  const s = result.submission;
  for (const [model, job] of Object.entries(s.members))
    io.stdout(`  submitted ${model}: array job ${job!.jobId} (tasks ${job!.indexes.join(',')})\n`);
  io.stdout(`  submitted collect: job ${s.collectJobId} (afterok on the member arrays)\n`);
  io.stdout(`follow it with: twsa status ${result.runDir}\n`);
  return 0;
}

async function commandMember(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      model: { type: 'string' },
      seed: { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    'member',
  );
  if (values.help) {
    io.stdout(HELP['member']! + '\n');
    return 0;
  }
  const dir = positionals[0];
  if (dir === undefined || positionals.length > 1)
    throw new UsageError('twsa member needs one run folder: twsa member <run-dir> --model M --seed S');
  if (values.model === undefined || !(MODEL_NAMES as readonly string[]).includes(values.model))
    throw new UsageError(`--model expects one of ${MODEL_NAMES.join(', ')}, got '${values.model ?? ''}'`);
  const seed = positiveInt(values.seed, '--seed');
  if (seed === undefined) throw new UsageError('twsa member needs --seed <n>');
  const { runMember } = await import('./ensemble-run.js');
  let record: Awaited<ReturnType<typeof runMember>>;
  try {
    record = await runMember(
      dir,
      { model: values.model as (typeof MODEL_NAMES)[number], seed },
      {
        log: progressPrinter(io, values.quiet === true),
        ...(io.signal ? { signal: io.signal } : {}),
      },
    );
  } catch (error) {
    if (!isReconstructError(error, 'PipelineAbortedError')) throw error;
    io.stderr(
      `\ntwsa member: ${values.model} seed ${seed} stopped; its checkpoint is kept and the next attempt continues from it (a requeued Slurm task, or 'twsa run --resume ${dir}')\n`,
    );
    return EXIT_ABORTED;
  }
  io.stdout(
    `member ${record.model} seed ${record.seed}: ${record.status}${record.seconds !== undefined ? ` in ${formatDuration(record.seconds)}` : ''}\n`,
  );
  return 0;
}

async function commandStatus(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(
    args,
    { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    'status',
  );
  if (values.help) {
    io.stdout(HELP['status']! + '\n');
    return 0;
  }
  const dir = positionals[0];
  if (dir === undefined || positionals.length > 1) throw new UsageError('twsa status needs one run folder');
  const loc = locateRunToResume(dir);
  const { ensembleStatus, formatEnsembleStatus } = await import('./ensemble-run.js');
  const stored = readJson<{ ensemble?: unknown; status: string; completedStages: string[] }>(
    join(loc.work, 'run.json'),
  );
  if (stored.ensemble === undefined) {
    io.stdout(
      `run ${loc.work}: ${stored.status}; not an ensemble (no seeds); stages done: ${stored.completedStages.join(', ') || 'none'}\n`,
    );
    return 0;
  }
  const status = ensembleStatus(loc.work);
  io.stdout(values.json ? JSON.stringify(status, null, 2) + '\n' : formatEnsembleStatus(status));
  return 0;
}

async function commandCollect(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(
    args,
    { quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    'collect',
  );
  if (values.help) {
    io.stdout(HELP['collect']! + '\n');
    return 0;
  }
  const dir = positionals[0];
  if (dir === undefined || positionals.length > 1) throw new UsageError('twsa collect needs one run folder');
  const loc = locateRunToResume(dir);
  const { collectEnsemble } = await import('./ensemble-run.js');
  const table = await collectEnsemble(loc.work, { log: progressPrinter(io, values.quiet === true) });
  io.stdout(`run folder: ${loc.work}\n`);
  ensembleTableSummary(io, table);
  return 0;
}

async function commandModels(args: string[], io: CliIo): Promise<number> {
  const { values } = parse(
    args,
    { json: { type: 'boolean' }, preset: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    'models',
  );
  if (values.help) {
    io.stdout(HELP['models']! + '\n');
    return 0;
  }
  const { initBackend, describeModels } = await import('@twsa/models');
  await initBackend({ backend: 'cpu' });
  const rows = describeModels(values.preset !== undefined ? { presets: [values.preset as PresetName] } : {}); // validated there;
  if (values.json) {
    io.stdout(JSON.stringify(rows, null, 2) + '\n');
    return 0;
  }
  for (const r of rows)
    io.stdout(
      `${r.name.padEnd(10)} ${r.preset.padEnd(6)} trainable ${r.trainable.toLocaleString('en-US').padStart(12)}  non-trainable ${r.nonTrainable.toLocaleString('en-US')}\n`,
    );
  return 0;
}

async function commandGrid(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    io.stdout(HELP['grid']! + '\n');
    return sub === undefined ? EXIT_USAGE : 0;
  }
  const { values, positionals } = parse(
    rest,
    {
      factor: { type: 'string' },
      like: { type: 'string' },
      out: { type: 'string' },
      to: { type: 'string' },
      overwrite: { type: 'boolean' },
      frame: { type: 'string' },
      variable: { type: 'string' },
      json: { type: 'boolean' },
      'accept-implausible': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    `grid ${sub}`,
  );
  if (values.help) {
    io.stdout(HELP['grid']! + '\n');
    return 0;
  }
  const input = positionals[0];
  if (!['info', 'upscale', 'reproject'].includes(sub))
    throw new UsageError(`unknown grid command '${sub}': expected info, upscale or reproject`);
  if (input === undefined) throw new UsageError(`twsa grid ${sub} needs an input file`);
  if (positionals.length > 1) throw new UsageError(`twsa grid ${sub}: unexpected argument '${positionals[1]}'`);
  const { gridInfoCommand, gridUpscaleCommand, gridReprojectCommand } = await import('./grid-commands.js');
  if (sub === 'info') {
    const info = await gridInfoCommand(input);
    io.stdout(values.json ? JSON.stringify(info, null, 2) + '\n' : formatInfo(info));
    return 0;
  }
  if (values.out === undefined) throw new UsageError(`twsa grid ${sub} needs --out <file>`);
  // @twsa/grid's writers refuse an existing file naming their option ({ overwrite: true }); say the flag instead.
  if (values.overwrite !== true && existsSync(values.out)) throw new OutputExistsCliError(values.out, 'file');
  const integer = (v: string | undefined, flag: string, min: number, what: string): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (v.trim() === '' || !Number.isInteger(n) || n < min)
      throw new UsageError(`${flag} expects ${what} (an integer ≥ ${min}), got '${v}'`);
    return n;
  };
  if (sub === 'upscale') {
    const factor = integer(values.factor, '--factor', 1, 'the number of source cells per output cell side');
    const r = await gridUpscaleCommand(input, {
      out: values.out,
      overwrite: values.overwrite === true,
      acceptImplausible: values['accept-implausible'] === true,
      ...(factor !== undefined ? { factor } : {}),
      ...(values.like !== undefined ? { like: values.like } : {}),
    });
    io.stdout(`wrote ${r.out} (${r.shape.join('×')})\n`);
    return 0;
  }
  if (values.to === undefined) throw new UsageError('twsa grid reproject needs --to <grid> (e.g. canada-lcc-110km)');
  const frame = integer(values.frame, '--frame', 0, 'a 0-based frame index');
  const r = await gridReprojectCommand(input, {
    to: values.to,
    out: values.out,
    overwrite: values.overwrite === true,
    acceptImplausible: values['accept-implausible'] === true,
    ...(frame !== undefined ? { frame } : {}),
    ...(values.variable !== undefined ? { variable: values.variable } : {}),
  });
  io.stdout(`wrote ${r.out} (${r.shape.join('×')})\n`);
  return 0;
}

/** One `key: value` line per field; a grid's `variables` by name. */
function formatInfo(info: GridInfo | DataPairsResult | DataBaselineResult): string {
  const lines: string[] = [];
  for (const [k, v] of Object.entries(info)) {
    if ('variables' in info && k === 'variables') {
      lines.push(`variables: ${info.variables.map((x) => x.name).join(', ')}`);
      continue;
    }
    lines.push(`${k}: ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`);
  }
  return lines.join('\n') + '\n';
}

async function commandData(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    io.stdout(HELP['data']! + '\n');
    return sub === undefined ? EXIT_USAGE : 0;
  }
  const { values, positionals } = parse(
    rest,
    {
      grace: { type: 'string', multiple: true },
      lsm: { type: 'string', multiple: true },
      'lsm-clip': { type: 'string' },
      'accept-implausible': { type: 'boolean' },
      json: { type: 'boolean' },
      seed: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    `data ${sub}`,
  );
  if (values.help) {
    io.stdout(HELP['data']! + '\n');
    return 0;
  }
  if (sub !== 'pairs' && sub !== 'baseline')
    throw new UsageError(`unknown data command '${sub}': expected pairs or baseline`);
  if (positionals.length > 0) throw new UsageError(`twsa data ${sub}: unexpected argument '${positionals[0]}'`);
  if (!values.grace) throw new UsageError(`twsa data ${sub} needs --grace <file>`);
  if (sub === 'baseline' && !(values.lsm?.length === 1 && values.lsm[0] === 'emulate'))
    throw new UsageError('twsa data baseline needs --lsm emulate');
  const config = resolveConfig({
    ...configFrom({
      grace: values.grace,
      lsm: values.lsm ?? ['emulate'],
      ...(values.seed !== undefined ? { seed: values.seed } : {}),
      ...(values['lsm-clip'] !== undefined ? { 'lsm-clip': values['lsm-clip'] } : {}),
      ...(values['accept-implausible'] === true ? { 'accept-implausible': true } : {}),
    }),
    hindcast: { enabled: false },
  });
  const { dataCommand } = await import('./data-commands.js');
  const result = await dataCommand(sub, config);
  io.stdout(values.json ? JSON.stringify(result, null, 2) + '\n' : formatInfo(result));
  return 0;
}

async function commandBasin(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    io.stdout(HELP['basin']! + '\n');
    return sub === undefined ? EXIT_USAGE : 0;
  }
  const { values, positionals } = parse(
    rest,
    {
      grace: { type: 'string' },
      run: { type: 'string' },
      basins: { type: 'string' },
      'name-field': { type: 'string' },
      out: { type: 'string' },
      'scores-out': { type: 'string' },
      variable: { type: 'string' },
      subsamples: { type: 'string' },
      overwrite: { type: 'boolean' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    `basin ${sub}`,
  );
  if (values.help) {
    io.stdout(HELP['basin']! + '\n');
    return 0;
  }
  if (sub !== 'series') throw new UsageError(`unknown basin command '${sub}': expected series`);
  if (positionals.length > 0) throw new UsageError(`twsa basin series: unexpected argument '${positionals[0]}'`);
  if ((values.grace === undefined) === (values.run === undefined))
    throw new UsageError('twsa basin series needs exactly one of --grace <file> or --run <run-dir>');
  if (values.basins === undefined) throw new UsageError('twsa basin series needs --basins <geojson|shp|vec>');
  if (values.out === undefined) throw new UsageError('twsa basin series needs --out <csv>');
  if (values['scores-out'] !== undefined && values.run === undefined)
    throw new UsageError('--scores-out belongs to --run (a GRACE file has nothing to score against)');
  let subsamples: number | undefined;
  if (values.subsamples !== undefined) {
    subsamples = Number(values.subsamples);
    if (!Number.isInteger(subsamples) || subsamples < 1 || subsamples > 1000)
      throw new UsageError(`--subsamples expects an integer in 1..1000, got '${values.subsamples}'`);
  }
  for (const f of [values.out, values['scores-out']])
    if (f !== undefined && values.overwrite !== true && existsSync(f)) throw new OutputExistsCliError(f, 'file');
  const { basinSeries } = await import('./basin-series.js');
  const quiet = values.quiet === true;
  const result = await basinSeries({
    basins: values.basins,
    out: values.out,
    overwrite: values.overwrite === true,
    ...(values.grace !== undefined ? { grace: values.grace } : {}),
    ...(values.run !== undefined ? { run: values.run } : {}),
    ...(values['name-field'] !== undefined ? { nameField: values['name-field'] } : {}),
    ...(values['scores-out'] !== undefined ? { scoresOut: values['scores-out'] } : {}),
    ...(values.variable !== undefined ? { variable: values.variable } : {}),
    ...(subsamples !== undefined ? { subsamples } : {}),
    log: (e) => {
      if (e.type === 'warning') io.stderr(`warning: ${e.message}\n`);
      else if (e.type === 'info' && !quiet) io.stderr(`${e.message}\n`);
    },
  });
  io.stdout(
    `wrote ${result.out} (${result.rows} rows: ${result.basins.length} basin(s) × ${result.months} month(s) × ${result.sources.join(', ')})\n`,
  );
  if (result.scoresOut) io.stdout(`wrote ${result.scoresOut} (CC and RMSE against GRACE per basin)\n`);
  io.stdout(`wrote ${result.figure.png} and ${result.figure.svg} (the series, one panel per basin)\n`);
  return 0;
}

/**
 * Runs the CLI with `argv` (without `node` and the script) and returns the exit code. Prints through `io`.
 * Exit codes: 0 success, 1 failure (bad input, a failed stage), 2 usage or config error, 130 stopped by Ctrl-C.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        io.stdout(HELP['main']! + '\n');
        return command === undefined ? EXIT_USAGE : 0;
      case 'run':
        return await commandRun(args, io);
      case 'prepare':
      case 'train':
      case 'evaluate':
      case 'hindcast':
      case 'report':
        return await commandRun(args, io, command);
      case 'predict':
        return await commandPredict(args, io);
      case 'member':
        return await commandMember(args, io);
      case 'status':
        return await commandStatus(args, io);
      case 'collect':
        return await commandCollect(args, io);
      case 'models':
        return await commandModels(args, io);
      case 'grid':
        return await commandGrid(args, io);
      case 'data':
        return await commandData(args, io);
      case 'basin':
        return await commandBasin(args, io);
      case 'setup':
        return await (await import('./setup-command.js')).commandSetup(args, io);
      default:
        io.stderr(
          `twsa: unknown command '${command}'. Commands: run, prepare, train, evaluate, hindcast, report, predict, member, status, collect, models, grid, data, basin, setup (twsa --help)\n`,
        );
        return EXIT_USAGE;
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`twsa: ${error.message}\n`);
      return EXIT_USAGE;
    }
    if (isReconstructError(error, 'ConfigError')) {
      io.stderr(`twsa: config error: ${error.message}\n`);
      return EXIT_USAGE;
    }
    if (isReconstructError(error, 'PipelineAbortedError')) {
      io.stderr(`\ntwsa: ${error.message}\n`);
      return EXIT_ABORTED;
    }
    if (error instanceof OutputExistsCliError) {
      io.stderr(`twsa: ${error.message}\n`);
      return 1;
    }
    if (isReconstructError(error, 'OutputExistsError')) {
      io.stderr(`twsa: ${new OutputExistsCliError((error as OutputExistsError).path, 'directory').message}\n`);
      return 1;
    }
    const e = error as Error;
    const name = e?.name && e.name !== 'Error' ? `${e.name}: ` : '';
    io.stderr(`twsa: ${name}${e?.message ?? String(error)}\n`);
    if (process.env['TWSA_DEBUG'] && e?.stack) io.stderr(`${e.stack}\n`);
    return 1;
  }
}

/**
 * Commands that stop cleanly on a signal (checkpoint, run.json `interrupted`); the others stop at once. `member` is
 * here because Slurm sends SIGTERM on preemption and (through the member script) before the time limit.
 */
const CHECKPOINTING = new Set(['run', 'prepare', 'train', 'evaluate', 'hindcast', 'report', 'member', 'collect']);
const SIGNAL_CODES: Readonly<Record<string, number>> = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 };
/** Signals arriving within this time of the first count as that one (a terminal's Ctrl-C reaches the bin and the worker). */
const SAME_SIGNAL_MS = 1000;

/**
 * Runs the CLI as a process: SIGINT, SIGTERM and SIGHUP stop a run after the current step (checkpoint first, run.json
 * `interrupted`, exit 130); another signal later quits at once. Started by the `twsa` bin as its worker (an IPC
 * channel to it), the process also stops when the bin is gone, even after a `kill -9` of the bin. Output goes to the
 * process streams and the process exits with the command's code. Used by the `twsa` bin, both from the compiled
 * `dist/cli.js` and from the sources.
 */
export async function runCli(argv: readonly string[]): Promise<void> {
  const controller = new AbortController();
  const checkpointing = CHECKPOINTING.has(argv[0] ?? '');
  let first = 0;
  const stop = (why: string, code: number): void => {
    const now = Date.now();
    if (first !== 0 && now - first < SAME_SIGNAL_MS) return;
    if (first !== 0 || !checkpointing) process.exit(code);
    first = now;
    process.stderr.write(`\ntwsa: ${why}: stopping after the current step (checkpoint first); again to quit at once\n`);
    controller.abort();
  };
  for (const sig of Object.keys(SIGNAL_CODES))
    process.on(sig, () =>
      stop(sig === 'SIGINT' ? 'interrupted (SIGINT)' : `${sig} received`, 128 + SIGNAL_CODES[sig]!),
    );
  watchParent(() => stop('the twsa process that started this worker is gone', EXIT_ABORTED));
  const code = await main([...argv], {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    isTTY: process.stderr.isTTY === true,
    signal: controller.signal,
  });
  process.exitCode = code;
  // Leave time for pending writes, then exit (tfjs keeps handles open).
  setImmediate(() => process.exit(code));
}

/**
 * Calls `onGone` once when the process that started this one goes away: through the IPC channel's `disconnect`
 * (the bin starts its worker with one) and, as a fallback, by polling the parent pid once a second.
 */
function watchParent(onGone: () => void): void {
  let fired = false;
  const fire = (): void => {
    if (fired) return;
    fired = true;
    onGone();
  };
  if (process.channel) {
    process.channel.unref();
    process.on('disconnect', fire);
  }
  if (process.env['TWSA_SUPERVISED'] === '1') {
    const parent = process.ppid;
    const timer = setInterval(() => {
      if (process.ppid !== parent) {
        clearInterval(timer);
        fire();
      }
    }, 1000);
    timer.unref();
  }
}

const isEntry = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isEntry) await runCli(process.argv.slice(2));
void BACKEND_CHOICES;
export type { ProfileName };
