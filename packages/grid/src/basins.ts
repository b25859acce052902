/**
 * River basins: read basin outlines from GeoJSON, shapefiles or ".vec" text (honouring their CRS), and turn one
 * outline into per-cell weights on a grid — the fraction of each cell inside the basin times the cell's true area —
 * with the share of the basin that lies outside the grid.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { read as readShapefile } from 'shapefile';
import { EPSG_4326, isGeographic, proj4Definition, transformer } from './crs.js';
import { GridArgumentError, GridCrsError, GridFormatError, GridIoError } from './errors.js';
import type { Grid, GridSpecLike } from './grid.js';
import { planeSpec } from './internal/grid-args.js';
import {
  densify,
  parseBasinOutline,
  rasterizePolygons,
  ringsInGrid,
  type LonLat,
  type MultiPolygonGeometry,
  type PolygonGeometry,
  type RasterizeOptions,
} from './mask.js';
import { authalicQ, cellAreas } from './weights.js';

/** One basin: its name and its polygonal geometry, in the CRS of the {@link BasinLayer} it belongs to. */
export interface Basin {
  readonly name: string;
  readonly geometry: PolygonGeometry | MultiPolygonGeometry;
  /** The feature's attributes (GeoJSON `properties`, shapefile `.dbf` row); empty for ".vec" files. */
  readonly properties: Readonly<Record<string, unknown>>;
}

/** The basins of one file and the CRS of their coordinates. */
export interface BasinLayer {
  readonly file: string;
  /** CRS of the coordinates: `"EPSG:4326"`, `"EPSG:3978"` or the WKT of a shapefile's `.prj`. */
  readonly crs: string;
  /** Where the CRS came from, e.g. `"GeoJSON default (lon/lat)"`, `".prj"`, `"GeoJSON crs member EPSG:3978"`. */
  readonly crsSource: string;
  readonly basins: readonly Basin[];
}

/** Options of {@link readBasins}. */
export interface ReadBasinsOptions {
  /**
   * Attribute that names each basin. Default: the first of `name`, `NAME`, `Name`, `basin`, `BASIN`, `NAME_EN`
   * present on a feature, else `basin-<n>` (1-based feature number).
   */
  readonly nameField?: string;
  /** Overrides the file's CRS (an identifier, proj4 string or WKT), e.g. for a shapefile without `.prj`. */
  readonly crs?: string;
}

const DEFAULT_NAME_FIELDS = ['name', 'NAME', 'Name', 'basin', 'BASIN', 'NAME_EN'];

/**
 * Reads basin outlines from a GeoJSON (`.geojson`, `.json`), shapefile (`.shp` with its `.dbf`, `.prj` and `.cpg`
 * beside it) or NCSG ".vec" file (`lon lat` rows, one basin named after the file).
 *
 * ## CRS
 * - GeoJSON is longitude/latitude (RFC 7946) unless the file carries the legacy `crs` member
 *   (`{"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3978"}}`); EPSG:4326, CRS84 and EPSG:3978 are
 *   understood, any other code is a {@link GridCrsError} (reproject the file, or pass `options.crs`).
 * - Shapefiles use their `.prj` (WKT, parsed by proj4). Without a `.prj` the coordinates must look like
 *   longitude/latitude (all within ±180/±90), else a {@link GridCrsError} asks for `options.crs`.
 * - ".vec" files are longitude/latitude.
 *
 * Features whose geometry is null are skipped; any non-polygonal geometry is a {@link GridFormatError}.
 *
 * @param file - Path of the file.
 * @param options - See {@link ReadBasinsOptions}.
 * @returns The basins with the CRS of their coordinates (pass it as `crs` to {@link basinWeights}).
 * @throws {@link GridIoError} when the file cannot be read; {@link GridFormatError} when it is malformed or holds no
 * polygon; {@link GridArgumentError} when `nameField` is missing from a feature.
 * @example
 * ```ts
 * const layer = await readBasins("packages/grid/test/fixtures/basins/basins-3978.shp", { nameField: "NAME" });
 * layer.basins.map((b) => b.name); // => ["Alpha", "Beta", "Gamma"]
 * layer.crsSource; // => ".prj"
 * ```
 */
export async function readBasins(file: string, options: ReadBasinsOptions = {}): Promise<BasinLayer> {
  const lower = file.toLowerCase();
  let layer: { crs: string; crsSource: string; features: RawFeature[] };
  if (lower.endsWith('.shp')) layer = await readShp(file);
  else if (lower.endsWith('.vec')) {
    const text = await readText(file);
    const base = (file.split(/[\\/]/).pop() ?? file).replace(/\.vec$/i, '');
    const f = parseBasinOutline(text, base);
    layer = {
      crs: EPSG_4326,
      crsSource: '.vec (lon/lat)',
      features: [{ geometry: f.geometry, properties: { name: base } }],
    };
  } else if (lower.endsWith('.geojson') || lower.endsWith('.json')) layer = parseGeoJson(await readText(file), file);
  else throw new GridFormatError(`readBasins: '${file}' is not a .geojson, .json, .shp or .vec file`, { file });
  const crs = options.crs ?? layer.crs;
  const crsSource = options.crs !== undefined ? 'options.crs' : layer.crsSource;
  proj4Definition(crs); // unknown CRS → GridCrsError now, not at rasterisation
  const basins: Basin[] = [];
  layer.features.forEach((f, i) => {
    if (f.geometry === null) return;
    if (f.geometry.type !== 'Polygon' && f.geometry.type !== 'MultiPolygon')
      throw new GridFormatError(
        `readBasins: feature ${i + 1} of '${file}' is a ${String(f.geometry.type)}; basins must be Polygon or MultiPolygon`,
        { file, field: `features[${i}].geometry` },
      );
    const props = f.properties ?? {};
    let name: unknown;
    if (options.nameField !== undefined) {
      name = props[options.nameField];
      if (name === undefined || name === null || String(name).trim() === '')
        throw new GridArgumentError(
          'options.nameField',
          'readBasins',
          `an attribute present on every feature (feature ${i + 1} has ${Object.keys(props).join(', ') || 'no attributes'})`,
          JSON.stringify(options.nameField),
        );
    } else name = DEFAULT_NAME_FIELDS.map((k) => props[k]).find((v) => v !== undefined && v !== null && v !== '');
    basins.push({
      name: name === undefined ? `basin-${i + 1}` : String(name).trim(),
      geometry: f.geometry as PolygonGeometry | MultiPolygonGeometry,
      properties: props,
    });
  });
  if (basins.length === 0) throw new GridFormatError(`readBasins: '${file}' holds no polygon`, { file });
  if (options.crs === undefined && crsSource !== '.prj' && isGeographic(crs)) assertLonLat(basins, file);
  return { file, crs, crsSource, basins };
}

interface RawFeature {
  readonly geometry: { readonly type: string; readonly coordinates?: unknown } | null;
  readonly properties: Record<string, unknown> | null;
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    throw new GridIoError(`readBasins: cannot read '${file}'`, { cause, file });
  }
}

function parseGeoJson(text: string, file: string): { crs: string; crsSource: string; features: RawFeature[] } {
  let doc: { type?: string; features?: RawFeature[]; geometry?: RawFeature['geometry']; crs?: unknown };
  try {
    doc = JSON.parse(text);
  } catch (cause) {
    throw new GridFormatError(`readBasins: '${file}' is not valid JSON: ${(cause as Error).message}`, { cause, file });
  }
  let features: RawFeature[];
  if (doc?.type === 'FeatureCollection' && Array.isArray(doc.features)) features = doc.features;
  else if (doc?.type === 'Feature') features = [doc as RawFeature];
  else if (doc?.type === 'Polygon' || doc?.type === 'MultiPolygon')
    features = [{ geometry: doc as RawFeature['geometry'], properties: {} }];
  else
    throw new GridFormatError(
      `readBasins: '${file}' is not a GeoJSON FeatureCollection, Feature, Polygon or MultiPolygon (type ${JSON.stringify(doc?.type)})`,
      { file, field: 'type' },
    );
  if (doc.crs === undefined || doc.crs === null)
    return { crs: EPSG_4326, crsSource: 'GeoJSON default (lon/lat, RFC 7946)', features };
  const name = (doc.crs as { properties?: { name?: unknown } })?.properties?.name;
  const crs = typeof name === 'string' ? geoJsonCrsName(name) : null;
  if (crs === null)
    throw new GridCrsError(
      `readBasins: '${file}' has a crs member ${JSON.stringify(doc.crs).slice(0, 120)} that is not understood (known: EPSG:4326, CRS84, EPSG:3978); reproject it to lon/lat or pass a crs`,
      { file, field: 'crs' },
    );
  return { crs, crsSource: `GeoJSON crs member ${name as string}`, features };
}

/** Maps a GeoJSON 2008 `crs.properties.name` to a CRS identifier this package knows, else null. */
function geoJsonCrsName(name: string): string | null {
  const n = name.trim().toUpperCase();
  if (/CRS:?84$/.test(n) || /EPSG:{1,2}4326$/.test(n)) return EPSG_4326;
  if (/EPSG:{1,2}3978$/.test(n)) return 'EPSG:3978';
  return null;
}

async function readShp(file: string): Promise<{ crs: string; crsSource: string; features: RawFeature[] }> {
  const stem = file.replace(/\.shp$/i, '');
  const sidecar = (ext: string): string | null => {
    for (const e of [ext, ext.toUpperCase()]) if (existsSync(stem + e)) return stem + e;
    return null;
  };
  if (!existsSync(file)) throw new GridIoError(`readBasins: '${file}' does not exist`, { file });
  const dbf = sidecar('.dbf');
  const prj = sidecar('.prj');
  const cpg = sidecar('.cpg');
  // .cpg holds the .dbf code page: "UTF-8", or a Windows code page such as "1252" / "ANSI 1252".
  const page = cpg ? (await readText(cpg)).trim() : '';
  const encoding = /^(ANSI\s*)?\d+$/i.test(page) ? `windows-${page.replace(/\D/g, '')}` : page || 'utf-8';
  let collection: { features: RawFeature[] };
  try {
    collection = (await readShapefile(file, dbf ?? undefined, { encoding })) as unknown as { features: RawFeature[] };
  } catch (cause) {
    throw new GridFormatError(`readBasins: cannot read the shapefile '${file}': ${(cause as Error).message}`, {
      cause,
      file,
    });
  }
  if (prj === null) return { crs: EPSG_4326, crsSource: 'no .prj: assumed lon/lat', features: collection.features };
  return { crs: (await readText(prj)).trim(), crsSource: '.prj', features: collection.features };
}

/** Throws a {@link GridCrsError} when coordinates said (or assumed) to be lon/lat are clearly not. */
function assertLonLat(basins: readonly Basin[], file: string): void {
  for (const b of basins)
    for (const ring of ringsOf(b.geometry))
      for (const p of ring)
        if (!(Math.abs(p[0]) <= 540 && Math.abs(p[1]) <= 90))
          throw new GridCrsError(
            `readBasins: '${file}' basin '${b.name}' has the point (${p[0]}, ${p[1]}), which is not longitude/latitude; the file has no usable CRS (add a .prj, or pass a crs)`,
            { file, field: 'crs' },
          );
}

function ringsOf(g: PolygonGeometry | MultiPolygonGeometry): (readonly LonLat[])[] {
  return g.type === 'Polygon' ? [...g.coordinates] : g.coordinates.flat();
}

/** Options of {@link basinWeights}. */
export interface BasinWeightsOptions extends RasterizeOptions {
  /** Edge length (degrees) used to trace the outline for its true area. Default 0.05. */
  readonly areaSegmentDeg?: number;
}

/** Result of {@link basinWeights}. */
export interface BasinWeights {
  /** Fraction of each cell inside the basin (0..1), on the 2-D grid. */
  readonly fraction: Grid<Float32Array>;
  /** `fraction × cell area` in m² per cell: the weights of an area-weighted basin mean. */
  readonly weights: Float64Array;
  /** True (ellipsoidal) area of the whole basin outline, m². */
  readonly basinAreaM2: number;
  /** Σ weights: the basin area inside the grid, m². */
  readonly insideAreaM2: number;
  /**
   * Share of the basin's area outside the grid (0..1): exactly 0 when every outline point falls inside the grid's
   * bounds, else `1 − insideAreaM2 / basinAreaM2` (to the sub-sampling's precision, about 1 %).
   */
  readonly outsideFraction: number;
}

/**
 * Per-cell weights of one basin on a grid: the fraction of each cell inside the outline times the cell's true area,
 * and the share of the basin that falls outside the grid.
 *
 * ## Method
 * `fraction` is {@link rasterizePolygons} (sub-sampled coverage, outline transformed from `options.crs` to the
 * grid's CRS); cell areas are {@link cellAreas} (ellipsoidal). The basin's own area is the authalic shoelace area
 * `(a²/2) Σ (λᵢ q(φᵢ₊₁) − λᵢ₊₁ q(φᵢ))` of each outer ring minus its holes, on the outline traced in lon/lat with
 * edges ≤ `areaSegmentDeg`. A basin mean is then `Σ wᵢ xᵢ / Σ wᵢ` over the valid cells (`areaWeightedMean` of
 * `@twsa/metrics` with `weights` and no mask) — partial cells count in proportion to the area they hold.
 *
 * @param geometry - The basin outline (a {@link Basin}'s geometry).
 * @param spec - The grid: a spec, grid or stack.
 * @param options - {@link BasinWeightsOptions}; `crs` is the CRS of the outline (default EPSG:4326).
 * @returns {@link BasinWeights}.
 * @throws {@link GridArgumentError} for bad options; {@link GridCrsError} for an unknown CRS.
 * @example
 * ```ts
 * const square = { type: "Polygon", coordinates: [[[0, 0], [2, 0], [2, 1], [0, 1], [0, 0]]] } as const;
 * const w = basinWeights(square, { shape: [1, 1], bounds: [0, 0, 1, 1], crs: "EPSG:4326" });
 * Math.round(w.outsideFraction * 100) / 100; // => 0.5 (half of the square lies east of the grid)
 * ```
 */
export function basinWeights(
  geometry: PolygonGeometry | MultiPolygonGeometry,
  spec: GridSpecLike,
  options: BasinWeightsOptions = {},
): BasinWeights {
  const plane = planeSpec(spec, 'spec', 'basinWeights');
  const areaSeg = options.areaSegmentDeg ?? 0.05;
  if (!(areaSeg > 0))
    throw new GridArgumentError('options.areaSegmentDeg', 'basinWeights', 'a positive number', String(areaSeg));
  const crs = options.crs ?? EPSG_4326;
  const fraction = rasterizePolygons(geometry, plane, options);
  const areas = cellAreas(plane).data;
  const weights = new Float64Array(areas.length);
  let inside = 0;
  for (let i = 0; i < weights.length; i++) {
    weights[i] = fraction.data[i]! * areas[i]!;
    inside += weights[i]!;
  }
  const basinAreaM2 = outlineArea(geometry, crs, areaSeg);
  const [w, s, e, n] = plane.bounds;
  const { points, shifts } = ringsInGrid(ringsOf(geometry), plane, crs, options.maxSegmentDeg ?? 0.25);
  const allInside = points.every((pts) => {
    for (let k = 0; k < pts.length; k += 2) {
      const y = pts[k + 1]!;
      if (!(y >= s && y <= n) || !shifts.some((d) => pts[k]! + d >= w && pts[k]! + d <= e)) return false;
    }
    return true;
  });
  const outsideFraction = allInside || !(basinAreaM2 > 0) ? 0 : Math.min(1, Math.max(0, 1 - inside / basinAreaM2));
  return { fraction, weights, basinAreaM2, insideAreaM2: inside, outsideFraction };
}

/** Ellipsoidal area (m²) of a polygonal geometry: Σ over polygons of |outer| − Σ |holes|. */
function outlineArea(g: PolygonGeometry | MultiPolygonGeometry, crs: string, seg: number): number {
  const toGeo = isGeographic(crs) ? null : transformer(crs, EPSG_4326);
  const step = toGeo === null ? seg : seg * 111_320;
  const polygons = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  const A = 6_378_137;
  const deg = Math.PI / 180;
  let total = 0;
  for (const polygon of polygons) {
    polygon.forEach((ring, r) => {
      if (ring.length < 3) return;
      const pts = densify(ring, step);
      const m = pts.length / 2;
      const lam = new Float64Array(m);
      const q = new Float64Array(m);
      for (let k = 0; k < m; k++) {
        const [lon, lat] = toGeo === null ? [pts[2 * k]!, pts[2 * k + 1]!] : toGeo(pts[2 * k]!, pts[2 * k + 1]!);
        lam[k] = lon * deg;
        q[k] = authalicQ(Math.min(90, Math.max(-90, lat)) * deg);
      }
      let sum = 0;
      for (let k = 0; k < m; k++) {
        const k2 = (k + 1) % m;
        // unwrap longitudes relative to the first point so rings crossing ±180° keep their size
        const x1 = unwrap(lam[k]! - lam[0]!);
        const x2 = unwrap(lam[k2]! - lam[0]!);
        sum += x1 * q[k2]! - x2 * q[k]!;
      }
      const area = (((A * A) / 2) * Math.abs(sum)) / 2;
      total += r === 0 ? area : -area;
    });
  }
  return Math.max(0, total);
}

function unwrap(d: number): number {
  if (d > Math.PI) return d - 2 * Math.PI;
  if (d < -Math.PI) return d + 2 * Math.PI;
  return d;
}
