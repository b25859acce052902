// Seed ensembles without tfjs or a scheduler: members and collect with the fake engine (a seed-dependent linear
// model), and the Slurm executor against a scripted sbatch/squeue/sacct.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../src/config.js';
import {
  collectEnsemble,
  ensembleStatus,
  formatEnsembleStatus,
  resumeEnsemble,
  runMember,
  runMembersLocally,
  submitSlurm,
  type CommandRunner,
} from '../src/ensemble-run.js';
import type { EnsembleTable1 } from '../src/ensemble-table1.js';
import { isReconstructError } from '../src/errors.js';
import { runPipeline } from '../src/pipeline.js';
import { fakeEngine } from './fake-engine.js';

/** The fake engine, with members that differ by seed: each predicts the linear fit plus (seed − 42) mm. */
function seededEngine(): ReturnType<typeof fakeEngine> {
  const base = fakeEngine();
  const shift = (m: Awaited<ReturnType<typeof base.train>>, d: number): typeof m => ({
    ...m,
    predict: async (lsm, ctx) => (await m.predict(lsm, ctx)).map((v) => v + d),
    dispose: () => m.dispose(),
  });
  return {
    ...base,
    train: async (req) => shift(await base.train(req), req.config.seed - 42),
  };
}

const config = resolveConfig({
  profile: 'smoke',
  seeds: 2,
  models: { names: ['seunet', 'dcae'] },
  report: { figures: true, html: true },
});

async function preparedRun(dir: string): Promise<string> {
  const r = await runPipeline(config, { out: join(dir, 'run'), stages: ['prepare'], engine: seededEngine() });
  return r.runDir;
}

describe('ensemble members and collect', () => {
  const dir = mkdtempSync(join(tmpdir(), 'twsa-ens-run-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('members write their outputs; collect gives mean ± sd over seeds and the ensemble-mean scores', async () => {
    const run = await preparedRun(dir);
    const engine = seededEngine();
    // Before its members ran, collect refuses and names them.
    await expect(collectEnsemble(run, { engine })).rejects.toThrow(/4 member\(s\) not done \(seunet-s42, seunet-s43/);
    for (const model of ['seunet', 'dcae'] as const)
      for (const seed of [42, 43]) {
        const rec = await runMember(
          run,
          { model, seed },
          { engine, env: { SLURM_ARRAY_JOB_ID: '7', SLURM_ARRAY_TASK_ID: String(seed - 42) } },
        );
        expect(rec).toMatchObject({ status: 'done', model, seed, slurmTask: `7_${seed - 42}` });
        expect(existsSync(join(run, 'members', `${model}-s${seed}`, 'prediction.f32'))).toBe(true);
      }
    expect(existsSync(join(run, 'members', 'dcae-s42', 'hindcast.f32'))).toBe(true);
    expect(existsSync(join(run, 'members', 'seunet-s42', 'hindcast.f32'))).toBe(false);
    // A done member is not trained again.
    const before = engine.trained.length;
    await runMember(run, { model: 'seunet', seed: 42 }, { engine });
    expect(engine.trained.length).toBe(before);
    await expect(runMember(run, { model: 'seunet', seed: 44 }, { engine })).rejects.toThrow(/seeds are 42, 43, not 44/);

    const table = await collectEnsemble(run, { engine });
    expect(table.seeds).toEqual([42, 43]);
    expect(table.rows.map((r) => r.key)).toEqual(['lsm', 'seunet', 'dcae']);
    const seunet = table.rows[1]!;
    const m = seunet.ensemble!.members;
    expect(m.map((x) => x.seed)).toEqual([42, 43]);
    expect(seunet.rmseMm).toBeCloseTo(((m[0]!['rmseMm'] as number) + (m[1]!['rmseMm'] as number)) / 2, 10);
    expect(seunet.ensemble!.sd['rmseMm']).toBeGreaterThan(0);
    expect(typeof seunet.ensemble!.ensembleMean['cc']).toBe('number');
    const stored = JSON.parse(readFileSync(join(run, 'evaluation', 'table1.json'), 'utf8')) as EnsembleTable1;
    expect(stored.rows[1]!.ensemble!.seeds).toEqual([42, 43]);
    expect(readFileSync(join(run, 'evaluation', 'table1.md'), 'utf8')).toMatch(
      /\| SEUNet \(fake\) \| fake \| 288 \| [\d.]+ ± [\d.]+ \| 64 \| [\d.]+ ± [\d.]+ \| 0\.96 \|/,
    );
    for (const f of [
      'predictions/seunet.f32',
      'spread/seunet.f32',
      'per-pixel/seunet-spread.f32',
      'per-pixel/dcae-cc.f32',
    ])
      expect(existsSync(join(run, 'evaluation', f))).toBe(true);
    const series = readFileSync(join(run, 'evaluation', 'nationwide_series.csv'), 'utf8').split('\n');
    expect(series[1]).toBe('record,year_month,split,grace_mm,lsm_mm,seunet_mm,dcae_mm,seunet_sd_mm,dcae_sd_mm');
    // Members differ by exactly 1 mm everywhere: the sd of the nationwide series is 1/√2.
    expect(Number(series[2]!.split(',')[7])).toBeCloseTo(Math.SQRT1_2, 3);
    const hind = readFileSync(join(run, 'hindcast', 'nationwide_series.csv'), 'utf8').split('\n');
    expect(hind[1]).toBe('frame,year_month,window_start,window_end,hindcast_mm,hindcast_sd_mm,lsm_mm');
    expect(existsSync(join(run, 'hindcast', 'hindcast-spread.f32'))).toBe(true);
    const record = JSON.parse(readFileSync(join(run, 'run.json'), 'utf8')) as {
      status: string;
      completedStages: string[];
    };
    expect(record.status).toBe('complete');
    expect(record.completedStages).toEqual(expect.arrayContaining(['prepare', 'train', 'evaluate', 'hindcast']));
    // The report draws the spread maps and the ±sd band of each model's nationwide series and of the hindcast.
    expect(existsSync(join(run, 'report', 'figures', 'fig11_ensemble_spread.png'))).toBe(true);
    const fig12 = readFileSync(join(run, 'report', 'figures', 'fig12_nationwide_series.svg'), 'utf8');
    expect(fig12).toContain('>SEUNet ± 1 sd over seeds</text>');
    expect(fig12).toContain('>DCAE ± 1 sd over seeds</text>');
    expect(readFileSync(join(run, 'report', 'figures', 'fig17_hindcast_series.svg'), 'utf8')).toContain(
      'hindcast ± 1 sd</text>',
    );
    expect(readFileSync(join(run, 'report', 'report.html'), 'utf8')).toContain('band ± 1 sd over seeds');
    const status = ensembleStatus(run);
    expect(status.members.map((s) => s.state)).toEqual(['done', 'done', 'done', 'done']);
  });

  test('a failing member records its error', async () => {
    const run = await runPipeline(config, { out: join(dir, 'fail'), stages: ['prepare'], engine: seededEngine() });
    const engine = fakeEngine({
      beforeTrain: () => {
        throw new Error('out of memory');
      },
    });
    await expect(runMember(run.runDir, { model: 'dcae', seed: 43 }, { engine })).rejects.toThrow(/out of memory/);
    const s = ensembleStatus(run.runDir).members.find((x) => x.model === 'dcae' && x.seed === 43)!;
    expect(s).toMatchObject({ state: 'failed', detail: 'Error: out of memory' });
  });
});

describe('local executor', () => {
  test('runs members as worker processes, jobs at a time, and returns the ones that failed or could not start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'twsa-ens-local-'));
    try {
      // A stand-in for twsa: sh -c '<script>' sh member <run> --model M --seed S --quiet; seed 43 fails.
      const script = 'echo "$@" >> "$2/started.txt"; sleep 0.3; [ "$6" = 43 ] && { echo boom >&2; exit 3; }; exit 0';
      const events: string[] = [];
      const members = [
        { model: 'seunet' as const, seed: 42 },
        { model: 'seunet' as const, seed: 43 },
        { model: 'dcae' as const, seed: 42 },
      ];
      const t0 = Date.now();
      const failed = await runMembersLocally(dir, members, {
        jobs: 2,
        twsa: { node: '/bin/sh', args: ['-c', script, 'sh'] },
        log: (e) => {
          if (e.type === 'info') events.push(e.message);
        },
      });
      expect(failed).toEqual([{ model: 'seunet', seed: 43 }]);
      expect(readFileSync(join(dir, 'started.txt'), 'utf8').trim().split('\n').sort()).toEqual([
        `member ${dir} --model dcae --seed 42 --quiet`,
        `member ${dir} --model seunet --seed 42 --quiet`,
        `member ${dir} --model seunet --seed 43 --quiet`,
      ]);
      expect(Date.now() - t0).toBeLessThan(2500); // two at a time: about 2 × 0.3 s, not 3 × 0.3 s in a row
      expect(readFileSync(join(dir, 'members', 'seunet-s43', 'member.log'), 'utf8')).toContain('boom');
      expect(events.some((m) => /seunet-s43: failed \(exit 3; see .*member\.log\)/.test(m))).toBe(true);
      const none = await runMembersLocally(dir, members.slice(0, 1), {
        twsa: { node: join(dir, 'no-such-node'), args: [] },
      });
      expect(none).toEqual([{ model: 'seunet', seed: 42 }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Slurm executor with a scripted scheduler', () => {
  const dir = mkdtempSync(join(tmpdir(), 'twsa-ens-slurm-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('submits one array per model and an afterok collect; status and resume follow the scheduler', async () => {
    const run = await preparedRun(dir);
    const calls: string[][] = [];
    let next = 100;
    let squeue = '';
    const scheduler: CommandRunner = (cmd, args) => {
      calls.push([cmd, ...args]);
      if (cmd === 'sbatch') return { status: 0, stdout: `${next++}\n`, stderr: '' };
      if (cmd === 'squeue') return { status: 0, stdout: squeue, stderr: '' };
      if (cmd === 'sacct') return { status: 1, stdout: '', stderr: 'Slurm accounting storage is disabled' };
      return { status: 0, stdout: '', stderr: '' };
    };
    const twsa = { node: '/usr/bin/node', args: ['/opt/twsa/cli.js'] };
    const sub = submitSlurm(
      run,
      [
        { model: 'seunet', seed: 42 },
        { model: 'seunet', seed: 43 },
        { model: 'dcae', seed: 42 },
        { model: 'dcae', seed: 43 },
      ],
      {
        twsa,
        account: 'def-lab',
        time: { dcae: '01:00:00' },
        run: scheduler,
      },
    );
    expect(sub).toMatchObject({
      members: { seunet: { jobId: '100', indexes: [0, 1] }, dcae: { jobId: '101', indexes: [0, 1] } },
      collectJobId: '102',
    });
    expect(calls[0]).toEqual(
      expect.arrayContaining([
        'sbatch',
        '--array=0-1',
        '--account=def-lab',
        '--time=00:10:00',
        `${run}/slurm/members.sbatch`,
        'seunet',
      ]),
    );
    expect(calls[1]).toEqual(expect.arrayContaining(['--time=01:00:00', 'dcae']));
    expect(calls[2]).toEqual(expect.arrayContaining(['--dependency=afterok:100:101', `${run}/slurm/collect.sbatch`]));
    expect(readFileSync(join(run, 'slurm', 'members.sbatch'), 'utf8')).toContain('seeds=(42 43)');
    expect(readFileSync(join(run, 'slurm', 'submit.sh'), 'utf8')).toContain('--dependency=afterok:100:101');

    // dcae seed 43 timed out, seunet seed 43 still runs, the rest finished (the run folder has no output: the
    // scripted members never ran, so finished-without-output counts as failed too).
    squeue = [
      '100_0|COMPLETED|None|0:10|vm',
      '100_1|RUNNING|None|0:09|vm',
      '101_0|COMPLETED|None|0:10|vm',
      '101_1|TIMEOUT|None|10:00|vm',
      '102|PENDING|DependencyNeverSatisfied|0:00|',
    ].join('\n');
    const status = ensembleStatus(run, { run: scheduler });
    expect(status.members.map((m) => `${m.model}-${m.seed}:${m.state}`)).toEqual([
      'seunet-42:failed',
      'seunet-43:running',
      'dcae-42:failed',
      'dcae-43:failed',
    ]);
    expect(status.collect).toMatchObject({ jobId: '102', state: 'PENDING', detail: 'DependencyNeverSatisfied' });
    const text = formatEnsembleStatus(status);
    expect(text).toContain('collect job 102: PENDING (DependencyNeverSatisfied)');
    expect(text).toContain('note: sacct: Slurm accounting storage is disabled');
    expect(text).toContain('dcae      seed 43     failed   101_1      TIMEOUT');

    // Resume: cancel the stuck collect job, resubmit the three failed members, collect after them and seunet 43.
    calls.length = 0;
    const result = await resumeEnsemble(run, { executor: 'slurm', twsa, run: scheduler });
    expect(result.kind).toBe('submitted');
    expect(calls.find((c) => c[0] === 'scancel')).toEqual(['scancel', '102']);
    const sbatches = calls.filter((c) => c[0] === 'sbatch');
    expect(sbatches[0]).toEqual(expect.arrayContaining(['--array=0', '--account=def-lab', 'seunet']));
    expect(sbatches[1]).toEqual(expect.arrayContaining(['--array=0-1', '--time=01:00:00', 'dcae']));
    expect(sbatches[2]).toEqual(expect.arrayContaining(['--dependency=afterok:100:103:104']));
    const record = JSON.parse(readFileSync(join(run, 'run.json'), 'utf8')) as {
      ensemble: { slurm: { submissions: unknown[] } };
    };
    expect(record.ensemble.slurm.submissions).toHaveLength(2);
  });

  test('sbatch refusing a job is a SchedulerError with its message', async () => {
    const run = await runPipeline(config, { out: join(dir, 'refused'), stages: ['prepare'], engine: seededEngine() });
    let err: unknown;
    try {
      submitSlurm(run.runDir, [{ model: 'seunet', seed: 42 }], {
        twsa: { node: 'node', args: [] },
        partition: 'nope',
        run: () => ({ status: 1, stdout: '', stderr: 'sbatch: error: invalid partition specified: nope' }),
      });
    } catch (e) {
      err = e;
    }
    expect(isReconstructError(err, 'SchedulerError')).toBe(true);
    expect((err as Error).message).toBe('sbatch: sbatch: error: invalid partition specified: nope');
  });
});
