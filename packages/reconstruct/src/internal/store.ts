/**
 * Stores grids and stacks in the run folder as a JSON header plus raw little-endian Float32 values, so a stage
 * run alone (`twsa evaluate <run>`) can read what an earlier stage wrote.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Grid, GridStack } from '@twsa/grid';
import { InputError, StageOrderError } from '../errors.js';
import type { StageName } from '../progress.js';
import { writeFileAtomic, writeJsonAtomic, readJson } from '../run-folder.js';
import type { PreparedData } from '../seam.js';

type Header = Omit<GridStack, 'data'> | Omit<Grid, 'data'>;

function toBytes(data: Float32Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Writes `<dir>/<name>.json` (header) and `<dir>/<name>.f32` (values). */
export function writeArray(dir: string, name: string, value: Grid | GridStack): void {
  const { data, ...header } = value;
  writeFileAtomic(join(dir, `${name}.f32`), toBytes(Float32Array.from(data)));
  writeJsonAtomic(join(dir, `${name}.json`), {
    ...header,
    nodata: Number.isNaN(header.nodata) ? 'NaN' : header.nodata,
  });
}

/** Reads what {@link writeArray} wrote. */
export function readArray<T extends Grid | GridStack>(dir: string, name: string): T {
  const header = readJson<Header & { nodata: number | 'NaN' }>(join(dir, `${name}.json`));
  const file = join(dir, `${name}.f32`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (cause) {
    throw new InputError(`Cannot read '${file}': ${(cause as Error).message}`, { cause, file });
  }
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  const data = new Float32Array(copy.buffer);
  const expected = (header.shape as readonly number[]).reduce((a, b) => a * b, 1);
  if (data.length !== expected)
    throw new InputError(
      `'${file}' holds ${data.length} values, its header says ${expected}; the run folder is damaged`,
      { file },
    );
  const nodata = (header.nodata as unknown) === 'NaN' ? Number.NaN : Number(header.nodata);
  return { ...header, nodata, data } as unknown as T;
}

/** Writes a {@link PreparedData} into `dir`. */
export function writePrepared(dir: string, data: PreparedData): void {
  writeArray(dir, 'grace', data.grace);
  writeArray(dir, 'lsm', data.lsm);
  writeArray(dir, 'mask', data.mask);
  if (data.hindcastLsm) writeArray(dir, 'hindcast-lsm', data.hindcastLsm);
  writeJsonAtomic(join(dir, 'prepared.json'), {
    records: data.records,
    splits: data.splits,
    months: data.months,
    missingMonths: data.missingMonths,
    description: data.description,
    twinExperiment: data.twinExperiment,
    attributes: data.attributes,
    hasHindcastLsm: data.hindcastLsm !== null,
  });
}

/** Reads a {@link PreparedData} written by {@link writePrepared}. */
export function readPrepared(dir: string): PreparedData {
  const meta = readJson<Omit<PreparedData, 'grace' | 'lsm' | 'mask' | 'hindcastLsm'> & { hasHindcastLsm: boolean }>(
    join(dir, 'prepared.json'),
  );
  const { hasHindcastLsm, ...rest } = meta;
  return {
    ...rest,
    grace: readArray<GridStack>(dir, 'grace'),
    lsm: readArray<GridStack>(dir, 'lsm'),
    mask: readArray<Grid>(dir, 'mask'),
    hindcastLsm: hasHindcastLsm ? readArray<GridStack>(dir, 'hindcast-lsm') : null,
  };
}

/**
 * The prepared data of a run folder, for a stage that needs them.
 * @throws {@link StageOrderError} when the prepare stage has not run.
 */
export function loadPrepared(work: string, stage: StageName): PreparedData {
  const dir = join(work, 'prepared');
  if (!existsSync(join(dir, 'prepared.json')))
    throw new StageOrderError(stage, 'prepared/prepared.json (the prepare stage)');
  return readPrepared(dir);
}
