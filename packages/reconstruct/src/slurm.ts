/**
 * Slurm scripts and scheduler output, as pure functions: the member array script and the collect script a
 * Slurm ensemble submits, the `sbatch` arguments of each submission (resources per model), and the parsing of
 * `squeue` / `sacct` output into the states of array tasks. Nothing here runs a command.
 */
import type { ModelName, ModelPreset, ProfileName } from './config.js';
import { ConfigError, InputError } from './errors.js';

/** A value for every model, or one per model (`"12:00:00"` or `{ dcae: "24:00:00", seunet: "4:00:00" }`). */
export type PerModel<T> = T | Readonly<Partial<Record<ModelName, T>>>;

/** The `--slurm-*` options of `twsa run --executor slurm`. */
export interface SlurmOptions {
  /** `--partition`; default: the cluster's default partition. */
  readonly partition?: string;
  /** `--account` (required on most national clusters). */
  readonly account?: string;
  /** Wall-time limit per member, `[D-]HH:MM:SS`; default from the profile and model ({@link defaultMemberResources}). */
  readonly time?: PerModel<string>;
  /** GPUs per member (`--gpus-per-task`); 0 or absent = none. */
  readonly gpus?: number;
  /** Memory per member (`--mem`, e.g. `"8G"`); default from the preset and model. */
  readonly mem?: PerModel<string>;
  /** CPU cores per member (`--cpus-per-task`). Default 1. */
  readonly cpusPerTask?: number;
}

/** The resources one member of a model asks for. */
export interface MemberResources {
  readonly cpusPerTask: number;
  /** `--mem` value (`"4G"`). */
  readonly mem: string;
  /** `--time` value (`"01:00:00"`). */
  readonly time: string;
  /** GPUs per task (0 = none). */
  readonly gpus: number;
}

const TIME_RE = /^(?:(\d+)-)?(\d{1,2}):(\d{2}):(\d{2})$/;
const MEM_RE = /^\d+[KMGT]?$/;

/** Seconds of a Slurm time `[D-]HH:MM:SS`. @throws {@link ConfigError} when it is not one. */
export function slurmTimeSeconds(time: string, key = 'slurm.time'): number {
  const m = TIME_RE.exec(time);
  if (!m || Number(m[3]) > 59 || Number(m[4]) > 59)
    throw new ConfigError(key, `expected a Slurm time [D-]HH:MM:SS, got "${time}"`);
  return Number(m[1] ?? 0) * 86400 + Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]);
}

/**
 * Default wall time and memory of one member. Wall time: the smoke profile trains for seconds (10 min);
 * quick trains a model in 3–25 min on 2 WASM cores (2 h); paper is about three days a member on 2 CPU cores
 * (3-00:00:00; with a GPU, ask for less with `--slurm-time`). Memory: the presets' weights, optimizer state and
 * activations (paper DCAE/Pix2Pix hold 76 M / 35 M parameters) with room for the prepared data.
 */
export function defaultMemberResources(model: ModelName, profile: ProfileName, preset: ModelPreset): MemberResources {
  const time = profile === 'smoke' ? '00:10:00' : profile === 'quick' ? '02:00:00' : '3-00:00:00';
  const big = model === 'dcae' || model === 'pix2pix';
  const mem = preset === 'paper' ? (big ? '16G' : '8G') : preset === 'cpu' ? '4G' : '2G';
  return { cpusPerTask: 1, mem, time, gpus: 0 };
}

function pick<T>(value: PerModel<T> | undefined, model: ModelName): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'object' && value !== null) return (value as Partial<Record<ModelName, T>>)[model];
  return value as T;
}

/**
 * Checks every value of the Slurm options (each model's time and memory, GPUs, cores) before anything runs.
 * @throws {@link ConfigError} naming the first bad value.
 */
export function validateSlurmOptions(options: SlurmOptions): void {
  const values = <T>(v: PerModel<T> | undefined): T[] =>
    v === undefined ? [] : typeof v === 'object' && v !== null ? (Object.values(v) as T[]) : [v as T];
  for (const t of values(options.time)) slurmTimeSeconds(t);
  for (const m of values(options.mem))
    if (!MEM_RE.test(m))
      throw new ConfigError('slurm.mem', `expected a Slurm memory size like 4G or 4000M, got "${m}"`);
  if (options.gpus !== undefined && (!Number.isInteger(options.gpus) || options.gpus < 0))
    throw new ConfigError('slurm.gpus', `expected an integer ≥ 0, got ${options.gpus}`);
  if (options.cpusPerTask !== undefined && (!Number.isInteger(options.cpusPerTask) || options.cpusPerTask < 1))
    throw new ConfigError('slurm.cpusPerTask', `expected an integer ≥ 1, got ${options.cpusPerTask}`);
}

/** The resources of `model`'s members: the options where given, else {@link defaultMemberResources}. */
export function memberResources(
  model: ModelName,
  profile: ProfileName,
  preset: ModelPreset,
  options: SlurmOptions = {},
): MemberResources {
  const d = defaultMemberResources(model, profile, preset);
  const time = pick(options.time, model) ?? d.time;
  slurmTimeSeconds(time);
  const mem = pick(options.mem, model) ?? d.mem;
  if (!MEM_RE.test(mem))
    throw new ConfigError('slurm.mem', `expected a Slurm memory size like 4G or 4000M, got "${mem}"`);
  const gpus = options.gpus ?? 0;
  if (!Number.isInteger(gpus) || gpus < 0) throw new ConfigError('slurm.gpus', `expected an integer ≥ 0, got ${gpus}`);
  const cpus = options.cpusPerTask ?? d.cpusPerTask;
  if (!Number.isInteger(cpus) || cpus < 1)
    throw new ConfigError('slurm.cpusPerTask', `expected an integer ≥ 1, got ${cpus}`);
  return { cpusPerTask: cpus, mem, time, gpus };
}

/**
 * Parses a `--slurm-time` / `--slurm-mem` flag: one value for every model, or `model=value` pairs separated by
 * commas (`dcae=24:00:00,seunet=4:00:00`).
 * @throws {@link ConfigError} on an unknown model name or an empty value.
 */
export function parsePerModel(text: string, key: string, models: readonly string[]): PerModel<string> {
  if (!text.includes('=')) {
    if (text.trim() === '') throw new ConfigError(key, 'expected a value');
    return text.trim();
  }
  const out: Partial<Record<ModelName, string>> = {};
  for (const part of text.split(',')) {
    const [name, value] = part.split('=').map((s) => s.trim());
    if (!name || !value) throw new ConfigError(key, `expected model=value pairs, got "${part}"`);
    if (!models.includes(name)) throw new ConfigError(key, `unknown model "${name}" (expected ${models.join(', ')})`);
    out[name as ModelName] = value;
  }
  return out;
}

/** How a job script starts `twsa`: the node binary and the arguments before the command (`member`, `collect`). */
export interface TwsaCommand {
  /** Absolute path of the node binary. */
  readonly node: string;
  /** Arguments before the twsa command, e.g. `["/opt/twsa/dist/cli.js"]`. */
  readonly args: readonly string[];
}

/** Quotes a word for bash (single quotes unless it is plainly safe). */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** What {@link membersScript} writes. */
export interface MembersScriptInput {
  /** Absolute run folder (on a file system every node sees). */
  readonly runDir: string;
  /** The seeds in array-task order: task `k` trains seed `seeds[k]`. */
  readonly seeds: readonly number[];
  readonly twsa: TwsaCommand;
  /** Seconds before the time limit at which the script checkpoints and requeues the task. Default 300. */
  readonly graceSeconds?: number;
}

/**
 * The member array script (`<run>/slurm/members.sbatch`). One array task per seed; it is submitted once per model
 * with that model's resources and `--array` on the `sbatch` command line (see {@link memberSubmitArgs}), the
 * model as its argument. The task runs `twsa member <run> --model M --seed S`. Preemption (SIGTERM, the job is
 * `--requeue`d) and the time limit (USR1 `graceSeconds` before it) both make the member checkpoint and stop; on
 * the time limit the script then requeues its own task, so the member continues from the checkpoint.
 */
export function membersScript(input: MembersScriptInput): string {
  const grace = input.graceSeconds ?? 300;
  if (input.seeds.length === 0) throw new InputError('membersScript: no seed');
  const cmd = [input.twsa.node, ...input.twsa.args].map(shellQuote).join(' ');
  return `#!/bin/bash
# twsa ensemble members: one array task per seed of one model (the argument). Submitted once per model by
# 'twsa run --executor slurm' with that model's resources (see submit.sh beside this file); rerun the members
# that are missing or failed with 'twsa run --resume ${input.runDir}'.
#SBATCH --requeue
#SBATCH --open-mode=append
#SBATCH --signal=B:USR1@${grace}
#SBATCH --chdir=${shellQuote(input.runDir)}
set -uo pipefail
model="\${1:?usage: members.sbatch MODEL}"
seeds=(${input.seeds.join(' ')})
seed="\${seeds[\${SLURM_ARRAY_TASK_ID:?not an array task}]}"
echo "twsa member: \${model} seed \${seed}, array task \${SLURM_ARRAY_JOB_ID}_\${SLURM_ARRAY_TASK_ID} (job \${SLURM_JOB_ID}, restart \${SLURM_RESTART_COUNT:-0}) on $(hostname) at $(date -Is)"
${cmd} member ${shellQuote(input.runDir)} --model "\${model}" --seed "\${seed}" --quiet &
pid=$!
requeue=0
# Time limit near: the member writes a checkpoint and stops, then this task goes back to the queue.
trap 'requeue=1; kill -TERM "$pid" 2>/dev/null' USR1
# Preemption or scancel: pass SIGTERM on; with --requeue Slurm puts the task back in the queue itself.
trap 'kill -TERM "$pid" 2>/dev/null' TERM
rc=0
while :; do
  wait "$pid"
  rc=$?
  kill -0 "$pid" 2>/dev/null || break
done
if [ "$requeue" = 1 ]; then
  echo "twsa member: checkpointed before the time limit; requeueing \${SLURM_ARRAY_JOB_ID}_\${SLURM_ARRAY_TASK_ID}"
  scontrol requeue "\${SLURM_ARRAY_JOB_ID}_\${SLURM_ARRAY_TASK_ID}"
fi
exit "$rc"
`;
}

/** What {@link collectScript} writes. */
export interface CollectScriptInput {
  readonly runDir: string;
  readonly twsa: TwsaCommand;
}

/** The collect script (`<run>/slurm/collect.sbatch`): runs `twsa collect <run>` once every member has finished. */
export function collectScript(input: CollectScriptInput): string {
  const cmd = [input.twsa.node, ...input.twsa.args].map(shellQuote).join(' ');
  return `#!/bin/bash
# twsa ensemble collect: Table 1 (mean ± sd over seeds and the ensemble-mean scores), the ensemble mean and
# spread, the hindcast ensemble and the report. Submitted with --dependency=afterok on every member array job.
#SBATCH --chdir=${shellQuote(input.runDir)}
set -uo pipefail
echo "twsa collect: job \${SLURM_JOB_ID} on $(hostname) at $(date -Is)"
exec ${cmd} collect ${shellQuote(input.runDir)} --quiet
`;
}

/**
 * Compresses array indexes into Slurm's `--array` syntax: `[0,1,2,5]` → `"0-2,5"`.
 * @throws {@link InputError} on an empty list or a negative or non-integer index.
 */
export function arraySpec(indexes: readonly number[]): string {
  if (indexes.length === 0) throw new InputError('arraySpec: no array index');
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  if (sorted.some((i) => !Number.isInteger(i) || i < 0)) throw new InputError(`arraySpec: bad index in ${indexes}`);
  const parts: string[] = [];
  let start = sorted[0]!;
  let prev = start;
  for (const i of [...sorted.slice(1), Number.NaN]) {
    if (i === prev + 1) {
      prev = i;
      continue;
    }
    parts.push(start === prev ? `${start}` : `${start}-${prev}`);
    start = prev = i;
  }
  return parts.join(',');
}

/** Options common to every submission of one run. */
export interface SubmitCommon {
  readonly runDir: string;
  readonly partition?: string;
  readonly account?: string;
}

function commonArgs(o: SubmitCommon): string[] {
  return [...(o.partition ? [`--partition=${o.partition}`] : []), ...(o.account ? [`--account=${o.account}`] : [])];
}

/** `sbatch` arguments (after `sbatch`) that submit the array of one model's members. */
export function memberSubmitArgs(
  o: SubmitCommon & {
    readonly model: ModelName;
    readonly indexes: readonly number[];
    readonly resources: MemberResources;
    /** How many of this array's tasks may run at once (`%N`); absent = as many as the scheduler allows. */
    readonly maxParallel?: number;
  },
): string[] {
  const r = o.resources;
  return [
    '--parsable',
    `--job-name=twsa-${o.model}`,
    `--array=${arraySpec(o.indexes)}${o.maxParallel ? `%${o.maxParallel}` : ''}`,
    ...commonArgs(o),
    `--cpus-per-task=${r.cpusPerTask}`,
    `--mem=${r.mem}`,
    `--time=${r.time}`,
    ...(r.gpus > 0 ? [`--gpus-per-task=${r.gpus}`] : []),
    `--output=${o.runDir}/slurm/logs/${o.model}_%A_%a.out`,
    `${o.runDir}/slurm/members.sbatch`,
    o.model,
  ];
}

/** `sbatch` arguments that submit the collect job after the member arrays `dependsOn` succeed. */
export function collectSubmitArgs(
  o: SubmitCommon & { readonly dependsOn: readonly string[]; readonly time?: string; readonly mem?: string },
): string[] {
  return [
    '--parsable',
    '--job-name=twsa-collect',
    ...(o.dependsOn.length ? [`--dependency=afterok:${o.dependsOn.join(':')}`] : []),
    '--kill-on-invalid-dep=no',
    ...commonArgs(o),
    '--cpus-per-task=1',
    `--mem=${o.mem ?? '4G'}`,
    `--time=${o.time ?? '01:00:00'}`,
    `--output=${o.runDir}/slurm/logs/collect_%j.out`,
    `${o.runDir}/slurm/collect.sbatch`,
  ];
}

/**
 * The job id in `sbatch --parsable` output (`"1234"` or `"1234;cluster"`).
 * @throws {@link InputError} when the output holds no job id.
 */
export function parseSbatchParsable(stdout: string): string {
  const line = stdout.trim().split('\n').pop() ?? '';
  const m = /^(\d+)(?:;\S+)?$/.exec(line.trim());
  if (!m) throw new InputError(`sbatch --parsable printed no job id: "${stdout.trim()}"`);
  return m[1]!;
}

/** Scheduler state of one job or array task, as `squeue`/`sacct` report it. */
export interface SchedulerTask {
  /** The job id (array job id for array tasks). */
  readonly jobId: string;
  /** Array task index; `null` for a job that is not an array. */
  readonly taskId: number | null;
  /** Slurm state without qualifiers: `PENDING`, `RUNNING`, `COMPLETED`, `FAILED`, `TIMEOUT`, `CANCELLED`, … */
  readonly state: string;
  /** squeue: the reason (`Resources`, `Dependency`, …); sacct: the exit code `rc:signal`. */
  readonly detail: string;
  /** Elapsed time as printed. */
  readonly elapsed: string;
  readonly nodes: string;
}

/** Expands an array task field: `"3"`, `"[0-2,5]"`, `"[0-9%2]"`. */
function expandTaskIds(field: string): number[] {
  const body = field.replace(/^\[|\]$/g, '').replace(/%\d+$/, '');
  const out: number[] = [];
  for (const part of body.split(',')) {
    const m = /^(\d+)(?:-(\d+))?(?::(\d+))?$/.exec(part);
    if (!m) continue;
    const a = Number(m[1]);
    const b = m[2] !== undefined ? Number(m[2]) : a;
    const step = m[3] !== undefined ? Number(m[3]) : 1;
    for (let i = a; i <= b; i += step) out.push(i);
  }
  return out;
}

/** Splits a job id field (`"12"`, `"12_3"`, `"12_[0-4]"`, `"12.batch"`) into job and tasks; null for steps. */
function splitJobId(field: string): { jobId: string; taskIds: (number | null)[] } | null {
  if (/\.\w+$/.test(field)) return null; // a job step (12.batch, 12_3.extern)
  const m = /^(\d+)(?:_(.+))?$/.exec(field);
  if (!m) return null;
  if (m[2] === undefined) return { jobId: m[1]!, taskIds: [null] };
  return { jobId: m[1]!, taskIds: expandTaskIds(m[2]) };
}

/** The `squeue` format {@link parseSqueue} reads: `squeue -h -r --states=all -o <this> -j <ids>`. */
export const SQUEUE_FORMAT = '%i|%T|%r|%M|%N';
/** The `sacct` fields {@link parseSacct} reads: `sacct -n -P -X -o <this> -j <ids>`. */
export const SACCT_FIELDS = 'JobID,State,ExitCode,Elapsed,NodeList';

function parsePipeLines(text: string, detailIndex: number): SchedulerTask[] {
  const out: SchedulerTask[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const f = line.split('|');
    if (f.length < 3) continue;
    const id = splitJobId(f[0]!);
    if (!id) continue;
    const state = (f[1] ?? '').split(/\s+/)[0]!.replace(/\+$/, '').toUpperCase();
    for (const taskId of id.taskIds)
      out.push({
        jobId: id.jobId,
        taskId,
        state,
        detail: f[detailIndex] ?? '',
        elapsed: f[3] ?? '',
        nodes: f[4] ?? '',
      });
  }
  return out;
}

/**
 * Parses `squeue -h -r --states=all -o '%i|%T|%r|%M|%N'` into one entry per array task (pending arrays that
 * squeue still prints as `12_[0-4]` are expanded).
 */
export function parseSqueue(text: string): SchedulerTask[] {
  return parsePipeLines(text, 2);
}

/**
 * Parses `sacct -n -P -X -o JobID,State,ExitCode,Elapsed,NodeList` (job allocations only; steps are ignored).
 * `CANCELLED by 0` becomes `CANCELLED`; the exit code goes into `detail`.
 */
export function parseSacct(text: string): SchedulerTask[] {
  return parsePipeLines(text, 2);
}

/** States in which a task will still run (or is running). */
export const ACTIVE_STATES: ReadonlySet<string> = new Set([
  'PENDING',
  'CONFIGURING',
  'RUNNING',
  'COMPLETING',
  'REQUEUED',
  'REQUEUE_FED',
  'REQUEUE_HOLD',
  'RESIZING',
  'SUSPENDED',
  'STOPPED',
  'SIGNALING',
  'STAGE_OUT',
  'RESV_DEL_HOLD',
  'PREEMPTED',
]);
/** States in which a task ended without success. */
export const FAILED_STATES: ReadonlySet<string> = new Set([
  'FAILED',
  'TIMEOUT',
  'CANCELLED',
  'NODE_FAIL',
  'OUT_OF_MEMORY',
  'BOOT_FAIL',
  'DEADLINE',
  'REVOKED',
  'SPECIAL_EXIT',
]);

/**
 * Merges scheduler reports, later ones winning per task (pass sacct first, then squeue: squeue is current
 * for jobs it still knows), keyed `"<jobId>_<taskId>"` (or the job id).
 */
export function mergeSchedulerTasks(...lists: readonly (readonly SchedulerTask[])[]): Map<string, SchedulerTask> {
  const out = new Map<string, SchedulerTask>();
  for (const list of lists) for (const t of list) out.set(t.taskId === null ? t.jobId : `${t.jobId}_${t.taskId}`, t);
  return out;
}
