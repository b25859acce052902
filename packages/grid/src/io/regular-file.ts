/**
 * Refusing a path that is not a regular file before reading it: a FIFO or a character device would block a read
 * forever (or stream without end), a directory or socket cannot be a raster.
 */
import { statSync, type Stats } from 'node:fs';
import { GridIoError } from '../errors.js';

function kindOf(s: Stats): string {
  if (s.isDirectory()) return 'a directory';
  if (s.isFIFO()) return 'a FIFO (named pipe)';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Checks that `path` exists and is a regular file (links are followed).
 * @throws {@link GridIoError} naming the file when it is missing, unreadable, or a directory, FIFO, device or socket.
 */
export function assertRegularFile(path: string, functionName: string): void {
  let s: Stats;
  try {
    s = statSync(path);
  } catch (error) {
    throw new GridIoError(`Cannot read ${path}: ${(error as Error).message}`, {
      file: path,
      field: 'path',
      cause: error,
    });
  }
  if (!s.isFile())
    throw new GridIoError(
      `${functionName} refuses ${path}: it is ${kindOf(s)}, not a regular file; give a GeoTIFF or NetCDF file`,
      { file: path, field: 'path' },
    );
}
