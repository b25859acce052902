/**
 * Interim stand-ins for @twsa/grid functions that had not landed when this package was written: reading the
 * JPL North-America NetCDF-3 stack, a Canada land fraction on a projected grid and a sub-sampled area-mean remap
 * restricted to Canada. Internal (never re-exported); each is to be replaced by the grid function of the same job.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { NetCDFReader } from 'netcdfjs';
import { feature } from 'topojson-client';
import { cellCenter, cellSize, createGrid, createStack, transformer } from '@twsa/grid';
import type { Grid, GridSpec, GridStack, TimeBounds } from '@twsa/grid';
import { DatasetsArgumentError } from '../errors.js';
import { isoDate } from './time.js';

/** Reads a Tellus-style lat/lon NetCDF-3 stack (`lwe_thickness(time, lat, lon)`, `time_bounds`) as a north-up GridStack. */
export function readTellusNetcdf3(path: string): GridStack {
  let reader: NetCDFReader;
  try {
    reader = new NetCDFReader(readFileSync(path));
  } catch (cause) {
    throw new DatasetsArgumentError('path', 'prepareGrace', 'a readable NetCDF-3 GRACE Tellus file', path, { cause });
  }
  const names = reader.variables.map((v) => v.name);
  for (const v of ['lat', 'lon', 'time', 'lwe_thickness']) {
    if (!names.includes(v)) throw new DatasetsArgumentError('path', 'prepareGrace', `a GRACE Tellus file with variable '${v}'`, path);
  }
  const lat = Array.from(reader.getDataVariable('lat') as number[]);
  const lon = Array.from(reader.getDataVariable('lon') as number[]);
  const time = Array.from(reader.getDataVariable('time') as number[]);
  const tb = names.includes('time_bounds') ? Array.from(reader.getDataVariable('time_bounds') as number[]) : undefined;
  const lwe = reader.getDataVariable('lwe_thickness') as number[];
  type Attribute = { readonly name: string; readonly value: unknown };
  const attr = (variable: string, name: string): unknown =>
    (reader.variables.find((v) => v.name === variable)!.attributes as unknown as Attribute[]).find((a) => a.name === name)?.value;
  const units = String(attr('time', 'units') ?? '');
  const m = /days since (\d{4}-\d{2}-\d{2})/.exec(units);
  if (!m) throw new DatasetsArgumentError('path', 'prepareGrace', "a 'time' variable in 'days since YYYY-MM-DD'", units || 'no units');
  const epoch = Date.UTC(Number(m[1]!.slice(0, 4)), Number(m[1]!.slice(5, 7)) - 1, Number(m[1]!.slice(8, 10))) / 86_400_000;
  const fill = Number(attr('lwe_thickness', '_FillValue') ?? Number.NaN);
  const dataUnits = String(attr('lwe_thickness', 'units') ?? '');
  const nt = time.length;
  const ny = lat.length;
  const nx = lon.length;
  const flip = lat[0]! < lat[ny - 1]!;
  const data = new Float32Array(nt * ny * nx);
  for (let t = 0; t < nt; t++) {
    for (let r = 0; r < ny; r++) {
      const srcRow = flip ? ny - 1 - r : r;
      for (let c = 0; c < nx; c++) {
        const v = lwe[(t * ny + srcRow) * nx + c]!;
        data[(t * ny + r) * nx + c] = v === fill || !Number.isFinite(v) || Math.abs(v) > 1e10 ? Number.NaN : v;
      }
    }
  }
  const dLat = Math.abs(lat[1]! - lat[0]!);
  const dLon = Math.abs(lon[1]! - lon[0]!);
  const times = time.map((d) => isoDate(epoch + d));
  const timeBounds: TimeBounds[] | undefined = tb ? time.map((_, i) => [isoDate(epoch + tb[2 * i]!), isoDate(epoch + tb[2 * i + 1]!)]) : undefined;
  return createStack(data, {
    shape: [nt, ny, nx],
    bounds: [Math.min(...lon) - dLon / 2, Math.min(...lat) - dLat / 2, Math.max(...lon) + dLon / 2, Math.max(...lat) + dLat / 2],
    crs: 'EPSG:4326',
    units: dataUnits,
    times,
    ...(timeBounds ? { timeBounds } : {}),
    attributes: { source: path },
  });
}

type Ring = readonly (readonly [number, number])[];
interface Polygon { readonly rings: readonly Ring[]; readonly bbox: readonly [number, number, number, number] }

function canadaPolygons(): Polygon[] {
  const require = createRequire(import.meta.url);
  const topology = JSON.parse(readFileSync(require.resolve('world-atlas/countries-110m.json'), 'utf8'));
  const geom = topology.objects.countries.geometries.find((g: { id?: string }) => g.id === '124');
  const f = feature(topology, geom) as unknown as { geometry: { type: string; coordinates: number[][][][] } };
  return f.geometry.coordinates.map((poly) => {
    const rings = poly.map((ring) => ring.map((p) => [p[0]!, p[1]!] as const));
    const xs = rings[0]!.map((p) => p[0]);
    const ys = rings[0]!.map((p) => p[1]);
    return { rings, bbox: [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)] as const };
  });
}

function inRing(ring: Ring, x: number, y: number): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function inCanada(polys: readonly Polygon[], lon: number, lat: number): boolean {
  for (const p of polys) {
    if (lon < p.bbox[0] || lon > p.bbox[2] || lat < p.bbox[1] || lat > p.bbox[3]) continue;
    if (inRing(p.rings[0]!, lon, lat) && !p.rings.slice(1).some((h) => inRing(h, lon, lat))) return true;
  }
  return false;
}

/** Sub-point sampling of a projected target grid: for each cell, the lon/lat of `s × s` sub-points and whether each is in Canada. */
export interface CanadaSampling {
  readonly spec: GridSpec;
  readonly subsamples: number;
  /** Per target cell, per sub-point: longitude, latitude (flat, `[cell][sub][2]`). */
  readonly lonLat: Float64Array;
  /** Per target cell, per sub-point: 1 when inside the Canada outline. */
  readonly inside: Uint8Array;
}

/** Samples `spec` with `subsamples²` points per cell (Natural Earth 1:110m Canada outline from world-atlas). */
export function sampleCanada(spec: GridSpec, subsamples = 10): CanadaSampling {
  const polys = canadaPolygons();
  const toLonLat = transformer(spec.crs, 'EPSG:4326');
  const [rows, cols] = spec.shape;
  const [dx, dy] = cellSize(spec);
  const s = subsamples;
  const lonLat = new Float64Array(rows * cols * s * s * 2);
  const inside = new Uint8Array(rows * cols * s * s);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const [cx, cy] = cellCenter(spec, r, c);
      for (let i = 0; i < s; i++) {
        for (let j = 0; j < s; j++) {
          const x = cx - dx / 2 + ((j + 0.5) * dx) / s;
          const y = cy + dy / 2 - ((i + 0.5) * dy) / s;
          const [lon, lat] = toLonLat(x, y);
          const k = (r * cols + c) * s * s + i * s + j;
          lonLat[2 * k] = lon;
          lonLat[2 * k + 1] = lat;
          inside[k] = inCanada(polys, lon, lat) ? 1 : 0;
        }
      }
    }
  }
  return { spec, subsamples: s, lonLat, inside };
}

/** Fraction of each cell inside Canada, from a {@link CanadaSampling}. */
export function canadaFractionOf(sampling: CanadaSampling): Grid {
  const [rows, cols] = sampling.spec.shape;
  const n = sampling.subsamples * sampling.subsamples;
  const out = new Float32Array(rows * cols);
  for (let k = 0; k < rows * cols; k++) {
    let c = 0;
    for (let i = 0; i < n; i++) c += sampling.inside[k * n + i]!;
    out[k] = c / n;
  }
  return createGrid(out, { ...sampling.spec, units: '1' });
}

/**
 * Area mean of a lon/lat stack over the Canada part of each projected target cell (sub-points inside Canada with a
 * finite source value, equally weighted: the target CRS is equal-area enough at cell scale). Cells with no such
 * sub-point are NaN.
 */
export function remapToCanada(stack: GridStack, sampling: CanadaSampling): GridStack {
  const [nt, ny, nx] = stack.shape;
  const [west, south, east, north] = stack.bounds;
  const dLon = (east - west) / nx;
  const dLat = (north - south) / ny;
  const [rows, cols] = sampling.spec.shape;
  const n = sampling.subsamples * sampling.subsamples;
  // Source cell index of every in-Canada sub-point, per target cell.
  const lists: number[][] = [];
  for (let k = 0; k < rows * cols; k++) {
    const list: number[] = [];
    for (let i = 0; i < n; i++) {
      const q = k * n + i;
      if (!sampling.inside[q]) continue;
      let lon = sampling.lonLat[2 * q]!;
      const lat = sampling.lonLat[2 * q + 1]!;
      if (lon < west) lon += 360;
      if (lon >= east) lon -= 360;
      const c = Math.floor((lon - west) / dLon);
      const r = Math.floor((north - lat) / dLat);
      if (r >= 0 && r < ny && c >= 0 && c < nx) list.push(r * nx + c);
    }
    lists.push(list);
  }
  const out = new Float32Array(nt * rows * cols);
  for (let t = 0; t < nt; t++) {
    const base = t * ny * nx;
    for (let k = 0; k < rows * cols; k++) {
      let sum = 0;
      let count = 0;
      for (const idx of lists[k]!) {
        const v = stack.data[base + idx]!;
        if (Number.isFinite(v)) { sum += v; count++; }
      }
      out[t * rows * cols + k] = count > 0 ? sum / count : Number.NaN;
    }
  }
  return createStack(out, {
    shape: [nt, rows, cols],
    bounds: sampling.spec.bounds,
    crs: sampling.spec.crs,
    ...(stack.units !== undefined ? { units: stack.units } : {}),
    times: stack.times,
    ...(stack.timeBounds ? { timeBounds: stack.timeBounds } : {}),
    ...(stack.labels ? { labels: stack.labels } : {}),
    ...(stack.attributes ? { attributes: stack.attributes } : {}),
  });
}

/** Factor converting `units` (m, cm, mm, kg m-2) to mm; undefined when unknown. */
export function toMillimetres(units: string | undefined): number | undefined {
  const u = (units ?? '').trim().toLowerCase();
  if (u === 'm' || u === 'meters' || u === 'metres') return 1000;
  if (u === 'cm' || u === 'centimeters' || u === 'centimetres') return 10;
  if (u === 'mm' || u === 'kg m-2' || u === 'kg/m2' || u === 'kg m**-2') return 1;
  return undefined;
}

/** Per-pixel anomalies: subtracts each pixel's mean over the frames whose nominal month is in `[from, to]`. */
export function anomaliesInterim(stack: GridStack, from: string, to: string): { stack: GridStack; frames: number } {
  const [nt, rows, cols] = stack.shape;
  const size = rows * cols;
  const sel: number[] = [];
  for (let t = 0; t < nt; t++) { const ym = stack.times[t]!.slice(0, 7); if (ym >= from && ym <= to) sel.push(t); }
  const mean = new Float64Array(size);
  const count = new Float64Array(size);
  for (const t of sel) for (let k = 0; k < size; k++) { const v = stack.data[t * size + k]!; if (Number.isFinite(v)) { mean[k] += v; count[k]++; } }
  for (let k = 0; k < size; k++) mean[k] = count[k]! > 0 ? mean[k]! / count[k]! : Number.NaN;
  const out = new Float32Array(stack.data.length);
  for (let t = 0; t < nt; t++) for (let k = 0; k < size; k++) out[t * size + k] = stack.data[t * size + k]! - mean[k]!;
  return { stack: { ...stack, data: out }, frames: sel.length };
}
