/**
 * The raster records every @twsa package passes around: plain readonly objects over a typed array.
 *
 * A {@link Grid} is one 2-D field; a {@link GridStack} is a time series of fields on the same grid
 * (`shape: [time, rows, cols]`, frame-major). Row 0 is the northern edge (GeoTIFF convention) and
 * `bounds` are the outer edges of the outer cells, so a cell is `(east - west) / cols` wide.
 * Missing values are `NaN` in float grids; `nodata` records the value used on disk.
 */
import { GridArgumentError, GridShapeError } from './errors.js';
import type { FrameStack } from './records.js';

/** Element types a grid may hold; physical fields default to Float32Array. */
export type GridArray = Float32Array | Float64Array | Int16Array | Uint8Array;

/** Outer edges of a grid in its CRS units: `[west, south, east, north]`. */
export type Bounds = readonly [west: number, south: number, east: number, north: number];

/** The georeferencing of a grid without its values: what a target grid for reprojection needs. */
export interface GridSpec {
  /** `[rows, cols]`. */
  readonly shape: readonly [rows: number, cols: number];
  /** Outer edges `[west, south, east, north]` in CRS units (degrees for EPSG:4326, metres for projected CRSs). */
  readonly bounds: Bounds;
  /** CRS identifier, e.g. `"EPSG:4326"` or `"EPSG:3978"`; see `crs.ts` for the ones this package knows. */
  readonly crs: string;
}

/**
 * A grid spec, a grid, or a stack: anything with `bounds`, `crs` and a `[rows, cols]` or `[time, rows, cols]` shape.
 * Functions that only need the 2-D grid (`cellAreas`, `rasterizePolygons`) accept it and use the last two dims.
 */
export interface GridSpecLike {
  readonly shape: readonly [rows: number, cols: number] | readonly [time: number, rows: number, cols: number];
  readonly bounds: Bounds;
  readonly crs: string;
}

/** A regular 2-D raster in row-major order; row 0 is the northern edge (GeoTIFF convention). */
export interface Grid<T extends GridArray = Float32Array> extends GridSpec {
  /** Values, `length === rows * cols`. */
  readonly data: T;
  /** The nodata value; `NaN` for float grids (readers convert fill values to NaN). */
  readonly nodata: number;
  /** Physical units of the values, e.g. `"mm"`, `"cm"`, `"m"`, `"kg m-2"`, `"1"`. */
  readonly units?: string;
}

/** Time window of one frame as ISO dates `[start, end)`, end exclusive (GRACE `time_bounds` convention). */
export type TimeBounds = readonly [start: string, end: string];

/** A time series of grids: `shape: [time, rows, cols]`, frame-major (`data[t * rows * cols + r * cols + c]`). */
export interface GridStack<T extends GridArray = Float32Array> extends FrameStack<T> {
  readonly shape: readonly [time: number, rows: number, cols: number];
  readonly bounds: Bounds;
  readonly crs: string;
  readonly nodata: number;
  readonly units?: string;
  /** ISO 8601 UTC date-times of each frame's nominal time (e.g. the mid-point of a GRACE window). */
  readonly times: readonly string[];
  /** Optional `[start, end)` window of each frame (GRACE `time_bounds`; daily frames may omit it). */
  readonly timeBounds?: readonly TimeBounds[];
  /** Free-form labels per frame, e.g. a GRACE solution id such as `"2012-01b"`. */
  readonly labels?: readonly string[];
  /** Provenance attributes carried to outputs (history, source files, baseline, ...). */
  readonly attributes?: Readonly<Record<string, string | number>>;
}

/** Options of {@link createGrid}. */
export interface CreateGridOptions extends GridSpec {
  /** Nodata value. Default `NaN`. */
  readonly nodata?: number;
  readonly units?: string;
}

/**
 * Creates a {@link Grid} after checking that `data.length === rows * cols` and that the bounds are ordered.
 *
 * @throws {@link GridShapeError} when the data length does not match the shape.
 * @throws {@link GridArgumentError} when bounds are not finite or not ordered.
 * @example
 * ```ts
 * const g = createGrid(new Float32Array([1, 2, 3, 4]), { shape: [2, 2], bounds: [0, 0, 2, 2], crs: "EPSG:4326" });
 * // => g.shape [2, 2], g.nodata NaN
 * ```
 */
export function createGrid<T extends GridArray>(data: T, options: CreateGridOptions): Grid<T> {
  const { shape, bounds, crs } = options;
  assertShape(shape, 2, 'createGrid');
  if (data.length !== shape[0] * shape[1])
    throw new GridShapeError([shape[0] * shape[1]], [data.length], { field: 'data' });
  assertBounds(bounds, 'createGrid');
  return {
    data,
    shape: [shape[0], shape[1]],
    bounds: [...bounds] as unknown as Bounds,
    crs,
    nodata: options.nodata ?? Number.NaN,
    ...(options.units !== undefined ? { units: options.units } : {}),
  };
}

/** Options of {@link createStack}. */
export interface CreateStackOptions extends Omit<GridStack, 'data' | 'shape' | 'nodata'> {
  readonly shape: readonly [time: number, rows: number, cols: number];
  readonly nodata?: number;
}

/**
 * Creates a {@link GridStack}, checking data length, the number of times, time bounds and labels.
 *
 * @throws {@link GridShapeError} when lengths disagree with the shape.
 */
export function createStack<T extends GridArray>(data: T, options: CreateStackOptions): GridStack<T> {
  const { shape } = options;
  assertShape(shape, 3, 'createStack');
  if (data.length !== shape[0] * shape[1] * shape[2])
    throw new GridShapeError([shape[0] * shape[1] * shape[2]], [data.length], { field: 'data' });
  if (options.times.length !== shape[0])
    throw new GridShapeError([shape[0]], [options.times.length], { field: 'times' });
  if (options.timeBounds && options.timeBounds.length !== shape[0])
    throw new GridShapeError([shape[0]], [options.timeBounds.length], { field: 'timeBounds' });
  if (options.labels && options.labels.length !== shape[0])
    throw new GridShapeError([shape[0]], [options.labels.length], { field: 'labels' });
  assertBounds(options.bounds, 'createStack');
  return { ...options, data, shape: [shape[0], shape[1], shape[2]], nodata: options.nodata ?? Number.NaN };
}

/** True when `value` looks like a {@link Grid} (2-D record with matching data length). */
export function isGrid(value: unknown): value is Grid<GridArray> {
  const g = value as Grid<GridArray> | null;
  return (
    !!g &&
    typeof g === 'object' &&
    ArrayBuffer.isView(g.data) &&
    Array.isArray(g.shape) &&
    g.shape.length === 2 &&
    g.data.length === g.shape[0] * g.shape[1]
  );
}

/** True when `value` looks like a {@link GridStack}. */
export function isStack(value: unknown): value is GridStack<GridArray> {
  const g = value as GridStack<GridArray> | null;
  return (
    !!g &&
    typeof g === 'object' &&
    ArrayBuffer.isView(g.data) &&
    Array.isArray(g.shape) &&
    g.shape.length === 3 &&
    g.data.length === g.shape[0] * g.shape[1] * g.shape[2] &&
    Array.isArray(g.times)
  );
}

/** Frame `t` of a stack as a {@link Grid} sharing the stack's buffer (a view; no copy). */
export function frameOf<T extends GridArray>(stack: GridStack<T>, t: number): Grid<T> {
  const [n, rows, cols] = stack.shape;
  if (!Number.isInteger(t) || t < 0 || t >= n)
    throw new GridArgumentError('t', 'frameOf', `an integer in [0, ${n})`, String(t));
  const size = rows * cols;
  const data = stack.data.subarray(t * size, (t + 1) * size) as T;
  return {
    data,
    shape: [rows, cols],
    bounds: stack.bounds,
    crs: stack.crs,
    nodata: stack.nodata,
    ...(stack.units !== undefined ? { units: stack.units } : {}),
  };
}

/** Cell size `[dx, dy]` (positive) of a grid spec in CRS units. */
export function cellSize(spec: GridSpec): [dx: number, dy: number] {
  const [w, s, e, n] = spec.bounds;
  return [(e - w) / spec.shape[1], (n - s) / spec.shape[0]];
}

/** Centre coordinates `[x, y]` of cell (row, col). */
export function cellCenter(spec: GridSpec, row: number, col: number): [x: number, y: number] {
  const [dx, dy] = cellSize(spec);
  return [spec.bounds[0] + (col + 0.5) * dx, spec.bounds[3] - (row + 0.5) * dy];
}

/** True when two specs describe the same grid (same CRS, shape and bounds to `tolerance` × cell size). */
export function sameGrid(a: GridSpec, b: GridSpec, tolerance = 1e-6): boolean {
  if (a.crs !== b.crs || a.shape[0] !== b.shape[0] || a.shape[1] !== b.shape[1]) return false;
  const [dx, dy] = cellSize(a);
  return a.bounds.every((v, i) => Math.abs(v - b.bounds[i]!) <= tolerance * (i % 2 === 0 ? dx : dy));
}

/** GDAL-style affine geotransform `[originX, dx, 0, originY, 0, -dy]` of a north-up grid. */
export function geoTransform(spec: GridSpec): [number, number, number, number, number, number] {
  const [dx, dy] = cellSize(spec);
  return [spec.bounds[0], dx, 0, spec.bounds[3], 0, -dy];
}

function assertShape(shape: readonly number[], rank: number, fn: string): void {
  if (!Array.isArray(shape) || shape.length !== rank || !shape.every((v) => Number.isInteger(v) && v > 0)) {
    throw new GridArgumentError('shape', fn, `${rank} positive integers`, JSON.stringify(shape));
  }
}

function assertBounds(bounds: Bounds, fn: string): void {
  if (
    !Array.isArray(bounds) ||
    bounds.length !== 4 ||
    !bounds.every(Number.isFinite) ||
    !(bounds[2] > bounds[0]) ||
    !(bounds[3] > bounds[1])
  ) {
    throw new GridArgumentError(
      'bounds',
      fn,
      'finite [west, south, east, north] with east > west and north > south',
      JSON.stringify(bounds),
    );
  }
}
