/**
 * Seed ensembles end to end: prepare once, run the members (one model × one seed each) through an executor —
 * `local` worker processes or a `slurm` job array — and collect them into Table 1 (mean ± sd over seeds and the
 * ensemble-mean scores), the ensemble mean and spread, the hindcast ensemble and the report. The collect step is
 * the same code whichever executor ran the members, so the same seeds give the same Table 1.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { Grid, GridStack } from '@twsa/grid';
import { type ModelName, type PipelineConfig, resolveConfig } from './config.js';
import {
  ensembleMeanAndSpread,
  ensembleRow,
  formatEnsembleTable1Csv,
  formatEnsembleTable1Markdown,
  type EnsembleTable1,
  type EnsembleTable1Row,
} from './ensemble-table1.js';
import {
  ensembleSeeds,
  formatMemberStatuses,
  listMembers,
  memberDir,
  memberKey,
  memberStatuses,
  membersToRun,
  readMemberRecord,
  type MemberId,
  type MemberRecord,
  type MemberStatus,
} from './ensemble.js';
import { InputError, PipelineAbortedError, SchedulerError, StageOrderError } from './errors.js';
import { readArray, readPrepared, writeArray } from './internal/store.js';
import type { PipelineEvent } from './progress.js';
import { readJson, writeFileAtomic, writeJsonAtomic } from './run-folder.js';
import {
  collectScript,
  collectSubmitArgs,
  memberResources,
  memberSubmitArgs,
  membersScript,
  mergeSchedulerTasks,
  parseSacct,
  parseSbatchParsable,
  parseSqueue,
  SACCT_FIELDS,
  SQUEUE_FORMAT,
  type SchedulerTask,
  type SlurmOptions,
  type TwsaCommand,
} from './slurm.js';
import { createTable1Scorer, type Table1RowInfo } from './table1-scoring.js';
import { domainMean, TABLE1_SCORES_DEFINITION } from './scores.js';
import { defaultEngine, framesOf, type Engine, type PreparedData } from './seam.js';
import { hindcastInput } from './stages/hindcast.js';
import { writeHindcastGeoTiff, writeHindcastNetcdf } from './outputs.js';

/** How the members of an ensemble run. */
export type ExecutorName = 'local' | 'slurm';
/** The executors. */
export const EXECUTORS: readonly ExecutorName[] = ['local', 'slurm'];

/** One `sbatch` round of a Slurm ensemble (the first run, then each `--resume`). */
export interface SlurmSubmission {
  readonly submitted: string;
  /** Per model: its member array job and the array indexes (= seed indexes) it runs. */
  readonly members: Readonly<
    Partial<Record<ModelName, { readonly jobId: string; readonly indexes: readonly number[] }>>
  >;
  /** The collect job (afterok on every member array still to finish). */
  readonly collectJobId: string;
}

/** What run.json records of an ensemble (`ensemble` key). */
export interface EnsembleRecord {
  readonly seeds: readonly number[];
  readonly models: readonly ModelName[];
  readonly executor: ExecutorName;
  /** Local executor: members run at once. */
  readonly jobs?: number;
  readonly slurm?: {
    readonly options: SlurmOptions;
    readonly twsa: TwsaCommand;
    readonly submissions: readonly SlurmSubmission[];
  };
  /** When `collect` last completed. */
  readonly collected?: string;
}

interface RunJson {
  readonly config: PipelineConfig;
  readonly status: string;
  readonly backend: string | null;
  readonly gitCommit: string | null;
  readonly versions: Readonly<Record<string, string>>;
  readonly seed: number;
  readonly completedStages: readonly string[];
  readonly completedModels?: readonly string[];
  readonly timings: Readonly<Record<string, number>>;
  readonly ensemble?: EnsembleRecord;
  readonly [key: string]: unknown;
}

/** Runs a command; the default is `spawnSync` (tests pass their own). */
export type CommandRunner = (
  command: string,
  args: readonly string[],
) => { readonly status: number | null; readonly stdout: string; readonly stderr: string };

/** The default {@link CommandRunner}: spawnSync with a 60 s timeout, no shell. */
export const runCommand: CommandRunner = (command, args) => {
  const r = spawnSync(command, [...args], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) return { status: null, stdout: '', stderr: r.error.message };
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
};

function runJsonOf(runDir: string): RunJson {
  const file = join(runDir, 'run.json');
  if (!existsSync(file)) throw new InputError(`'${runDir}' is not a run folder (no run.json)`, { file: runDir });
  return readJson<RunJson>(file);
}

function patchRunJson(runDir: string, patch: Partial<RunJson>): RunJson {
  const next = { ...runJsonOf(runDir), ...patch, updated: new Date().toISOString() };
  writeJsonAtomic(join(runDir, 'run.json'), next);
  return next;
}

/** The ensemble of a run folder: its record, or the one a single-seed run implies. */
export function ensembleOf(runDir: string): { config: PipelineConfig; ensemble: EnsembleRecord } {
  const run = runJsonOf(runDir);
  const config = resolveConfig(run.config);
  const ensemble = run.ensemble ?? {
    seeds: ensembleSeeds(config.seed, config.seeds),
    models: [...config.models.names],
    executor: 'local' as const,
  };
  return { config, ensemble };
}

/** Options of {@link runMember}. */
export interface RunMemberOptions {
  readonly engine?: Engine;
  readonly signal?: AbortSignal;
  readonly log?: (event: PipelineEvent) => void;
  /** Environment to read the Slurm task from (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Runs one member: trains `model` with `seed` on the run's prepared data (continuing from its checkpoint when
 * one is there), predicts every paired record and, for the hindcast model, the hindcast period, and writes
 * `<run>/members/<model>-s<seed>/` (`member.json`, `model/`, `checkpoints/`, `prediction.*`, `hindcast.*`).
 * A member that is already done is not run again.
 * @throws {@link StageOrderError} when the run has no prepared data.
 * @throws {@link PipelineAbortedError} when `signal` fires (SIGTERM from Slurm): the checkpoint is kept.
 */
export async function runMember(
  runDir: string,
  member: MemberId,
  options: RunMemberOptions = {},
): Promise<MemberRecord> {
  runDir = resolve(runDir);
  const log = options.log ?? (() => undefined);
  const { config, ensemble } = ensembleOf(runDir);
  if (!config.models.names.includes(member.model))
    throw new InputError(`member: the run trains ${config.models.names.join(', ')}, not '${member.model}'`);
  if (!ensemble.seeds.includes(member.seed))
    throw new InputError(`member: the run's seeds are ${ensemble.seeds.join(', ')}, not ${member.seed}`);
  const dir = memberDir(runDir, member);
  const previous = readMemberRecord(runDir, member);
  if (previous?.status === 'done') {
    log({ type: 'info', message: `${memberKey(member)}: already done, skipped` });
    return previous;
  }
  if (!existsSync(join(runDir, 'prepared', 'prepared.json')))
    throw new StageOrderError('member', 'prepared/prepared.json (the prepare stage)');
  const env = options.env ?? process.env;
  const slurmTask =
    env['SLURM_ARRAY_JOB_ID'] !== undefined && env['SLURM_ARRAY_TASK_ID'] !== undefined
      ? `${env['SLURM_ARRAY_JOB_ID']}_${env['SLURM_ARRAY_TASK_ID']}`
      : env['SLURM_JOB_ID'];
  const started = new Date().toISOString();
  let record: MemberRecord = {
    ...member,
    status: 'running',
    started,
    updated: started,
    host: hostname(),
    pid: process.pid,
    ...(slurmTask !== undefined ? { slurmTask } : {}),
    ...(env['SLURM_RESTART_COUNT'] !== undefined ? { slurmRestarts: Number(env['SLURM_RESTART_COUNT']) } : {}),
  };
  const save = (patch: Partial<MemberRecord>): void => {
    record = { ...record, ...patch, updated: new Date().toISOString() };
    writeJsonAtomic(join(dir, 'member.json'), record);
  };
  mkdirSync(dir, { recursive: true });
  const checkpoint = join(dir, 'checkpoints', 'checkpoint.json');
  if (existsSync(checkpoint)) {
    const epoch = (() => {
      try {
        return readJson<{ epoch?: number }>(checkpoint).epoch;
      } catch {
        return undefined;
      }
    })();
    if (typeof epoch === 'number') {
      record = { ...record, resumedFromEpoch: epoch };
      log({ type: 'info', message: `${memberKey(member)}: continuing from its checkpoint after epoch ${epoch}` });
    }
  }
  save({});
  const t0 = performance.now();
  const memberConfig: PipelineConfig = { ...config, seed: member.seed, seeds: 1 };
  try {
    const engine = options.engine ?? (await defaultEngine());
    const backend = await engine.initBackend(config.backend);
    save({ backend });
    const data = readPrepared(join(runDir, 'prepared'));
    const modelDir = join(dir, 'model');
    mkdirSync(modelDir, { recursive: true });
    log({ type: 'info', message: `${memberKey(member)}: training on ${backend}` });
    const trained = await engine.train({
      model: member.model,
      config: memberConfig,
      data,
      checkpointDir: join(dir, 'checkpoints'),
      modelDir,
      ...(options.signal ? { signal: options.signal } : {}),
      onEpoch: (p) => log({ type: 'epoch', model: member.model, ...p }),
    });
    try {
      if (options.signal?.aborted) throw new PipelineAbortedError(runDir);
      writeJsonAtomic(join(modelDir, 'info.json'), {
        model: member.model,
        params: trained.params,
        preset: trained.preset,
        epochs: trained.epochs,
        backend,
        seed: member.seed,
        ...(trained.selectedOn ? { selectedOn: trained.selectedOn } : {}),
      });
      const predicted = await trained.predict(data.lsm, { data });
      writeArray(dir, 'prediction', {
        ...data.grace,
        data: predicted,
        attributes: { ...data.attributes, model: member.model, seed: member.seed },
      } as GridStack);
      if (config.hindcast.enabled && config.hindcast.model === member.model) {
        const input = hindcastInput(data, config);
        if (input !== null) {
          const hind = await trained.predict(input, { data });
          writeArray(dir, 'hindcast', { ...input, data: hind, units: 'mm' } as GridStack);
        }
      }
      save({ status: 'done', seconds: (performance.now() - t0) / 1000, epochs: trained.epochs });
    } finally {
      trained.dispose();
    }
    return record;
  } catch (error) {
    const aborted = options.signal?.aborted === true;
    save({
      status: aborted ? 'aborted' : 'failed',
      seconds: (performance.now() - t0) / 1000,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
    if (aborted && !(error instanceof PipelineAbortedError)) throw new PipelineAbortedError(runDir, { cause: error });
    throw error;
  }
}

/** Options of {@link runMembersLocally}. */
export interface LocalExecutorOptions {
  /** Members at once (worker processes). Default 2. */
  readonly jobs?: number;
  /** How to start `twsa` in a worker. */
  readonly twsa: TwsaCommand;
  readonly log?: (event: PipelineEvent) => void;
  readonly signal?: AbortSignal;
}

/**
 * The local executor: runs each member as its own `twsa member` worker process, `jobs` at a time, each writing
 * its output to `<member>/member.log`. Ctrl-C (the signal) sends SIGTERM to the workers, which checkpoint.
 * @returns the members that failed.
 */
export async function runMembersLocally(
  runDir: string,
  members: readonly MemberId[],
  options: LocalExecutorOptions,
): Promise<MemberId[]> {
  const jobs = Math.max(1, options.jobs ?? 2);
  const log = options.log ?? (() => undefined);
  const failed: MemberId[] = [];
  const queue = [...members];
  const running = new Set<import('node:child_process').ChildProcess>();
  let done = 0;
  const t0 = performance.now();
  const onAbort = (): void => {
    for (const c of running) c.kill('SIGTERM');
  };
  options.signal?.addEventListener('abort', onAbort);
  const startOne = (m: MemberId): Promise<void> =>
    new Promise((resolveDone) => {
      const dir = memberDir(runDir, m);
      mkdirSync(dir, { recursive: true });
      const out = openSync(join(dir, 'member.log'), 'a');
      const child = spawn(
        options.twsa.node,
        [...options.twsa.args, 'member', runDir, '--model', m.model, '--seed', String(m.seed), '--quiet'],
        { stdio: ['ignore', out, out] },
      );
      closeSync(out);
      running.add(child);
      log({ type: 'info', message: `${memberKey(m)}: started (pid ${child.pid})` });
      let finished = false;
      const finish = (ok: boolean, why: string): void => {
        if (finished) return;
        finished = true;
        running.delete(child);
        done++;
        if (!ok) failed.push(m);
        log({
          type: 'info',
          message: `${memberKey(m)}: ${ok ? 'done' : `failed (${why}; see ${join(dir, 'member.log')})`}`,
        });
        log({
          type: 'progress',
          stage: 'train',
          label: 'ensemble members',
          done,
          total: members.length,
          elapsedSeconds: (performance.now() - t0) / 1000,
        });
        resolveDone();
      };
      // A worker that cannot start (no node binary, …) fails its member without waiting for a 'close'.
      child.on('error', (error) => finish(false, `could not start: ${error.message}`));
      child.on('close', (code, signal) => finish(code === 0, signal ?? `exit ${code}`));
    });
  try {
    const workers = Array.from({ length: Math.min(jobs, queue.length) }, async () => {
      for (let m = queue.shift(); m !== undefined; m = queue.shift()) {
        if (options.signal?.aborted) return;
        await startOne(m);
      }
    });
    await Promise.all(workers);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  if (options.signal?.aborted) throw new PipelineAbortedError(runDir);
  return failed;
}

/** Options of {@link submitSlurm}. */
export interface SlurmExecutorOptions extends SlurmOptions {
  readonly twsa: TwsaCommand;
  readonly run?: CommandRunner;
}

/**
 * The Slurm executor: writes `<run>/slurm/members.sbatch` and `collect.sbatch` (and `submit.sh`, the exact
 * commands), submits one array job per model for `members` (their resources per model) and the collect job
 * with `--dependency=afterok` on them and on `activeJobs` (member arrays of an earlier submission still queued
 * or running), records the job ids in run.json and returns.
 * @throws {@link SchedulerError} when sbatch fails.
 */
export function submitSlurm(
  runDir: string,
  members: readonly MemberId[],
  options: SlurmExecutorOptions & { readonly activeJobs?: readonly string[] },
): SlurmSubmission {
  runDir = resolve(runDir);
  const run = options.run ?? runCommand;
  const { config, ensemble } = ensembleOf(runDir);
  const slurmDir = join(runDir, 'slurm');
  mkdirSync(join(slurmDir, 'logs'), { recursive: true });
  writeFileAtomic(
    join(slurmDir, 'members.sbatch'),
    membersScript({ runDir, seeds: ensemble.seeds, twsa: options.twsa }),
  );
  writeFileAtomic(join(slurmDir, 'collect.sbatch'), collectScript({ runDir, twsa: options.twsa }));
  const lines: string[] = [
    '#!/bin/bash',
    `# sbatch commands of 'twsa run --executor slurm' for ${runDir} (${new Date().toISOString()})`,
  ];
  const sbatch = (args: string[]): string => {
    lines.push(`sbatch ${args.map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a}'`)).join(' ')}`);
    const r = run('sbatch', args);
    if (r.status !== 0) throw new SchedulerError('sbatch', (r.stderr || r.stdout || `exit ${r.status}`).trim());
    return parseSbatchParsable(r.stdout);
  };
  const byModel: Partial<Record<ModelName, { jobId: string; indexes: number[] }>> = {};
  try {
    for (const model of ensemble.models) {
      const indexes = members.filter((m) => m.model === model).map((m) => ensemble.seeds.indexOf(m.seed));
      if (indexes.length === 0) continue;
      const resources = memberResources(model, config.profile, config.models.preset, options);
      const jobId = sbatch(
        memberSubmitArgs({
          runDir,
          model,
          indexes,
          resources,
          ...(options.partition ? { partition: options.partition } : {}),
          ...(options.account ? { account: options.account } : {}),
        }),
      );
      byModel[model] = { jobId, indexes };
    }
    const dependsOn = [...(options.activeJobs ?? []), ...Object.values(byModel).map((j) => j!.jobId)];
    const collectJobId = sbatch(
      collectSubmitArgs({
        runDir,
        dependsOn,
        ...(options.partition ? { partition: options.partition } : {}),
        ...(options.account ? { account: options.account } : {}),
      }),
    );
    const submission: SlurmSubmission = { submitted: new Date().toISOString(), members: byModel, collectJobId };
    const slurmOptions: SlurmOptions = {
      ...(options.partition ? { partition: options.partition } : {}),
      ...(options.account ? { account: options.account } : {}),
      ...(options.time !== undefined ? { time: options.time } : {}),
      ...(options.gpus !== undefined ? { gpus: options.gpus } : {}),
      ...(options.mem !== undefined ? { mem: options.mem } : {}),
      ...(options.cpusPerTask !== undefined ? { cpusPerTask: options.cpusPerTask } : {}),
    };
    patchRunJson(runDir, {
      ensemble: {
        ...ensemble,
        executor: 'slurm',
        slurm: {
          options: slurmOptions,
          twsa: options.twsa,
          submissions: [...(ensemble.slurm?.submissions ?? []), submission],
        },
      },
    });
    return submission;
  } finally {
    // One block per submission, the earlier ones kept (a resume appends its own).
    const previous = existsSync(join(slurmDir, 'submit.sh'))
      ? readFileSync(join(slurmDir, 'submit.sh'), 'utf8').replace(/^#!\/bin\/bash\n/, '')
      : '';
    writeFileAtomic(
      join(slurmDir, 'submit.sh'),
      ['#!/bin/bash', previous.trimEnd(), ...lines.slice(1)].filter((l) => l !== '').join('\n') + '\n',
    );
  }
}

/** The array task of every member in the latest submission that ran it. */
function taskRefs(ensemble: EnsembleRecord): Map<string, { jobId: string; taskId: number }> {
  const out = new Map<string, { jobId: string; taskId: number }>();
  for (const s of ensemble.slurm?.submissions ?? [])
    for (const [model, job] of Object.entries(s.members)) {
      if (!job) continue;
      for (const k of job.indexes)
        out.set(memberKey({ model: model as ModelName, seed: ensemble.seeds[k]! }), { jobId: job.jobId, taskId: k });
    }
  return out;
}

/** Every job id of a Slurm ensemble (member arrays and collect jobs). */
function allJobIds(ensemble: EnsembleRecord): string[] {
  return (ensemble.slurm?.submissions ?? []).flatMap((s) => [
    ...Object.values(s.members).map((j) => j!.jobId),
    s.collectJobId,
  ]);
}

/** What {@link ensembleStatus} returns. */
export interface EnsembleStatus {
  readonly runDir: string;
  readonly status: string;
  readonly ensemble: EnsembleRecord;
  readonly members: readonly MemberStatus[];
  /** Slurm: the latest collect job's state. */
  readonly collect?: SchedulerTask | { readonly jobId: string; readonly state: 'UNKNOWN' };
  /** Scheduler commands that failed (the states then come from the run folder alone). */
  readonly warnings: readonly string[];
}

/**
 * The state of every member (and the collect job) of an ensemble run, from the run folder and, for a Slurm run,
 * `sacct` and `squeue` (squeue wins for jobs it still knows; either may be unavailable).
 */
export function ensembleStatus(runDir: string, options: { readonly run?: CommandRunner } = {}): EnsembleStatus {
  runDir = resolve(runDir);
  const run = options.run ?? runCommand;
  const json = runJsonOf(runDir);
  const { ensemble } = ensembleOf(runDir);
  const warnings: string[] = [];
  let tasks = new Map<string, SchedulerTask>();
  const ids = allJobIds(ensemble);
  if (ids.length > 0) {
    const sacct = run('sacct', ['-n', '-P', '-X', '-o', SACCT_FIELDS, '-j', ids.join(',')]);
    if (sacct.status !== 0) warnings.push(`sacct: ${(sacct.stderr || sacct.stdout).trim() || `exit ${sacct.status}`}`);
    const squeue = run('squeue', ['-h', '-r', '--states=all', '-o', SQUEUE_FORMAT, '-j', ids.join(',')]);
    if (squeue.status !== 0)
      warnings.push(`squeue: ${(squeue.stderr || squeue.stdout).trim() || `exit ${squeue.status}`}`);
    tasks = mergeSchedulerTasks(
      sacct.status === 0 ? parseSacct(sacct.stdout) : [],
      squeue.status === 0 ? parseSqueue(squeue.stdout) : [],
    );
  }
  const refs = taskRefs(ensemble);
  const here = hostname();
  const members = memberStatuses(
    runDir,
    listMembers(ensemble.models, ensemble.seeds),
    tasks,
    (m) => refs.get(memberKey(m)),
    (host, pid) => {
      if (host !== here) return null;
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    },
  );
  const last = ensemble.slurm?.submissions[ensemble.slurm.submissions.length - 1];
  const collect = last
    ? (tasks.get(last.collectJobId) ?? { jobId: last.collectJobId, state: 'UNKNOWN' as const })
    : undefined;
  return { runDir, status: json.status, ensemble, members, ...(collect ? { collect } : {}), warnings };
}

/** `twsa status` text. */
export function formatEnsembleStatus(s: EnsembleStatus): string {
  const e = s.ensemble;
  const head = [
    `run ${s.runDir}: ${s.status}${e.collected ? `, collected ${e.collected}` : ''}`,
    `ensemble: ${e.models.join(', ')} × seeds ${e.seeds.join(', ')}; executor ${e.executor}${e.executor === 'local' && e.jobs ? ` (--jobs ${e.jobs})` : ''}`,
  ];
  if (s.collect)
    head.push(
      `collect job ${s.collect.jobId}: ${s.collect.state}${'detail' in s.collect && s.collect.detail && s.collect.detail !== 'None' ? ` (${s.collect.detail})` : ''}`,
    );
  for (const w of s.warnings) head.push(`note: ${w}`);
  return head.join('\n') + '\n' + formatMemberStatuses(s.members);
}

/** Options of {@link collectEnsemble}. */
export interface CollectOptions {
  readonly engine?: Engine;
  readonly log?: (event: PipelineEvent) => void;
}

const fmt = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : '');

/**
 * Collects an ensemble whose members are all done: Table 1 (`evaluation/table1.{json,md,csv}`: per model the
 * mean ± sd over seeds, each member, and the ensemble-mean prediction's scores), the ensemble-mean predictions
 * and per-pixel scores (what the report draws), the spread (`evaluation/spread/`), the nationwide series with each
 * model's sd over seeds, the hindcast ensemble mean and spread (`hindcast/`), and the report.
 * @throws {@link InputError} naming the members that are not done.
 */
export async function collectEnsemble(runDir: string, options: CollectOptions = {}): Promise<EnsembleTable1> {
  runDir = resolve(runDir);
  const log = options.log ?? (() => undefined);
  const json = runJsonOf(runDir);
  const { config, ensemble } = ensembleOf(runDir);
  const members = listMembers(ensemble.models, ensemble.seeds);
  const notDone = members.filter((m) => readMemberRecord(runDir, m)?.status !== 'done');
  if (notDone.length > 0)
    throw new InputError(
      `collect: ${notDone.length} member(s) not done (${notDone.map(memberKey).join(', ')}); run them with 'twsa run --resume ${runDir}'`,
    );
  const engine = options.engine ?? (await defaultEngine());
  const backend = await engine.initBackend(config.backend);
  const t0 = performance.now();
  log({ type: 'stage-start', stage: 'evaluate', index: 1, total: 3 });
  const data = readPrepared(join(runDir, 'prepared'));
  const test = framesOf(data, 'test');
  if (test.length === 0) throw new InputError('collect: the prepared data have no test record; check data.testRecords');
  const dir = join(runDir, 'evaluation');
  // The evaluate stage's scorer: the same rows, deseasonalised scores and maps as a single run.
  const scorer = createTable1Scorer(data, dir);
  const lsm = Float32Array.from(data.lsm.data);
  const rows: EnsembleTable1Row[] = [scorer('lsm', lsm, { params: null, preset: null })];
  const means: Record<string, Float64Array> = {
    grace: domainMean(data.grace.data, data.grace, data.mask),
    lsm: domainMean(lsm, data.grace, data.mask),
  };
  const sds: Record<string, Float64Array> = {};
  const size = data.grace.shape[1] * data.grace.shape[2];
  for (const model of ensemble.models) {
    const mine = members.filter((m) => m.model === model);
    const infos = mine.map((m) =>
      readJson<Table1RowInfo & { params: number; preset: string }>(join(memberDir(runDir, m), 'model', 'info.json')),
    );
    const predictions = mine.map((m) => readArray<GridStack>(memberDir(runDir, m), 'prediction').data);
    const memberRows = mine.map((m, i) => ({
      seed: m.seed,
      row: scorer(model, predictions[i]!, infos[i]!, { writeMaps: false }),
    }));
    const { mean, spread } = ensembleMeanAndSpread(predictions);
    // The ensemble-mean row writes the maps the report draws. Selection notes differ per seed: the members keep them.
    const { params, preset, backend: trainedOn } = infos[0]!;
    rows.push(ensembleRow(memberRows, scorer(model, mean, { params, preset, backend: trainedOn ?? null })));
    writeArray(join(dir, 'predictions'), model, {
      ...data.grace,
      data: mean,
      attributes: {
        ...data.attributes,
        model,
        seeds: ensemble.seeds.join(' '),
        content: `${model} ensemble-mean reconstruction of GRACE-like TWSA (mm) over seeds ${ensemble.seeds.join(', ')}`,
      },
    } as GridStack);
    writeArray(join(dir, 'spread'), model, {
      ...data.grace,
      data: spread,
      attributes: { ...data.attributes, model, content: `${model} ensemble spread (sd over seeds, mm)` },
    } as GridStack);
    // Mean spread over the test records, per pixel: the ensemble-spread map.
    const mapSpread = new Float32Array(size);
    for (let p = 0; p < size; p++) {
      let s = 0;
      for (const t of test) s += spread[t * size + p]!;
      mapSpread[p] = s / test.length;
    }
    writeArray(join(dir, 'per-pixel'), `${model}-spread`, { ...data.mask, data: mapSpread, units: 'mm' } as Grid);
    means[model] = domainMean(mean, data.grace, data.mask);
    const series = predictions.map((p) => domainMean(p, data.grace, data.mask));
    const sd = new Float64Array(data.records.length);
    for (let t = 0; t < sd.length; t++) {
      const v = series.map((s) => s[t]!);
      const m = v.reduce((a, b) => a + b, 0) / v.length;
      sd[t] = v.length < 2 ? Number.NaN : Math.sqrt(v.reduce((a, b) => a + (b - m) * (b - m), 0) / (v.length - 1));
    }
    sds[model] = sd;
  }
  const table: EnsembleTable1 = {
    rows,
    definition: TABLE1_SCORES_DEFINITION,
    dataSource: data.description,
    twinExperiment: data.twinExperiment,
    seeds: ensemble.seeds,
  };
  writeJsonAtomic(join(dir, 'table1.json'), table);
  writeFileAtomic(join(dir, 'table1.md'), formatEnsembleTable1Markdown(table));
  writeFileAtomic(join(dir, 'table1.csv'), formatEnsembleTable1Csv(table));
  const keys = Object.keys(means);
  const lines = [
    `# nationwide (area-weighted Canada mean) TWSA in mm, models: ensemble mean over seeds ${ensemble.seeds.join(', ')} and its sd; source: ${data.description}${data.twinExperiment ? ' [TWIN EXPERIMENT]' : ''}`,
    ['record', 'year_month', 'split', ...keys.map((k) => `${k}_mm`), ...Object.keys(sds).map((k) => `${k}_sd_mm`)].join(
      ',',
    ),
  ];
  data.records.forEach((r, i) =>
    lines.push(
      [
        r.id,
        r.yearMonth,
        data.splits[i],
        ...keys.map((k) => fmt(means[k]![i]!)),
        ...Object.keys(sds).map((k) => fmt(sds[k]![i]!)),
      ].join(','),
    ),
  );
  writeFileAtomic(join(dir, 'nationwide_series.csv'), lines.join('\n') + '\n');
  // The sd over seeds of each model's nationwide series, per record: the report's band on Fig. 12.
  writeJsonAtomic(join(dir, 'ensemble-series.json'), {
    seeds: ensemble.seeds,
    sd: Object.fromEntries(
      Object.entries(sds).map(([k, v]) => [k, Array.from(v, (x) => (Number.isFinite(x) ? x : null))]),
    ),
  });
  const evaluateSeconds = (performance.now() - t0) / 1000;
  log({ type: 'stage-end', stage: 'evaluate', seconds: evaluateSeconds });

  // Hindcast ensemble: mean and spread of the hindcast model's members.
  const timings: Record<string, number> = { ...json.timings, evaluate: evaluateSeconds };
  const completed = new Set([...json.completedStages, 'train', 'evaluate']);
  const skipped: Record<string, string> = { ...((json['skipped'] as Record<string, string> | undefined) ?? {}) };
  const hindModel = config.hindcast.model;
  const hindMembers = members.filter((m) => m.model === hindModel);
  if (config.hindcast.enabled && hindMembers.every((m) => existsSync(join(memberDir(runDir, m), 'hindcast.json')))) {
    const t1 = performance.now();
    log({ type: 'stage-start', stage: 'hindcast', index: 2, total: 3 });
    await writeHindcastEnsemble(runDir, data, config, hindMembers, json, backend);
    timings['hindcast'] = (performance.now() - t1) / 1000;
    completed.add('hindcast');
    log({ type: 'stage-end', stage: 'hindcast', seconds: timings['hindcast']! });
  } else if (config.hindcast.enabled) {
    skipped['hindcast'] = `the LSM has nothing in the hindcast period ${config.hindcast.start}..${config.hindcast.end}`;
    log({ type: 'stage-skip', stage: 'hindcast', reason: skipped['hindcast'] });
  }
  patchRunJson(runDir, {
    backend,
    timings,
    completedStages: [...completed],
    completedModels: [...ensemble.models],
    skipped,
    ensemble: { ...ensemble, collected: new Date().toISOString() },
  });
  if (config.report.figures || config.report.html) {
    const { runPipeline } = await import('./pipeline.js');
    await runPipeline(config, { resume: runDir, stages: ['report'], engine, log });
  }
  const done = runJsonOf(runDir);
  const allDone =
    ['prepare', 'train', 'evaluate'].every((s) => done.completedStages.includes(s)) &&
    (done.completedStages.includes('hindcast') || !config.hindcast.enabled || skipped['hindcast'] !== undefined) &&
    (done.completedStages.includes('report') || (!config.report.figures && !config.report.html));
  patchRunJson(runDir, { status: allDone ? 'complete' : 'running' });
  return table;
}

async function writeHindcastEnsemble(
  runDir: string,
  data: PreparedData,
  config: PipelineConfig,
  members: readonly MemberId[],
  json: RunJson,
  backend: string,
): Promise<void> {
  const stacks = members.map((m) => readArray<GridStack>(memberDir(runDir, m), 'hindcast'));
  const input = stacks[0]!;
  const { mean, spread } = ensembleMeanAndSpread(stacks.map((s) => s.data));
  const name = config.hindcast.model;
  const months = input.times.map((t) => t.slice(0, 7));
  const ids = months.map((m, i) =>
    months.filter((x) => x === m).length > 1
      ? `${m}${String.fromCharCode(97 + months.slice(0, i).filter((x) => x === m).length)}`
      : m,
  );
  const seeds = members.map((m) => m.seed);
  const attributes: Record<string, string | number> = {
    title: `GRACE-like TWSA hindcast ${months[0]}..${months[months.length - 1]} by ${name}, ensemble mean of ${seeds.length} seeds`,
    source: data.description,
    model: name,
    model_preset: config.models.preset,
    twin_experiment: data.twinExperiment ? 'yes' : 'no',
    software: `@twsa/reconstruct ${json.versions['@twsa/reconstruct'] ?? ''}`.trim(),
    git_commit: json.gitCommit ?? 'unknown',
    seed: config.seed,
    ensemble_seeds: seeds.join(' '),
    backend,
    created: new Date().toISOString(),
    units: 'mm',
    crs: input.crs,
    references: 'Yu et al. (2021), Int. J. Appl. Earth Obs. Geoinf. 102, 102404',
  };
  const dir = join(runDir, 'hindcast');
  const meanStack: GridStack = { ...input, data: mean, units: 'mm', attributes };
  const spreadStack: GridStack = {
    ...input,
    data: spread,
    units: 'mm',
    attributes: { ...attributes, title: `${attributes['title']}: spread (sd over seeds)` },
  };
  writeArray(dir, 'hindcast', meanStack);
  writeArray(dir, 'hindcast-spread', spreadStack);
  const span = `${months[0]}_${months[months.length - 1]}`;
  await writeHindcastNetcdf(meanStack, join(dir, `twsa_hindcast_${name}_${span}.nc`), attributes);
  await writeHindcastNetcdf(spreadStack, join(dir, `twsa_hindcast_${name}_${span}_spread.nc`), spreadStack.attributes!);
  const size = input.shape[1] * input.shape[2];
  if (config.hindcast.geotiffs)
    for (const [k, m] of ids.entries()) {
      const grid: Grid = {
        data: mean.slice(k * size, (k + 1) * size),
        shape: [input.shape[1], input.shape[2]],
        bounds: input.bounds,
        crs: input.crs,
        nodata: Number.NaN,
        units: 'mm',
      };
      await writeHindcastGeoTiff(grid, join(dir, 'geotiff', `twsa_${name}_${m}.tif`), {
        ...attributes,
        month: months[k]!,
        window: input.timeBounds ? input.timeBounds[k]!.join('/') : months[k]!,
      });
    }
  const meanSeries = domainMean(mean, input, data.mask);
  const memberSeries = stacks.map((s) => domainMean(s.data, input, data.mask));
  const lsmInput = hindcastInput(data, config);
  const lsmMean = lsmInput ? domainMean(lsmInput.data, lsmInput, data.mask) : null;
  const lines = [
    `# nationwide (area-weighted Canada mean) TWSA hindcast in mm by ${name}: ensemble mean and sd over seeds ${seeds.join(', ')}; source: ${data.description}; git ${json.gitCommit ?? 'unknown'}${data.twinExperiment ? ' [TWIN EXPERIMENT]' : ''}`,
    'frame,year_month,window_start,window_end,hindcast_mm,hindcast_sd_mm,lsm_mm',
  ];
  ids.forEach((id, i) => {
    const v = memberSeries.map((s) => s[i]!);
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    const sd = v.length < 2 ? Number.NaN : Math.sqrt(v.reduce((a, b) => a + (b - m) * (b - m), 0) / (v.length - 1));
    lines.push(
      `${id},${months[i]},${input.timeBounds ? input.timeBounds[i]!.join(',') : ','},${fmt(meanSeries[i]!)},${fmt(sd)},${lsmMean ? fmt(lsmMean[i]!) : ''}`,
    );
  });
  writeFileAtomic(join(dir, 'nationwide_series.csv'), lines.join('\n') + '\n');
  writeJsonAtomic(join(dir, 'ensemble-series.json'), {
    seeds,
    sd: ids.map((_, i) => {
      const v = memberSeries.map((x) => x[i]!);
      const m = v.reduce((a, b) => a + b, 0) / v.length;
      const sd = v.length < 2 ? Number.NaN : Math.sqrt(v.reduce((a, b) => a + (b - m) * (b - m), 0) / (v.length - 1));
      return Number.isFinite(sd) ? sd : null;
    }),
  });
}

/** Options of {@link startEnsemble} and {@link resumeEnsemble}. */
export interface EnsembleRunOptions {
  readonly executor: ExecutorName;
  /** Local executor: members at once. Default 2. */
  readonly jobs?: number;
  readonly slurm?: SlurmOptions;
  readonly twsa: TwsaCommand;
  readonly engine?: Engine;
  readonly log?: (event: PipelineEvent) => void;
  readonly signal?: AbortSignal;
  readonly run?: CommandRunner;
}

/** What an ensemble run returns: collected (local), or submitted (Slurm). */
export type EnsembleRunResult =
  | { readonly kind: 'collected'; readonly runDir: string; readonly table1: EnsembleTable1 }
  | { readonly kind: 'submitted'; readonly runDir: string; readonly submission: SlurmSubmission }
  | { readonly kind: 'failed'; readonly runDir: string; readonly failed: readonly MemberId[] };

async function dispatch(
  runDir: string,
  todo: readonly MemberId[],
  options: EnsembleRunOptions,
  activeJobs: readonly string[],
): Promise<EnsembleRunResult> {
  if (options.executor === 'slurm') {
    const submission = submitSlurm(runDir, todo, {
      ...(options.slurm ?? {}),
      twsa: options.twsa,
      activeJobs,
      ...(options.run ? { run: options.run } : {}),
    });
    patchRunJson(runDir, { status: 'running' });
    return { kind: 'submitted', runDir, submission };
  }
  const failed = await runMembersLocally(runDir, todo, {
    twsa: options.twsa,
    ...(options.jobs !== undefined ? { jobs: options.jobs } : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (failed.length > 0) {
    patchRunJson(runDir, {
      status: 'failed',
      error: `${failed.length} member(s) failed: ${failed.map(memberKey).join(', ')}; see members/<member>/member.log, then 'twsa run --resume ${runDir}'`,
    });
    return { kind: 'failed', runDir, failed };
  }
  const table1 = await collectEnsemble(runDir, {
    ...(options.engine ? { engine: options.engine } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  return { kind: 'collected', runDir, table1 };
}

/**
 * Starts an ensemble: prepares the data once into a new run folder, records the ensemble in run.json, then runs
 * every member through the executor (local: worker processes, then collect; slurm: submit and return).
 */
export async function startEnsemble(
  config: PipelineConfig,
  out: string,
  options: EnsembleRunOptions & { readonly overwrite?: boolean },
): Promise<EnsembleRunResult> {
  const { runPipeline } = await import('./pipeline.js');
  const prepared = await runPipeline(config, {
    out,
    overwrite: options.overwrite ?? false,
    stages: ['prepare'],
    ...(options.engine ? { engine: options.engine } : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const runDir = prepared.runDir;
  const resolved = prepared.record.config;
  const ensemble: EnsembleRecord = {
    seeds: ensembleSeeds(resolved.seed, resolved.seeds),
    models: [...resolved.models.names],
    executor: options.executor,
    ...(options.executor === 'local' ? { jobs: options.jobs ?? 2 } : {}),
  };
  patchRunJson(runDir, { ensemble, status: 'running' });
  return dispatch(runDir, listMembers(ensemble.models, ensemble.seeds), options, []);
}

/**
 * Continues an ensemble: runs again only the members that are missing or failed (Slurm: cancels the old collect
 * job, submits those members and a new collect job that also waits for members still queued or running), or
 * collects when every member is done.
 */
export async function resumeEnsemble(runDir: string, options: EnsembleRunOptions): Promise<EnsembleRunResult> {
  runDir = resolve(runDir);
  const status = ensembleStatus(runDir, options.run ? { run: options.run } : {});
  const todo = membersToRun(status.members);
  const active = status.members.filter((m) => m.state === 'pending' || m.state === 'running');
  const executor = status.ensemble.executor;
  options.log?.({
    type: 'info',
    message: `resuming ${runDir}: ${todo.length} member(s) to run, ${active.length} queued or running, ${status.members.length - todo.length - active.length} done`,
  });
  if (executor === 'slurm') {
    const run = options.run ?? runCommand;
    const last = status.ensemble.slurm?.submissions.at(-1);
    if (todo.length === 0 && active.length === 0 && status.status === 'complete')
      return { kind: 'collected', runDir, table1: readJson<EnsembleTable1>(join(runDir, 'evaluation', 'table1.json')) };
    if (last && status.collect && status.collect.state !== 'COMPLETED' && status.collect.state !== 'UNKNOWN')
      run('scancel', [last.collectJobId]);
    const activeJobs = [...new Set(active.map((m) => m.task?.jobId).filter((j): j is string => j !== undefined))];
    return dispatch(
      runDir,
      todo,
      { ...options, executor: 'slurm', ...slurmFrom(status.ensemble, options) },
      activeJobs,
    );
  }
  if (active.length > 0)
    throw new InputError(
      `resume: ${active.map((m) => memberKey(m)).join(', ')} still running (${active.map((m) => m.detail).join('; ')}); wait for them or stop them first`,
    );
  return dispatch(runDir, todo, { ...options, executor: 'local' }, []);
}

function slurmFrom(ensemble: EnsembleRecord, options: EnsembleRunOptions): { slurm: SlurmOptions } {
  return { slurm: { ...(ensemble.slurm?.options ?? {}), ...(options.slurm ?? {}) } };
}

/** True when a run folder holds an ensemble (run.json has an `ensemble` record). */
export function isEnsembleRun(runDir: string): boolean {
  try {
    return runJsonOf(resolve(runDir)).ensemble !== undefined;
  } catch {
    return false;
  }
}

export type { MemberStatus };
