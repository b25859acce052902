import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  applyRemap,
  cellAreas,
  createGrid,
  createStack,
  isGridError,
  remapWeights,
  reproject,
  transformer,
  CANADA_LCC_110KM,
  type GridSpec,
  type RemapMethod,
} from '@twsa/grid';

const NA_1DEG: GridSpec = { shape: [60, 120], bounds: [-170, 25, -50, 85], crs: 'EPSG:4326' };

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 4294967296;
  };
}

describe('reproject: identity', () => {
  it('property: remapping to the same grid is the identity for every method and both CRSs', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<RemapMethod>('conservative', 'bilinear', 'nearest'),
        fc.boolean(),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 0, max: 2 ** 30 }),
        (method, projected, rows, cols, seed) => {
          const rnd = lcg(seed);
          const bounds = projected
            ? ([-2e6 + rnd() * 1e6, 1e5, -2e6 + 1e6 + rnd() * 1e6, 1e5 + 5e5 + rnd() * 1e6] as const)
            : ([-120 + rnd() * 10, 40 + rnd() * 10, -100 + rnd() * 10, 65 + rnd() * 10] as const);
          const data = Float32Array.from({ length: rows * cols }, () =>
            rnd() < 0.2 ? Number.NaN : (rnd() - 0.5) * 200,
          );
          const g = createGrid(data, { shape: [rows, cols], bounds, crs: projected ? 'EPSG:3978' : 'EPSG:4326' });
          const r = reproject(g, g, { method, subsamples: 2 });
          for (let i = 0; i < data.length; i++) {
            if (Number.isNaN(data[i]!)) expect(Number.isNaN(r.data[i]!)).toBe(true);
            else expect(Math.abs(r.data[i]! - data[i]!)).toBeLessThanOrEqual(1e-4);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('reproject: conservative', () => {
  it('same CRS 0.25° → 1°: equals the area-weighted mean of valid cells, renormalised (hand formula)', () => {
    const src: GridSpec = { shape: [8, 8], bounds: [-100, 60, -98, 62], crs: 'EPSG:4326' };
    const rnd = lcg(7);
    const data = Float64Array.from({ length: 64 }, () => (rnd() < 0.25 ? Number.NaN : rnd() * 10));
    const areas = cellAreas(src).data;
    const target: GridSpec = { shape: [2, 2], bounds: [-100, 60, -98, 62], crs: 'EPSG:4326' };
    const r = reproject(createGrid(data, src), target, { subsamples: 3 });
    for (let R = 0; R < 2; R++)
      for (let C = 0; C < 2; C++) {
        let sv = 0,
          sw = 0;
        for (let i = 0; i < 4; i++)
          for (let j = 0; j < 4; j++) {
            const k = (R * 4 + i) * 8 + C * 4 + j;
            if (!Number.isNaN(data[k]!)) {
              sv += areas[k]! * data[k]!;
              sw += areas[k]!;
            }
          }
        expect(r.data[R * 2 + C]).toBeCloseTo(sv / sw, 10);
      }
  });

  it('minCoverage: NaN when the valid share of a target cell is too small (xESMF na_thres = 1 − minCoverage)', () => {
    const g = createGrid(new Float32Array([1, Number.NaN, 3, 4]), {
      shape: [2, 2],
      bounds: [0, 0, 2, 2],
      crs: 'EPSG:4326',
    });
    const w = remapWeights(g, { shape: [1, 1], bounds: [0, 0, 2, 2], crs: 'EPSG:4326' });
    // 3 of 4 nearly equal cells are valid: coverage ≈ 0.75
    expect(applyRemap(w, g, { minCoverage: 0.7 }).data[0]).toBeCloseTo((1 * 1.0001 + 3 + 4) / 3, 2);
    expect(Number.isNaN(applyRemap(w, g, { minCoverage: 0.8 }).data[0]!)).toBe(true);
    // parts of the target outside the source count as missing coverage
    const half = remapWeights(g, { shape: [1, 1], bounds: [0, 0, 4, 2], crs: 'EPSG:4326' });
    expect(applyRemap(half, g).data[0]).toBeCloseTo(8 / 3, 2);
    expect(Number.isNaN(applyRemap(half, g, { minCoverage: 0.5 }).data[0]!)).toBe(true);
  });

  it('GRACE 1° North America → Canada LCC 112 km: weights match true target areas (< 5e-4) and a smooth field is preserved', () => {
    const w = remapWeights(NA_1DEG, CANADA_LCC_110KM);
    expect(w.subsamples).toBe(4);
    const inv = transformer('EPSG:3978', 'EPSG:4326');
    const fwd = transformer('EPSG:4326', 'EPSG:3978');
    let interior = 0,
      worst = 0;
    for (let R = 0; R < 48; R++)
      for (let C = 0; C < 48; C++) {
        let inside = true;
        for (const [a, b] of [
          [0, 0],
          [1, 0],
          [0, 1],
          [1, 1],
          [0.5, 0],
          [0, 0.5],
          [1, 0.5],
          [0.5, 1],
        ] as const) {
          const [lon, lat] = inv(-2_356_000 + (C + a) * 112_000, 4_246_000 - (R + b) * 112_000);
          if (!(lon > -169.9 && lon < -50.1 && lat > 25.1 && lat < 84.9)) inside = false;
        }
        if (!inside) continue;
        interior++;
        const t = R * 48 + C;
        let s = 0;
        for (let k = w.offsets[t]!; k < w.offsets[t + 1]!; k++) s += w.weight[k]!;
        worst = Math.max(worst, Math.abs(s / w.fullWeight[t]! - 1));
      }
    expect(interior).toBeGreaterThan(1800);
    expect(worst).toBeLessThan(5e-4);
    // a field linear in projected x: the conservative mean over a target equals its centre value (up to curvature)
    const data = new Float32Array(60 * 120);
    for (let r = 0; r < 60; r++) for (let c = 0; c < 120; c++) data[r * 120 + c] = fwd(-169.5 + c, 84.5 - r)[0] / 1000;
    const out = applyRemap(w, createGrid(data, NA_1DEG), { minCoverage: 0.99 });
    let checked = 0;
    for (let R = 10; R < 38; R++)
      for (let C = 10; C < 38; C++) {
        const v = out.data[R * 48 + C]!;
        if (Number.isNaN(v)) continue;
        checked++;
        expect(Math.abs(v - (-2_356_000 + (C + 0.5) * 112_000) / 1000)).toBeLessThan(12); // km; 1° source cells are ≤ 111 km wide
      }
    expect(checked).toBeGreaterThan(500);
  });

  it('LCC → geographic (the reverse direction): a constant stays constant and coverage follows the LCC footprint', () => {
    const lccField = createGrid(new Float32Array(48 * 48).fill(5), CANADA_LCC_110KM);
    const w = remapWeights(CANADA_LCC_110KM, NA_1DEG, { subsamples: 2 });
    const full = applyRemap(w, lccField, { minCoverage: 0.999 });
    const any = applyRemap(w, lccField);
    const valuesFull = Array.from(full.data).filter((v) => !Number.isNaN(v));
    const valuesAny = Array.from(any.data).filter((v) => !Number.isNaN(v));
    expect(valuesFull.length).toBeGreaterThan(2000);
    expect(valuesAny.length).toBeGreaterThan(valuesFull.length); // partly covered cells at the LCC grid's edge
    for (const v of valuesAny) expect(v).toBeCloseTo(5, 5);
    // Winnipeg's 1° cell (97.5°W, 49.5°N) is well inside the LCC grid; Hawaii-longitude cells (-169.5°) are not
    expect(full.data[Math.floor(85 - 49.5) * 120 + Math.floor(-97.5 + 170)]).toBeCloseTo(5, 5);
    expect(Number.isNaN(any.data[Math.floor(85 - 30.5) * 120 + 0]!)).toBe(true);
  });

  it('reads 0..360 longitude sources the same as −180..180 ones', () => {
    const f = (lon: number, lat: number) => Math.sin((lon * Math.PI) / 45) * Math.cos((lat * Math.PI) / 90);
    const mk = (west: number) => {
      const d = new Float32Array(12 * 72);
      for (let r = 0; r < 12; r++) for (let c = 0; c < 72; c++) d[r * 72 + c] = f(west + 5 * c + 2.5, 87.5 - 5 * r);
      return createGrid(d, { shape: [12, 72], bounds: [west, 30, west + 360, 90], crs: 'EPSG:4326' });
    };
    const target: GridSpec = { shape: [6, 6], bounds: [-1_000_000, 0, 1_000_000, 2_000_000], crs: 'EPSG:3978' };
    for (const method of ['conservative', 'bilinear', 'nearest'] as const) {
      const a = reproject(mk(0), target, { method, subsamples: 2 });
      const b = reproject(mk(-180), target, { method, subsamples: 2 });
      for (let i = 0; i < 36; i++) expect(a.data[i]).toBeCloseTo(b.data[i]!, 5);
    }
  });
});

describe('reproject: conservative against an independent reference', () => {
  it('1° → LCC 112 km: equals exact polygon overlaps computed with OGR/GEOS in an equal-area projection', () => {
    const dir = join(import.meta.dirname, '..', 'test', 'fixtures', 'reproject');
    const input = JSON.parse(readFileSync(join(dir, 'in', 'conservative-1deg-to-lcc.json'), 'utf8'));
    const expected = JSON.parse(readFileSync(join(dir, 'out', 'conservative-1deg-to-lcc.json'), 'utf8'));
    const grid = createGrid(
      Float64Array.from(input.grid.data, (v: number | null) => (v === null ? Number.NaN : v)),
      input.grid,
    );
    const w = remapWeights(grid, input.target);
    const out = applyRemap(w, grid);
    let checked = 0;
    expected.data.forEach((e: number | null, t: number) => {
      let valid = 0;
      for (let k = w.offsets[t]!; k < w.offsets[t + 1]!; k++)
        if (!Number.isNaN(grid.data[w.sourceIndex[k]!]!)) valid += w.weight[k]!;
      expect(Math.abs(valid / w.fullWeight[t]! - expected.coverage[t])).toBeLessThan(1e-4); // measured 3e-5
      if (e === null) {
        expect(Number.isNaN(out.data[t]!)).toBe(true);
        return;
      }
      checked++;
      expect(Math.abs(out.data[t]! - e)).toBeLessThan(0.02); // values 20 ± 10; measured 7e-3 with the default 4 × 4 sub-cells
    });
    expect(checked).toBeGreaterThan(25);
  });
});

describe('reproject: bilinear and nearest', () => {
  it('bilinear reproduces a field linear in lon/lat at target centres; nearest picks the containing cell', () => {
    const d = new Float64Array(60 * 120);
    for (let r = 0; r < 60; r++) for (let c = 0; c < 120; c++) d[r * 120 + c] = 2 * (-169.5 + c) + 3 * (84.5 - r);
    const g = createGrid(d, NA_1DEG);
    const bil = reproject(g, CANADA_LCC_110KM, { method: 'bilinear' });
    const near = reproject(g, CANADA_LCC_110KM, { method: 'nearest' });
    const inv = transformer('EPSG:3978', 'EPSG:4326');
    let n = 0;
    for (let R = 0; R < 48; R += 3)
      for (let C = 0; C < 48; C += 3) {
        const [lon, lat] = inv(-2_356_000 + (C + 0.5) * 112_000, 4_246_000 - (R + 0.5) * 112_000);
        if (!(lon > -169 && lon < -51 && lat > 26 && lat < 84)) continue;
        n++;
        expect(bil.data[R * 48 + C]).toBeCloseTo(2 * lon + 3 * lat, 6);
        expect(near.data[R * 48 + C]).toBe(2 * (Math.floor(lon) + 0.5) + 3 * (Math.floor(lat) + 0.5));
      }
    expect(n).toBeGreaterThan(100);
  });

  it('bilinear renormalises over valid neighbours; targets outside the source are NaN', () => {
    const g = createGrid(new Float32Array([1, Number.NaN, 3, 5]), {
      shape: [2, 2],
      bounds: [0, 0, 2, 2],
      crs: 'EPSG:4326',
    });
    // centre (1, 1): four equal weights, one of them on the NaN cell
    expect(
      reproject(g, { shape: [1, 1], bounds: [0.5, 0.5, 1.5, 1.5], crs: 'EPSG:4326' }, { method: 'bilinear' }).data[0],
    ).toBeCloseTo(3, 6);
    // centre (1.75, 1): within half a cell of the east edge → the edge column is repeated: rows weigh 0.5 / 0.5 → NaN dropped → 5
    expect(
      reproject(g, { shape: [1, 1], bounds: [1.5, 0.5, 2, 1.5], crs: 'EPSG:4326' }, { method: 'bilinear' }).data[0],
    ).toBeCloseTo(5, 6);
    // centre (3, 1) is outside the source
    expect(
      Number.isNaN(
        reproject(g, { shape: [1, 1], bounds: [2.5, 0.5, 3.5, 1.5], crs: 'EPSG:4326' }, { method: 'bilinear' })
          .data[0]!,
      ),
    ).toBe(true);
  });
});

describe('applyRemap on stacks and errors', () => {
  it('remaps every frame with one weight matrix and keeps the time metadata', () => {
    const spec: GridSpec = { shape: [4, 4], bounds: [-100, 50, -96, 54], crs: 'EPSG:4326' };
    const data = Float32Array.from({ length: 3 * 16 }, (_, i) => Math.floor(i / 16) + 1);
    const s = createStack(data, {
      ...spec,
      shape: [3, 4, 4],
      times: ['2002-04-16', '2002-05-16', '2002-06-16'],
      labels: ['a', 'b', 'c'],
      timeBounds: [
        ['2002-04-01', '2002-05-01'],
        ['2002-05-01', '2002-06-01'],
        ['2002-06-01', '2002-07-01'],
      ],
      attributes: { source: 'test' },
    });
    const w = remapWeights(spec, { shape: [2, 2], bounds: [-100, 50, -96, 54], crs: 'EPSG:4326' });
    const r = applyRemap(w, s);
    expect(r.shape).toEqual([3, 2, 2]);
    expect(Array.from(r.data)).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]);
    expect(r.labels).toEqual(['a', 'b', 'c']);
    expect(r.timeBounds![2]).toEqual(['2002-06-01', '2002-07-01']);
    expect(r.attributes!.source).toBe('test');
    expect(String(r.attributes!.regrid)).toMatch(/^conservative/);
  });

  it('throws GridMismatchError for data on another grid and GridArgumentError for bad options', () => {
    const w = remapWeights(NA_1DEG, CANADA_LCC_110KM, { method: 'nearest' });
    const other = createGrid(new Float32Array(4), { shape: [2, 2], bounds: [0, 0, 2, 2], crs: 'EPSG:4326' });
    expect(
      isGridError(
        thrown(() => applyRemap(w, other)),
        'GridMismatchError',
      ),
    ).toBe(true);
    expect(
      isGridError(
        thrown(() => remapWeights(NA_1DEG, CANADA_LCC_110KM, { method: 'cubic' as RemapMethod })),
        'GridArgumentError',
      ),
    ).toBe(true);
    expect(
      isGridError(
        thrown(() => remapWeights(NA_1DEG, CANADA_LCC_110KM, { subsamples: 0 })),
        'GridArgumentError',
      ),
    ).toBe(true);
    expect(
      isGridError(
        thrown(() => applyRemap(w, createGrid(new Float32Array(7200), NA_1DEG), { minCoverage: 2 })),
        'GridArgumentError',
      ),
    ).toBe(true);
    expect(
      isGridError(
        thrown(() => remapWeights(NA_1DEG, { ...CANADA_LCC_110KM, crs: 'EPSG:9999' })),
        'GridCrsError',
      ),
    ).toBe(true);
  });
});
