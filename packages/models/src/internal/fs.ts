/** Atomic file writes (temp file in the same directory + rename). */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

let counter = 0;

/** Writes `data` to `file` atomically: a reader sees the old file or the new one, never a partial one. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  counter += 1;
  const tmp = join(dirname(file), `.${basename(file)}.tmp-${process.pid}-${counter}`);
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}
