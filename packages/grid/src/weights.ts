/**
 * Cell-area weights: the true (ellipsoidal) area of every cell of a geographic or projected grid.
 */
import { isGeographic, transformer } from './crs.js';
import { GridArgumentError } from './errors.js';
import type { Grid, GridSpecLike } from './grid.js';
import { planeSpec } from './internal/grid-args.js';

/** Semi-major axis of the WGS 84 / GRS80 ellipsoid in metres. */
const A = 6_378_137;
/** First eccentricity squared of WGS 84 (GRS80 differs by 1e-12, below any area we report). */
const E2 = 0.0066943799901413165;
const E = Math.sqrt(E2);

/**
 * Authalic function q(φ) of the ellipsoid (Snyder 1987, eq. 3-12): the area between the equator and latitude φ
 * over Δλ radians of longitude is `(a² / 2) · Δλ · q(φ)`.
 * @internal
 */
export function authalicQ(latRad: number): number {
  const s = Math.sin(latRad);
  const es = E * s;
  return (1 - E2) * (s / (1 - E2 * s * s) - (1 / (2 * E)) * Math.log((1 - es) / (1 + es)));
}

/** Options of {@link cellAreas}. */
export interface CellAreasOptions {
  /**
   * Projected grids only: points per cell edge used to trace each cell boundary in longitude/latitude. The
   * relative area error falls as 1/densify²: for the 112 km Canada LCC cells it is ≈ 3e-4 with 1, 2e-5 with 4 and
   * 4e-6 with 8, and it scales with the square of the cell size. Default: `clamp(round(cell size / 28 km), 1, 4)`
   * (4 for 112 km cells, 1 for 5 km cells, whose error is then ≈ 5e-7).
   */
  readonly densify?: number;
}

/**
 * True area of every cell of a grid on the WGS 84 ellipsoid, in m².
 *
 * ## Method
 * - **Geographic grids** (EPSG:4326): exact ellipsoidal formula for a cell between latitudes φs and φn spanning
 *   Δλ radians, `A = (a² / 2) · Δλ · |q(φn) − q(φs)|`, where q is the authalic function
 *   `q(φ) = (1 − e²) [sin φ / (1 − e² sin² φ) − 1/(2e) · ln((1 − e sin φ) / (1 + e sin φ))]`
 *   (Snyder 1987, eq. 3-12; a = 6 378 137 m, e² = 0.00669438). A global 1° grid sums to 5.10066e14 m².
 *   Latitudes beyond ±90° are clamped.
 * - **Projected grids** (e.g. EPSG:3978 LCC): each cell boundary is traced with `densify` points per edge, transformed
 *   to longitude/latitude, and its area taken as the planar shoelace area in the equal-area coordinates
 *   `(λ, q(φ))` times `a² / 2`. This is the same integral as "projected area / k²" (k the LCC scale factor)
 *   without needing k, and it stays exact for any CRS proj4 can invert.
 *
 * @param spec - The grid: a {@link GridSpec}, a {@link Grid}, or a {@link GridStack} (its last two dimensions).
 * @param options - See {@link CellAreasOptions}.
 * @returns A Float64 grid of areas in m² (`units: "m2"`) on `spec`.
 * @throws {@link GridArgumentError} when `spec` is malformed or `densify` is not a positive integer.
 * @throws {@link GridCrsError} when the CRS is unknown.
 * @example
 * ```ts
 * const a = cellAreas({ shape: [1, 1], bounds: [0, 0, 1, 1], crs: "EPSG:4326" });
 * a.data[0]; // => 12308463893.975 (m², one 1° cell at the equator)
 * ```
 */
export function cellAreas(specLike: GridSpecLike, options: CellAreasOptions = {}): Grid<Float64Array> {
  const spec = planeSpec(specLike, 'spec', 'cellAreas');
  const [cw, ch] = [
    (spec.bounds[2] - spec.bounds[0]) / spec.shape[1],
    (spec.bounds[3] - spec.bounds[1]) / spec.shape[0],
  ];
  const densify = options.densify ?? Math.min(4, Math.max(1, Math.round(Math.max(cw, ch) / 28_000)));
  if (!Number.isInteger(densify) || densify < 1)
    throw new GridArgumentError('options.densify', 'cellAreas', 'a positive integer', String(densify));
  const [rows, cols] = spec.shape;
  const [w, s, e, n] = spec.bounds;
  const data = new Float64Array(rows * cols);
  const deg = Math.PI / 180;
  if (isGeographic(spec.crs)) {
    const dlon = ((e - w) / cols) * deg;
    const dlat = (n - s) / rows;
    for (let r = 0; r < rows; r++) {
      const top = Math.min(90, Math.max(-90, n - r * dlat));
      const bottom = Math.min(90, Math.max(-90, n - (r + 1) * dlat));
      const area = ((A * A) / 2) * dlon * Math.abs(authalicQ(top * deg) - authalicQ(bottom * deg));
      data.fill(area, r * cols, (r + 1) * cols);
    }
  } else {
    const toGeo = transformer(spec.crs, 'EPSG:4326');
    const vr = rows * densify + 1;
    const vc = cols * densify + 1;
    const lam = new Float64Array(vr * vc);
    const q = new Float64Array(vr * vc);
    const dx = (e - w) / (cols * densify);
    const dy = (n - s) / (rows * densify);
    for (let i = 0; i < vr; i++) {
      for (let j = 0; j < vc; j++) {
        const [lon, lat] = toGeo(w + j * dx, n - i * dy);
        lam[i * vc + j] = lon * deg;
        q[i * vc + j] = authalicQ(Math.min(90, Math.max(-90, lat)) * deg);
      }
    }
    // Boundary of a cell: top edge west→east, right edge north→south, bottom edge east→west, left edge south→north.
    const ring = new Int32Array(4 * densify);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const i0 = r * densify;
        const j0 = c * densify;
        let k = 0;
        for (let t = 0; t < densify; t++) ring[k++] = i0 * vc + j0 + t;
        for (let t = 0; t < densify; t++) ring[k++] = (i0 + t) * vc + j0 + densify;
        for (let t = 0; t < densify; t++) ring[k++] = (i0 + densify) * vc + j0 + densify - t;
        for (let t = 0; t < densify; t++) ring[k++] = (i0 + densify - t) * vc + j0;
        const l0 = lam[ring[0]];
        let sum = 0;
        for (let t = 0; t < k; t++) {
          const p = ring[t];
          const p2 = ring[(t + 1) % k];
          const x1 = unwrap(lam[p] - l0);
          const x2 = unwrap(lam[p2] - l0);
          sum += x1 * q[p2] - x2 * q[p];
        }
        data[r * cols + c] = (((A * A) / 2) * Math.abs(sum)) / 2;
      }
    }
  }
  return {
    data,
    shape: [rows, cols],
    bounds: [...spec.bounds] as unknown as Grid['bounds'],
    crs: spec.crs,
    nodata: Number.NaN,
    units: 'm2',
  };
}

function unwrap(d: number): number {
  if (d > Math.PI) return d - 2 * Math.PI;
  if (d < -Math.PI) return d + 2 * Math.PI;
  return d;
}
