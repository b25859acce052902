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
import { assertWritable, writeFileAtomic, writeFileAtomicSync } from './atomic.js';
import { caught } from '../../../../test-support/caught.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(nodePath.join(tmpdir(), 'twsa-atomic-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('writes all parts and leaves no temporary file', async () => {
    const p = nodePath.join(dir, 'out.bin');
    await writeFileAtomic(p, [new Uint8Array([1, 2]), new Uint8Array([3])], { caller: 'test' });
    expect(Array.from(readFileSync(p))).toEqual([1, 2, 3]);
    expect(readdirSync(dir)).toEqual(['out.bin']);
  });
  it('removes the temporary file and keeps the old target when a write fails midway', async () => {
    const p = nodePath.join(dir, 'out.bin');
    writeFileSync(p, 'old');
    const broken = [new Uint8Array(1000), { not: 'bytes' } as unknown as Uint8Array];
    const error = await caught(writeFileAtomic(p, broken, { overwrite: true, caller: 'test' }));
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
      const error = await caught(assertWritable(target, { overwrite: true, inputs: [input], caller: 'test' }));
      expect(isGridError(error, 'GridIoError')).toBe(true);
      expect(error.message).toMatch(/input of the same call/);
    }
    expect(readFileSync(input, 'utf8')).toBe('data');
    expect(existsSync(nodePath.join(dir, 'new.tif'))).toBe(false);
    await expect(
      assertWritable(nodePath.join(dir, 'new.tif'), { inputs: [input], caller: 'test' }),
    ).resolves.toBeUndefined();
  });
});

describe('writeFileAtomicSync', () => {
  it('writes text into created directories and refuses an existing target without overwrite', () => {
    const p = nodePath.join(dir, 'a', 'b', 'run.json');
    writeFileAtomicSync(p, '{"seed":1}\n', { createDirectories: true });
    expect(readFileSync(p, 'utf8')).toBe('{"seed":1}\n');
    let error: (Error & { file?: string }) | undefined;
    try {
      writeFileAtomicSync(p, 'new', { caller: 'test' });
    } catch (e) {
      error = e as Error & { file?: string };
    }
    expect(isGridError(error, 'GridIoError')).toBe(true);
    expect(error?.file).toBe(p);
    expect(error?.message).toMatch(/^test refuses to overwrite/);
    writeFileAtomicSync(p, 'new', { overwrite: true });
    expect(readFileSync(p, 'utf8')).toBe('new');
    expect(readdirSync(nodePath.dirname(p))).toEqual(['run.json']);
  });
  it('removes the temporary file and keeps the old target when a write fails midway', () => {
    const p = nodePath.join(dir, 'out.bin');
    writeFileSync(p, 'old');
    const broken = [new Uint8Array(10), { not: 'bytes' } as unknown as Uint8Array];
    expect(() => writeFileAtomicSync(p, broken, { overwrite: true })).toThrow(/could not write/);
    expect(readFileSync(p, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['out.bin']);
  });
});
