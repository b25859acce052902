/**
 * The chain from a GRACE Tellus land file to the paper's input: read → mm → clip to Canada → area-mean remap onto
 * CANADA_LCC_110KM → anomalies against the paper baseline.
 */
import {
  CANADA_LCC_110KM,
  anomalies,
  canadaMask,
  convertUnits,
  createStack,
  isStack,
  readNetcdf,
  reproject,
} from '@twsa/grid';
import type { Grid, GridSpec, GridStack } from '@twsa/grid';
import { DatasetsArgumentError, DatasetsEmptyError, DatasetsMismatchError } from './errors.js';
import { isYearMonth, monthIndex, monthKey } from '@twsa/grid';

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
  /** Sub-samples per cell side of the Canada outline rasterisation (source and target masks). Default `10`. */
  readonly subsamples?: number;
  /** A target cell keeps its value when at least this fraction of it is in Canada. Default `0` (any part). */
  readonly minCanadaFraction?: number;
}

/** Result of {@link prepareGrace}: the GRACE stack on the target grid and the Canada land fraction used. */
export interface PreparedGrace {
  /** GRACE TWSA anomalies in mm on the target grid, `[records, rows, cols]`, with `timeBounds` and provenance. */
  readonly grace: GridStack;
  /** Fraction of each target cell inside Canada (@twsa/grid canadaMask, Natural Earth 1:50m). */
  readonly mask: Grid;
}

/**
 * GRACE TWSA in mm on the paper's grid: read, convert to mm, clip to Canada, remap conservatively, remove the
 * baseline mean. Each step is a @twsa/grid function.
 *
 * ## Method
 * 1. Read: `readNetcdf` of each path (a Tellus land file such as the project's JPL RL06 v03 North-America
 *    NetCDF-3 subset, or global granules; frames of several files are concatenated in time order), or an
 *    already-read lon/lat {@link GridStack}; records whose window mid-point month is in `[start, end]` are kept.
 * 2. Units: `convertUnits` → mm (`lwe_thickness` is in m: × 1000).
 * 3. Clip: source cells with no part in Canada (`canadaMask` on the source grid) are set to NaN, so ocean and US
 *    cells do not leak into border cells.
 * 4. Remap: `reproject` conservative (area-weighted, renormalised over valid source area) onto `target`; target
 *    cells with a Canada fraction ≤ `minCanadaFraction` (`canadaMask` on the target) are set to NaN.
 * 5. Anomalies: `anomalies` with the baseline `[from-01, month after to)`: the product's own 2005–2010 baseline is
 *    replaced by the paper's 2002-04..2016-12.
 * No scale (gain) factor is applied; the attributes say so.
 *
 * @param input A file path, several paths, or a lon/lat GridStack (EPSG:4326) with `units`.
 * @param options See {@link PrepareGraceOptions}.
 * @returns A {@link PreparedGrace}: the stack `[records, 48, 48]` in mm and the Canada fraction grid.
 * @throws {@link DatasetsArgumentError} when the input is not a path/stack, the stack is not lon/lat or an option is malformed.
 * @throws {@link DatasetsMismatchError} when the units cannot be converted to mm or several files are on different grids.
 * @throws {@link DatasetsEmptyError} when no record lies in the period or in the baseline.
 * @throws the @twsa/grid reader errors (GridIoError, GridFormatError, GridVariableError) for unreadable files.
 * @example
 * ```ts
 * const { grace, mask } = await prepareGrace("../shared/data/real/grace_jpl_rl06v03_land/jpl_rl06v03_lnd_northamerica_1deg_200204-201912.nc");
 * grace.shape; // => [158, 48, 48]
 * grace.units; // => "mm"
 * ```
 */
export async function prepareGrace(
  input: string | readonly string[] | GridStack,
  options: PrepareGraceOptions = {},
): Promise<PreparedGrace> {
  const fn = 'prepareGrace';
  const target = options.target ?? CANADA_LCC_110KM;
  const start = options.start ?? '2002-04';
  const end = options.end ?? '2016-12';
  const baseline = options.baseline ?? ['2002-04', '2016-12'];
  const subsamples = options.subsamples ?? 10;
  const minFraction = options.minCanadaFraction ?? 0;
  for (const [name, v] of [
    ['options.start', start],
    ['options.end', end],
    ['options.baseline[0]', baseline[0]],
    ['options.baseline[1]', baseline[1]],
  ] as const) {
    if (!isYearMonth(v)) throw new DatasetsArgumentError(name, fn, 'a "YYYY-MM" month', JSON.stringify(v));
  }
  if (start > end)
    throw new DatasetsArgumentError('options.start', fn, `a month not after options.end (${end})`, start);
  if (!Number.isInteger(subsamples) || subsamples < 1 || subsamples > 50)
    throw new DatasetsArgumentError('options.subsamples', fn, 'an integer in [1, 50]', String(subsamples));
  if (!(minFraction >= 0 && minFraction < 1))
    throw new DatasetsArgumentError('options.minCanadaFraction', fn, 'a fraction in [0, 1)', String(minFraction));

  let raw: GridStack;
  let source: string;
  if (typeof input === 'string' || (Array.isArray(input) && input.every((p) => typeof p === 'string'))) {
    const paths = typeof input === 'string' ? [input] : (input as readonly string[]);
    if (paths.length === 0) throw new DatasetsArgumentError('input', fn, 'at least one path', '[]');
    const stacks: GridStack[] = [];
    for (const path of paths) stacks.push(await readNetcdf(path, { variable: 'lwe_thickness' }));
    raw = concatenate(stacks, fn);
    source = paths.join(', ');
  } else if (isStack(input)) {
    raw = input as GridStack;
    source = String(raw.attributes?.source ?? 'GridStack');
  } else {
    throw new DatasetsArgumentError('input', fn, 'a file path, an array of paths or a GridStack', typeof input);
  }
  if (raw.crs !== 'EPSG:4326') throw new DatasetsArgumentError('input', fn, 'a lon/lat (EPSG:4326) stack', raw.crs);

  // Period selection by the month of each record's nominal time.
  const [nt, ny, nx] = raw.shape;
  const keep: number[] = [];
  for (let t = 0; t < nt; t++) {
    const ym = raw.times[t]!.slice(0, 7);
    if (ym >= start && ym <= end) keep.push(t);
  }
  if (keep.length === 0)
    throw new DatasetsEmptyError(
      `No GRACE record in ${start}..${end} (the input covers ${raw.times[0]?.slice(0, 7)}..${raw.times[nt - 1]?.slice(0, 7)})`,
      { field: 'options.start' },
    );
  const size = ny * nx;
  const selectedData = new Float32Array(keep.length * size);
  keep.forEach((t, i) => selectedData.set(raw.data.subarray(t * size, (t + 1) * size), i * size));
  let selected: GridStack = createStack(selectedData, {
    shape: [keep.length, ny, nx],
    bounds: raw.bounds,
    crs: raw.crs,
    ...(raw.units !== undefined ? { units: raw.units } : {}),
    times: keep.map((t) => raw.times[t]!),
    ...(raw.timeBounds ? { timeBounds: keep.map((t) => raw.timeBounds![t]!) } : {}),
    ...(raw.labels ? { labels: keep.map((t) => raw.labels![t]!) } : {}),
  });
  try {
    selected = convertUnits(selected, 'mm');
  } catch (cause) {
    throw new DatasetsMismatchError(
      `Cannot convert GRACE units '${raw.units ?? '(none)'}' to mm; expected m, cm, mm or kg m-2`,
      { field: 'input.units', cause },
    );
  }

  // Clip to Canada on the source grid.
  const sourceSpec: GridSpec = { shape: [ny, nx], bounds: raw.bounds, crs: raw.crs };
  const sourceMask = canadaMask(sourceSpec, { subsamples });
  const clipped = new Float32Array(selected.data.length);
  for (let t = 0; t < keep.length; t++)
    for (let k = 0; k < size; k++)
      clipped[t * size + k] = sourceMask.data[k]! > 0 ? selected.data[t * size + k]! : Number.NaN;

  // Conservative remap, then the target Canada mask.
  const remapped = reproject({ ...selected, data: clipped }, target, { method: 'conservative' });
  const mask = canadaMask(target, { subsamples });
  const tsize = target.shape[0] * target.shape[1];
  const masked = new Float32Array(remapped.data.length);
  for (let t = 0; t < keep.length; t++)
    for (let k = 0; k < tsize; k++)
      masked[t * tsize + k] = mask.data[k]! > minFraction ? remapped.data[t * tsize + k]! : Number.NaN;

  const window: [string, string] = [`${baseline[0]}-01`, `${monthKey(monthIndex(baseline[1]) + 1)}-01`];
  let grace: GridStack;
  try {
    grace = anomalies({ ...remapped, data: masked }, { baseline: window });
  } catch (cause) {
    throw new DatasetsEmptyError(`No GRACE record in the baseline ${baseline[0]}..${baseline[1]}`, {
      field: 'options.baseline',
      cause,
    });
  }
  return {
    grace: {
      ...grace,
      units: 'mm',
      attributes: {
        ...(grace.attributes ?? {}),
        source,
        processing: `@twsa/datasets prepareGrace: readNetcdf lwe_thickness → convertUnits mm → clip to Canada (canadaMask > 0 on the source grid) → reproject conservative to ${target.crs} ${target.shape.join('×')} → cells with Canada fraction ≤ ${minFraction} set NaN → anomalies vs [${window[0]}, ${window[1]})`,
        baseline: `${baseline[0]}..${baseline[1]}`,
        units: 'mm',
        scale_factor_applied: 'none (CLM4 gain factors not applied)',
      },
    },
    mask,
  };
}

function concatenate(stacks: readonly GridStack[], fn: string): GridStack {
  if (stacks.length === 1) return stacks[0]!;
  const first = stacks[0]!;
  const [, ny, nx] = first.shape;
  for (const s of stacks) {
    if (
      s.shape[1] !== ny ||
      s.shape[2] !== nx ||
      s.crs !== first.crs ||
      s.bounds.some((v, i) => Math.abs(v - first.bounds[i]!) > 1e-6) ||
      s.units !== first.units
    ) {
      throw new DatasetsMismatchError(
        `${fn}: the files are on different grids or units (${first.crs} ${first.shape.slice(1).join('×')} ${first.units} vs ${s.crs} ${s.shape.slice(1).join('×')} ${s.units})`,
        { field: 'input' },
      );
    }
  }
  const frames = stacks.flatMap((s) => s.times.map((time, t) => ({ s, t, time })));
  frames.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  const size = ny * nx;
  const data = new Float32Array(frames.length * size);
  frames.forEach((f, i) => data.set(f.s.data.subarray(f.t * size, (f.t + 1) * size), i * size));
  const withBounds = stacks.every((s) => s.timeBounds);
  return createStack(data, {
    shape: [frames.length, ny, nx],
    bounds: first.bounds,
    crs: first.crs,
    ...(first.units !== undefined ? { units: first.units } : {}),
    times: frames.map((f) => f.time),
    ...(withBounds ? { timeBounds: frames.map((f) => f.s.timeBounds![f.t]!) } : {}),
  });
}
