/**
 * Atomic file writes: bytes go to `<path>.tmp-<pid>-<random>` beside the target, which is renamed over the
 * target only once everything is written; on any error the temporary file is removed.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as nodePath from 'node:path';
import { GridIoError } from '../errors.js';

/** Options every writer of this package accepts. */
export interface WriteFileOptions {
  /** Replace an existing file at the target path. Default `false` (an existing file is an error). */
  readonly overwrite?: boolean;
  /** Paths this call read its data from; the target may never be one of them, even with `overwrite`. */
  readonly inputs?: readonly string[];
}

async function statOrUndefined(path: string): Promise<import('node:fs').Stats | undefined> {
  try {
    return await fs.stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new GridIoError(`Cannot inspect ${path}: ${(error as Error).message}`, { file: path, cause: error });
  }
}

/**
 * Checks that `path` may be written: it is not one of `inputs` (compared by resolved path and by device/inode,
 * so links are caught) and it does not exist unless `overwrite` is set.
 * @throws {@link GridIoError} naming the file otherwise.
 */
export async function assertWritable(path: string, options: WriteFileOptions, functionName: string): Promise<void> {
  if (typeof path !== 'string' || path === '')
    throw new GridIoError(`${functionName}: the output path must be a non-empty string`, { field: 'path' });
  const target = await statOrUndefined(path);
  const resolved = nodePath.resolve(path);
  for (const input of options.inputs ?? []) {
    const same =
      nodePath.resolve(input) === resolved ||
      (target !== undefined &&
        (await (async () => {
          const s = await statOrUndefined(input);
          return s !== undefined && s.dev === target.dev && s.ino === target.ino;
        })()));
    if (same) {
      throw new GridIoError(
        `${functionName} refuses to write ${path}: it is an input of the same call (${input}); choose another output path`,
        { file: path, field: 'path' },
      );
    }
  }
  if (target !== undefined && !options.overwrite) {
    throw new GridIoError(
      `${functionName} refuses to overwrite the existing file ${path}; pass { overwrite: true } to replace it`,
      { file: path, field: 'path' },
    );
  }
}

/**
 * Writes `bytes` to `path` atomically after {@link assertWritable}.
 * @throws {@link GridIoError} when the target may not be written or the write fails; nothing is left behind.
 */
export async function writeFileAtomic(
  path: string,
  bytes: Uint8Array | readonly Uint8Array[],
  options: WriteFileOptions,
  functionName: string,
): Promise<void> {
  await assertWritable(path, options, functionName);
  const temp = `${path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  let handle: import('node:fs/promises').FileHandle | undefined;
  try {
    handle = await fs.open(temp, 'wx');
    const parts = bytes instanceof Uint8Array ? [bytes] : bytes;
    for (const part of parts) await handle.write(part);
    await handle.sync();
    await handle.close();
    handle = undefined;
    // Re-check right before the rename: another process may have created the target meanwhile.
    await assertWritable(path, options, functionName);
    await fs.rename(temp, path);
  } catch (error) {
    if (handle) await handle.close().catch(() => undefined);
    await fs.rm(temp, { force: true }).catch(() => undefined);
    if (error instanceof GridIoError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'EACCES' || code === 'EPERM'
        ? `permission denied (${code})`
        : code === 'ENOENT'
          ? `its folder ${nodePath.dirname(path)} does not exist (ENOENT)`
          : code === 'ENOTDIR'
            ? 'a folder above it is a file (ENOTDIR)'
            : (error as Error).message;
    throw new GridIoError(`${functionName} could not write ${path}: ${why}`, {
      file: path,
      field: 'path',
      cause: error,
    });
  }
}
