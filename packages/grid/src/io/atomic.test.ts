import {
  existsSync,
  linkSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { isGridError } from '../errors.js';
import { assertWritable, writeFileAtomic } from './atomic.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(nodePath.join(tmpdir(), 'twsa-atomic-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function caught(p: Promise<unknown>): Promise<Error & { file?: string; field?: string }> {
  try {
    await p;
  } catch (error) {
    return error as Error & { file?: string; field?: string };
  }
  throw new Error('expected a rejection');
}

describe('writeFileAtomic', () => {
  it('writes all parts and leaves no temporary file', async () => {
    const p = nodePath.join(dir, 'out.bin');
    await writeFileAtomic(p, [new Uint8Array([1, 2]), new Uint8Array([3])], {}, 'test');
    expect(Array.from(readFileSync(p))).toEqual([1, 2, 3]);
    expect(readdirSync(dir)).toEqual(['out.bin']);
  });
  it('removes the temporary file and keeps the old target when a write fails midway', async () => {
    const p = nodePath.join(dir, 'out.bin');
    writeFileSync(p, 'old');
    const broken = [new Uint8Array(1000), { not: 'bytes' } as unknown as Uint8Array];
    const error = await caught(writeFileAtomic(p, broken, { overwrite: true }, 'test'));
    expect(isGridError(error, 'GridIoError')).toBe(true);
    expect(error.file).toBe(p);
    expect(readFileSync(p, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['out.bin']);
  });
  it('catches an input reached through a hard link or a symbolic link', async () => {
    const input = nodePath.join(dir, 'in.tif');
    writeFileSync(input, 'data');
    const hard = nodePath.join(dir, 'hard.tif');
    linkSync(input, hard);
    const soft = nodePath.join(dir, 'soft.tif');
    symlinkSync(input, soft);
    for (const target of [hard, soft]) {
      const error = await caught(assertWritable(target, { overwrite: true, inputs: [input] }, 'test'));
      expect(isGridError(error, 'GridIoError')).toBe(true);
      expect(error.message).toMatch(/input of the same call/);
    }
    expect(readFileSync(input, 'utf8')).toBe('data');
    expect(existsSync(nodePath.join(dir, 'new.tif'))).toBe(false);
    await expect(assertWritable(nodePath.join(dir, 'new.tif'), { inputs: [input] }, 'test')).resolves.toBeUndefined();
  });
});
