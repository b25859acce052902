import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  canadaMask,
  canadaOutline,
  cellAreas,
  isGridError,
  parseBasinOutline,
  rasterizePolygons,
  readBasinOutline,
  transformer,
  CANADA_LCC_110KM,
  type GridSpec,
  type PolygonGeometry,
} from '@twsa/grid';

const REPO = join(import.meta.dirname, '..', '..', '..');
const REAL = join(REPO, '..', 'shared', 'data', 'real');
const haveReal = existsSync(REAL);
if (!haveReal) console.warn('skipped: ../shared/data/real not found');
const NA_1DEG: GridSpec = { shape: [60, 120], bounds: [-170, 25, -50, 85], crs: 'EPSG:4326' };

const box = (w: number, s: number, e: number, n: number): PolygonGeometry => ({
  type: 'Polygon',
  coordinates: [
    [
      [w, s],
      [e, s],
      [e, n],
      [w, n],
      [w, s],
    ],
  ],
});

describe('rasterizePolygons', () => {
  it('gives exact fractions for a box aligned with sub-cells (hand-computed)', () => {
    const spec: GridSpec = { shape: [2, 2], bounds: [0, 0, 2, 2], crs: 'EPSG:4326' };
    const r = rasterizePolygons(box(0.5, 0, 2, 1.5), spec, { subsamples: 10 });
    expect(r.units).toBe('1');
    // row 0 = north (y 1..2): box covers y 1..1.5 → half a row; col 0 covers x 0.5..1 → half
    expect(Array.from(r.data)).toEqual([0.25, 0.5, 0.5, 1].map(Math.fround));
  });

  it('subtracts holes and adds the parts of a MultiPolygon', () => {
    const spec: GridSpec = { shape: [1, 3], bounds: [0, 0, 3, 1], crs: 'EPSG:4326' };
    const withHole: PolygonGeometry = {
      type: 'Polygon',
      coordinates: [
        box(0, 0, 2, 1).coordinates[0]!,
        [
          [0.5, 0],
          [1, 0],
          [1, 1],
          [0.5, 1],
          [0.5, 0],
        ],
      ],
    };
    expect(Array.from(rasterizePolygons(withHole, spec).data)).toEqual([0.5, 1, 0]);
    const multi = {
      type: 'MultiPolygon',
      coordinates: [box(0, 0, 1, 1).coordinates, box(2, 0, 2.5, 1).coordinates],
    } as const;
    expect(Array.from(rasterizePolygons(multi, spec).data)).toEqual([1, 0, 0.5]);
    const fc = {
      type: 'FeatureCollection',
      features: [{ type: 'Feature', geometry: box(1, 0, 2, 1), properties: null }],
    } as const;
    expect(Array.from(rasterizePolygons(fc, spec).data)).toEqual([0, 1, 0]);
  });

  it('handles 0..360 grids by shifting the polygons', () => {
    const spec: GridSpec = { shape: [1, 4], bounds: [180, 0, 360, 1], crs: 'EPSG:4326' };
    expect(Array.from(rasterizePolygons(box(-135, 0, -90, 1), spec).data)).toEqual([0, 1, 0, 0]);
  });

  it('on a projected grid: the covered area matches the polygon area (1° × 1° box at 60°N in LCC)', () => {
    const spec: GridSpec = { shape: [30, 30], bounds: [-200_000, 1_100_000, 100_000, 1_400_000], crs: 'EPSG:3978' };
    const r = rasterizePolygons(box(-98, 60, -97, 61), spec, { subsamples: 20 });
    const a = cellAreas(spec).data;
    let covered = 0;
    for (let i = 0; i < a.length; i++) covered += a[i]! * r.data[i]!;
    const truth = cellAreas({ shape: [1, 1], bounds: [-98, 60, -97, 61], crs: 'EPSG:4326' }).data[0]!;
    expect(Math.abs(covered / truth - 1)).toBeLessThan(0.01);
  });

  it('throws GridArgumentError for a non-polygon geometry and bad subsamples', () => {
    let err: unknown;
    try {
      rasterizePolygons({ type: 'Point', coordinates: [0, 0] } as never, CANADA_LCC_110KM);
    } catch (e) {
      err = e;
    }
    expect(isGridError(err, 'GridArgumentError')).toBe(true);
    err = undefined;
    try {
      rasterizePolygons(box(0, 0, 1, 1), CANADA_LCC_110KM, { subsamples: 0 });
    } catch (e) {
      err = e;
    }
    expect(isGridError(err, 'GridArgumentError')).toBe(true);
  });
});

describe('canadaMask', () => {
  it('covers Canada on the 48×48 LCC grid: land area ≈ 9.9 million km², corners empty', () => {
    const m = canadaMask(CANADA_LCC_110KM);
    const a = cellAreas(CANADA_LCC_110KM).data;
    let area = 0;
    for (let i = 0; i < a.length; i++) area += a[i]! * m.data[i]!;
    // Natural Earth 50m Canada without its large lakes: ≈ 9.92e6 km² (Statistics Canada: 9.985e6 km² incl. 0.89e6 km² fresh water)
    expect(area / 1e12).toBeGreaterThan(9.4);
    expect(area / 1e12).toBeLessThan(10.3);
    expect(m.data[0]).toBe(0); // north-west corner: Arctic Ocean
    expect(m.data[47 * 48 + 47]).toBe(0); // south-east corner: Atlantic
    // Winnipeg (97.1°W, 49.9°N) lies in a fully Canadian cell; Chicago (87.6°W, 41.9°N) in a US one
    const cellOf = (lon: number, lat: number) => {
      const [x, y] = transformer('EPSG:4326', 'EPSG:3978')(lon, lat);
      return Math.floor((4_246_000 - y) / 112_000) * 48 + Math.floor((x + 2_356_000) / 112_000);
    };
    expect(m.data[cellOf(-97.1, 49.9)]).toBe(1);
    expect(m.data[cellOf(-87.6, 41.9)]).toBe(0);
    expect(canadaOutline('110m').geometry.type).toBe('MultiPolygon');
  });

  (haveReal ? it : it.skip)(
    "agrees with the project's 1° reference fractions (real data: canada_fraction_1deg_northamerica_grid.csv)",
    () => {
      const csv = readFileSync(join(REAL, 'canada_boundary', 'canada_fraction_1deg_northamerica_grid.csv'), 'utf8')
        .trim()
        .split('\n')
        .slice(1);
      const ref = new Float32Array(7200);
      for (const line of csv) {
        const [lat, lon, f] = line.split(',').map(Number) as [number, number, number];
        ref[Math.round(84.5 - lat) * 120 + Math.round(lon + 169.5)] = f;
      }
      const areas = cellAreas(NA_1DEG).data;
      for (const [resolution, areaTol, minAgree] of [
        ['50m', 0.03, 0.95],
        ['110m', 0.005, 0.99],
      ] as const) {
        const m = canadaMask(NA_1DEG, { resolution });
        let ours = 0,
          theirs = 0,
          refHalf = 0,
          agree = 0;
        for (let i = 0; i < 7200; i++) {
          ours += areas[i]! * m.data[i]!;
          theirs += areas[i]! * ref[i]!;
          if (ref[i]! >= 0.5) {
            refHalf++;
            if (m.data[i]! >= 0.5) agree++;
          }
        }
        expect(refHalf).toBe(1724);
        expect(Math.abs(ours / theirs - 1)).toBeLessThan(areaTol);
        expect(agree / refHalf).toBeGreaterThanOrEqual(minAgree);
      }
    },
  );
});

describe('basin outlines', () => {
  it('parses "lon lat" rows and closes the ring; rejects malformed lines naming the line', () => {
    const f = parseBasinOutline(' -100.0  50.0\n-99 50\n-99 51\n', 'toy');
    expect(f.geometry.coordinates[0]).toEqual([
      [-100, 50],
      [-99, 50],
      [-99, 51],
      [-100, 50],
    ]);
    expect(f.properties?.name).toBe('toy');
    let err: unknown;
    try {
      parseBasinOutline('-100 50\nfoo bar\n', 'bad');
    } catch (e) {
      err = e;
    }
    expect(isGridError(err, 'GridFormatError')).toBe(true);
    expect((err as Error).message).toMatch(/line 2/);
  });

  it('readBasinOutline throws GridIoError naming a missing file', async () => {
    await expect(readBasinOutline('/nonexistent/Basin.vec')).rejects.toMatchObject({
      name: 'GridIoError',
      file: '/nonexistent/Basin.vec',
    });
  });

  (haveReal ? it : it.skip)(
    'reads the real NCSG outlines; the Mackenzie basin rasterises to ≈ 1.8 million km² (real data)',
    async () => {
      const mack = await readBasinOutline(join(REAL, 'canada_boundary', 'basins_ncsg', 'Mackenzie.vec'));
      expect(mack.properties?.name).toBe('Mackenzie');
      const spec: GridSpec = { shape: [120, 240], bounds: [-170, 25, -50, 85], crs: 'EPSG:4326' };
      const m = rasterizePolygons(mack, spec);
      const a = cellAreas(spec).data;
      let area = 0;
      for (let i = 0; i < a.length; i++) area += a[i]! * m.data[i]!;
      expect(area / 1e12).toBeGreaterThan(1.6); // published drainage area 1.805e6 km²
      expect(area / 1e12).toBeLessThan(2.0);
      for (const name of ['Nelson', 'St.Lawrence', 'Yukon']) {
        const b = await readBasinOutline(join(REAL, 'canada_boundary', 'basins_ncsg', `${name}.vec`));
        expect(rasterizePolygons(b, CANADA_LCC_110KM).data.some((f) => f > 0.5)).toBe(true);
      }
    },
  );
});
