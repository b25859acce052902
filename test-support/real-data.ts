// The real data beside the repository (../shared/data/real, see each PROVENANCE.md). Tests read it when present and
// say so when they skip: never copied or committed into the project.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** `../shared/data/real` relative to the repository root. */
export const REAL_DATA_DIR = join(import.meta.dirname, '..', '..', 'shared', 'data', 'real');

/** The path of a file or folder under {@link REAL_DATA_DIR}. */
export function realDataPath(...parts: string[]): string {
  return join(REAL_DATA_DIR, ...parts);
}

/**
 * Whether `path` exists; when it does not, prints one `skipped: …` warning naming it, so a skipped real-data test
 * says why instead of passing silently.
 */
export function haveRealData(path: string): boolean {
  if (existsSync(path)) return true;
  console.warn(`skipped: ${path} not found (the real data in ../shared/data/real is absent)`);
  return false;
}
