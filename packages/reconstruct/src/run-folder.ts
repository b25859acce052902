/**
 * The run folder: atomic file writes, the "incomplete" working directory beside the target, and the run's
 * provenance record (seed, git commit, package versions, backend, timings, data source).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomicSync } from '@twsa/grid';
import { InputError, OutputExistsError } from './errors.js';

/** Suffix of the working directory a run is written into before it is renamed to its target. */
export const INCOMPLETE_SUFFIX = '.incomplete';

/**
 * Writes a file of the run folder atomically (readers never see a half-written file), replacing an existing
 * one and creating the parent directory: @twsa/grid's {@link writeFileAtomicSync} with those options.
 * @throws GridIoError when the write fails.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  writeFileAtomicSync(file, data, { overwrite: true, createDirectories: true, caller: 'twsa' });
}

/** Writes JSON (2-space indent) atomically. */
export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n');
}

/** Reads a JSON file, with an {@link InputError} naming it when missing or invalid. */
export function readJson<T = unknown>(file: string): T {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new InputError(`Cannot read '${file}': ${(cause as Error).message}`, { cause, file });
  }
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    throw new InputError(`'${file}' is not valid JSON: ${(cause as Error).message}`, { cause, file });
  }
}

/** Where a run is being written and where it ends up. */
export interface RunLocation {
  /** Final directory (the user's `--out`). */
  readonly target: string;
  /** Working directory (`<target>.incomplete`), renamed to `target` when the run completes. */
  readonly work: string;
}

/**
 * Claims an output directory for a new run: refuses an existing target unless `overwrite`, and creates a
 * fresh working directory `<target>.incomplete` beside it.
 * @throws {@link OutputExistsError} when `target` exists and `overwrite` is false.
 */
export function claimRunDirectory(target: string, options: { overwrite?: boolean } = {}): RunLocation {
  const abs = resolve(target);
  if (existsSync(abs) && !options.overwrite) throw new OutputExistsError(target);
  const work = abs + INCOMPLETE_SUFFIX;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  return { target: abs, work };
}

/**
 * Finds the working directory of a run to resume: `dir` itself when it holds a `run.json`, or `<dir>.incomplete`.
 * @throws {@link InputError} when neither holds a run.
 */
export function locateRunToResume(dir: string): RunLocation {
  const abs = resolve(dir);
  const candidates = abs.endsWith(INCOMPLETE_SUFFIX) ? [abs] : [abs + INCOMPLETE_SUFFIX, abs];
  for (const c of candidates) {
    if (existsSync(join(c, 'run.json'))) {
      const target = c.endsWith(INCOMPLETE_SUFFIX) ? c.slice(0, -INCOMPLETE_SUFFIX.length) : c;
      return { target, work: c };
    }
  }
  throw new InputError(`No run to resume at '${dir}': expected a run.json in '${candidates.join("' or '")}'`, {
    file: dir,
  });
}

/** Moves a finished run from its working directory to its target (replacing an existing target). */
export function finishRunDirectory(location: RunLocation): void {
  if (location.work === location.target) return;
  if (existsSync(location.target)) rmSync(location.target, { recursive: true, force: true });
  renameSync(location.work, location.target);
}

/** The git commit of the directory's repository, or `null` outside git or without git. */
export function gitCommit(cwd: string = process.cwd()): string | null {
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 })
      .toString()
      .trim();
    if (!/^[0-9a-f]{40}$/.test(out)) return null;
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd,
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    })
      .toString()
      .trim();
    return dirty ? `${out}-dirty` : out;
  } catch {
    return null;
  }
}

/** Versions of the `@twsa` packages and tfjs, read from their package.json files next to this module. */
export function packageVersions(): Record<string, string> {
  const here = dirname(fileURLToPath(import.meta.url));
  const versions: Record<string, string> = { node: process.version };
  const tryRead = (name: string, file: string): void => {
    try {
      versions[name] = (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    } catch {
      /* not installed */
    }
  };
  const pkgRoot = resolve(here, '..');
  tryRead('@twsa/reconstruct', join(pkgRoot, 'package.json'));
  for (const p of ['grid', 'metrics', 'datasets', 'models']) {
    tryRead(`@twsa/${p}`, join(pkgRoot, '..', p, 'package.json'));
    tryRead(`@twsa/${p}`, join(pkgRoot, 'node_modules', '@twsa', p, 'package.json'));
  }
  for (const dir of [
    join(pkgRoot, 'node_modules'),
    join(pkgRoot, '..', '..', 'node_modules'),
    join(pkgRoot, '..', 'node_modules'),
  ]) {
    for (const t of [
      '@tensorflow/tfjs-core',
      '@tensorflow/tfjs-layers',
      '@tensorflow/tfjs-backend-wasm',
      '@tensorflow/tfjs-backend-cpu',
      '@tensorflow/tfjs-node',
    ]) {
      if (versions[t] === undefined) tryRead(t, join(dir, t, 'package.json'));
    }
  }
  return versions;
}

/** True when `p` is an existing directory. */
export function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
