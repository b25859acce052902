/**
 * Upscaling (coarsening) of a grid by the arithmetic / area-weighted mean of its valid cells, equal to GDAL's
 * `gdalwarp -r average` (GDAL 3.6, source nodata set to NaN) within 1e-4.
 */
import { GridArgumentError, GridMismatchError } from './errors.js';
import { proj4Definition } from './crs.js';
import type { Grid, GridArray, GridSpec } from './grid.js';
import { assertGrid, assertSpec, floatArrayFor, type FloatOf } from './internal/grid-args.js';

/** The target of {@link upscale}: an integer `factor`, or a `like` grid in the same CRS. */
export type UpscaleTarget = { readonly factor: number } | { readonly like: GridSpec };

/** Options of {@link upscale}. */
export interface UpscaleOptions {
  /** Aggregation method. Only `"mean"` (default) exists: the mean of valid cells, area-weighted for partial cells. */
  readonly method?: 'mean';
  /** Optional output array to reuse (length = target rows × cols, the float type {@link upscale} returns). */
  readonly out?: Float32Array | Float64Array;
}

/**
 * Upscales a grid to a coarser grid by the mean of the valid source cells.
 *
 * ## Method
 * Each target cell `T` covers a rectangle of the source grid, in source pixel units `[x0, x1) × [y0, y1)`.
 * A source cell `(r, c)` gets the weight `w = wx(c) · wy(r)` with `wx(c) = min(c + 1, x1) − max(c, x0)` (its
 * overlapping fraction along x, 1 inside, a fraction on the edges) and likewise `wy`. The result is
 *
 * `T = Σ w·v / Σ w` over the source cells that are valid (not NaN and not equal to `grid.nodata`).
 *
 * - With `{ factor: k }` every weight is 1: the arithmetic mean of the valid cells of each k × k block. The grid
 *   keeps its bounds; rows and cols must both be divisible by k.
 * - With `{ like }` the target grid may have any cell size and offset (non-integer ratios); it must share the CRS
 *   of `grid` (use `reproject` otherwise). Parts of a target cell outside the source grid are ignored.
 * - A target cell with no valid source cell is NaN. ±Infinity counts as a valid value and propagates.
 * - Sums are accumulated in float64; the output is Float64Array for Float64 input, Float32Array otherwise.
 *
 * These are the semantics of GDAL 3.6 `gdalwarp -r average` when the source band's nodata is NaN (checked by the
 * GDAL fixtures in `test/fixtures/upscale`). Without a nodata value GDAL lets one NaN poison its whole block.
 *
 * @param grid - The fine grid.
 * @param target - `{ factor }` (a positive integer dividing rows and cols) or `{ like: GridSpec }`.
 * @param options - See {@link UpscaleOptions}.
 * @returns A new grid (nodata NaN) on the target grid, with the same units.
 * @throws {@link GridArgumentError} when `factor` is not a positive integer dividing both dimensions, or the method is unknown.
 * @throws {@link GridMismatchError} when `like` is in another CRS.
 * @example
 * ```ts
 * const g = createGrid(new Float32Array([1, 2, NaN, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]),
 *   { shape: [4, 4], bounds: [0, 0, 4, 4], crs: "EPSG:4326" });
 * upscale(g, { factor: 2 }).data;
 * // => Float32Array [3.5, 6.3333335, 11.5, 13.5]
 * ```
 */
export function upscale<T extends GridArray>(
  grid: Grid<T>,
  target: UpscaleTarget,
  options: UpscaleOptions = {},
): Grid<FloatOf<T>> {
  assertGrid(grid, 'grid', 'upscale');
  const method = options.method ?? 'mean';
  if (method !== 'mean') throw new GridArgumentError('options.method', 'upscale', '"mean"', JSON.stringify(method));
  const [rows, cols] = grid.shape;
  let spec: GridSpec;
  if (target && 'factor' in target) {
    const k = target.factor;
    if (!Number.isInteger(k) || k < 1)
      throw new GridArgumentError('factor', 'upscale', 'a positive integer', String(k));
    if (rows % k !== 0 || cols % k !== 0) {
      throw new GridArgumentError(
        'factor',
        'upscale',
        `a divisor of both rows (${rows}) and cols (${cols})`,
        String(k),
      );
    }
    spec = { shape: [rows / k, cols / k], bounds: grid.bounds, crs: grid.crs };
  } else if (target && 'like' in target) {
    assertSpec(target.like, 'like', 'upscale');
    if (proj4Definition(target.like.crs) !== proj4Definition(grid.crs)) {
      throw new GridMismatchError(
        `upscale: 'like' is in ${target.like.crs} but 'grid' is in ${grid.crs}; upscale works within one CRS, use reproject() to change CRS`,
        { field: 'like.crs' },
      );
    }
    spec = target.like;
  } else {
    throw new GridArgumentError(
      'target',
      'upscale',
      '{ factor: number } or { like: GridSpec }',
      JSON.stringify(target),
    );
  }
  const [orows, ocols] = spec.shape;
  const n = orows * ocols;
  let out: FloatOf<T>;
  if (options.out) {
    if (options.out.length !== n)
      throw new GridArgumentError('options.out', 'upscale', `an array of length ${n}`, `length ${options.out.length}`);
    out = options.out as FloatOf<T>;
  } else out = floatArrayFor(grid.data, n);

  const [w, s, e, nn] = grid.bounds;
  const dx = (e - w) / cols;
  const dy = (nn - s) / rows;
  const [tw, ts, te, tn] = spec.bounds;
  const tdx = (te - tw) / ocols;
  const tdy = (tn - ts) / orows;
  // Column footprints in source pixel units (x grows east), row footprints (y grows south from the north edge).
  const xs = footprints(ocols, (i) => (tw + i * tdx - w) / dx, cols);
  const ys = footprints(orows, (i) => (nn - (tn - i * tdy)) / dy, rows);
  if (target && 'factor' in target && Number.isNaN(grid.nodata))
    blockMeanNaN(grid.data, cols, target.factor, orows, ocols, out);
  else kernel(grid.data, cols, grid.nodata, xs, ys, ocols, out);
  return {
    data: out,
    shape: [orows, ocols],
    bounds: [...spec.bounds] as unknown as Grid['bounds'],
    crs: spec.crs,
    nodata: Number.NaN,
    ...(grid.units !== undefined ? { units: grid.units } : {}),
  };
}

/** Per-target-index list of source indices and fractional weights along one axis. */
interface Footprints {
  readonly start: Int32Array;
  readonly count: Int32Array;
  readonly offset: Int32Array;
  readonly weight: Float64Array;
}

function footprints(n: number, edge: (i: number) => number, size: number): Footprints {
  const start = new Int32Array(n);
  const count = new Int32Array(n);
  const offset = new Int32Array(n);
  const weights: number[] = [];
  const eps = 1e-9;
  for (let i = 0; i < n; i++) {
    const a = Math.max(0, edge(i));
    const b = Math.min(size, edge(i + 1));
    offset[i] = weights.length;
    if (!(b > a)) {
      start[i] = 0;
      count[i] = 0;
      continue;
    }
    // Snap edges within eps of an integer so exact block boundaries give exact weights of 1.
    const i0 = Math.floor(a + eps);
    const i1 = Math.ceil(b - eps);
    start[i] = i0;
    let m = 0;
    for (let j = i0; j < i1; j++) {
      const wgt = Math.min(j + 1, b) - Math.max(j, a);
      weights.push(Math.abs(wgt - 1) < eps ? 1 : wgt);
      m++;
    }
    count[i] = m;
  }
  return { start, count, offset, weight: Float64Array.from(weights) };
}

/** Fast path of {@link upscale} for `{ factor }` with NaN nodata: plain block means, no weights. */
function blockMeanNaN(
  data: GridArray,
  cols: number,
  k: number,
  orows: number,
  ocols: number,
  out: Float32Array | Float64Array,
): void {
  const sum = new Float64Array(ocols);
  const count = new Int32Array(ocols);
  for (let R = 0; R < orows; R++) {
    sum.fill(0);
    count.fill(0);
    for (let j = 0; j < k; j++) {
      let p = (R * k + j) * cols;
      for (let C = 0; C < ocols; C++) {
        let s = 0;
        let n = 0;
        const end = p + k;
        for (; p < end; p++) {
          const v = data[p];
          if (v === v) {
            s += v;
            n++;
          }
        }
        sum[C] += s;
        count[C] += n;
      }
    }
    const ob = R * ocols;
    for (let C = 0; C < ocols; C++) out[ob + C] = count[C] > 0 ? sum[C] / count[C] : Number.NaN;
  }
}

function kernel(
  data: GridArray,
  cols: number,
  nodata: number,
  xs: Footprints,
  ys: Footprints,
  ocols: number,
  out: Float32Array | Float64Array,
): void {
  const orows = ys.start.length;
  const sum = new Float64Array(ocols);
  const wsum = new Float64Array(ocols);
  const { start: xStart, count: xCount, offset: xOff, weight: xw } = xs;
  for (let R = 0; R < orows; R++) {
    sum.fill(0);
    wsum.fill(0);
    const r0 = ys.start[R];
    const rn = ys.count[R];
    const yo = ys.offset[R];
    for (let j = 0; j < rn; j++) {
      const wy = ys.weight[yo + j];
      const base = (r0 + j) * cols;
      for (let C = 0; C < ocols; C++) {
        const c0 = base + xStart[C];
        const m = xCount[C];
        const o = xOff[C];
        let sv = 0;
        let sw = 0;
        for (let k = 0; k < m; k++) {
          const v = data[c0 + k];
          if (v === v && v !== nodata) {
            const wx = xw[o + k];
            sv += wx * v;
            sw += wx;
          }
        }
        sum[C] += wy * sv;
        wsum[C] += wy * sw;
      }
    }
    const ob = R * ocols;
    for (let C = 0; C < ocols; C++) out[ob + C] = wsum[C] > 0 ? sum[C] / wsum[C] : Number.NaN;
  }
}
