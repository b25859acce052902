/**
 * Seed ensembles: which members a run has (one per model × seed), where each keeps its outputs in the run folder,
 * and what state each is in — from its own record in the run folder and, for a Slurm run, the scheduler's.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelName } from './config.js';
import { ConfigError } from './errors.js';
import { readJson } from './run-folder.js';
import { ACTIVE_STATES, FAILED_STATES, type SchedulerTask } from './slurm.js';

/** One unit of an ensemble: one model trained with one seed. */
export interface MemberId {
  readonly model: ModelName;
  readonly seed: number;
}

/** Folder name of a member under `<run>/members/`: `"seunet-s42"`. */
export function memberKey(m: MemberId): string {
  return `${m.model}-s${m.seed}`;
}

/** The member folder: `<run>/members/<model>-s<seed>`. */
export function memberDir(runDir: string, m: MemberId): string {
  return join(runDir, 'members', memberKey(m));
}

/**
 * The seeds of an ensemble of `count` members starting at `seed`: `seed, seed + 1, …`. One seed (`count` 1) is
 * the single run, whose member seed is the run's seed.
 * @throws {@link ConfigError} when `count` is not an integer ≥ 1.
 */
export function ensembleSeeds(seed: number, count: number): number[] {
  if (!Number.isInteger(count) || count < 1) throw new ConfigError('seeds', `expected an integer ≥ 1, got ${count}`);
  return Array.from({ length: count }, (_, k) => seed + k);
}

/** Every member of an ensemble, model by model, seeds in order (the order the local executor runs them). */
export function listMembers(models: readonly ModelName[], seeds: readonly number[]): MemberId[] {
  return models.flatMap((model) => seeds.map((seed) => ({ model, seed })));
}

/** What a member writes into `<member>/member.json` (rewritten at start, end and failure). */
export interface MemberRecord {
  readonly model: ModelName;
  readonly seed: number;
  readonly status: 'running' | 'done' | 'failed' | 'aborted';
  readonly started: string;
  readonly updated: string;
  /** Host and pid of the process that ran (or runs) it. */
  readonly host: string;
  readonly pid: number;
  /** The Slurm array task that ran it (`"<arrayJobId>_<taskId>"`), when it ran under Slurm. */
  readonly slurmTask?: string;
  /** Restarts of that task (`SLURM_RESTART_COUNT`: preemptions and time-limit requeues). */
  readonly slurmRestarts?: number;
  /** The epoch of the checkpoint this attempt continued from (absent when it started fresh). */
  readonly resumedFromEpoch?: number;
  /** Seconds spent training, predicting and writing (this attempt). */
  readonly seconds?: number;
  /** Epochs trained (the model's info). */
  readonly epochs?: number;
  readonly backend?: string | null;
  readonly error?: string;
}

/** Reads a member's record, or null when it has none (never started) or it is unreadable. */
export function readMemberRecord(runDir: string, m: MemberId): MemberRecord | null {
  const file = join(memberDir(runDir, m), 'member.json');
  if (!existsSync(file)) return null;
  try {
    return readJson<MemberRecord>(file);
  } catch {
    return null;
  }
}

/** The state `twsa status` shows for a member. */
export type MemberState = 'missing' | 'pending' | 'running' | 'done' | 'failed';

/** A member with its state and why. */
export interface MemberStatus extends MemberId {
  readonly state: MemberState;
  /** One line: the scheduler state and reason, the exit code, or the error. */
  readonly detail: string;
  /** The scheduler task, when known. */
  readonly task?: SchedulerTask;
  readonly record: MemberRecord | null;
}

/** Where the scheduler put a member: the array job id of its model and its task index (= its seed's index). */
export interface MemberTaskRef {
  readonly jobId: string;
  readonly taskId: number;
}

/**
 * The state of one member, from its record and (Slurm runs) its array task:
 * - `done`: the member wrote its outputs (record `done`), whatever the scheduler says;
 * - `pending` / `running`: the scheduler has the task queued (or requeued) / running;
 * - `failed`: the task ended FAILED/TIMEOUT/CANCELLED/…, or COMPLETED without the member's outputs, or the member
 *   recorded a failure and no task will run it again, or a local member's process is gone;
 * - `missing`: nothing ran it yet and nothing will.
 * @param alive - tells whether a local pid on this host still runs (for records left `running` by a dead process).
 */
export function memberState(
  record: MemberRecord | null,
  task: SchedulerTask | undefined,
  alive: (host: string, pid: number) => boolean | null,
): { state: MemberState; detail: string } {
  if (record?.status === 'done')
    return { state: 'done', detail: `${record.seconds !== undefined ? `${Math.round(record.seconds)} s` : 'done'}` };
  if (task !== undefined) {
    const where = task.nodes ? ` on ${task.nodes}` : '';
    if (task.state === 'PENDING' || task.state === 'REQUEUED' || task.state === 'CONFIGURING')
      return { state: 'pending', detail: `${task.state.toLowerCase()} (${task.detail || 'queued'})` };
    if (ACTIVE_STATES.has(task.state)) {
      const last = record?.status === 'aborted' ? ', resuming from its checkpoint' : '';
      return { state: 'running', detail: `${task.state.toLowerCase()} ${task.elapsed}${where}${last}`.trim() };
    }
    if (FAILED_STATES.has(task.state))
      return {
        state: 'failed',
        detail: `${task.state}${task.detail && task.detail !== 'None' ? ` (${task.detail})` : ''}${record?.error ? `: ${record.error}` : ''}`,
      };
    if (task.state === 'COMPLETED')
      return { state: 'failed', detail: 'the task completed but the member wrote no result' };
  }
  if (record === null) return { state: 'missing', detail: 'not run' };
  if (record.status === 'failed') return { state: 'failed', detail: record.error ?? 'failed' };
  if (record.status === 'aborted')
    return { state: 'failed', detail: `stopped (checkpoint kept): ${record.error ?? 'aborted'}` };
  const running = alive(record.host, record.pid);
  if (running === false) return { state: 'failed', detail: `its process ${record.pid} on ${record.host} is gone` };
  return { state: 'running', detail: `pid ${record.pid} on ${record.host}` };
}

/**
 * The state of every member of a run.
 * @param tasks - the scheduler's tasks keyed `"<jobId>_<taskId>"` (from {@link mergeSchedulerTasks}); empty when
 *   the run is local or the scheduler no longer knows the jobs.
 * @param taskOf - the array task of a member, when it was submitted.
 */
export function memberStatuses(
  runDir: string,
  members: readonly MemberId[],
  tasks: ReadonlyMap<string, SchedulerTask>,
  taskOf: (m: MemberId) => MemberTaskRef | undefined,
  alive: (host: string, pid: number) => boolean | null,
): MemberStatus[] {
  return members.map((m) => {
    const record = readMemberRecord(runDir, m);
    const ref = taskOf(m);
    const task = ref ? tasks.get(`${ref.jobId}_${ref.taskId}`) : undefined;
    let s = memberState(record, task, alive);
    if (s.state === 'missing' && ref !== undefined)
      s = {
        state: 'missing',
        detail: `the scheduler has no record of ${ref.jobId}_${ref.taskId} (cancelled before it started?)`,
      };
    return { ...m, ...s, record, ...(task ? { task } : {}) };
  });
}

/** Members that `--resume` must run again: every one neither done, pending nor running. */
export function membersToRun(statuses: readonly MemberStatus[]): MemberId[] {
  return statuses
    .filter((s) => s.state === 'missing' || s.state === 'failed')
    .map(({ model, seed }) => ({ model, seed }));
}

/** Counts per state, in display order. */
export function countStates(statuses: readonly MemberStatus[]): Record<MemberState, number> {
  const out: Record<MemberState, number> = { done: 0, running: 0, pending: 0, failed: 0, missing: 0 };
  for (const s of statuses) out[s.state]++;
  return out;
}

/** Member folders present under `<run>/members/` (e.g. to spot members of seeds the run no longer lists). */
export function memberFolders(runDir: string): string[] {
  const dir = join(runDir, 'members');
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

/**
 * The `twsa status` table: one line per member, then the counts.
 * @example
 * ```ts
 * formatMemberStatuses([]).endsWith("0 members\n"); // => true
 * ```
 */
export function formatMemberStatuses(statuses: readonly MemberStatus[]): string {
  const lines = statuses.map(
    (s) =>
      `${s.model.padEnd(9)} seed ${String(s.seed).padEnd(6)} ${s.state.padEnd(8)} ${s.task ? `${s.task.jobId}_${s.task.taskId}`.padEnd(10) : ''.padEnd(10)} ${s.detail}`,
  );
  const c = countStates(statuses);
  const parts = (Object.keys(c) as MemberState[]).filter((k) => c[k] > 0).map((k) => `${c[k]} ${k}`);
  lines.push(`${statuses.length} members${parts.length ? `: ${parts.join(', ')}` : ''}`);
  return lines.join('\n') + '\n';
}
