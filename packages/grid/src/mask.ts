/**
 * Fractional-coverage masks: rasterise (multi)polygons given in longitude/latitude onto any grid, Canada's
 * landmass from Natural Earth (npm `world-atlas`), and basin outlines from "lon lat" text files.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { feature } from 'topojson-client';
import { isGeographic, proj4Definition, transformer } from './crs.js';
import { GridArgumentError, GridFormatError, GridIoError } from './errors.js';
import type { Grid, GridSpec, GridSpecLike } from './grid.js';
import { planeSpec } from './internal/grid-args.js';

/** A `[longitude, latitude]` position (extra coordinates are ignored). */
export type LonLat = readonly number[];
/** GeoJSON Polygon geometry: an outer ring then holes, each ring a list of positions. */
export interface PolygonGeometry {
  readonly type: 'Polygon';
  readonly coordinates: readonly (readonly LonLat[])[];
}
/** GeoJSON MultiPolygon geometry. */
export interface MultiPolygonGeometry {
  readonly type: 'MultiPolygon';
  readonly coordinates: readonly (readonly (readonly LonLat[])[])[];
}
/** A GeoJSON Feature with a polygonal geometry. */
export interface PolygonFeature {
  readonly type: 'Feature';
  readonly geometry: PolygonGeometry | MultiPolygonGeometry;
  readonly properties?: Readonly<Record<string, unknown>> | null;
}
/** A GeoJSON FeatureCollection of polygonal features. */
export interface PolygonFeatureCollection {
  readonly type: 'FeatureCollection';
  readonly features: readonly PolygonFeature[];
}
/** Anything {@link rasterizePolygons} accepts (coordinates in EPSG:4326 longitude/latitude unless `options.crs`). */
export type PolygonalGeoJson = PolygonGeometry | MultiPolygonGeometry | PolygonFeature | PolygonFeatureCollection;

/** Options of {@link rasterizePolygons}. */
export interface RasterizeOptions {
  /** Sub-samples per cell side: each cell is tested at `subsamples²` points. Default 10 (fractions in steps of 0.01). */
  readonly subsamples?: number;
  /**
   * When the polygons' CRS differs from the grid's: polygon edges longer than this are split before projection so
   * that they follow the curved image of a straight segment. Degrees for geographic polygons; for projected
   * polygons the same length converted at 111 320 m per degree. Default 0.25.
   */
  readonly maxSegmentDeg?: number;
  /**
   * CRS of the polygon coordinates: an identifier, proj4 string or WKT (a shapefile's `.prj`). Default
   * `"EPSG:4326"` (longitude/latitude, as GeoJSON). Polygons in the grid's own CRS are used as they are.
   */
  readonly crs?: string;
}

/**
 * Rasterises polygons (longitude/latitude, EPSG:4326, or any CRS given as `options.crs`) onto any grid as the
 * fraction of each cell they cover.
 *
 * ## Method
 * Each cell is divided into `N × N` sub-cells (N = `subsamples`) and its fraction is the share of sub-cell centres
 * inside the polygons. Inside-ness is the even–odd rule over all rings of all polygons, evaluated by scanlines:
 * the rings are transformed from `options.crs` to the grid's CRS (edges first split to ≤ `maxSegmentDeg` when the
 * two differ), each sub-row collects the crossings of the ring edges with its centre line, and the sub-cell centres
 * between successive pairs of crossings are inside. Holes therefore subtract and disjoint parts add (parts of a
 * MultiPolygon must not overlap, as in any valid GeoJSON). For geographic grids whose longitudes run past ±180
 * (e.g. 0..360) the polygons are also tested shifted by ±360°. Cost is O(edges · crossed sub-rows + cells · N²).
 *
 * @param geojson - Polygon, MultiPolygon, Feature or FeatureCollection, in longitude/latitude unless `options.crs`.
 * @param spec - The target grid: a spec, a grid, or a stack (its last two dimensions).
 * @param options - See {@link RasterizeOptions}.
 * @returns A Float32 grid of fractions 0..1 (`units: "1"`) on the 2-D grid of `spec`.
 * @throws {@link GridArgumentError} for an unsupported geometry or bad options.
 * @throws {@link GridCrsError} when `options.crs` or the grid's CRS is unknown.
 * @example
 * ```ts
 * const square = { type: "Polygon", coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]] } as const;
 * rasterizePolygons(square, { shape: [1, 2], bounds: [0, 0, 2, 1], crs: "EPSG:4326" }).data;
 * // => Float32Array [1, 0]
 * ```
 */
export function rasterizePolygons(
  geojson: PolygonalGeoJson,
  specLike: GridSpecLike,
  options: RasterizeOptions = {},
): Grid<Float32Array> {
  const spec = planeSpec(specLike, 'spec', 'rasterizePolygons');
  const n = options.subsamples ?? 10;
  if (!Number.isInteger(n) || n < 1 || n > 1000)
    throw new GridArgumentError('options.subsamples', 'rasterizePolygons', 'an integer in 1..1000', String(n));
  const maxSeg = options.maxSegmentDeg ?? 0.25;
  if (!(maxSeg > 0))
    throw new GridArgumentError('options.maxSegmentDeg', 'rasterizePolygons', 'a positive number', String(maxSeg));
  const rings = collectRings(geojson);
  const [rows, cols] = spec.shape;
  const [w, s, e, nn] = spec.bounds;
  const su = (cols * n) / (e - w); // sub-columns per CRS unit
  const sv = (rows * n) / (nn - s);
  const subRows = rows * n;
  const subCols = cols * n;
  // Edges in sub-pixel coordinates (u east, v south), as flat arrays.
  const eu1: number[] = [],
    ev1: number[] = [],
    eu2: number[] = [],
    ev2: number[] = [];
  const addRing = (us: Float64Array, vs: Float64Array): void => {
    const m = us.length;
    for (let k = 0; k < m; k++) {
      const k2 = k + 1 === m ? 0 : k + 1;
      if (!Number.isFinite(us[k]) || !Number.isFinite(vs[k]) || !Number.isFinite(us[k2]) || !Number.isFinite(vs[k2]))
        continue;
      if (vs[k] === vs[k2]) continue; // horizontal edges never cross a scanline
      eu1.push(us[k]);
      ev1.push(vs[k]);
      eu2.push(us[k2]);
      ev2.push(vs[k2]);
    }
  };
  const { points, shifts } = ringsInGrid(rings, spec, options.crs ?? 'EPSG:4326', maxSeg);
  for (const pts of points) {
    for (const shift of shifts) {
      const m = pts.length / 2;
      const us = new Float64Array(m);
      const vs = new Float64Array(m);
      for (let k = 0; k < m; k++) {
        us[k] = (pts[2 * k] + shift - w) * su;
        vs[k] = (nn - pts[2 * k + 1]) * sv;
      }
      addRing(us, vs);
    }
  }
  // Scanline crossings, bucketed by sub-row (two passes: count, then fill).
  const ne = eu1.length;
  const start = new Int32Array(subRows + 1);
  const rowRange = (k: number): [number, number] => {
    const vlo = Math.min(ev1[k], ev2[k]);
    const vhi = Math.max(ev1[k], ev2[k]);
    // sub-row i has its centre line at v = i + 0.5; an edge crosses it when vlo <= i + 0.5 < vhi
    return [Math.max(0, Math.ceil(vlo - 0.5)), Math.min(subRows - 1, Math.ceil(vhi - 0.5) - 1)];
  };
  for (let k = 0; k < ne; k++) {
    const [i0, i1] = rowRange(k);
    for (let i = i0; i <= i1; i++) start[i + 1]++;
  }
  for (let i = 0; i < subRows; i++) start[i + 1] += start[i];
  const cross = new Float64Array(start[subRows]);
  const fill = start.slice(0, subRows);
  for (let k = 0; k < ne; k++) {
    const [i0, i1] = rowRange(k);
    const du = (eu2[k] - eu1[k]) / (ev2[k] - ev1[k]);
    for (let i = i0; i <= i1; i++) cross[fill[i]++] = eu1[k] + (i + 0.5 - ev1[k]) * du;
  }
  const counts = new Float64Array(rows * cols);
  for (let i = 0; i < subRows; i++) {
    const a = start[i];
    const b = start[i + 1];
    if (b - a < 2) continue;
    const xs = cross.subarray(a, b).sort();
    const rowBase = Math.floor(i / n) * cols;
    for (let p = 0; p + 1 < xs.length; p += 2) {
      // sub-columns j whose centre j + 0.5 lies in [xs[p], xs[p+1])
      let j0 = Math.max(0, Math.ceil(xs[p] - 0.5));
      const j1 = Math.min(subCols - 1, Math.ceil(xs[p + 1] - 0.5) - 1);
      while (j0 <= j1) {
        const c = Math.floor(j0 / n);
        const jEnd = Math.min(j1, (c + 1) * n - 1);
        counts[rowBase + c] += jEnd - j0 + 1;
        j0 = jEnd + 1;
      }
    }
  }
  const data = new Float32Array(rows * cols);
  const inv = 1 / (n * n);
  for (let k = 0; k < data.length; k++) data[k] = Math.min(1, counts[k] * inv);
  return {
    data,
    shape: [rows, cols],
    bounds: [...spec.bounds] as unknown as Grid['bounds'],
    crs: spec.crs,
    nodata: Number.NaN,
    units: '1',
  };
}

/** Options of {@link canadaMask}. */
export interface CanadaMaskOptions extends RasterizeOptions {
  /** Natural Earth resolution of the outline from `world-atlas`: `"50m"` (default) or `"110m"`. */
  readonly resolution?: '50m' | '110m';
}

/**
 * Canada's landmass as the fraction of each cell of `spec` it covers (0..1).
 *
 * ## Method
 * The outline is Natural Earth's Canada (country id `"124"`) from the npm package `world-atlas`
 * (`countries-50m.json` by default, or `countries-110m.json`), converted from TopoJSON with `topojson-client`, and
 * rasterised by {@link rasterizePolygons}. The file is read on every call (no module-level cache).
 *
 * @param spec - The target grid, e.g. `CANADA_LCC_110KM` or the 1° North America GRACE grid (for a stack, its last
 *   two dimensions).
 * @param options - See {@link CanadaMaskOptions}.
 * @returns A Float32 grid of fractions (`units: "1"`).
 * @throws {@link GridIoError} when `world-atlas` cannot be found.
 * @example
 * ```ts
 * const m = canadaMask(CANADA_LCC_110KM);
 * m.data.filter((f) => f >= 0.5).length; // => 763 (cells at least half Canadian, 50m outline)
 * ```
 */
export function canadaMask(spec: GridSpecLike, options: CanadaMaskOptions = {}): Grid<Float32Array> {
  const resolution = options.resolution ?? '50m';
  if (resolution !== '50m' && resolution !== '110m')
    throw new GridArgumentError('options.resolution', 'canadaMask', '"50m" or "110m"', JSON.stringify(resolution));
  return rasterizePolygons(canadaOutline(resolution), spec, options);
}

/**
 * Natural Earth's outline of Canada (id "124") from `world-atlas` as a GeoJSON MultiPolygon feature.
 * @param resolution - `"50m"` (default) or `"110m"`.
 * @throws {@link GridIoError} when the package file cannot be read.
 * @example
 * ```ts
 * canadaOutline("110m").geometry.type; // => "MultiPolygon"
 * ```
 */
export function canadaOutline(resolution: '50m' | '110m' = '50m'): PolygonFeature {
  const name = `world-atlas/countries-${resolution}.json`;
  let topology: { objects: { countries: { type: 'GeometryCollection'; geometries: { id?: string }[] } } };
  let file = name;
  try {
    file = createRequire(import.meta.url).resolve(name);
    topology = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new GridIoError(`canadaOutline: cannot read ${name} (is the npm package world-atlas installed?)`, {
      cause,
      file,
    });
  }
  const geometry = topology.objects.countries.geometries.find((g) => g.id === '124');
  if (!geometry)
    throw new GridFormatError(`canadaOutline: no country with id "124" in ${file}`, {
      file,
      field: 'objects.countries',
    });
  // topojson-client's types want a full Topology; the file is one.
  const f = feature(topology as never, geometry as never) as unknown as PolygonFeature;
  return {
    type: 'Feature',
    geometry: f.geometry,
    properties: { name: 'Canada', source: `Natural Earth ${resolution} via ${name}` },
  };
}

/**
 * Parses a basin outline in the NCSG ".vec" format (one `lon lat` pair per line, whitespace separated) into a
 * GeoJSON Polygon feature; the ring is closed if the file leaves it open.
 *
 * @param text - File contents.
 * @param name - Basin name recorded in `properties.name` and in error messages.
 * @throws {@link GridFormatError} when a line is not two numbers or fewer than 3 distinct points remain.
 * @example
 * ```ts
 * parseBasinOutline("0 0\n1 0\n1 1\n", "toy").geometry.coordinates[0].length; // => 4
 * ```
 */
export function parseBasinOutline(text: string, name = 'basin'): PolygonFeature {
  const ring: [number, number][] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const parts = line.split(/[\s,]+/);
    const lon = Number(parts[0]);
    const lat = Number(parts[1]);
    if (parts.length < 2 || !Number.isFinite(lon) || !Number.isFinite(lat) || Math.abs(lat) > 90) {
      throw new GridFormatError(
        `Basin outline '${name}' line ${i + 1}: expected "lon lat", got '${line.slice(0, 60)}'`,
        { file: name, field: `line ${i + 1}` },
      );
    }
    ring.push([lon, lat]);
  }
  if (ring.length < 3)
    throw new GridFormatError(`Basin outline '${name}' has ${ring.length} points; a polygon needs at least 3`, {
      file: name,
    });
  const [f, l] = [ring[0], ring[ring.length - 1]];
  if (f[0] !== l[0] || f[1] !== l[1]) ring.push([f[0], f[1]]);
  return { type: 'Feature', geometry: { type: 'Polygon', coordinates: [ring] }, properties: { name } };
}

/**
 * Reads a basin outline file (".vec", `lon lat` rows) into a GeoJSON Polygon feature named after the file.
 * @throws {@link GridIoError} when the file cannot be read; {@link GridFormatError} when it is malformed.
 */
export async function readBasinOutline(file: string): Promise<PolygonFeature> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new GridIoError(`readBasinOutline: cannot read '${file}'`, { cause, file });
  }
  const base = file.split(/[\\/]/).pop() ?? file;
  try {
    return parseBasinOutline(text, base.replace(/\.vec$/i, ''));
  } catch (err) {
    if (err instanceof GridFormatError)
      throw new GridFormatError(err.message, {
        cause: err.cause,
        file,
        ...(err.field !== undefined ? { field: err.field } : {}),
      });
    throw err;
  }
}

/** @internal */
export function collectRings(g: PolygonalGeoJson): (readonly LonLat[])[] {
  const out: (readonly LonLat[])[] = [];
  const visit = (x: PolygonalGeoJson, path: string): void => {
    if (!x || typeof x !== 'object')
      throw new GridArgumentError(
        path,
        'rasterizePolygons',
        'a GeoJSON Polygon, MultiPolygon, Feature or FeatureCollection',
        String(x),
      );
    switch (x.type) {
      case 'FeatureCollection':
        x.features.forEach((f, i) => visit(f, `${path}.features[${i}]`));
        break;
      case 'Feature':
        visit(x.geometry, `${path}.geometry`);
        break;
      case 'Polygon':
        for (const r of x.coordinates) if (r.length >= 3) out.push(r);
        break;
      case 'MultiPolygon':
        for (const p of x.coordinates) for (const r of p) if (r.length >= 3) out.push(r);
        break;
      default:
        throw new GridArgumentError(
          `${path}.type`,
          'rasterizePolygons',
          '"Polygon", "MultiPolygon", "Feature" or "FeatureCollection"',
          JSON.stringify((x as { type?: unknown }).type),
        );
    }
  };
  visit(g, 'geojson');
  return out;
}

/** Splits ring edges longer than `maxSeg` (ring units); returns flat [x, y, x, y, ...]. */
/** @internal */
export function densify(ring: readonly LonLat[], maxSeg: number): Float64Array {
  const out: number[] = [];
  for (let k = 0; k < ring.length; k++) {
    const a = ring[k];
    const b = ring[(k + 1) % ring.length];
    const steps = Math.max(1, Math.ceil(Math.max(Math.abs(b[0] - a[0]), Math.abs(b[1] - a[1])) / maxSeg));
    for (let t = 0; t < steps; t++) out.push(a[0] + ((b[0] - a[0]) * t) / steps, a[1] + ((b[1] - a[1]) * t) / steps);
  }
  return Float64Array.from(out);
}

/** Metres per degree used to convert `maxSegmentDeg` for projected polygons. */
const M_PER_DEG = 111_320;

/**
 * The rings transformed into the grid's CRS as flat `[x, y, x, y, …]` arrays (edges densified when the CRSs differ),
 * and the longitude shifts to test them at (geographic grids running past ±180°).
 * @internal
 */
export function ringsInGrid(
  rings: readonly (readonly LonLat[])[],
  spec: GridSpec,
  crs: string,
  maxSegmentDeg = 0.25,
): { points: Float64Array[]; shifts: number[] } {
  const [w, , e] = spec.bounds;
  const geographicGrid = isGeographic(spec.crs);
  const shifts = [0];
  if (geographicGrid && e > 180) shifts.push(360);
  if (geographicGrid && w < -180) shifts.push(-360);
  const fwd = sameCrs(crs, spec.crs) ? null : transformer(crs, spec.crs);
  const step = isGeographic(crs) ? maxSegmentDeg : maxSegmentDeg * M_PER_DEG;
  const points = rings.map((ring) => {
    if (fwd === null) {
      const flat = new Float64Array(ring.length * 2);
      ring.forEach((p, k) => {
        flat[2 * k] = p[0];
        flat[2 * k + 1] = p[1];
      });
      return flat;
    }
    const pts = densify(ring, step);
    for (let k = 0; k < pts.length; k += 2) {
      const [x, y] = fwd(pts[k], pts[k + 1]);
      pts[k] = x;
      pts[k + 1] = y;
    }
    return pts;
  });
  return { points, shifts };
}

/**
 * True when two CRSs are the same: equal definitions, or two geographic CRSs between which proj4 moves no probe
 * point by more than 1e-9° (e.g. a shapefile's `GEOGCS["GCS_WGS_1984", …]` and EPSG:4326), so coordinates are used
 * as they are rather than through a transform that perturbs them in the last bits.
 * @internal
 */
export function sameCrs(a: string, b: string): boolean {
  if (proj4Definition(a) === proj4Definition(b)) return true;
  if (!isGeographic(a) || !isGeographic(b)) return false;
  const t = transformer(a, b);
  return [
    [-170, -80],
    [0, 0],
    [-95, 60],
    [179, 85],
  ].every(([x, y]) => {
    const [u, v] = t(x!, y!);
    return Math.abs(u - x!) < 1e-9 && Math.abs(v - y!) < 1e-9;
  });
}
