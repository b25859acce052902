import { cellAreas, isGridError, CANADA_LCC_110KM, type GridSpec } from '@twsa/grid';

const a = 6378137;
const e2 = 0.0066943799901413165;
/** Independent check: Simpson integration of M(φ)·N(φ)·cos φ over a latitude band, times Δλ. */
function bandArea(lat0: number, lat1: number, dlonDeg: number): number {
  const f = (p: number) => {
    const s = Math.sin(p);
    const d = 1 - e2 * s * s;
    return ((a * (1 - e2)) / d ** 1.5) * (a / Math.sqrt(d)) * Math.cos(p);
  };
  const n = 2000;
  const p0 = (lat0 * Math.PI) / 180,
    p1 = (lat1 * Math.PI) / 180,
    h = (p1 - p0) / n;
  let s = f(p0) + f(p1);
  for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * f(p0 + i * h);
  return ((s * h) / 3) * ((dlonDeg * Math.PI) / 180);
}

describe('cellAreas', () => {
  it('geographic: a global 1° grid sums to the WGS 84 ellipsoid area', () => {
    const g = cellAreas({ shape: [180, 360], bounds: [-180, -90, 180, 90], crs: 'EPSG:4326' });
    expect(g.units).toBe('m2');
    expect(g.data).toBeInstanceOf(Float64Array);
    const total = g.data.reduce((s, v) => s + v, 0);
    expect(Math.abs(total / 5.10065621724e14 - 1)).toBeLessThan(1e-9);
  });

  it('geographic: matches numerical integration of the ellipsoid metric at several latitudes', () => {
    for (const lat of [0, 45, 60, 84, 89]) {
      const g = cellAreas({ shape: [1, 1], bounds: [-100, lat, -99, lat + 1], crs: 'EPSG:4326' });
      expect(Math.abs(g.data[0]! / bandArea(lat, lat + 1, 1) - 1)).toBeLessThan(1e-9);
    }
  });

  it('projected LCC: a small cell on the standard parallel 49°N has its projected area (k = 1)', () => {
    const g = cellAreas({ shape: [1, 1], bounds: [-500, -500, 500, 500], crs: 'EPSG:3978' });
    expect(Math.abs(g.data[0]! / 1e6 - 1)).toBeLessThan(1e-5);
  });

  it('projected LCC: 48×48 grid cells (default densify) equal the same cells traced much more finely', () => {
    const coarse = cellAreas(CANADA_LCC_110KM);
    const cell = (R: number, C: number): GridSpec => ({
      shape: [1, 1],
      bounds: [
        -2_356_000 + C * 112_000,
        4_246_000 - (R + 1) * 112_000,
        -2_356_000 + (C + 1) * 112_000,
        4_246_000 - R * 112_000,
      ],
      crs: 'EPSG:3978',
    });
    const errors = (
      [
        [0, 0],
        [0, 24],
        [5, 30],
        [24, 24],
        [47, 0],
        [47, 47],
        [30, 10],
      ] as const
    ).map(([R, C]) => Math.abs(coarse.data[R * 48 + C]! / cellAreas(cell(R, C), { densify: 32 }).data[0]! - 1));
    expect(Math.max(...errors)).toBeLessThan(1e-3); // worst near the pole (row 0-5); typical cells ≈ 2e-5
    expect(errors[3]).toBeLessThan(5e-5);
    // a 112 km cell is 1.2544e10 m² on the map; the LCC scale factor is < 1 between the standard parallels
    const centre = coarse.data[24 * 48 + 24]!;
    expect(centre).toBeGreaterThan(1.2544e10);
    expect(centre).toBeLessThan(1.2544e10 / 0.9 ** 2);
  });

  it('projected LCC: the areas of LCC cells tiling a region match the geographic area of that region', () => {
    // A 1° × 1° box traced in LCC: sum of fine LCC cells inside it approximates its geographic area
    const spec: GridSpec = { shape: [40, 40], bounds: [-50_000, -50_000, 50_000, 50_000], crs: 'EPSG:3978' };
    const total = cellAreas(spec).data.reduce((s, v) => s + v, 0);
    const whole = cellAreas({ shape: [1, 1], bounds: spec.bounds, crs: 'EPSG:3978' }, { densify: 64 }).data[0]!;
    expect(Math.abs(total / whole - 1)).toBeLessThan(1e-7);
  });

  it('throws GridArgumentError for a bad densify or spec', () => {
    let err: unknown;
    try {
      cellAreas(CANADA_LCC_110KM, { densify: 0 });
    } catch (e) {
      err = e;
    }
    expect(isGridError(err, 'GridArgumentError')).toBe(true);
    err = undefined;
    try {
      cellAreas({ shape: [0, 2], bounds: [0, 0, 1, 1], crs: 'EPSG:4326' });
    } catch (e) {
      err = e;
    }
    expect(isGridError(err, 'GridArgumentError')).toBe(true);
  });
});
