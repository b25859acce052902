/**
 * An exclusive lock on a run folder for the life of a run: `<target>.lock` beside the folder (outside it, so the
 * working directory can be replaced and renamed while the lock holds). Created with `O_EXCL`; it records the
 * holder's pid and host. A second run is refused at once naming the holder; a lock whose process is gone (same host)
 * is taken over through a short-lived `<target>.lock.takeover` guard so two newcomers cannot both take it.
 */
import { closeSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { RunLockedError, OutputUnwritableError } from './errors.js';

/** Suffix of the lock file beside a run folder. */
export const LOCK_SUFFIX = '.lock';

/** What a lock file holds. */
export interface RunLockRecord {
  readonly pid: number;
  readonly host: string;
  readonly started: string;
  readonly command: string;
}

/** A held lock; `release()` removes it (once). */
export interface RunLock {
  readonly path: string;
  readonly record: RunLockRecord;
  release(): void;
}

/** True when a process with this pid exists on this machine (EPERM: it exists but is not ours). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(path: string): RunLockRecord | null {
  try {
    const r = JSON.parse(readFileSync(path, 'utf8')) as Partial<RunLockRecord>;
    if (typeof r.pid !== 'number' || typeof r.host !== 'string') return null;
    return { pid: r.pid, host: r.host, started: String(r.started ?? ''), command: String(r.command ?? '') };
  } catch {
    return null;
  }
}

function createExclusive(path: string, text: string, folder: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    throw new OutputUnwritableError(folder, error as Error);
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Age of a file in milliseconds, or Infinity when it is gone. */
function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return Infinity;
  }
}

/**
 * Takes the exclusive lock of the run folder `target` (an absolute path), for this process.
 * @throws {@link RunLockedError} naming the holder's pid (and host) when another live process holds it, or when a
 *   lock from another host cannot be checked; {@link OutputUnwritableError} when the lock cannot be created.
 */
export function acquireRunLock(target: string): RunLock {
  const path = target + LOCK_SUFFIX;
  const record: RunLockRecord = {
    pid: process.pid,
    host: hostname(),
    started: new Date().toISOString(),
    command: process.argv.slice(1).join(' ').slice(0, 500),
  };
  const text = JSON.stringify(record, null, 2) + '\n';
  const held = (): RunLock => {
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      process.off('exit', release);
      // Only remove the lock while it is still ours.
      if (readLock(path)?.pid === process.pid) rmSync(path, { force: true });
    };
    process.on('exit', release);
    return { path, record, release };
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    if (createExclusive(path, text, target)) return held();
    const holder = readLock(path);
    if (holder === null) {
      // Being written this instant (or not a lock we wrote): give the writer a moment, then treat as stale.
      if (ageMs(path) < 2000) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
        continue;
      }
    } else if (holder.host !== hostname()) {
      throw new RunLockedError(target, path, holder, 'held by a process on another host');
    } else if (holder.pid === process.pid) {
      throw new RunLockedError(target, path, holder, 'already held by this process');
    } else if (processAlive(holder.pid)) {
      throw new RunLockedError(target, path, holder, 'in use');
    }
    // Stale: its process is gone. Take it over under a guard so that two newcomers cannot both succeed.
    const guard = path + '.takeover';
    if (ageMs(guard) > 10_000) rmSync(guard, { force: true });
    if (!createExclusive(guard, text, target)) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
      continue;
    }
    try {
      const again = readLock(path);
      if (again === null || again.pid === holder?.pid) {
        const aside = `${path}.stale-${process.pid}`;
        try {
          renameSync(path, aside);
          rmSync(aside, { force: true });
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
            throw new OutputUnwritableError(target, error as Error);
        }
      }
      if (createExclusive(path, text, target)) return held();
    } finally {
      rmSync(guard, { force: true });
    }
  }
  const holder = readLock(path);
  throw new RunLockedError(
    target,
    path,
    holder ?? { pid: 0, host: '?', started: '', command: '' },
    'could not be taken (contended)',
  );
}
