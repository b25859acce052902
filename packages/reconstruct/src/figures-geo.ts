/**
 * Geographic reference for map figures, in the grid's own CRS: country outlines (Natural Earth 50m from the npm
 * package `world-atlas`: Canada drawn darker, its neighbours — USA with Alaska, Greenland — lighter), the
 * boundaries between Canada's provinces and territories (Natural Earth 1:50m admin-1 lines, shipped in this package's
 * `data/` folder, see `data/README.md`), a graticule every 10° and the labels of the parallels and meridians where they
 * leave the map frame. Everything is projected with proj4 (through `@twsa/grid`'s transformer) into the grid's CRS, so
 * grid cells stay rectangles in x/y.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { feature } from 'topojson-client';
import { transformer, type GridSpec } from '@twsa/grid';
import { ReconstructError } from './errors.js';

/** One vertex of a polyline: rows with the same `line` form one path, in `order`. */
export interface MapLinePoint {
  readonly line: number;
  readonly order: number;
  readonly x: number;
  readonly y: number;
  /** `"canada"` (national outline), `"province"` (Canadian province/territory boundary), `"neighbour"` or `"graticule"`. */
  readonly kind: 'canada' | 'province' | 'neighbour' | 'graticule';
}

/** A graticule label placed on the edge of the map frame. */
export interface MapLabel {
  readonly x: number;
  readonly y: number;
  readonly text: string;
  /** Which frame edge the label sits on. */
  readonly edge: 'left' | 'bottom' | 'top';
}

/** Outlines, graticule and labels of a grid, in its CRS units. */
export interface MapBackdrop {
  readonly lines: readonly MapLinePoint[];
  readonly labels: readonly MapLabel[];
  /** Where the outlines come from (for captions). */
  readonly source: string;
}

type Ring = readonly (readonly [number, number])[];
/** ISO 3166 numeric ids drawn: Canada, USA, Greenland, Russia (Chukotka can reach a wide grid's corner). */
const COUNTRIES: Readonly<Record<string, 'canada' | 'neighbour'>> = {
  '124': 'canada',
  '840': 'neighbour',
  '304': 'neighbour',
  '643': 'neighbour',
};
const require = createRequire(import.meta.url);
let countryRings: { kind: 'canada' | 'neighbour'; ring: Ring }[] | null = null;

/** Longitude/latitude rings of the drawn countries, read once from `world-atlas/countries-50m.json`. */
function loadCountryRings(): { kind: 'canada' | 'neighbour'; ring: Ring }[] {
  if (countryRings) return countryRings;
  let topology: { objects: { countries: { geometries: { id?: string }[] } } };
  try {
    topology = JSON.parse(readFileSync(require.resolve('world-atlas/countries-50m.json'), 'utf8'));
  } catch (cause) {
    throw new ReconstructError(
      'map outlines: cannot read world-atlas/countries-50m.json (install the dependencies of @twsa/reconstruct)',
      { cause },
    );
  }
  const out: { kind: 'canada' | 'neighbour'; ring: Ring }[] = [];
  for (const g of topology.objects.countries.geometries) {
    const kind = g.id !== undefined ? COUNTRIES[g.id] : undefined;
    if (!kind) continue;
    const f = feature(topology as never, g as never) as unknown as {
      geometry: { type: 'Polygon' | 'MultiPolygon'; coordinates: number[][][] | number[][][][] };
    };
    const polys = (f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates) as number[][][][];
    for (const poly of polys)
      for (const ring of poly) out.push({ kind, ring: ring.map((p) => [p[0]!, p[1]!] as const) });
  }
  countryRings = out;
  return out;
}

/** The province/territory boundary file shipped with the package (`data/` beside `src/` and `dist/`). */
const PROVINCE_LINES_URL = new URL('../data/ne_50m_canada_admin1_lines.json', import.meta.url);
let provinceLines: Ring[] | null = null;

/**
 * Longitude/latitude polylines of the boundaries between Canada's provinces and territories, read once from
 * `data/ne_50m_canada_admin1_lines.json` (Natural Earth 1:50m admin-1 lines with `ADM0_A3 = "CAN"`).
 * @throws {@link ReconstructError} when the file is missing or is not a collection of line strings.
 */
function loadProvinceLines(): Ring[] {
  if (provinceLines) return provinceLines;
  let collection: { features?: { geometry?: { type?: string; coordinates?: unknown } }[] };
  try {
    collection = JSON.parse(readFileSync(PROVINCE_LINES_URL, 'utf8'));
  } catch (cause) {
    throw new ReconstructError(
      `map outlines: cannot read the province boundaries ${PROVINCE_LINES_URL.pathname} (is the package's data/ folder installed?)`,
      { cause },
    );
  }
  const out: Ring[] = [];
  for (const f of collection.features ?? []) {
    const g = f.geometry;
    const parts =
      g?.type === 'LineString' ? [g.coordinates] : g?.type === 'MultiLineString' ? (g.coordinates as unknown[]) : null;
    if (!parts) throw new ReconstructError(`map outlines: ${PROVINCE_LINES_URL.pathname} holds a non-line geometry`);
    for (const part of parts) {
      if (!Array.isArray(part) || !part.every((p) => Array.isArray(p) && p.length >= 2 && p.every(Number.isFinite)))
        throw new ReconstructError(`map outlines: ${PROVINCE_LINES_URL.pathname} holds a malformed line`);
      out.push((part as number[][]).map((p) => [p[0]!, p[1]!] as const));
    }
  }
  provinceLines = out;
  return out;
}

const backdropCache = new Map<string, MapBackdrop>();

/**
 * The outlines, graticule and graticule labels of a grid, projected into its CRS and cut to its bounds (plus a
 * margin; the figure clips the rest). Cached per grid.
 *
 * ## Method
 * Country rings are projected vertex by vertex, thinned so that kept vertices are at least 1/8 of a cell apart, and
 * split wherever they leave the grid's bounds grown by 5 %. Province/territory boundary lines are treated the same.
 * Parallels (every 10° from 30°N to 80°N) and meridians
 * (every 10°) are sampled every 0.5°, projected, thinned and split the same way. A label is placed where a line crosses the
 * frame: parallels on the left edge (and, for the northern ones that leave through it, inside the top edge),
 * meridians on the bottom edge.
 *
 * @throws {@link ReconstructError} when the outline data cannot be read, or the CRS is unknown to proj4.
 */
export function mapBackdrop(grid: GridSpec): MapBackdrop {
  const key = `${grid.crs}|${grid.bounds.join(',')}|${grid.shape.join('x')}`;
  const cached = backdropCache.get(key);
  if (cached) return cached;
  const project = transformer('EPSG:4326', grid.crs);
  const [w, s, e, n] = grid.bounds;
  const mx = (e - w) * 0.05;
  const my = (n - s) * 0.05;
  const inside = (x: number, y: number): boolean =>
    Number.isFinite(x) && Number.isFinite(y) && x >= w - mx && x <= e + mx && y >= s - my && y <= n + my;
  const tolerance = Math.min((e - w) / grid.shape[1], (n - s) / grid.shape[0]) / 8;
  const lines: MapLinePoint[] = [];
  let lineId = 0;
  const addPath = (points: Ring, kind: MapLinePoint['kind'], thin: boolean): void => {
    let order = 0;
    let open = false;
    let last: readonly [number, number] | null = null;
    for (let i = 0; i < points.length; i++) {
      const [x, y] = points[i]!;
      if (!inside(x, y)) {
        if (open) lineId++;
        open = false;
        last = null;
        continue;
      }
      const isLast = i === points.length - 1;
      if (thin && last && !isLast && Math.hypot(x - last[0], y - last[1]) < tolerance) continue;
      if (!open) {
        open = true;
        order = 0;
      }
      // 100 m is far below a pixel at any size these maps are drawn; rounding keeps the specs small.
      lines.push({ line: lineId, order: order++, x: Math.round(x / 100) * 100, y: Math.round(y / 100) * 100, kind });
      last = [x, y];
    }
    if (open) lineId++;
  };
  const geographic = (lon: number, lat: number): boolean => lat > 15 && lon < -5 && lon > -180;
  for (const { kind, ring } of loadCountryRings()) {
    // Rough pre-filter in degrees so far-away vertices (where a conic projection misbehaves) are never projected.
    if (!ring.some(([lon, lat]) => geographic(lon, lat))) continue;
    addPath(
      ring.map(([lon, lat]) => (geographic(lon, lat) ? project(lon, lat) : ([Number.NaN, Number.NaN] as const))),
      kind,
      true,
    );
  }
  for (const line of loadProvinceLines()) {
    // Source vertices are at most ~1° apart, so straight segments stay close to the curved parallels (60°N) in x/y.
    addPath(
      line.map(([lon, lat]) => project(lon, lat)),
      'province',
      true,
    );
  }
  const labels: MapLabel[] = [];
  const step = 0.5;
  const graticule = (fixed: 'lat' | 'lon', value: number, from: number, to: number): void => {
    const pts: [number, number][] = [];
    for (let t = from; t <= to + 1e-9; t += step) pts.push(fixed === 'lat' ? project(t, value) : project(value, t));
    addPath(pts, 'graticule', true);
    const text = fixed === 'lat' ? `${value}°N` : value === 0 ? '0°' : `${Math.abs(value)}°${value < 0 ? 'W' : 'E'}`;
    for (let i = 1; i < pts.length; i++) {
      const [x0, y0] = pts[i - 1]!;
      const [x1, y1] = pts[i]!;
      if (![x0, y0, x1, y1].every(Number.isFinite)) continue;
      const cross = (a0: number, a1: number, edge: number): number | null =>
        (a0 - edge) * (a1 - edge) <= 0 && a0 !== a1 ? (edge - a0) / (a1 - a0) : null;
      const edges =
        fixed === 'lat'
          ? ([
              ['left', 'x', w],
              ['top', 'y', n],
            ] as const)
          : ([['bottom', 'y', s]] as const);
      for (const [edge, axis, at] of edges) {
        const f = axis === 'x' ? cross(x0, x1, at) : cross(y0, y1, at);
        if (f === null) continue;
        const x = axis === 'x' ? at : x0 + f * (x1 - x0);
        const y = axis === 'y' ? at : y0 + f * (y1 - y0);
        if (x < w || x > e || y < s || y > n) continue;
        // One label per line: a parallel labelled on the left is not labelled again at the top.
        if (labels.some((l) => l.text === text)) continue;
        labels.push({ x, y, text, edge });
      }
    }
  };
  for (let lat = 30; lat <= 80; lat += 10) graticule('lat', lat, -180, 40);
  for (let lon = -170; lon <= -20; lon += 10) graticule('lon', lon, 20, 89);
  // Drop labels crowding each other on one edge (keep the first).
  const minGap = Math.max(e - w, n - s) * 0.045;
  const kept = labels.filter(
    (l, i) =>
      !labels
        .slice(0, i)
        .some((o) => o.edge === l.edge && Math.abs(l.edge === 'left' ? o.y - l.y : o.x - l.x) < minGap),
  );
  const backdrop: MapBackdrop = {
    lines,
    labels: kept,
    source: 'Natural Earth 1:50m outlines and Canadian province/territory boundaries',
  };
  backdropCache.set(key, backdrop);
  return backdrop;
}

/**
 * Longitude and latitude of every cell centre of a grid, row-major (`[lon0, lat0, lon1, lat1, …]`).
 * @throws {@link ReconstructError} when the CRS is unknown to proj4.
 */
export function cellLonLat(grid: GridSpec): Float64Array {
  const [rows, cols] = grid.shape;
  const [w, s, e, n] = grid.bounds;
  const dx = (e - w) / cols;
  const dy = (n - s) / rows;
  const inverse = transformer(grid.crs, 'EPSG:4326');
  const out = new Float64Array(rows * cols * 2);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const [lon, lat] = inverse(w + (c + 0.5) * dx, n - (r + 0.5) * dy);
      out[(r * cols + c) * 2] = lon;
      out[(r * cols + c) * 2 + 1] = lat;
    }
  return out;
}
