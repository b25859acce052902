/**
 * Reading NetCDF files (NetCDF-3 classic/64-bit offset through netcdfjs, NetCDF-4/HDF5 through h5wasm) into
 * {@link Grid}/{@link GridStack} records, honouring the CF conventions used by GRACE Tellus and GLDAS files.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { assertRegularFile } from './regular-file.js';
import * as nodePath from 'node:path';
import { EPSG_3978, EPSG_4326, isGeographic, transformer } from '../crs.js';
import {
  GridArgumentError,
  GridCrsError,
  GridEmptyError,
  GridFormatError,
  GridIoError,
  GridVariableError,
} from '../errors.js';
import { createStack } from '../grid.js';
import type { Bounds, Grid, GridSpec, GridStack, TimeBounds } from '../grid.js';
import { decodeCfTimes, isoDate, isoDateTime } from '../time-decode.js';
import { normalizeUnits, unitScale } from '../units.js';
import { hdf5SuperblockOffset, openHdf5 } from './hdf5-backend.js';
import { openNetcdf3 } from './netcdf3-backend.js';
import { attributeNumber, attributeNumbers, attributeString } from './netcdf-backend.js';
import type { AttributeValue, BackendVariable, NetcdfBackend } from './netcdf-backend.js';

/** Container formats {@link openNetcdf} recognises. */
export type NetcdfFormat = 'NetCDF-3' | 'NetCDF-4';

/** Options of {@link openNetcdf} and {@link readNetcdf}. */
export interface ReadNetcdfOptions {
  /** The data variable. Default: the only variable of rank ≥ 2 that is not a coordinate or bounds variable. */
  readonly variable?: string;
  /** Keep only cells overlapping `[west, south, east, north]` in degrees (EPSG:4326), by a positive area. */
  readonly bbox?: readonly [west: number, south: number, east: number, north: number];
  /** Convert values to these units (`"m"`, `"cm"`, `"mm"`, `"kg m-2"`). Default: keep the file's units. */
  readonly units?: string;
  /** Keep only frames whose time lies in `[start, end)` (ISO 8601 strings). */
  readonly timeRange?: readonly [start: string, end: string];
  /** Throw {@link GridEmptyError} when a frame read holds no valid value. Default `false`. */
  readonly requireValid?: boolean;
}

/** Per-frame variables found beside the data variable (e.g. `year_month`, `mission`, `source_file`). */
export type FrameVariables = Readonly<Record<string, readonly (number | string)[]>>;

/** An open NetCDF variable, read one frame at a time (bounded memory). Close it when done. */
export interface NetcdfHandle {
  readonly path: string;
  readonly format: NetcdfFormat;
  /** `"netcdfjs"` or `"h5wasm"`. */
  readonly driver: string;
  readonly variable: string;
  /** Georeferencing of every frame after flipping to north-up, wrapping longitudes and subsetting. */
  readonly spec: GridSpec;
  /** Units of the values returned (the requested units when converting). */
  readonly units?: string;
  /** ISO 8601 UTC frame times (`""` for a variable without a time dimension). */
  readonly times: readonly string[];
  /** `[start, end)` of each frame from the CF bounds variable, when the file has one. */
  readonly timeBounds?: readonly TimeBounds[];
  /** One label per frame from a per-frame string variable (`label`, `source_file`, ...), when present. */
  readonly labels?: readonly string[];
  /** Other per-frame variables, after time selection. */
  readonly frameVariables: FrameVariables;
  /** Global attributes plus `source_file`, `variable` and the variable's `long_name`. */
  readonly attributes: Readonly<Record<string, string | number>>;
  /** Reads frame `t` (0-based among the selected frames) as a Float32 grid with NaN for missing values. */
  readFrame(t: number): Grid;
  close(): void;
}

/** A stack read by {@link readNetcdf}: a {@link GridStack} plus the file's other per-frame variables. */
export type NetcdfStack = GridStack & { readonly frameVariables: FrameVariables };

/**
 * Detects the container format from the first bytes: `CDF\x01`/`CDF\x02` → NetCDF-3, the HDF5 signature (at 0,
 * 512, 1024, … bytes) → NetCDF-4.
 * @throws {@link GridIoError} when the file cannot be opened; {@link GridFormatError} when it is neither.
 * @example
 * ```ts
 * await writeNetcdf("/tmp/twsa-example-sniff.nc", createGrid(new Float32Array(1), { shape: [1, 1], bounds: [0, 0, 1, 1], crs: "EPSG:4326" }), { overwrite: true });
 * sniffNetcdf("/tmp/twsa-example-sniff.nc"); // => "NetCDF-3"
 * ```
 */
export function sniffNetcdf(path: string): NetcdfFormat {
  assertRegularFile(path, 'sniffNetcdf');
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
    const head = Buffer.alloc(2048);
    const n = readSync(fd, head, 0, head.length, 0);
    const bytes = head.subarray(0, n);
    if (n >= 4 && bytes[0] === 0x43 && bytes[1] === 0x44 && bytes[2] === 0x46) {
      if (bytes[3] === 1 || bytes[3] === 2) return 'NetCDF-3';
      throw new GridFormatError(
        `${path} is a NetCDF-3 variant (version byte ${bytes[3]}) that is not supported; expected classic (1) or 64-bit offset (2)`,
        { file: path, field: 'header' },
      );
    }
    if (hdf5SuperblockOffset(bytes) >= 0) return 'NetCDF-4';
    throw new GridFormatError(
      `${path} is not a NetCDF file: it starts with neither 'CDF\\x01', 'CDF\\x02' nor the HDF5 signature`,
      { file: path, field: 'header' },
    );
  } finally {
    closeSync(fd);
  }
}

/** Opens the right backend for `path`. */
export async function openBackend(path: string): Promise<NetcdfBackend> {
  const format = sniffNetcdf(path);
  return format === 'NetCDF-3' ? openNetcdf3(path) : openHdf5(path);
}

const LON_NAMES = ['lon', 'longitude', 'x', 'lon_0', 'nav_lon'];

/** True when a variable is a coordinate, bounds or grid-mapping variable rather than data. */
function isAuxiliary(v: BackendVariable, all: readonly BackendVariable[]): boolean {
  if (v.dims.length === 1 && v.dims[0] === v.name) return true;
  if (
    all.some(
      (o) => attributeString(o.attributes.bounds) === v.name || attributeString(o.attributes.grid_mapping) === v.name,
    )
  )
    return true;
  if (v.attributes.grid_mapping_name !== undefined) return true;
  // CF auxiliary coordinates (e.g. 2-D lat/lon of a projected grid), named in a data variable's `coordinates`.
  if (all.some((o) => (attributeString(o.attributes.coordinates) ?? '').split(/\s+/).includes(v.name))) return true;
  return /_(bounds|bnds)$/.test(v.name);
}

/** Names of the data variables (rank ≥ 2, not coordinates or bounds) of an open backend. */
export function dataVariableNames(backend: NetcdfBackend): string[] {
  return backend.variables
    .filter((v) => v.dims.length >= 2 && v.type !== 'char' && v.type !== 'string' && !isAuxiliary(v, backend.variables))
    .map((v) => v.name);
}

function chooseVariable(backend: NetcdfBackend, path: string, requested: string | undefined): BackendVariable {
  const present = backend.variables.map((v) => v.name);
  if (requested !== undefined) {
    const v = backend.variables.find((x) => x.name === requested);
    if (!v)
      throw new GridVariableError(
        `Variable '${requested}' not found in ${path}; variables present: ${present.join(', ')}`,
        { file: path, field: requested },
      );
    return v;
  }
  const candidates = dataVariableNames(backend);
  if (candidates.length !== 1) {
    throw new GridVariableError(
      `${path} has ${candidates.length === 0 ? 'no' : 'several'} data variables (${candidates.join(', ') || 'none'}); pass { variable } (variables present: ${present.join(', ')})`,
      { file: path, field: 'variable' },
    );
  }
  return backend.variables.find((x) => x.name === candidates[0])!;
}

interface Axis {
  /** Cell-centre coordinates in file order. */
  readonly centers: Float64Array;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  readonly name: string;
}

function readAxis(backend: NetcdfBackend, path: string, dim: string, length: number, variable: string): Axis {
  const coord = backend.variables.find((v) => v.name === dim && v.dims.length === 1);
  if (!coord) {
    throw new GridVariableError(
      `Variable '${variable}' in ${path} has dimension '${dim}' without a coordinate variable; cannot georeference it (variables present: ${backend.variables.map((v) => v.name).join(', ')})`,
      { file: path, field: dim },
    );
  }
  if (coord.shape[0] !== length)
    throw new GridFormatError(
      `Coordinate '${dim}' in ${path} has ${coord.shape[0]} values for a dimension of ${length}`,
      { file: path, field: dim },
    );
  const raw = backend.readSlab(dim, [0], [length]);
  const scale = attributeNumber(coord.attributes.scale_factor) ?? 1;
  const offset = attributeNumber(coord.attributes.add_offset) ?? 0;
  const centers = new Float64Array(length);
  for (let i = 0; i < length; i++) centers[i] = raw[i]! * scale + offset;
  return { centers, attributes: coord.attributes, name: dim };
}

/** Spacing of a regular axis, or throws. For one-value axes, the coordinate's bounds variable gives the width. */
function axisStep(backend: NetcdfBackend, path: string, axis: Axis, values: Float64Array): number {
  const n = values.length;
  if (n === 1) {
    const boundsName = attributeString(axis.attributes.bounds);
    const bv = boundsName ? backend.variables.find((v) => v.name === boundsName) : undefined;
    if (bv) {
      const b = backend.readSlab(bv.name, [0, 0], [1, 2]);
      return Math.abs(b[1]! - b[0]!);
    }
    throw new GridFormatError(
      `Coordinate '${axis.name}' in ${path} has a single value and no bounds; the cell size is unknown`,
      { file: path, field: axis.name },
    );
  }
  const step = (values[n - 1]! - values[0]!) / (n - 1);
  const tolerance = Math.abs(step) * 1e-3;
  for (let i = 0; i < n; i++) {
    if (Math.abs(values[i]! - values[0]! - i * step) > tolerance) {
      throw new GridFormatError(
        `Coordinate '${axis.name}' in ${path} is not regularly spaced (value ${i} is ${values[i]}, expected ${values[0]! + i * step}); only regular grids can be read`,
        { file: path, field: axis.name },
      );
    }
  }
  if (step === 0)
    throw new GridFormatError(`Coordinate '${axis.name}' in ${path} has zero spacing`, {
      file: path,
      field: axis.name,
    });
  return step;
}

function isLongitude(axis: Axis): boolean {
  const units = (attributeString(axis.attributes.units) ?? '').toLowerCase();
  const standard = (attributeString(axis.attributes.standard_name) ?? '').toLowerCase();
  return (
    standard === 'longitude' ||
    /^degrees?_?e(ast)?$/.test(units.replace(/\s/g, '_')) ||
    (units.startsWith('degree') && LON_NAMES.includes(axis.name.toLowerCase()))
  );
}

function isLatitude(axis: Axis): boolean {
  const units = (attributeString(axis.attributes.units) ?? '').toLowerCase();
  const standard = (attributeString(axis.attributes.standard_name) ?? '').toLowerCase();
  return standard === 'latitude' || /^degrees?_?n(orth)?$/.test(units.replace(/\s/g, '_'));
}

function near(a: number | undefined, b: number, tolerance = 1e-6): boolean {
  return a !== undefined && Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(b));
}

/** The CRS of a data variable from its `grid_mapping`, or from longitude/latitude coordinates. */
function detectCrs(backend: NetcdfBackend, path: string, v: BackendVariable, x: Axis, y: Axis): string {
  const mappingName = attributeString(v.attributes.grid_mapping);
  const mapping = mappingName ? backend.variables.find((m) => m.name === mappingName) : undefined;
  if (mapping) {
    const a = mapping.attributes;
    const kind = attributeString(a.grid_mapping_name);
    if (kind === 'latitude_longitude') return EPSG_4326;
    if (kind === 'lambert_conformal_conic') {
      const parallels = attributeNumbers(a.standard_parallel)
        .slice()
        .sort((p, q) => p - q);
      const major = attributeNumber(a.semi_major_axis);
      const invFlattening = attributeNumber(a.inverse_flattening);
      const ok =
        parallels.length === 2 &&
        near(parallels[0], 49) &&
        near(parallels[1], 77) &&
        near(attributeNumber(a.longitude_of_central_meridian), -95) &&
        near(attributeNumber(a.latitude_of_projection_origin), 49) &&
        near(attributeNumber(a.false_easting) ?? 0, 0) &&
        near(attributeNumber(a.false_northing) ?? 0, 0) &&
        (major === undefined || near(major, 6378137)) &&
        (invFlattening === undefined || near(invFlattening, 298.257222101, 1e-8));
      if (ok) return EPSG_3978;
    }
    const wkt = attributeString(a.crs_wkt) ?? attributeString(a.spatial_ref) ?? '';
    if (/AUTHORITY\["EPSG",\s*"3978"\]\s*\]\s*$|ID\["EPSG",\s*3978\]\s*\]\s*$/.test(wkt.trim())) return EPSG_3978;
    if (/AUTHORITY\["EPSG",\s*"4326"\]\s*\]\s*$|ID\["EPSG",\s*4326\]\s*\]\s*$/.test(wkt.trim())) return EPSG_4326;
    throw new GridCrsError(
      `Unknown CRS for '${v.name}' in ${path}: grid_mapping '${mappingName}' (${kind ?? 'no grid_mapping_name'}) is neither latitude_longitude nor NAD83 / Canada Atlas Lambert (EPSG:3978)`,
      { file: path, field: `${v.name}:grid_mapping` },
    );
  }
  if (isLongitude(x) && isLatitude(y)) return EPSG_4326;
  throw new GridCrsError(
    `Unknown CRS for '${v.name}' in ${path}: no usable grid_mapping variable and the coordinates '${x.name}'/'${y.name}' are not longitude/latitude`,
    { file: path, field: `${v.name}:grid_mapping` },
  );
}

/** Envelope of a degree bbox in `crs` (edges densified with 21 points each). */
function bboxInCrs(bbox: readonly number[], crs: string): Bounds {
  if (isGeographic(crs)) return [bbox[0]!, bbox[1]!, bbox[2]!, bbox[3]!];
  const forward = transformer(EPSG_4326, crs);
  let [w, s, e, n] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let i = 0; i <= 20; i++) {
    const f = i / 20;
    const lon = bbox[0]! + f * (bbox[2]! - bbox[0]!);
    const lat = bbox[1]! + f * (bbox[3]! - bbox[1]!);
    for (const [px, py] of [
      [lon, bbox[1]!],
      [lon, bbox[3]!],
      [bbox[0]!, lat],
      [bbox[2]!, lat],
    ] as const) {
      const [x, y] = forward(px, py);
      if (Number.isFinite(x) && Number.isFinite(y)) {
        w = Math.min(w, x);
        e = Math.max(e, x);
        s = Math.min(s, y);
        n = Math.max(n, y);
      }
    }
  }
  return [w, s, e, n];
}

interface AxisPlan {
  /** Source index of each output position. */
  readonly order: Int32Array;
  readonly min: number;
  readonly max: number;
  /** Outer edges `[low, high]` of the selected cells. */
  readonly low: number;
  readonly high: number;
}

function planAxis(
  values: Float64Array,
  step: number,
  ascendingOutput: boolean,
  keepLow: number,
  keepHigh: number,
): AxisPlan | undefined {
  const n = values.length;
  const half = Math.abs(step) / 2;
  const idx: number[] = [];
  for (let i = 0; i < n; i++) {
    const lo = values[i]! - half;
    const hi = values[i]! + half;
    if (Math.min(hi, keepHigh) - Math.max(lo, keepLow) > 1e-9 * half) idx.push(i);
  }
  if (idx.length === 0) return undefined;
  idx.sort((a, b) => (ascendingOutput ? values[a]! - values[b]! : values[b]! - values[a]!));
  let low = Infinity;
  let high = -Infinity;
  for (const i of idx) {
    low = Math.min(low, values[i]! - half);
    high = Math.max(high, values[i]! + half);
  }
  return {
    order: Int32Array.from(idx),
    min: Math.min(...idx),
    max: Math.max(...idx),
    low: snap(low),
    high: snap(high),
  };
}

/** Removes floating-point noise from an edge computed from centres (12 significant digits). */
function snap(value: number): number {
  return Number(value.toPrecision(12));
}

function parseIso(value: string, argument: string, fn: string): number {
  const t =
    typeof value === 'string'
      ? Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) || value.length <= 10 ? value : `${value}Z`)
      : Number.NaN;
  if (!Number.isFinite(t)) throw new GridArgumentError(argument, fn, 'ISO 8601 date strings', JSON.stringify(value));
  return t;
}

/**
 * Opens a NetCDF-3 or NetCDF-4 variable for frame-by-frame reading with bounded memory.
 *
 * ## Method
 * Sniffs the container (`CDF\x01`/`CDF\x02` → netcdfjs header + positioned reads; HDF5 signature → h5wasm
 * hyperslabs). The data variable must be `(y, x)` or `(time, y, x)` with regular 1-D coordinate variables.
 * CF decoding per value: `_FillValue`, `missing_value` and values outside `valid_min`/`valid_max`/`valid_range`
 * (compared on the packed values) → NaN; then `value × scale_factor + add_offset`; then × the unit factor when
 * `units` is requested. Longitudes above 180° are wrapped to −180..180 with columns reordered (when the wrapped
 * axis stays regular); rows are ordered north first. `bbox` keeps cells whose area overlaps it. Times are
 * decoded from `<unit> since <date>` (standard/gregorian/proleptic_gregorian/noleap calendars); the bounds variable
 * (`time:bounds`, else `time_bounds`/`time_bnds`) gives `[start, end)` windows.
 * @param path - file path.
 * @param options - see {@link ReadNetcdfOptions}.
 * @returns a {@link NetcdfHandle}; call `close()` when done.
 * @throws {@link GridIoError} when the file cannot be opened.
 * @throws {@link GridFormatError} when it is corrupt, truncated, or its coordinates are irregular.
 * @throws {@link GridVariableError} when the variable or a coordinate is missing (the message lists those present).
 * @throws {@link GridCrsError} when the CRS is neither EPSG:4326 nor EPSG:3978.
 * @throws {@link GridUnitsError} when `units` cannot be reached from the file's units.
 * @example
 * ```ts
 * const stack = createStack(new Float32Array([0.01, 0.02, 0.03, Number.NaN]), { shape: [1, 2, 2], bounds: [-100, 50, -98, 52], crs: "EPSG:4326",
 *   units: "m", times: ["2002-04-17T12:00:00Z"] });
 * await writeNetcdf("/tmp/twsa-example-open.nc", stack, { overwrite: true });
 * const h = await openNetcdf("/tmp/twsa-example-open.nc", { units: "mm" });
 * h.spec;                                    // => { shape: [2, 2], bounds: [-100, 50, -98, 52], crs: "EPSG:4326" }
 * Array.from(h.readFrame(0).data, Math.round); // => [10, 20, 30, NaN]
 * h.close();
 * ```
 */
export async function openNetcdf(path: string, options: ReadNetcdfOptions = {}): Promise<NetcdfHandle> {
  const fn = 'openNetcdf';
  if (typeof path !== 'string' || path === '') throw new GridArgumentError('path', fn, 'a file path', String(path));
  assertRegularFile(path, fn);
  if (options.bbox !== undefined) {
    const b = options.bbox;
    if (!Array.isArray(b) || b.length !== 4 || !b.every(Number.isFinite) || !(b[2] > b[0]) || !(b[3] > b[1])) {
      throw new GridArgumentError(
        'bbox',
        fn,
        'finite [west, south, east, north] degrees with east > west and north > south',
        JSON.stringify(b),
      );
    }
  }
  let range: [number, number] | undefined;
  if (options.timeRange !== undefined) {
    if (!Array.isArray(options.timeRange) || options.timeRange.length !== 2)
      throw new GridArgumentError('timeRange', fn, '[start, end) ISO strings', JSON.stringify(options.timeRange));
    range = [parseIso(options.timeRange[0], 'timeRange', fn), parseIso(options.timeRange[1], 'timeRange', fn)];
  }
  const backend = await openBackend(path);
  try {
    return buildHandle(backend, path, options, range);
  } catch (error) {
    backend.close();
    throw error;
  }
}

function buildHandle(
  backend: NetcdfBackend,
  path: string,
  options: ReadNetcdfOptions,
  range: [number, number] | undefined,
): NetcdfHandle {
  const v = chooseVariable(backend, path, options.variable);
  const rank = v.dims.length;
  if (rank !== 2 && rank !== 3) {
    throw new GridFormatError(
      `Variable '${v.name}' in ${path} has dimensions (${v.dims.join(', ')}); expected (y, x) or (time, y, x)`,
      { file: path, field: v.name },
    );
  }
  if (v.type === 'char' || v.type === 'string')
    throw new GridFormatError(`Variable '${v.name}' in ${path} holds text, not numbers`, { file: path, field: v.name });
  const rows = v.shape[rank - 2]!;
  const cols = v.shape[rank - 1]!;
  const xAxis = readAxis(backend, path, v.dims[rank - 1]!, cols, v.name);
  const yAxis = readAxis(backend, path, v.dims[rank - 2]!, rows, v.name);
  const crs = detectCrs(backend, path, v, xAxis, yAxis);
  const geographic = crs === EPSG_4326;
  let xs = xAxis.centers;
  let ys = yAxis.centers;
  if (!geographic) {
    const xUnits = (attributeString(xAxis.attributes.units) ?? 'm').trim();
    const yUnits = (attributeString(yAxis.attributes.units) ?? 'm').trim();
    for (const [u, axis] of [
      [xUnits, xAxis],
      [yUnits, yAxis],
    ] as const) {
      if (u !== 'm' && u !== 'metre' && u !== 'meter' && u !== 'metres' && u !== 'meters' && u !== 'km') {
        throw new GridFormatError(
          `Coordinate '${axis.name}' in ${path} has units '${u}'; expected m or km for a projected grid`,
          { file: path, field: `${axis.name}:units` },
        );
      }
    }
    if (xUnits === 'km') xs = xs.map((q) => q * 1000);
    if (yUnits === 'km') ys = ys.map((q) => q * 1000);
  }
  // Wrap longitudes 0..360 to -180..180 when the wrapped axis stays regular.
  let xStep = axisStep(backend, path, xAxis, xs);
  if (geographic && xs.some((q) => q > 180)) {
    const wrapped = xs.map((q) => (q > 180 ? q - 360 : q));
    const sorted = Array.from(wrapped).sort((a, b) => a - b);
    const step = (sorted[sorted.length - 1]! - sorted[0]!) / Math.max(1, sorted.length - 1);
    if (sorted.length === 1 || sorted.every((q, i) => Math.abs(q - sorted[0]! - i * step) <= Math.abs(step) * 1e-3)) {
      xs = wrapped;
      xStep = sorted.length === 1 ? xStep : step;
    }
  }
  const yStep = axisStep(backend, path, yAxis, ys);
  const keep: Bounds = options.bbox ? bboxInCrs(options.bbox, crs) : [-Infinity, -Infinity, Infinity, Infinity];
  const xPlan = planAxis(xs, xStep, true, keep[0], keep[2]);
  const yPlan = planAxis(ys, yStep, false, keep[1], keep[3]);
  if (!xPlan || !yPlan) {
    throw new GridArgumentError(
      'bbox',
      'openNetcdf',
      `a box overlapping the grid of ${path}`,
      JSON.stringify(options.bbox),
    );
  }
  const outRows = yPlan.order.length;
  const outCols = xPlan.order.length;
  const spec: GridSpec = { shape: [outRows, outCols], bounds: [xPlan.low, yPlan.low, xPlan.high, yPlan.high], crs };

  // Time coordinate, bounds and per-frame variables.
  const frameCount = rank === 3 ? v.shape[0]! : 1;
  const timeDim = rank === 3 ? v.dims[0]! : undefined;
  let epochs: number[] | undefined;
  let boundsEpochs: [number, number][] | undefined;
  const timeVar = timeDim ? backend.variables.find((q) => q.name === timeDim && q.dims.length === 1) : undefined;
  let boundsName: string | undefined;
  if (timeVar) {
    const units = attributeString(timeVar.attributes.units);
    if (units && /since/i.test(units)) {
      const calendar = attributeString(timeVar.attributes.calendar);
      const decodeOptions = { file: path, field: timeVar.name, ...(calendar !== undefined ? { calendar } : {}) };
      epochs = decodeCfTimes(backend.readSlab(timeVar.name, [0], [frameCount]), units, decodeOptions);
      boundsName =
        attributeString(timeVar.attributes.bounds) ??
        ['time_bounds', 'time_bnds'].find((n) => backend.variables.some((q) => q.name === n));
      const bv = boundsName ? backend.variables.find((q) => q.name === boundsName) : undefined;
      if (bv && bv.dims.length === 2 && bv.shape[0] === frameCount && bv.shape[1] === 2) {
        const raw = backend.readSlab(bv.name, [0, 0], [frameCount, 2]);
        const decoded = decodeCfTimes(raw, attributeString(bv.attributes.units) ?? units, {
          ...decodeOptions,
          field: bv.name,
        });
        boundsEpochs = Array.from({ length: frameCount }, (_, i) => [decoded[2 * i]!, decoded[2 * i + 1]!]);
      } else if (bv) {
        throw new GridFormatError(
          `Time bounds variable '${bv.name}' in ${path} has shape [${bv.shape.join(', ')}]; expected [${frameCount}, 2]`,
          { file: path, field: bv.name },
        );
      }
    }
  }
  let frames = Array.from({ length: frameCount }, (_, i) => i);
  if (range) {
    if (!epochs)
      throw new GridArgumentError(
        'timeRange',
        'openNetcdf',
        `used only with a time coordinate, but '${v.name}' in ${path} has none`,
        JSON.stringify(options.timeRange),
      );
    frames = frames.filter((i) => epochs![i]! >= range[0] && epochs![i]! < range[1]);
  }
  const frameVariables: Record<string, (number | string)[]> = {};
  if (timeDim) {
    for (const q of backend.variables) {
      if (q.name === v.name || q.name === timeVar?.name || q.name === boundsName || q.dims[0] !== timeDim) continue;
      if ((q.type === 'char' && q.dims.length === 2) || (q.type === 'string' && q.dims.length === 1)) {
        const strings = backend.readStrings(q.name);
        frameVariables[q.name] = frames.map((i) => strings[i] ?? '');
      } else if (q.dims.length === 1 && q.type !== 'char' && q.type !== 'string') {
        const values = backend.readSlab(q.name, [0], [frameCount]);
        frameVariables[q.name] = frames.map((i) => values[i]!);
      }
    }
  }
  const labelName =
    ['label', 'labels', 'source_file'].find((n) => n in frameVariables && typeof frameVariables[n]![0] === 'string') ??
    Object.keys(frameVariables).find((n) => frames.length > 0 && typeof frameVariables[n]![0] === 'string');
  const labels = labelName ? (frameVariables[labelName] as string[]) : undefined;

  // Value decoding.
  const a = v.attributes;
  const fills = [...attributeNumbers(a._FillValue), ...attributeNumbers(a.missing_value)];
  const validRange = attributeNumbers(a.valid_range);
  const validMin = attributeNumber(a.valid_min) ?? (validRange.length === 2 ? validRange[0] : undefined);
  const validMax = attributeNumber(a.valid_max) ?? (validRange.length === 2 ? validRange[1] : undefined);
  const scale = attributeNumber(a.scale_factor) ?? 1;
  const offset = attributeNumber(a.add_offset) ?? 0;
  const fileUnits = attributeString(a.units);
  let factor = 1;
  let units = fileUnits;
  if (options.units !== undefined) {
    factor = unitScale(fileUnits, options.units, { file: path, field: `${v.name}:units` });
    units = normalizeUnits(options.units);
  }
  const packed = scale !== 1 || offset !== 0;
  const fillSet = fills.filter((f) => !Number.isNaN(f));

  const attributes: Record<string, string | number> = {};
  for (const [k, value] of Object.entries(backend.globalAttributes)) {
    if (typeof value === 'string' || typeof value === 'number') attributes[k] = value;
  }
  attributes.source_file = nodePath.basename(path);
  attributes.variable = v.name;
  const longName = attributeString(a.long_name);
  if (longName !== undefined) attributes.long_name = longName;
  if (options.units !== undefined && fileUnits !== undefined && normalizeUnits(fileUnits) !== units)
    attributes.units_original = fileUnits;
  if (options.bbox) attributes.bbox = options.bbox.join(',');

  const times = epochs ? frames.map((i) => isoDateTime(epochs![i]!)) : frames.map(() => '');
  const timeBounds = boundsEpochs
    ? frames.map((i) => [isoDate(boundsEpochs![i]![0]), isoDate(boundsEpochs![i]![1])] as const)
    : undefined;
  const size = outRows * outCols;
  let open = true;
  const readFrame = (t: number): Grid => {
    if (!open) throw new GridIoError(`${path} is closed`, { file: path });
    if (!Number.isInteger(t) || t < 0 || t >= frames.length)
      throw new GridArgumentError('t', 'readFrame', `an integer in [0, ${frames.length})`, String(t));
    const frame = frames[t]!;
    const start = rank === 3 ? [frame, yPlan.min, xPlan.min] : [yPlan.min, xPlan.min];
    const srcRows = yPlan.max - yPlan.min + 1;
    const srcCols = xPlan.max - xPlan.min + 1;
    const count = rank === 3 ? [1, srcRows, srcCols] : [srcRows, srcCols];
    const raw = backend.readSlab(v.name, start, count);
    const data = new Float32Array(size);
    let valid = 0;
    for (let r = 0; r < outRows; r++) {
      const sr = (yPlan.order[r]! - yPlan.min) * srcCols;
      for (let c = 0; c < outCols; c++) {
        const value = raw[sr + xPlan.order[c]! - xPlan.min]!;
        let out: number;
        if (
          Number.isNaN(value) ||
          fillSet.includes(value) ||
          (validMin !== undefined && value < validMin) ||
          (validMax !== undefined && value > validMax)
        ) {
          out = Number.NaN;
        } else {
          out = packed ? value * scale + offset : value;
          if (factor !== 1) out *= factor;
          valid++;
        }
        data[r * outCols + c] = out;
      }
    }
    if (options.requireValid && valid === 0) {
      throw new GridEmptyError(
        `Frame ${t}${times[t] ? ` (${times[t]})` : ''} of '${v.name}' in ${path} holds no valid value (all fill/missing)`,
        { file: path, field: v.name },
      );
    }
    return {
      data,
      shape: [outRows, outCols],
      bounds: spec.bounds,
      crs,
      nodata: Number.NaN,
      ...(units !== undefined ? { units } : {}),
    };
  };
  return {
    path,
    format: backend.format,
    driver: backend.driver,
    variable: v.name,
    spec,
    ...(units !== undefined ? { units } : {}),
    times,
    ...(timeBounds ? { timeBounds } : {}),
    ...(labels ? { labels } : {}),
    frameVariables,
    attributes,
    readFrame,
    close(): void {
      if (open) {
        open = false;
        backend.close();
      }
    },
  };
}

/**
 * Reads a NetCDF-3 or NetCDF-4 variable into a {@link GridStack} (Float32, NaN for missing values, north-up).
 *
 * ## Method
 * {@link openNetcdf}, then every selected frame through `readFrame` into one frame-major buffer; the file is
 * closed in all cases. Per-frame variables (e.g. `year_month`, `mission`, `source_file`) are returned in
 * `frameVariables`; a per-frame string variable also becomes `labels`.
 * @param path - file path.
 * @param options - see {@link ReadNetcdfOptions}.
 * @returns a {@link NetcdfStack}.
 * @throws the errors of {@link openNetcdf}, and {@link GridEmptyError} with `requireValid` when a frame is all missing.
 * @example
 * ```ts
 * const stack = createStack(new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]), { shape: [2, 2, 2], bounds: [-100, 50, -98, 52], crs: "EPSG:4326",
 *   units: "cm", times: ["2002-04-17T12:00:00Z", "2002-05-10T12:00:00Z"], labels: ["2002-04", "2002-05"] });
 * await writeNetcdf("/tmp/twsa-example-read.nc", stack, { overwrite: true });
 * const s = await readNetcdf("/tmp/twsa-example-read.nc", { timeRange: ["2002-05-01", "2002-06-01"], bbox: [-99, 50, -98, 51] });
 * [s.shape, s.labels, Array.from(s.data)]; // => [[1, 1, 1], ["2002-05"], [8]]
 * ```
 */
export async function readNetcdf(path: string, options: ReadNetcdfOptions = {}): Promise<NetcdfStack> {
  const handle = await openNetcdf(path, options);
  try {
    const [rows, cols] = handle.spec.shape;
    const n = handle.times.length;
    const data = new Float32Array(n * rows * cols);
    for (let t = 0; t < n; t++) data.set(handle.readFrame(t).data, t * rows * cols);
    const stack = createStack(data, {
      shape: [n, rows, cols],
      bounds: handle.spec.bounds,
      crs: handle.spec.crs,
      times: handle.times,
      ...(handle.timeBounds ? { timeBounds: handle.timeBounds } : {}),
      ...(handle.labels ? { labels: handle.labels } : {}),
      ...(handle.units !== undefined ? { units: handle.units } : {}),
      attributes: handle.attributes,
    });
    return { ...stack, frameVariables: handle.frameVariables };
  } finally {
    handle.close();
  }
}
