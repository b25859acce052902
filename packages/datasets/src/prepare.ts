/**
 * The chain from a GRACE Tellus land file to the paper's input: read → mm → clip to Canada → area-mean remap onto
 * CANADA_LCC_110KM → anomalies against the paper baseline.
 */
import { CANADA_LCC_110KM, createStack, isStack, sameGrid } from '@twsa/grid';
import type { GridSpec, GridStack } from '@twsa/grid';
import { DatasetsArgumentError, DatasetsEmptyError, DatasetsMismatchError } from './errors.js';
import { anomaliesInterim, readTellusNetcdf3, remapToCanada, sampleCanada, toMillimetres } from './internal/interim-grid.js';
import { isYearMonth } from './internal/time.js';

/** Options of {@link prepareGrace}. */
export interface PrepareGraceOptions {
  /** Target grid. Default `CANADA_LCC_110KM` (48 × 48 cells of 112 km, EPSG:3978). */
  readonly target?: GridSpec;
  /** First month `"YYYY-MM"` (by window mid-point) to keep. Default `"2002-04"`. */
  readonly start?: string;
  /** Last month to keep, inclusive. Default `"2016-12"`. */
  readonly end?: string;
  /** Anomaly baseline `[from, to]` months, inclusive. Default `["2002-04", "2016-12"]` (the paper's period). */
  readonly baseline?: readonly [from: string, to: string];
  /** Sub-points per target cell side used to clip to Canada and average the source cells. Default `10` (100 per cell). */
  readonly subsamples?: number;
}

/**
 * GRACE TWSA in mm on the paper's grid: read, convert to mm, clip to Canada, remap, remove the baseline mean.
 *
 * ## Method
 * 1. Read: a path to a Tellus land NetCDF-3 stack (`lwe_thickness(time, lat, lon)`, `time_bounds`), such as the
 *    project's JPL RL06 v03 North-America subset, or an already-read lon/lat {@link GridStack}.
 * 2. Units: `lwe_thickness` (m or cm) × 1000 or × 10 → mm.
 * 3. Clip and remap: each target cell is sampled by `subsamples²` points in the target CRS; the points inside the
 *    Canada outline (Natural Earth 1:110m) take the value of the 1° source cell they fall in; the cell value is the
 *    mean over those points with a finite value (an area mean, since the Lambert grid is near equal-area at cell
 *    scale; ocean source cells are skipped, so coasts are not diluted). Cells with no point in Canada are NaN.
 * 4. Anomalies: per pixel, the mean over the records whose month is in `baseline` is subtracted
 *    (the product's own 2005–2010 baseline is replaced by the paper's 2002-04..2016-12).
 * No scale (gain) factor is applied; the attributes say so.
 *
 * @param input A file path or a lon/lat GridStack (EPSG:4326) with `units`.
 * @param options See {@link PrepareGraceOptions}.
 * @returns A GridStack `[records, 48, 48]` in mm with `timeBounds` and provenance attributes.
 * @throws {@link DatasetsArgumentError} when the file cannot be read, an option is malformed or the stack is not lon/lat.
 * @throws {@link DatasetsMismatchError} when the units cannot be converted to mm.
 * @throws {@link DatasetsEmptyError} when no record lies in the period or in the baseline.
 * @example
 * ```ts
 * const grace = prepareGrace("../shared/data/real/grace_jpl_rl06v03_land/jpl_rl06v03_lnd_northamerica_1deg_200204-201912.nc");
 * grace.shape; // => [158, 48, 48]
 * grace.units; // => "mm"
 * ```
 */
export function prepareGrace(input: string | GridStack, options: PrepareGraceOptions = {}): GridStack {
  const fn = 'prepareGrace';
  const target = options.target ?? CANADA_LCC_110KM;
  const start = options.start ?? '2002-04';
  const end = options.end ?? '2016-12';
  const baseline = options.baseline ?? ['2002-04', '2016-12'];
  const subsamples = options.subsamples ?? 10;
  for (const [name, v] of [['options.start', start], ['options.end', end], ['options.baseline[0]', baseline[0]], ['options.baseline[1]', baseline[1]]] as const) {
    if (!isYearMonth(v)) throw new DatasetsArgumentError(name, fn, 'a "YYYY-MM" month', JSON.stringify(v));
  }
  if (!Number.isInteger(subsamples) || subsamples < 1 || subsamples > 50) throw new DatasetsArgumentError('options.subsamples', fn, 'an integer in [1, 50]', String(subsamples));
  let raw: GridStack;
  if (typeof input === 'string') raw = readTellusNetcdf3(input);
  else if (isStack(input)) raw = input;
  else throw new DatasetsArgumentError('input', fn, 'a file path or a GridStack', typeof input);
  if (raw.crs !== 'EPSG:4326') throw new DatasetsArgumentError('input', fn, 'a lon/lat (EPSG:4326) stack', raw.crs);
  const factor = toMillimetres(raw.units);
  if (factor === undefined) throw new DatasetsMismatchError(`Cannot convert GRACE units '${raw.units ?? '(none)'}' to mm; expected m, cm, mm or kg m-2`, { field: 'input.units' });

  // Period selection first (cheaper), then mm.
  const [nt, ny, nx] = raw.shape;
  const keep: number[] = [];
  for (let t = 0; t < nt; t++) { const ym = raw.times[t]!.slice(0, 7); if (ym >= start && ym <= end) keep.push(t); }
  if (keep.length === 0) throw new DatasetsEmptyError(`No GRACE record in ${start}..${end}`, { field: 'options.start' });
  const size = ny * nx;
  const mm = new Float32Array(keep.length * size);
  keep.forEach((t, i) => { for (let k = 0; k < size; k++) mm[i * size + k] = raw.data[t * size + k]! * factor; });
  const selected = createStack(mm, {
    shape: [keep.length, ny, nx], bounds: raw.bounds, crs: raw.crs, units: 'mm',
    times: keep.map((t) => raw.times[t]!),
    ...(raw.timeBounds ? { timeBounds: keep.map((t) => raw.timeBounds![t]!) } : {}),
    ...(raw.labels ? { labels: keep.map((t) => raw.labels![t]!) } : {}),
  });

  const sampling = sampleCanada(target, subsamples);
  const remapped = remapToCanada(selected, sampling);
  if (!sameGrid({ shape: [remapped.shape[1], remapped.shape[2]], bounds: remapped.bounds, crs: remapped.crs }, target)) {
    throw new DatasetsMismatchError('Remapped GRACE is not on the target grid', { field: 'options.target' });
  }
  const { stack, frames } = anomaliesInterim(remapped, baseline[0], baseline[1]);
  if (frames === 0) throw new DatasetsEmptyError(`No GRACE record in the baseline ${baseline[0]}..${baseline[1]}`, { field: 'options.baseline' });
  return {
    ...stack,
    units: 'mm',
    attributes: {
      ...(raw.attributes ?? {}),
      source: String(raw.attributes?.source ?? 'GridStack'),
      processing: `lwe_thickness ×${factor} → mm; clipped to Canada (Natural Earth 1:110m) and area-mean remapped to ${target.crs} ${target.shape.join('×')} with ${subsamples}×${subsamples} sub-points per cell; anomalies vs ${baseline[0]}..${baseline[1]} (${frames} records)`,
      baseline: `${baseline[0]}..${baseline[1]}`,
      units: 'mm',
      scale_factor_applied: 'none (CLM4 gain factors not applied)',
    },
  };
}
