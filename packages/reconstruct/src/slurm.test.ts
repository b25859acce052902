import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  arraySpec,
  collectScript,
  collectSubmitArgs,
  defaultMemberResources,
  memberResources,
  memberSubmitArgs,
  membersScript,
  mergeSchedulerTasks,
  parsePerModel,
  parseSacct,
  parseSbatchParsable,
  parseSqueue,
  shellQuote,
  slurmTimeSeconds,
} from './slurm.js';
import { isReconstructError } from './errors.js';

const twsa = { node: '/usr/bin/node', args: ['/opt/twsa app/dist/cli.js'] };

describe('slurm scripts', () => {
  test('the members script maps the array task to a seed and runs twsa member with the model argument', () => {
    const s = membersScript({ runDir: '/shared/runs/ens', seeds: [42, 43, 44], twsa, graceSeconds: 120 });
    expect(s.startsWith('#!/bin/bash\n')).toBe(true);
    expect(s).toContain('#SBATCH --requeue');
    expect(s).toContain('#SBATCH --signal=B:USR1@120');
    expect(s).toContain('#SBATCH --chdir=/shared/runs/ens');
    expect(s).toContain('seeds=(42 43 44)');
    expect(s).toContain(
      `/usr/bin/node '/opt/twsa app/dist/cli.js' member /shared/runs/ens --model "\${model}" --seed "\${seed}"`,
    );
    expect(s).toContain('scontrol requeue "${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}"');
  });

  test('the generated scripts are valid bash, and the members script picks the seed of its task', () => {
    const dir = mkdtempSync(join(tmpdir(), 'twsa-slurm-test-'));
    try {
      // A stand-in for node that prints its arguments: the script must pass the model and the task's seed.
      const fake = join(dir, 'fake-node.sh');
      writeFileSync(fake, '#!/bin/bash\necho "ARGS $*"\n', { mode: 0o755 });
      const members = join(dir, 'members.sbatch');
      writeFileSync(members, membersScript({ runDir: dir, seeds: [7, 8], twsa: { node: fake, args: ['cli.js'] } }));
      writeFileSync(join(dir, 'collect.sbatch'), collectScript({ runDir: dir, twsa }));
      for (const f of ['members.sbatch', 'collect.sbatch'])
        expect(spawnSync('bash', ['-n', join(dir, f)]).status).toBe(0);
      const r = spawnSync('bash', [members, 'dcae'], {
        env: { ...process.env, SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_JOB_ID: '12', SLURM_JOB_ID: '14' },
        encoding: 'utf8',
      });
      expect(r.status).toBe(0);
      expect(r.stdout).toContain(`ARGS cli.js member ${dir} --model dcae --seed 8 --quiet`);
      expect(r.stdout).toContain('array task 12_1');
      const bad = spawnSync('bash', [members, 'dcae'], { env: { PATH: process.env['PATH'] }, encoding: 'utf8' });
      expect(bad.status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('collect script execs twsa collect on the run', () => {
    expect(collectScript({ runDir: '/r', twsa })).toContain(
      `exec /usr/bin/node '/opt/twsa app/dist/cli.js' collect /r --quiet`,
    );
  });

  test('shellQuote leaves safe words and quotes the rest', () => {
    expect(shellQuote('/a/b-c_d.js')).toBe('/a/b-c_d.js');
    expect(shellQuote("it's here")).toBe(`'it'\\''s here'`);
  });
});

describe('sbatch arguments and resources', () => {
  test('arraySpec compresses runs of indexes', () => {
    expect(arraySpec([0, 1, 2, 5])).toBe('0-2,5');
    expect(arraySpec([3])).toBe('3');
    expect(arraySpec([4, 1, 2, 9, 8])).toBe('1-2,4,8-9');
    expect(() => arraySpec([])).toThrow(/no array index/);
  });

  test('member submission carries the model resources, partition, account, gpus and output pattern', () => {
    const resources = memberResources('dcae', 'paper', 'paper', {
      time: { dcae: '1-12:00:00' },
      gpus: 1,
      partition: 'gpu',
    });
    expect(resources).toEqual({ cpusPerTask: 1, mem: '16G', time: '1-12:00:00', gpus: 1 });
    const args = memberSubmitArgs({
      runDir: '/r',
      model: 'dcae',
      indexes: [0, 1, 3],
      resources,
      partition: 'gpu',
      account: 'def-lab',
    });
    expect(args).toEqual([
      '--parsable',
      '--job-name=twsa-dcae',
      '--array=0-1,3',
      '--partition=gpu',
      '--account=def-lab',
      '--cpus-per-task=1',
      '--mem=16G',
      '--time=1-12:00:00',
      '--gpus-per-task=1',
      '--output=/r/slurm/logs/dcae_%A_%a.out',
      '/r/slurm/members.sbatch',
      'dcae',
    ]);
    expect(memberResources('seunet', 'smoke', 'tiny', { time: { dcae: '1:00:00' } }).time).toBe('00:10:00');
  });

  test('collect submission depends on every member array with afterok', () => {
    const args = collectSubmitArgs({ runDir: '/r', dependsOn: ['11', '12'] });
    expect(args).toContain('--dependency=afterok:11:12');
    expect(args[args.length - 1]).toBe('/r/slurm/collect.sbatch');
  });

  test('bad times, memory and gpus are config errors', () => {
    expect(slurmTimeSeconds('1-02:03:04')).toBe(93784);
    expect(slurmTimeSeconds('00:10:00')).toBe(600);
    for (const o of [{ time: '10 minutes' }, { mem: '4 GB' }, { gpus: -1 }, { cpusPerTask: 0 }]) {
      let err: unknown;
      try {
        memberResources('seunet', 'quick', 'cpu', o);
      } catch (e) {
        err = e;
      }
      expect(isReconstructError(err, 'ConfigError')).toBe(true);
    }
    expect(defaultMemberResources('pix2pix', 'quick', 'cpu')).toEqual({
      cpusPerTask: 1,
      mem: '4G',
      time: '02:00:00',
      gpus: 0,
    });
  });

  test('per-model flags parse one value or model=value pairs', () => {
    const names = ['seunet', 'dcae'];
    expect(parsePerModel('12:00:00', 'x', names)).toBe('12:00:00');
    expect(parsePerModel('dcae=24:00:00, seunet=4:00:00', 'x', names)).toEqual({ dcae: '24:00:00', seunet: '4:00:00' });
    expect(() => parsePerModel('unet=1:00:00', 'x', names)).toThrow(/unknown model "unet"/);
  });
});

describe('scheduler output', () => {
  test('sbatch --parsable gives the job id, with or without the cluster', () => {
    expect(parseSbatchParsable('1234\n')).toBe('1234');
    expect(parseSbatchParsable('1234;cedar\n')).toBe('1234');
    expect(() => parseSbatchParsable('sbatch: error: invalid partition')).toThrow(/no job id/);
  });

  test('squeue lines become one entry per array task; pending ranges are expanded', () => {
    const text = [
      '12_[2-3,5%2]|PENDING|Resources|0:00|',
      '12_0|RUNNING|None|1:02|node7',
      '13|PENDING|Dependency|0:00|',
      '',
    ].join('\n');
    const tasks = parseSqueue(text);
    expect(tasks.map((t) => `${t.jobId}_${t.taskId}:${t.state}`)).toEqual([
      '12_2:PENDING',
      '12_3:PENDING',
      '12_5:PENDING',
      '12_0:RUNNING',
      '13_null:PENDING',
    ]);
    expect(tasks[3]).toMatchObject({ elapsed: '1:02', nodes: 'node7', detail: 'None' });
  });

  test('sacct lines: steps ignored, CANCELLED by uid reduced to CANCELLED, exit code kept', () => {
    const text = [
      '20_0|COMPLETED|0:0|00:01:10|vm',
      '20_0.batch|COMPLETED|0:0|00:01:10|vm',
      '20_1|CANCELLED by 0|0:15|00:00:05|vm',
      '20_2|TIMEOUT|0:0|00:10:00|vm',
      '21|PENDING|0:0|00:00:00|None assigned',
    ].join('\n');
    const tasks = parseSacct(text);
    expect(tasks.map((t) => `${t.jobId}_${t.taskId}:${t.state}:${t.detail}`)).toEqual([
      '20_0:COMPLETED:0:0',
      '20_1:CANCELLED:0:15',
      '20_2:TIMEOUT:0:0',
      '21_null:PENDING:0:0',
    ]);
  });

  test('later reports win per task when merged', () => {
    const merged = mergeSchedulerTasks(parseSacct('20_0|PENDING|0:0|0|'), parseSqueue('20_0|RUNNING|None|0:10|vm'));
    expect(merged.get('20_0')?.state).toBe('RUNNING');
    expect(merged.size).toBe(1);
  });
});
