import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ensembleSeeds,
  formatMemberStatuses,
  listMembers,
  memberDir,
  memberKey,
  memberState,
  memberStatuses,
  membersToRun,
  type MemberRecord,
} from './ensemble.js';
import { mergeSchedulerTasks, parseSqueue, type SchedulerTask } from './slurm.js';

const rec = (over: Partial<MemberRecord>): MemberRecord => ({
  model: 'seunet',
  seed: 42,
  status: 'running',
  started: '2026-01-01T00:00:00Z',
  updated: '2026-01-01T00:00:00Z',
  host: 'h',
  pid: 1,
  ...over,
});
const task = (state: string, detail = ''): SchedulerTask => ({
  jobId: '9',
  taskId: 0,
  state,
  detail,
  elapsed: '0:05',
  nodes: 'n1',
});
const never = (): boolean | null => null;

describe('members', () => {
  test('seeds count up from the run seed; members are model by model', () => {
    expect(ensembleSeeds(42, 3)).toEqual([42, 43, 44]);
    expect(() => ensembleSeeds(42, 0)).toThrow(/seeds: expected an integer ≥ 1/);
    expect(listMembers(['seunet', 'dcae'], [1, 2]).map(memberKey)).toEqual([
      'seunet-s1',
      'seunet-s2',
      'dcae-s1',
      'dcae-s2',
    ]);
    expect(memberDir('/r', { model: 'dcae', seed: 7 })).toBe('/r/members/dcae-s7');
  });

  test('state from the record and the scheduler', () => {
    expect(memberState(rec({ status: 'done', seconds: 12.4 }), task('FAILED'), never)).toEqual({
      state: 'done',
      detail: '12 s',
    });
    expect(memberState(null, task('PENDING', 'Resources'), never).state).toBe('pending');
    expect(memberState(rec({ status: 'aborted' }), task('REQUEUED'), never).state).toBe('pending');
    expect(memberState(rec({}), task('RUNNING'), never)).toEqual({ state: 'running', detail: 'running 0:05 on n1' });
    expect(memberState(rec({ status: 'aborted', error: 'SIGTERM' }), task('TIMEOUT', '0:0'), never)).toEqual({
      state: 'failed',
      detail: 'TIMEOUT (0:0): SIGTERM',
    });
    expect(memberState(null, task('COMPLETED', '0:0'), never).state).toBe('failed');
    expect(memberState(null, undefined, never)).toEqual({ state: 'missing', detail: 'not run' });
    expect(memberState(rec({ status: 'failed', error: 'boom' }), undefined, never)).toEqual({
      state: 'failed',
      detail: 'boom',
    });
    expect(memberState(rec({}), undefined, () => false).state).toBe('failed');
    expect(memberState(rec({}), undefined, () => true).state).toBe('running');
  });

  test('statuses of a run folder, and which members a resume reruns', () => {
    const run = mkdtempSync(join(tmpdir(), 'twsa-ens-'));
    try {
      const members = listMembers(['seunet', 'dcae'], [42, 43]);
      const write = (i: number, r: Partial<MemberRecord>): void => {
        const m = members[i]!;
        mkdirSync(memberDir(run, m), { recursive: true });
        writeFileSync(join(memberDir(run, m), 'member.json'), JSON.stringify(rec({ ...m, ...r })));
      };
      write(0, { status: 'done', seconds: 3 });
      write(1, { status: 'failed', error: 'Error: out of memory' });
      write(2, { status: 'running' });
      const tasks = mergeSchedulerTasks(parseSqueue('31_0|RUNNING|None|0:30|vm\n31_1|PENDING|Resources|0:00|'));
      const jobs: Record<string, string> = { dcae: '31' };
      const statuses = memberStatuses(
        run,
        members,
        tasks,
        (m) => (jobs[m.model] ? { jobId: jobs[m.model]!, taskId: [42, 43].indexOf(m.seed) } : undefined),
        never,
      );
      expect(statuses.map((s) => s.state)).toEqual(['done', 'failed', 'running', 'pending']);
      expect(membersToRun(statuses)).toEqual([{ model: 'seunet', seed: 43 }]);
      const text = formatMemberStatuses(statuses);
      expect(text).toContain('31_0');
      expect(text.trim().split('\n').pop()).toBe('4 members: 1 done, 1 running, 1 pending, 1 failed');
    } finally {
      rmSync(run, { recursive: true, force: true });
    }
  });
});
