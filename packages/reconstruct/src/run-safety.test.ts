// Issue 13, failures 1 and 2: --overwrite never removes an input, a folder holding one or a user's folder; a run
// folder is locked for the life of a run (a second run is refused naming the holder; a dead holder's lock is taken over).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { claimRunDirectory, finishRunDirectory, INCOMPLETE_SUFFIX } from './run-folder.js';
import { acquireRunLock, LOCK_SUFFIX, processAlive } from './run-lock.js';
import { assertReplaceable, isRunRecord } from './run-safety.js';

const base = mkdtempSync(join(tmpdir(), 'twsa-run-safety-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => {
  const d = join(base, `case${n++}`);
  mkdirSync(d);
  return d;
};
const runJson = {
  kind: 'twsa-run',
  status: 'complete',
  created: '2026-01-01T00:00:00Z',
  config: {},
  completedStages: [],
};

describe('claimRunDirectory with overwrite (failure 1)', () => {
  it('refuses the GRACE file itself as --out, and removes nothing', () => {
    const d = fresh();
    const grace = join(d, 'grace.nc');
    writeFileSync(grace, 'CDF\x01');
    expect(() => claimRunDirectory(grace, { overwrite: true, inputs: [grace] })).toThrow(
      expect.objectContaining({
        name: 'UnsafeOverwriteError',
        message: expect.stringContaining(`is an input of this run ('${grace}')`),
      }),
    );
    expect(readFileSync(grace, 'utf8')).toBe('CDF\x01');
  });

  it('refuses the folder that holds an input, also through a symbolic link', () => {
    const d = fresh();
    const grace = join(d, 'data', 'grace.nc');
    mkdirSync(join(d, 'data'));
    writeFileSync(grace, 'x');
    writeFileSync(join(d, 'data', 'run.json'), JSON.stringify(runJson)); // even one that looks like a run folder
    expect(() => claimRunDirectory(join(d, 'data'), { overwrite: true, inputs: [grace] })).toThrow(
      /holds an input of this run/,
    );
    symlinkSync(join(d, 'data'), join(d, 'link'));
    expect(() => claimRunDirectory(join(d, 'link'), { overwrite: true, inputs: [grace] })).toThrow(
      /holds an input of this run/,
    );
    expect(existsSync(grace)).toBe(true);
  });

  it("refuses a user's folder with unrelated files (no twsa run.json), naming it and an entry", () => {
    const d = fresh();
    const thesis = join(d, 'thesis');
    mkdirSync(thesis);
    writeFileSync(join(thesis, 'chapter1.tex'), 'x');
    expect(() => claimRunDirectory(thesis, { overwrite: true })).toThrow(
      `Refusing to replace '${thesis}': --out '${thesis}' is not a twsa run folder (no run.json written by twsa; it holds 1 entry, e.g. 'chapter1.tex'). Nothing was removed; choose another output directory`,
    );
    writeFileSync(join(thesis, 'run.json'), '{"status": "complete"}'); // someone else's run.json
    expect(() => claimRunDirectory(thesis, { overwrite: true })).toThrow(/not a twsa run folder/);
    expect(existsSync(join(thesis, 'chapter1.tex'))).toBe(true);
    expect(existsSync(thesis + LOCK_SUFFIX)).toBe(false);
  });

  it('refuses a folder holding the current directory', () => {
    expect(() => assertReplaceable(join(process.cwd(), '..'), [])).toThrow(/holds the current directory/);
  });

  it('replaces a previous twsa run folder, and finishRunDirectory checks the target again', () => {
    const d = fresh();
    const out = join(d, 'run');
    mkdirSync(out);
    writeFileSync(join(out, 'run.json'), JSON.stringify(runJson));
    const loc = claimRunDirectory(out, { overwrite: true });
    try {
      expect(existsSync(out + INCOMPLETE_SUFFIX)).toBe(true);
      writeFileSync(join(loc.work, 'run.json'), JSON.stringify(runJson));
      // While the run went on, the old folder was swapped for a user's folder: it is not replaced.
      rmSync(out, { recursive: true });
      mkdirSync(out);
      writeFileSync(join(out, 'notes.txt'), 'mine');
      expect(() => finishRunDirectory(loc)).toThrow(/not a twsa run folder/);
      expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');
      rmSync(out, { recursive: true });
      finishRunDirectory(loc);
      expect(existsSync(join(out, 'run.json'))).toBe(true);
    } finally {
      loc.lock!.release();
    }
    expect(existsSync(out + LOCK_SUFFIX)).toBe(false);
  });

  it('refuses to remove a <out>.incomplete that is not a run', () => {
    const d = fresh();
    mkdirSync(join(d, 'x.incomplete'));
    writeFileSync(join(d, 'x.incomplete', 'keep.txt'), 'k');
    expect(() => claimRunDirectory(join(d, 'x'))).toThrow(/the working directory .* is not a twsa run folder/);
    expect(existsSync(join(d, 'x.incomplete', 'keep.txt'))).toBe(true);
    expect(existsSync(join(d, 'x.lock'))).toBe(false);
  });

  it('recognises run records by kind, and older ones by their fields', () => {
    expect(isRunRecord(runJson)).toBe(true);
    expect(
      isRunRecord({
        status: 'complete',
        created: 'x',
        config: {},
        completedStages: [],
        versions: { '@twsa/reconstruct': '0.1.0' },
      }),
    ).toBe(true);
    expect(isRunRecord({ status: 'complete' })).toBe(false);
    expect(isRunRecord([])).toBe(false);
  });
});

describe('the run-folder lock (failure 2)', () => {
  let sleeper: ChildProcess;
  beforeAll(() => {
    sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120000)'], { stdio: 'ignore' });
  });
  afterAll(() => {
    sleeper.kill('SIGKILL');
  });

  it('a second run into a locked folder is refused at once, naming the pid, and its working directory survives', () => {
    const d = fresh();
    const out = join(d, 'run');
    writeFileSync(
      out + LOCK_SUFFIX,
      JSON.stringify({ pid: sleeper.pid, host: hostname(), started: 'then', command: 'twsa run' }),
    );
    mkdirSync(out + INCOMPLETE_SUFFIX);
    writeFileSync(join(out + INCOMPLETE_SUFFIX, 'run.json'), JSON.stringify(runJson));
    const t0 = Date.now();
    expect(() => claimRunDirectory(out)).toThrow(
      expect.objectContaining({
        name: 'RunLockedError',
        pid: sleeper.pid,
        message: expect.stringContaining(`is locked by another run (pid ${sleeper.pid} on ${hostname()}`),
      }),
    );
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(existsSync(join(out + INCOMPLETE_SUFFIX, 'run.json'))).toBe(true);
  });

  it('two claims in one process: the second is refused while the first holds the lock', () => {
    const d = fresh();
    const first = claimRunDirectory(join(d, 'run'));
    try {
      expect(() => claimRunDirectory(join(d, 'run'))).toThrow(/already held by this process/);
    } finally {
      first.lock!.release();
    }
    claimRunDirectory(join(d, 'run')).lock!.release();
  });

  it('takes over a stale lock from a dead process', async () => {
    const d = fresh();
    const out = join(d, 'run');
    const dead = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await new Promise((r) => dead.on('exit', r));
    expect(processAlive(dead.pid!)).toBe(false);
    writeFileSync(
      out + LOCK_SUFFIX,
      JSON.stringify({ pid: dead.pid, host: hostname(), started: 'then', command: 'x' }),
    );
    const lock = acquireRunLock(out);
    expect(JSON.parse(readFileSync(out + LOCK_SUFFIX, 'utf8')).pid).toBe(process.pid);
    lock.release();
    expect(existsSync(out + LOCK_SUFFIX)).toBe(false);
  });

  it('does not guess about a lock held on another host', () => {
    const d = fresh();
    const out = join(d, 'run');
    writeFileSync(
      out + LOCK_SUFFIX,
      JSON.stringify({ pid: 1, host: 'elsewhere.example', started: 'then', command: 'x' }),
    );
    expect(() => acquireRunLock(out)).toThrow(/pid 1 on elsewhere\.example.*held by a process on another host/);
  });
});
