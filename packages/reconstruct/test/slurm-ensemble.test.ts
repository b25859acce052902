/**
 * The Slurm executor against a real single-node Slurm cluster (.ci/slurm): a smoke-profile ensemble of 2 seeds
 * through `twsa run --executor slurm` must run its members as array tasks, its collect job must complete the run,
 * and its Table 1 must equal the local executor's for the same seeds.
 *
 * The cluster: the one `.ci/run` started (TWSA_SLURM_STATE names its state directory), else one this test starts
 * with .ci/slurm/start.sh and stops afterwards (root and the Debian packages slurmctld slurmd slurm-client munge
 * needed). When neither works the test is skipped and its name says why.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// Both runs use the WASM backend (deterministic, one thread) whatever else is installed: the test is about the
// executors, and bit-for-bit equal Table 1s need a backend that gives the same numbers in every process.
const root = resolve(import.meta.dirname, '..', '..', '..');
const bin = join(root, 'packages', 'reconstruct', 'bin', 'twsa.js');
const startScript = join(root, '.ci', 'slurm', 'start.sh');
const stopScript = join(root, '.ci', 'slurm', 'stop.sh');

interface Cluster {
  readonly state: string;
  readonly ownedByTest: boolean;
}

/** Finds or starts the cluster; returns it or the reason there is none. */
function findCluster(): Cluster | string {
  const given = process.env['TWSA_SLURM_STATE'];
  if (given) {
    if (existsSync(join(given, 'env'))) return { state: given, ownedByTest: false };
    const why = existsSync(join(given, 'unavailable')) ? readFileSync(join(given, 'unavailable'), 'utf8').trim() : '';
    return `the CI cluster in ${given} did not start${why ? `: ${why}` : ''}`;
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'not root (Slurm runs as SlurmUser=root)';
  if (spawnSync('sh', ['-c', 'command -v slurmctld && command -v munged && command -v sbatch']).status !== 0)
    return 'Slurm is not installed (apt-get install -y slurmctld slurmd slurm-client munge)';
  const state = mkdtempSync(join(tmpdir(), 'twsa-slurm-test-'));
  const r = spawnSync('bash', [startScript, state], { encoding: 'utf8', timeout: 90_000 });
  if (r.status !== 0) {
    const why = existsSync(join(state, 'unavailable'))
      ? readFileSync(join(state, 'unavailable'), 'utf8').trim()
      : r.stderr;
    spawnSync('bash', [stopScript, state], { timeout: 60_000 });
    return `the cluster did not start: ${why.trim()}`;
  }
  return { state, ownedByTest: true };
}

const cluster = findCluster();
const env = {
  ...process.env,
  FORCE_COLOR: '0',
  ...(typeof cluster === 'object' ? { SLURM_CONF: join(cluster.state, 'slurm.conf') } : {}),
};

function twsa(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, env, encoding: 'utf8', timeout: 600_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function readJsonFile<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface RunJson {
  status: string;
  ensemble: {
    seeds: number[];
    models: string[];
    executor: string;
    slurm: { submissions: { members: Record<string, { jobId: string; indexes: number[] }>; collectJobId: string }[] };
  };
}

const describeSlurm = typeof cluster === 'object' ? describe : describe.skip;
if (typeof cluster === 'string') process.stderr.write(`\nslurm-ensemble.test.ts: skipped: ${cluster}\n`);
const reason = typeof cluster === 'string' ? ` (skipped: ${cluster})` : '';

describeSlurm(`Slurm executor on a single-node cluster${reason}`, () => {
  let work = '';
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'twsa-slurm-ens-'));
  });
  afterAll(() => {
    if (typeof cluster === 'object' && cluster.ownedByTest) spawnSync('bash', [stopScript, cluster.state]);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('a 2-seed smoke ensemble runs as array tasks, is collected by the dependent job and equals the local run', async () => {
    const slurmRun = join(work, 'slurm');
    const submit = twsa([
      'run',
      '--profile',
      'smoke',
      '--seeds',
      '2',
      '--executor',
      'slurm',
      '--backend',
      'wasm',
      '--out',
      slurmRun,
      '--quiet',
    ]);
    expect(submit.stderr).toBe('');
    expect(submit.status).toBe(0);
    expect(submit.stdout).toMatch(/submitted collect: job \d+/);
    const record = readJsonFile<RunJson>(join(slurmRun, 'run.json'));
    expect(record.ensemble.executor).toBe('slurm');
    expect(record.ensemble.seeds).toEqual([42, 43]);
    const submission = record.ensemble.slurm.submissions[0]!;
    expect(Object.keys(submission.members)).toEqual(['seunet', 'pix2pix', 'dcae', 'convlstm']);
    for (const f of ['members.sbatch', 'collect.sbatch', 'submit.sh'])
      expect(existsSync(join(slurmRun, 'slurm', f))).toBe(true);

    // The run returned at once; its members are queued or running.
    const during = twsa(['status', slurmRun]);
    expect(during.status).toBe(0);
    expect(during.stdout).toMatch(/8 members: .*(pending|running)/);

    // Wait for the collect job (the run folder says complete), at most 8 minutes.
    const deadline = Date.now() + 8 * 60_000;
    let status = '';
    while (Date.now() < deadline) {
      status = readJsonFile<RunJson>(join(slurmRun, 'run.json')).status;
      if (status === 'complete') break;
      const q = spawnSync('squeue', ['-h', '-j', submission.collectJobId, '-o', '%T|%r'], { env, encoding: 'utf8' });
      if (q.stdout.includes('DependencyNeverSatisfied')) break;
      await sleep(3000);
    }
    const after = twsa(['status', slurmRun]);
    if (status !== 'complete') {
      const logs = readdirSync(join(slurmRun, 'slurm', 'logs'))
        .map((f) => `--- ${f}\n${readFileSync(join(slurmRun, 'slurm', 'logs', f), 'utf8').slice(-2000)}`)
        .join('\n');
      throw new Error(`the Slurm run did not complete (run.json status '${status}')\n${after.stdout}\n${logs}`);
    }
    expect(after.stdout).toContain('8 members: 8 done');
    expect(after.stdout).toMatch(new RegExp(`collect job ${submission.collectJobId}: COMPLETED`));

    // Every member ran as task k (its seed's index) of its model's array job, and wrote its task output file.
    for (const [model, job] of Object.entries(submission.members)) {
      expect(job.indexes).toEqual([0, 1]);
      for (const [k, seed] of record.ensemble.seeds.entries()) {
        const member = readJsonFile<{ status: string; slurmTask: string }>(
          join(slurmRun, 'members', `${model}-s${seed}`, 'member.json'),
        );
        expect(member).toMatchObject({ status: 'done', slurmTask: `${job.jobId}_${k}` });
        const out = readFileSync(join(slurmRun, 'slurm', 'logs', `${model}_${job.jobId}_${k}.out`), 'utf8');
        expect(out).toContain(`array task ${job.jobId}_${k}`);
        expect(out).toContain(`member ${model} seed ${seed}: done`);
      }
    }
    // The scheduler's own record of the finished jobs: the CI cluster logs them (jobcomp/filetxt).
    const jobcomp = typeof cluster === 'object' ? join(cluster.state, 'log', 'jobcomp.log') : '';
    if (existsSync(jobcomp)) {
      const lines = readFileSync(jobcomp, 'utf8').split('\n');
      for (const job of Object.values(submission.members))
        for (const k of [0, 1])
          expect(
            lines.some(
              (l) => l.includes(`ArrayJobId=${job.jobId} ArrayTaskId=${k} `) && l.includes('JobState=COMPLETED'),
            ),
          ).toBe(true);
      expect(
        lines.some((l) => l.startsWith(`JobId=${submission.collectJobId} `) && l.includes('JobState=COMPLETED')),
      ).toBe(true);
    }

    // And, where the cluster keeps accounting (slurmdbd), sacct: every member task and the collect job COMPLETED.
    const ids = [...Object.values(submission.members).map((j) => j.jobId), submission.collectJobId];
    const sacct = spawnSync('sacct', ['-n', '-P', '-X', '-o', 'JobID,State', '-j', ids.join(',')], {
      env,
      encoding: 'utf8',
    });
    if (sacct.status === 0) {
      const states = new Map(
        sacct.stdout
          .trim()
          .split('\n')
          .map((l) => l.split('|') as [string, string]),
      );
      for (const job of Object.values(submission.members))
        for (const k of [0, 1]) expect(states.get(`${job.jobId}_${k}`)).toBe('COMPLETED');
      expect(states.get(submission.collectJobId)).toBe('COMPLETED');
    }

    // The local executor (worker processes, two at a time) on the same seeds gives the same Table 1.
    const localRun = join(work, 'local');
    const local = twsa([
      'run',
      '--profile',
      'smoke',
      '--seeds',
      '2',
      '--backend',
      'wasm',
      '--out',
      localRun,
      '--quiet',
    ]);
    expect(local.status).toBe(0);
    const slurmTable = readJsonFile<{ rows: unknown[]; seeds: number[] }>(join(slurmRun, 'evaluation', 'table1.json'));
    const localTable = readJsonFile<{ rows: unknown[]; seeds: number[] }>(join(localRun, 'evaluation', 'table1.json'));
    expect(slurmTable.seeds).toEqual([42, 43]);
    expect(slurmTable.rows).toHaveLength(5);
    expect(slurmTable.rows).toEqual(localTable.rows);
    expect(readFileSync(join(slurmRun, 'evaluation', 'table1.md'), 'utf8')).toBe(
      readFileSync(join(localRun, 'evaluation', 'table1.md'), 'utf8'),
    );
    expect(existsSync(join(slurmRun, 'report', 'report.html'))).toBe(true);
  }, 900_000);
});
