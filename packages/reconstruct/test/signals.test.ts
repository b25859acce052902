// Issue 13, failures 2 and 3, through the real `twsa` bin (as `npx twsa` runs it from the sources): a signal to the
// visible process stops the worker with a checkpoint and run.json `interrupted`; a `kill -9` of the visible process
// takes the worker with it; a second run into a running folder is refused at once, naming the holder's pid.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..', '..');
const bin = join(root, 'packages', 'reconstruct', 'bin', 'twsa.js');
const base = mkdtempSync(join(tmpdir(), 'twsa-signals-'));
const out = join(base, 'run');
const work = `${out}.incomplete`;
const config = join(base, 'long.yaml');
// The smoke profile with many epochs: training lasts long enough to be interrupted.
writeFileSync(config, 'profile: smoke\ntrain:\n  epochs: 400\n');
afterAll(() => rmSync(base, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, ok: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const status = (): string => (JSON.parse(readFileSync(join(work, 'run.json'), 'utf8')) as { status: string }).status;
const lockPid = (): number | null => {
  try {
    return (JSON.parse(readFileSync(`${out}.lock`, 'utf8')) as { pid: number }).pid;
  } catch {
    return null;
  }
};
const training = (): boolean => {
  const dir = join(work, 'checkpoints');
  return existsSync(dir) && readdirSync(dir).some((m) => existsSync(join(dir, m, 'checkpoint.json')));
};
function start(...args: string[]): { child: ChildProcess; exit: Promise<number | null>; stderr: () => string } {
  const child = spawn(process.execPath, [bin, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout!.resume();
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, exit, stderr: () => err };
}

describe('twsa bin: signals and the run lock', () => {
  it('SIGTERM to the bin: the worker checkpoints, run.json says interrupted, both exit', async () => {
    const run = start('run', '--config', config, '--out', out);
    await until('training to checkpoint', training, 240_000);
    const worker = lockPid()!;
    expect(worker).not.toBe(run.child.pid); // the lock names the worker, which does the work
    // A second run into the same folder is refused at once, naming the holder.
    const second = spawnSync(process.execPath, [bin, 'run', '--profile', 'smoke', '--out', out, '--overwrite'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(
      new RegExp(`RunLockedError: Run folder '${out}' is locked by another run \\(pid ${worker} `),
    );
    expect(existsSync(join(work, 'run.json'))).toBe(true);

    run.child.kill('SIGTERM');
    let code: number | null | 'running' = 'running';
    void run.exit.then((c) => (code = c));
    await until('the bin to exit', () => code !== 'running', 90_000);
    expect(code).toBe(130);
    await until('the worker to exit', () => !alive(worker), 10_000);
    expect(status()).toBe('interrupted');
    expect(run.stderr()).toMatch(/SIGTERM received: stopping after the current step/);
    expect(run.stderr()).toMatch(/Continue it with: twsa run --resume/);
    expect(existsSync(`${out}.lock`)).toBe(false);
    expect(existsSync(out)).toBe(false); // not renamed into place
  }, 400_000);

  it('kill -9 of the bin: the worker notices, checkpoints and exits; the run resumes', async () => {
    const run = start('run', '--resume', out);
    await until('the resumed run to take the lock', () => lockPid() !== null && lockPid() !== run.child.pid, 120_000);
    const worker = lockPid()!;
    await until('training to resume', () => status() === 'running', 60_000);
    await sleep(3000);
    run.child.kill('SIGKILL');
    await until('the worker to exit after its parent was killed', () => !alive(worker), 90_000);
    expect(status()).toBe('interrupted');
    expect(existsSync(`${out}.lock`)).toBe(false);
    expect(existsSync(out)).toBe(false);
  }, 400_000);
});
