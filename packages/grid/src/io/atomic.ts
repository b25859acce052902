/**
 * Atomic file writes: bytes go to `<path>.tmp-<pid>-<random>` beside the target, which is renamed over the
 * target only once everything is written; on any error the temporary file is removed. The one writer of the
 * monorepo: grid's GeoTIFF/NetCDF writers, model and checkpoint saving, and the reconstruct run folder use it.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  promises as fs,
  renameSync,
  rmSync,
  statSync,
  writeSync,
  type Stats,
} from 'node:fs';
import * as nodePath from 'node:path';
import { GridIoError } from '../errors.js';

/** Options every writer of this package accepts. */
export interface WriteFileOptions {
  /** Replace an existing file at the target path. Default `false` (an existing file is an error). */
  readonly overwrite?: boolean;
  /** Paths this call read its data from; the target may never be one of them, even with `overwrite`. */
  readonly inputs?: readonly string[];
}

/** Options of {@link writeFileAtomic} and {@link writeFileAtomicSync}. */
export interface AtomicWriteOptions extends WriteFileOptions {
  /** Create the missing parent directories of the target first. Default `false`. */
  readonly createDirectories?: boolean;
  /** Name of the calling function, used in error messages. Default `'writeFileAtomic'`. */
  readonly caller?: string;
}

/** What {@link writeFileAtomic} writes: text (UTF-8), bytes, or byte parts written one after another. */
export type AtomicWriteData = string | Uint8Array | readonly Uint8Array[];

function ioError(path: string, caller: string, what: string, error: unknown): GridIoError {
  return new GridIoError(`${caller} could not ${what} ${path}: ${(error as Error).message}`, {
    file: path,
    field: 'path',
    cause: error,
  });
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/** The reason `path` may not be written (see {@link assertWritable}), or undefined; `stat` looks files up. */
function refusal(
  path: unknown,
  options: AtomicWriteOptions,
  caller: string,
  stat: (file: string) => Stats | undefined,
): GridIoError | undefined {
  if (typeof path !== 'string' || path === '')
    return new GridIoError(`${caller}: the output path must be a non-empty string`, { field: 'path' });
  const target = stat(path);
  const resolved = nodePath.resolve(path);
  for (const input of options.inputs ?? []) {
    let same = nodePath.resolve(input) === resolved;
    if (!same && target !== undefined) {
      const s = stat(input);
      same = s !== undefined && s.dev === target.dev && s.ino === target.ino;
    }
    if (same) {
      return new GridIoError(
        `${caller} refuses to write ${path}: it is an input of the same call (${input}); choose another output path`,
        { file: path, field: 'path' },
      );
    }
  }
  if (target !== undefined && !options.overwrite) {
    return new GridIoError(
      `${caller} refuses to overwrite the existing file ${path}; pass { overwrite: true } to replace it`,
      { file: path, field: 'path' },
    );
  }
  return undefined;
}

function statSyncOrUndefined(caller: string): (file: string) => Stats | undefined {
  return (file) => {
    try {
      return statSync(file);
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw ioError(file, caller, 'inspect', error);
    }
  };
}

/** The same checks as {@link refusal}, with the files looked up asynchronously first. */
async function refusalAsync(
  path: unknown,
  options: AtomicWriteOptions,
  caller: string,
): Promise<GridIoError | undefined> {
  const stats = new Map<string, Stats | undefined>();
  const files = typeof path === 'string' && path !== '' ? [path, ...(options.inputs ?? [])] : [];
  for (const file of files) {
    try {
      stats.set(file, await fs.stat(file));
    } catch (error) {
      if (!isMissing(error)) throw ioError(file, caller, 'inspect', error);
      stats.set(file, undefined);
    }
  }
  return refusal(path, options, caller, (file) => stats.get(file));
}

/**
 * Checks that `path` may be written: it is not one of `options.inputs` (compared by resolved path and by
 * device/inode, so links are caught) and it does not exist unless `options.overwrite` is set.
 * @throws {@link GridIoError} naming the file otherwise.
 */
export async function assertWritable(path: string, options: AtomicWriteOptions = {}): Promise<void> {
  const error = await refusalAsync(path, options, options.caller ?? 'writeFileAtomic');
  if (error) throw error;
}

function tempPathOf(path: string): string {
  return `${path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
}

function partsOf(data: AtomicWriteData): readonly Uint8Array[] {
  if (typeof data === 'string') return [Buffer.from(data, 'utf8')];
  const parts = data instanceof Uint8Array ? [data] : data;
  for (const part of parts)
    if (!(part instanceof Uint8Array))
      throw new TypeError(`data must be a string or Uint8Array parts, got ${typeof part}`);
  return parts;
}

/**
 * Writes a file atomically: a reader sees the old file or the complete new one, never a partial one, and a
 * failed write leaves nothing behind.
 *
 * ## Method
 * Checks the target (see `overwrite` and `inputs`), writes `data` to a temporary file
 * `<path>.tmp-<pid>-<random>` in the same directory, flushes it to disk, checks the target again (another
 * process may have created it meanwhile) and renames the temporary file over the target. On any error the
 * temporary file is removed.
 *
 * @param path - the target file
 * @param data - text (written as UTF-8), bytes, or byte parts written in order
 * @param options - `overwrite` (default `false`), `inputs` the target may not be, `createDirectories`, `caller`
 * @throws {@link GridIoError} (with `file`) when the target may not be written or the write fails.
 * @example
 * ```ts
 * const file = `/tmp/twsa-example-atomic-${process.pid}/run.json`;
 * await writeFileAtomic(file, JSON.stringify({ seed: 1 }), { overwrite: true, createDirectories: true });
 * (await import("node:fs")).readFileSync(file, "utf8"); // => '{"seed":1}'
 * ```
 */
export async function writeFileAtomic(
  path: string,
  data: AtomicWriteData,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const caller = options.caller ?? 'writeFileAtomic';
  const refused = await refusalAsync(path, options, caller);
  if (refused) throw refused;
  if (options.createDirectories) {
    await fs.mkdir(nodePath.dirname(path), { recursive: true }).catch((error: unknown) => {
      throw ioError(path, caller, 'create the directory of', error);
    });
  }
  const temp = tempPathOf(path);
  let handle: import('node:fs/promises').FileHandle | undefined;
  try {
    handle = await fs.open(temp, 'wx');
    for (const part of partsOf(data)) await handle.write(part);
    await handle.sync();
    await handle.close();
    handle = undefined;
    const late = await refusalAsync(path, options, caller);
    if (late) throw late;
    await fs.rename(temp, path);
  } catch (error) {
    if (handle) await handle.close().catch(() => undefined);
    await fs.rm(temp, { force: true }).catch(() => undefined);
    if (error instanceof GridIoError) throw error;
    throw ioError(path, caller, 'write', error);
  }
}

/**
 * The synchronous twin of {@link writeFileAtomic}, for callers that write small files (JSON, CSV, reports)
 * in synchronous code: same checks, same temporary file, same rename, same cleanup.
 *
 * @param path - the target file
 * @param data - text (written as UTF-8), bytes, or byte parts written in order
 * @param options - as {@link writeFileAtomic}
 * @throws {@link GridIoError} (with `file`) when the target may not be written or the write fails.
 * @example
 * ```ts
 * const file = `/tmp/twsa-example-atomic-${process.pid}/table1.csv`;
 * writeFileAtomicSync(file, "model,nse\n", { overwrite: true, createDirectories: true });
 * (await import("node:fs")).readFileSync(file, "utf8"); // => "model,nse\n"
 * ```
 */
export function writeFileAtomicSync(path: string, data: AtomicWriteData, options: AtomicWriteOptions = {}): void {
  const caller = options.caller ?? 'writeFileAtomic';
  const stat = statSyncOrUndefined(caller);
  const refused = refusal(path, options, caller, stat);
  if (refused) throw refused;
  if (options.createDirectories) {
    try {
      mkdirSync(nodePath.dirname(path), { recursive: true });
    } catch (error) {
      throw ioError(path, caller, 'create the directory of', error);
    }
  }
  const temp = tempPathOf(path);
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'wx');
    for (const part of partsOf(data)) {
      let offset = 0;
      while (offset < part.byteLength) offset += writeSync(fd, part, offset);
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    const late = refusal(path, options, caller, stat);
    if (late) throw late;
    renameSync(temp, path);
  } catch (error) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // Already failing: the original error is the one to report.
      }
    }
    rmSync(temp, { force: true });
    if (error instanceof GridIoError) throw error;
    throw ioError(path, caller, 'write', error);
  }
}
