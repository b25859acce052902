/** Test helpers of @twsa/datasets: small GRACE-like and LSM-like stacks on the real GRACE calendar. */
import { resolve } from 'node:path';
import { createStack } from '@twsa/grid';
import type { GridSpec, GridStack, TimeBounds } from '@twsa/grid';
import { GRACE_JPL_RL06_WINDOWS } from '../src/grace-calendar.js';

/** A small projected grid (EPSG:3978, 112 km cells) used by the unit tests. */
export const SMALL_GRID: GridSpec = { shape: [4, 5], bounds: [0, 0, 5 * 112_000, 4 * 112_000], crs: 'EPSG:3978' };

/** The real GRACE windows of months `from..to`. */
export function calendar(from = '2002-04', to = '2016-12') {
  return GRACE_JPL_RL06_WINDOWS.filter((w) => w.yearMonth >= from && w.yearMonth <= to);
}

/** A GRACE-like stack on `spec` over the real windows, value = f(record index, pixel). */
export function graceLike(
  f: (i: number, k: number) => number,
  options: { from?: string; to?: string; spec?: GridSpec; units?: string } = {},
): GridStack {
  const spec = options.spec ?? SMALL_GRID;
  const w = calendar(options.from, options.to);
  const size = spec.shape[0] * spec.shape[1];
  const data = new Float32Array(w.length * size);
  for (let i = 0; i < w.length; i++) for (let k = 0; k < size; k++) data[i * size + k] = f(i, k);
  return createStack(data, {
    shape: [w.length, spec.shape[0], spec.shape[1]],
    bounds: spec.bounds,
    crs: spec.crs,
    units: options.units ?? 'mm',
    times: w.map((x) => x.mid),
    timeBounds: w.map((x): TimeBounds => [x.start, x.end]),
  });
}

/** An LSM-like stack on the same windows as `grace` (what grid's aggregation would produce), value = g(i, k). */
export function lsmOnWindows(
  grace: GridStack,
  g: (i: number, k: number) => number,
  options: { units?: string } = {},
): GridStack {
  const size = grace.shape[1] * grace.shape[2];
  const data = new Float32Array(grace.data.length);
  for (let i = 0; i < grace.shape[0]; i++) for (let k = 0; k < size; k++) data[i * size + k] = g(i, k);
  return {
    ...grace,
    data,
    units: options.units ?? grace.units ?? 'mm',
    attributes: { lsm_source: 'test LSM' },
  } as GridStack;
}

/** True when `../shared/data/real` (beside the repository) exists. */
export const REAL_GRACE =
  '../shared/data/real/grace_jpl_rl06v03_land/jpl_rl06v03_lnd_northamerica_1deg_200204-201912.nc';
/** The repository root, from this file's location (tests run with the root or the package folder as working directory). */
export const REPO_ROOT = resolve(import.meta.dirname, '..', '..', '..');
/** A path given relative to the repository root (such as {@link REAL_GRACE}) made absolute. */
export const fromRepoRoot = (path: string): string => resolve(REPO_ROOT, path);
