/**
 * A plain summary of a raster file, for `twsa grid info <file>`.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { GridArgumentError, GridIoError, GridVariableError } from '../errors.js';
import type { Bounds } from '../grid.js';
import { readGeoTiff, readGeoTiffHeader } from './geotiff.js';
import { assertRegularFile } from './regular-file.js';
import { attributeNumber, attributeString } from './netcdf-backend.js';
import { dataVariableNames, openBackend, openNetcdf } from './netcdf.js';

/** One variable of a file as {@link gridInfo} lists it. */
export interface GridInfoVariable {
  readonly name: string;
  readonly dims: readonly string[];
  readonly shape: readonly number[];
  readonly type: string;
  readonly units?: string;
}

/** Value statistics over every valid cell (NaN/nodata excluded). */
export interface GridInfoStats {
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  /** Number of valid cells. */
  readonly validCount: number;
  /** Number of cells. */
  readonly count: number;
  /** Number of cells holding ±Infinity (neither valid nor the fill value), when there are any. */
  readonly nonFinite?: number;
}

/** The summary {@link gridInfo} returns. */
export interface GridInfo {
  readonly path: string;
  readonly format: 'GeoTIFF' | 'NetCDF-3' | 'NetCDF-4';
  /** Library used to read it: `"geotiff"`, `"netcdfjs"` or `"h5wasm"`. */
  readonly driver: string;
  readonly variables: readonly GridInfoVariable[];
  /** The variable summarised (NetCDF), or `"band 1"` (GeoTIFF). */
  readonly variable: string;
  /** `[rows, cols]` or `[time, rows, cols]` after north-up/longitude normalisation. */
  readonly shape: readonly number[];
  readonly bounds: Bounds;
  readonly crs: string;
  /** The nodata/fill value stored in the file, when there is one. */
  readonly nodata?: number;
  readonly units?: string;
  /** First and last frame time and the number of frames (NetCDF with a time coordinate). */
  readonly times?: { readonly first: string; readonly last: string; readonly count: number };
  /** Statistics of the values (omitted with `{ stats: false }`). */
  readonly stats?: GridInfoStats;
  /** Implausible values found while computing `stats` (infinite values, frames with no valid value), when any. */
  readonly warnings?: readonly string[];
}

/** Options of {@link gridInfo}. */
export interface GridInfoOptions {
  /** NetCDF variable to summarise. Default: the first data variable. */
  readonly variable?: string;
  /** Compute min/max/mean (reads every value, one frame at a time). Default `true`. */
  readonly stats?: boolean;
}

interface Accumulator {
  min: number;
  max: number;
  sum: number;
  valid: number;
  count: number;
  nonFinite: number;
  firstNonFinite: string | null;
  emptyFrames: string[];
}

const newAccumulator = (): Accumulator => ({
  min: Infinity,
  max: -Infinity,
  sum: 0,
  valid: 0,
  count: 0,
  nonFinite: 0,
  firstNonFinite: null,
  emptyFrames: [],
});

function accumulate(data: Float32Array, acc: Accumulator, frame: string): void {
  let valid = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    acc.count++;
    if (Number.isNaN(v)) continue;
    if (!Number.isFinite(v)) {
      acc.nonFinite++;
      acc.firstNonFinite ??= `${v > 0 ? '+' : '-'}Infinity in ${frame}`;
      continue;
    }
    valid++;
    acc.sum += v;
    if (v < acc.min) acc.min = v;
    if (v > acc.max) acc.max = v;
  }
  acc.valid += valid;
  if (valid === 0) acc.emptyFrames.push(frame);
}

function finish(acc: Accumulator): GridInfoStats {
  const nonFinite = acc.nonFinite > 0 ? { nonFinite: acc.nonFinite } : {};
  return acc.valid === 0
    ? { min: Number.NaN, max: Number.NaN, mean: Number.NaN, validCount: 0, count: acc.count, ...nonFinite }
    : { min: acc.min, max: acc.max, mean: acc.sum / acc.valid, validCount: acc.valid, count: acc.count, ...nonFinite };
}

/** Plain-language warnings about implausible values (infinite values, frames with no valid value). */
function warningsOf(acc: Accumulator): { warnings?: string[] } {
  const w: string[] = [];
  if (acc.nonFinite > 0)
    w.push(
      `${acc.nonFinite} cell(s) hold an infinite value, neither valid nor the fill value (first: ${acc.firstNonFinite})`,
    );
  if (acc.emptyFrames.length > 0)
    w.push(
      `${acc.emptyFrames.length} frame(s) have no valid value: ${acc.emptyFrames.slice(0, 5).join(', ')}${acc.emptyFrames.length > 5 ? ', …' : ''}`,
    );
  return w.length > 0 ? { warnings: w } : {};
}

function isTiff(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new GridIoError(`Cannot open ${path}: ${(error as Error).message}`, {
      file: path,
      field: 'path',
      cause: error,
    });
  }
  try {
    const head = Buffer.alloc(4);
    const n = readSync(fd, head, 0, 4, 0);
    return (
      n === 4 &&
      ((head[0] === 0x49 && head[1] === 0x49 && (head[2] === 42 || head[2] === 43)) ||
        (head[0] === 0x4d && head[1] === 0x4d && (head[3] === 42 || head[3] === 43)))
    );
  } finally {
    closeSync(fd);
  }
}

/**
 * Summarises a GeoTIFF, NetCDF-3 or NetCDF-4 file: format, driver, variables, shape, bounds, CRS, nodata,
 * units, times and value statistics.
 *
 * ## Method
 * Sniffs the magic bytes (TIFF `II*`/`MM*`, `CDF`, HDF5). NetCDF data are read through {@link openNetcdf} one
 * frame at a time, so memory stays bounded; shape and bounds are those of the normalised grid (north-up,
 * longitudes −180..180). `mean` is the plain mean of valid cells (not area-weighted).
 * @param path - file path.
 * @param options - see {@link GridInfoOptions}.
 * @returns a plain {@link GridInfo} record (JSON-serialisable).
 * @throws the errors of {@link readGeoTiff} and {@link openNetcdf}.
 * @example
 * ```ts
 * await writeGeoTiff("/tmp/twsa-example-info.tif", createGrid(new Float32Array([1, 2, Number.NaN, 5]), { shape: [2, 2], bounds: [0, 0, 2, 2], crs: "EPSG:4326" }), { overwrite: true });
 * const info = await gridInfo("/tmp/twsa-example-info.tif");
 * [info.format, info.driver, info.crs]; // => ["GeoTIFF", "geotiff", "EPSG:4326"]
 * info.stats;                           // => { min: 1, max: 5, mean: 8 / 3, validCount: 3, count: 4 }
 * ```
 */
export async function gridInfo(path: string, options: GridInfoOptions = {}): Promise<GridInfo> {
  if (typeof path !== 'string' || path === '')
    throw new GridArgumentError('path', 'gridInfo', 'a file path', String(path));
  const wantStats = options.stats ?? true;
  assertRegularFile(path, 'gridInfo');
  if (isTiff(path)) {
    const header = await readGeoTiffHeader(path);
    let stats: GridInfoStats | undefined;
    let warnings: { warnings?: string[] } = {};
    if (wantStats) {
      const acc = newAccumulator();
      accumulate((await readGeoTiff(path)).data, acc, 'the grid');
      stats = finish(acc);
      warnings = warningsOf(acc);
    }
    return {
      path,
      format: 'GeoTIFF',
      driver: 'geotiff',
      variables: Array.from({ length: header.bands }, (_, b) => ({
        name: `band ${b + 1}`,
        dims: ['y', 'x'],
        shape: [header.height, header.width],
        type: header.sampleType,
        ...(b === 0 && header.units ? { units: header.units } : {}),
      })),
      variable: 'band 1',
      shape: [header.height, header.width],
      bounds: header.bounds,
      crs: header.crs,
      ...(header.nodata !== undefined ? { nodata: header.nodata } : {}),
      ...(header.units ? { units: header.units } : {}),
      ...(stats ? { stats } : {}),
      ...warnings,
    };
  }
  const backend = await openBackend(path);
  let variable = options.variable;
  let variables: GridInfoVariable[];
  let nodata: number | undefined;
  try {
    variables = backend.variables.map((v) => {
      const units = attributeString(v.attributes.units);
      return { name: v.name, dims: v.dims, shape: v.shape, type: v.type, ...(units !== undefined ? { units } : {}) };
    });
    if (variable === undefined) {
      const candidates = dataVariableNames(backend);
      if (candidates.length === 0)
        throw new GridVariableError(
          `${path} has no data variable of rank 2 or 3; variables present: ${variables.map((v) => v.name).join(', ')}`,
          { file: path, field: 'variable' },
        );
      variable = candidates[0]!;
    }
    const chosen = backend.variables.find((v) => v.name === variable);
    if (chosen)
      nodata = attributeNumber(chosen.attributes._FillValue) ?? attributeNumber(chosen.attributes.missing_value);
  } finally {
    backend.close();
  }
  const handle = await openNetcdf(path, { variable });
  try {
    const n = handle.times.length;
    let stats: GridInfoStats | undefined;
    let warnings: { warnings?: string[] } = {};
    if (wantStats) {
      const acc = newAccumulator();
      for (let t = 0; t < n; t++)
        accumulate(
          handle.readFrame(t).data,
          acc,
          n > 1 || handle.times[t] ? `frame ${t} (${handle.times[t]})` : 'the grid',
        );
      stats = finish(acc);
      warnings = warningsOf(acc);
    }
    const hasTime = n > 0 && handle.times[0] !== '';
    const threeD = (backend.variables.find((v) => v.name === variable)?.dims.length ?? 2) === 3;
    return {
      path,
      format: handle.format,
      driver: handle.driver,
      variables,
      variable: handle.variable,
      shape: threeD ? [n, ...handle.spec.shape] : [...handle.spec.shape],
      bounds: handle.spec.bounds,
      crs: handle.spec.crs,
      ...(nodata !== undefined ? { nodata } : {}),
      ...(handle.units !== undefined ? { units: handle.units } : {}),
      ...(hasTime ? { times: { first: handle.times[0]!, last: handle.times[n - 1]!, count: n } } : {}),
      ...(stats ? { stats } : {}),
      ...warnings,
    };
  } finally {
    handle.close();
  }
}
