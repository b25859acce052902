// readBasins (GeoJSON lon/lat, GeoJSON with a crs member, shapefile with .prj, .vec) and basinWeights against the
// numpy/shapely reference of scripts/fixtures/basin_reference.py (fractional coverage × true cell area, on a 1°
// lon/lat grid and a 112 km EPSG:3978 grid, one basin leaving each grid), plus mergeCalendarMonths.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  basinWeights,
  cellAreas,
  createStack,
  mergeCalendarMonths,
  rasterizePolygons,
  readBasins,
  CANADA_LCC_110KM,
} from '../src/index.js';

const DIR = join(import.meta.dirname, 'fixtures', 'basins');
interface RefBasin {
  basinAreaM2: number;
  outsideFraction: number;
  weightSumM2: number;
  means: (number | null)[];
}
interface RefGrid {
  spec: { shape: [number, number]; bounds: [number, number, number, number]; crs: string };
  data: (number | null)[];
  basins: Record<string, RefBasin>;
}
const ref = JSON.parse(readFileSync(join(DIR, 'reference.json'), 'utf8')) as { grids: Record<string, RefGrid> };

function basinMean(g: RefGrid, weights: Float64Array, t: number): number {
  const size = g.spec.shape[0] * g.spec.shape[1];
  let sw = 0,
    swx = 0;
  for (let i = 0; i < size; i++) {
    const x = g.data[t * size + i];
    if (x === null || weights[i] === 0) continue;
    sw += weights[i]!;
    swx += weights[i]! * x;
  }
  return swx / sw;
}

describe.each(['basins.geojson', 'basins-3978.geojson', 'basins-3978.shp'])('readBasins + basinWeights: %s', (file) => {
  it.each(Object.keys(ref.grids))('matches the numpy reference on the %s grid to 0.05 mm', async (gridKey) => {
    const layer = await readBasins(join(DIR, file), { nameField: 'NAME' });
    expect(layer.basins.map((b) => b.name)).toEqual(['Alpha', 'Beta', 'Gamma']);
    const g = ref.grids[gridKey]!;
    for (const b of layer.basins) {
      const r = g.basins[b.name]!;
      const w = basinWeights(b.geometry, g.spec, { crs: layer.crs, subsamples: 50 });
      expect(w.basinAreaM2 / r.basinAreaM2 - 1).toBeCloseTo(0, 4);
      expect(w.insideAreaM2 / r.weightSumM2 - 1).toBeCloseTo(0, 3);
      expect(Math.abs(w.outsideFraction - r.outsideFraction)).toBeLessThan(0.002);
      for (let t = 0; t < r.means.length; t++)
        expect(Math.abs(basinMean(g, w.weights, t) - r.means[t]!)).toBeLessThan(0.05);
    }
  });
});

describe('readBasins', () => {
  it('reads the CRS: lon/lat by default, the crs member, the .prj', async () => {
    expect((await readBasins(join(DIR, 'basins.geojson'))).crs).toBe('EPSG:4326');
    expect((await readBasins(join(DIR, 'basins-3978.geojson'))).crs).toBe('EPSG:3978');
    const shp = await readBasins(join(DIR, 'basins-3978.shp'));
    expect(shp.crsSource).toBe('.prj');
    expect(shp.crs).toMatch(/^PROJCS\["NAD_1983_Canada_Atlas_Lambert"/);
    expect(shp.basins[1]!.geometry.type).toBe('MultiPolygon');
    expect(shp.basins[0]!.geometry.coordinates.length).toBe(2); // Alpha: outer ring and its hole
  });

  it('names basins by a default attribute, by --name-field, or by number', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'twsa-basins-'));
    const square = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [1, 0],
          [1, 1],
          [0, 0],
        ],
      ],
    };
    const file = join(tmp, 'b.geojson');
    writeFileSync(
      file,
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          { type: 'Feature', properties: { name: 'one', code: 'A' }, geometry: square },
          { type: 'Feature', properties: { code: 'B' }, geometry: square },
          { type: 'Feature', properties: { code: 'C' }, geometry: null },
        ],
      }),
    );
    expect((await readBasins(file)).basins.map((b) => b.name)).toEqual(['one', 'basin-2']);
    expect((await readBasins(file, { nameField: 'code' })).basins.map((b) => b.name)).toEqual(['A', 'B']);
    await expect(readBasins(file, { nameField: 'NAME' })).rejects.toMatchObject({ name: 'GridArgumentError' });
  });

  it('refuses projected coordinates without a CRS, unknown crs members and non-polygons', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'twsa-basins-'));
    const write = (name: string, doc: unknown): string => {
      const f = join(tmp, name);
      writeFileSync(f, JSON.stringify(doc));
      return f;
    };
    const projected = {
      type: 'Polygon',
      coordinates: [
        [
          [-1e6, 1e6],
          [0, 1e6],
          [0, 2e6],
          [-1e6, 1e6],
        ],
      ],
    };
    await expect(readBasins(write('p.geojson', projected))).rejects.toMatchObject({ name: 'GridCrsError' });
    expect((await readBasins(write('p2.geojson', projected), { crs: 'EPSG:3978' })).crs).toBe('EPSG:3978');
    await expect(
      readBasins(
        write('c.geojson', {
          ...projected,
          crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::32611' } },
        }),
      ),
    ).rejects.toMatchObject({ name: 'GridCrsError' });
    await expect(
      readBasins(
        write('l.geojson', {
          type: 'LineString',
          coordinates: [
            [0, 0],
            [1, 1],
          ],
        }),
      ),
    ).rejects.toMatchObject({
      name: 'GridFormatError',
    });
    await expect(readBasins(join(tmp, 'missing.geojson'))).rejects.toMatchObject({ name: 'GridIoError' });
    // a projected shapefile without its .prj: refused, unless the CRS is given
    for (const ext of ['shp', 'shx', 'dbf']) copyFileSync(join(DIR, `basins-3978.${ext}`), join(tmp, `noprj.${ext}`));
    await expect(readBasins(join(tmp, 'noprj.shp'))).rejects.toMatchObject({ name: 'GridCrsError' });
    const given = await readBasins(join(tmp, 'noprj.shp'), { crs: 'EPSG:3978' });
    expect([given.crs, given.crsSource, given.basins.length]).toEqual(['EPSG:3978', 'options.crs', 3]);
    await expect(readBasins(join(tmp, 'x.kml'))).rejects.toMatchObject({ name: 'GridFormatError' });
  });
});

describe('stacks as specs', () => {
  it('cellAreas and rasterizePolygons use the last two dims of a stack', () => {
    const stack = createStack(new Float32Array(3 * 48 * 48), {
      ...CANADA_LCC_110KM,
      shape: [3, 48, 48],
      times: ['2003-01-16', '2003-02-15', '2003-03-16'],
    });
    expect(cellAreas(stack).data).toEqual(cellAreas(CANADA_LCC_110KM).data);
    const tri = {
      type: 'Polygon',
      coordinates: [
        [
          [-120, 50],
          [-100, 50],
          [-110, 60],
          [-120, 50],
        ],
      ],
    } as const;
    expect(rasterizePolygons(tri, stack).data).toEqual(rasterizePolygons(tri, CANADA_LCC_110KM).data);
    expect(rasterizePolygons(tri, stack).shape).toEqual([48, 48]);
  });
});

describe('mergeCalendarMonths', () => {
  it('averages duplicate GRACE solutions cell by cell, NaN-aware, and skips empty months', () => {
    const stack = createStack(Float32Array.of(1, NaN, 3, 4, 5, 6), {
      shape: [3, 1, 2],
      bounds: [0, 0, 2, 1],
      crs: 'EPSG:4326',
      times: ['2012-01-04', '2012-01-19', '2012-03-15'],
      timeBounds: [
        ['2011-12-27', '2012-01-11'],
        ['2012-01-11', '2012-01-26'],
        ['2012-03-01', '2012-03-30'],
      ],
    });
    const m = mergeCalendarMonths(stack);
    expect(Array.from(m.stack.data)).toEqual([2, 4, 5, 6]);
    expect(m.stack.labels).toEqual(['2012-01', '2012-03']);
    expect(m.stack.timeBounds).toEqual([
      ['2012-01-01', '2012-02-01'],
      ['2012-03-01', '2012-04-01'],
    ]);
    expect(m.stack.times[0]).toBe('2012-01-16T12:00:00Z');
    expect(m.months.map((x) => x.frames)).toEqual([[0, 1], [2]]);
  });
});
