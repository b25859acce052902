/**
 * What `overwrite` may remove: only a twsa run folder (its run.json says so) that is not an input of the run and
 * holds none. Anything else — a file, a user's folder, the GRACE file or the folder that holds it, the current
 * directory — is refused naming the path, before anything is removed.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, relative, resolve, isAbsolute, basename } from 'node:path';
import { UnsafeOverwriteError } from './errors.js';

/** The `kind` a twsa run.json carries. */
export const RUN_RECORD_KIND = 'twsa-run';

/** True when `value` is a parsed run.json written by twsa (`kind: "twsa-run"`, or the fields every run record has). */
export function isRunRecord(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const r = value as Record<string, unknown>;
  if (r['kind'] === RUN_RECORD_KIND) return true;
  return (
    typeof r['created'] === 'string' &&
    typeof r['status'] === 'string' &&
    typeof r['config'] === 'object' &&
    r['config'] !== null &&
    Array.isArray(r['completedStages']) &&
    typeof r['versions'] === 'object' &&
    r['versions'] !== null &&
    '@twsa/reconstruct' in (r['versions'] as object)
  );
}

/** The real path of `p` when it exists (links resolved), else its absolute path with the existing part resolved. */
function real(p: string): string {
  const abs = resolve(p);
  try {
    return realpathSync(abs);
  } catch {
    const parent = dirname(abs);
    return parent === abs ? abs : join(real(parent), basename(abs));
  }
}

/** True when `inner` is `outer` or lies inside it. */
function within(inner: string, outer: string): boolean {
  const rel = relative(outer, inner);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Checks that an existing `path` may be removed to make room for a run: it is a directory holding a twsa run.json,
 * it is not one of `inputs` (files or folders, links resolved), holds none of them and does not hold the current
 * directory. Returns quietly when `path` does not exist.
 * @param role - what the path is, for the message (`"--out"`, `"the working directory"`).
 * @throws {@link UnsafeOverwriteError} naming the path and the reason.
 */
export function assertReplaceable(path: string, inputs: readonly string[], role = 'the output directory'): void {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return;
  }
  const target = real(path);
  for (const input of inputs) {
    const r = real(input);
    if (r === target) throw new UnsafeOverwriteError(path, `${role} is an input of this run ('${input}')`);
    if (within(r, target)) throw new UnsafeOverwriteError(path, `${role} holds an input of this run ('${input}')`);
  }
  if (within(real(process.cwd()), target))
    throw new UnsafeOverwriteError(path, `${role} holds the current directory ('${process.cwd()}')`);
  if (stat.isSymbolicLink()) throw new UnsafeOverwriteError(path, `${role} is a symbolic link, not a twsa run folder`);
  if (!stat.isDirectory())
    throw new UnsafeOverwriteError(
      path,
      `${role} is a file, not a twsa run folder (overwrite replaces run folders only)`,
    );
  const runJson = join(path, 'run.json');
  let record: unknown = null;
  if (existsSync(runJson)) {
    try {
      record = JSON.parse(readFileSync(runJson, 'utf8'));
    } catch {
      record = null;
    }
  }
  if (!isRunRecord(record)) {
    const entries = readdirSync(path);
    if (entries.length === 0) return; // an empty folder holds nothing to lose
    throw new UnsafeOverwriteError(
      path,
      `${role} is not a twsa run folder (no run.json written by twsa; it holds ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}, e.g. '${entries[0]}')`,
    );
  }
}
