/**
 * Sources of daily frames for {@link streamWindowMeans} / {@link aggregateDaily}: a NetCDF stack read one frame at a
 * time, or one GeoTIFF per day. Each yields `{ time, grid }` lazily, so only one frame is in memory at once.
 */
import { GridArgumentError } from './errors.js';
import { readGeoTiff, type ReadGeoTiffOptions } from './io/geotiff.js';
import type { NetcdfHandle } from './io/netcdf.js';
import type { DailyFrame } from './aggregate.js';
import { parseIsoUtc } from './time-windows.js';

/**
 * The frames of an open NetCDF variable (`openNetcdf(path)`), one `readFrame` at a time, in file order.
 *
 * @param handle - An open {@link NetcdfHandle} with a time dimension. It is not closed here.
 * @returns A sync iterable of {@link DailyFrame}s.
 * @throws {@link GridArgumentError} when the variable has no time values.
 * @example
 * ```ts
 * const days = createStack(Float32Array.from({ length: 40 }, (_, i) => i), { shape: [40, 1, 1], bounds: [-100, 50, -99, 51], crs: "EPSG:4326",
 *   times: Array.from({ length: 40 }, (_, i) => new Date(Date.UTC(2001, 0, 1 + i)).toISOString()) });
 * await writeNetcdf("/tmp/twsa-example-daily.nc", days, { overwrite: true });
 * const handle = await openNetcdf("/tmp/twsa-example-daily.nc");
 * (await aggregateDaily(netcdfFrames(handle), thirtyDayWindows("2001-01-01", "2001-02-10"))).data; // => Float32Array [14.5]
 * handle.close();
 * ```
 */
export function* netcdfFrames(handle: NetcdfHandle): Generator<DailyFrame> {
  if (!handle || typeof handle.readFrame !== 'function')
    throw new GridArgumentError('handle', 'netcdfFrames', 'an open NetcdfHandle (from openNetcdf)', String(handle));
  const n = handle.times.length;
  if (n === 0 || handle.times[0] === '')
    throw new GridArgumentError(
      'handle',
      'netcdfFrames',
      `a variable with a time dimension (${handle.variable} in ${handle.path} has none)`,
      'no times',
    );
  for (let t = 0; t < n; t++) yield { time: handle.times[t]!, grid: handle.readFrame(t) };
}

/** One GeoTIFF of a daily series and its date. */
export interface DatedFile {
  readonly time: string;
  readonly path: string;
}

/**
 * Reads a series of daily GeoTIFFs one at a time (in the order given; sort them by date first).
 *
 * @param files - `{ time, path }` per day, e.g. built from file names like `lsm_20010101.tif`.
 * @param options - Passed to `readGeoTiff` (band, units, requireValid).
 * @returns An async iterable of {@link DailyFrame}s; each file is read when the consumer asks for it.
 * @throws {@link GridArgumentError} when a time is not an ISO date; reading errors come from `readGeoTiff`.
 * @example
 * ```ts
 * const spec = { shape: [1, 1], bounds: [-100, 50, -99, 51], crs: "EPSG:4326" } as const;
 * await writeGeoTiff("/tmp/twsa-example-day1.tif", createGrid(new Float32Array([2]), spec), { overwrite: true });
 * await writeGeoTiff("/tmp/twsa-example-day2.tif", createGrid(new Float32Array([4]), spec), { overwrite: true });
 * const files = [{ time: "2001-01-01", path: "/tmp/twsa-example-day1.tif" }, { time: "2001-01-02", path: "/tmp/twsa-example-day2.tif" }];
 * (await aggregateDaily(geotiffFrames(files), [{ id: "jan", start: "2001-01-01", end: "2001-02-01" }])).data; // => Float32Array [3]
 * ```
 */
export async function* geotiffFrames(
  files: readonly DatedFile[],
  options: ReadGeoTiffOptions = {},
): AsyncGenerator<DailyFrame> {
  if (!Array.isArray(files))
    throw new GridArgumentError('files', 'geotiffFrames', 'an array of { time, path }', String(files));
  for (let k = 0; k < files.length; k++) {
    const f = files[k]!;
    parseIsoUtc(f?.time, `files[${k}].time`, 'geotiffFrames');
    yield { time: f.time, grid: await readGeoTiff(f.path, options) };
  }
}
