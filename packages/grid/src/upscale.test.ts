import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { createGrid, isGridError, upscale, type Grid, type GridSpec } from '@twsa/grid';

const FIXTURES = join(import.meta.dirname, '..', 'test', 'fixtures', 'upscale');

interface FixtureGrid extends GridSpec {
  readonly data: (number | null)[];
}
const toGrid = (f: FixtureGrid): Grid =>
  createGrid(
    Float32Array.from(f.data, (v) => (v === null ? Number.NaN : v)),
    f,
  );

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) || Number.isNaN(a)) {
      if (Number.isNaN(e) !== Number.isNaN(a))
        throw new Error(`index ${i}: got ${a}, expected ${e} (nodata mask differs)`);
    } else if (!(Math.abs(a - e) <= atol))
      throw new Error(`index ${i}: got ${a}, expected ${e}, |Δ| ${Math.abs(a - e)} > ${atol}`);
  }
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('upscale against gdalwarp -r average (GDAL 3.6 fixtures)', () => {
  const cases = readdirSync(join(FIXTURES, 'in')).filter((f) => f.endsWith('.json'));
  it('has the three reference cases', () =>
    expect(cases.sort()).toEqual(['factor4.json', 'like-lcc.json', 'like-ratio-1.6.json']));
  for (const file of cases) {
    it(`${file} within 1e-4`, () => {
      const input = JSON.parse(readFileSync(join(FIXTURES, 'in', file), 'utf8')) as {
        grid: FixtureGrid;
        options: { factor: number } | { like: GridSpec };
      };
      const expected = toGrid(JSON.parse(readFileSync(join(FIXTURES, 'out', file), 'utf8')) as FixtureGrid);
      const got = upscale(toGrid(input.grid), input.options);
      expect(got.shape).toEqual(expected.shape);
      expect(got.crs).toBe(expected.crs);
      got.bounds.forEach((b, i) => expect(b).toBeCloseTo(expected.bounds[i]!, 6));
      expectClose(got.data, expected.data, 1e-4);
    });
  }
});

describe('upscale', () => {
  const g4 = createGrid(
    Float32Array.from({ length: 16 }, (_, i) => i + 1),
    { shape: [4, 4], bounds: [0, 0, 4, 4], crs: 'EPSG:4326', units: 'mm' },
  );

  it('takes the mean of valid cells of each block (hand-computed)', () => {
    const d = g4.data.slice();
    d[2] = Number.NaN;
    const r = upscale({ ...g4, data: d }, { factor: 2 });
    expect(Array.from(r.data)).toEqual([3.5, (4 + 7 + 8) / 3, 11.5, 13.5].map(Math.fround));
    expect(r.bounds).toEqual([0, 0, 4, 4]);
    expect(r.units).toBe('mm');
  });

  it('weights partial cells by their overlap (4 → 3 cells, hand-computed)', () => {
    const r = upscale(g4, { like: { shape: [1, 3], bounds: [0, 2, 4, 4], crs: 'EPSG:4326' } });
    // first target column covers source cols 0 (weight 1) and 1 (weight 1/3) in rows 0-1: values 1,2,5,6
    expect(r.data[0]).toBeCloseTo((1 + 5 + (2 + 6) / 3) / (2 + 2 / 3), 5);
    expect(r.data[1]).toBeCloseTo((2 + 6 + 3 + 7) / 4, 5);
  });

  it('honours a non-NaN nodata value on integer grids', () => {
    const g = createGrid(new Int16Array([1, -9999, 3, 5]), {
      shape: [2, 2],
      bounds: [0, 0, 2, 2],
      crs: 'EPSG:4326',
      nodata: -9999,
    });
    const r = upscale(g, { factor: 2 });
    expect(r.data).toBeInstanceOf(Float32Array);
    expect(r.data[0]).toBe(3);
  });

  it('keeps Float64 input in Float64', () => {
    const g = createGrid(new Float64Array([0.1, 0.2, 0.3, 0.4]), {
      shape: [2, 2],
      bounds: [0, 0, 2, 2],
      crs: 'EPSG:4326',
    });
    const r = upscale(g, { factor: 2 });
    expect(r.data).toBeInstanceOf(Float64Array);
    expect(r.data[0]).toBeCloseTo(0.25, 15);
  });

  it('edge case: all-NaN input gives all-NaN output', () => {
    const r = upscale(
      createGrid(new Float32Array(16).fill(Number.NaN), { shape: [4, 4], bounds: [0, 0, 4, 4], crs: 'EPSG:4326' }),
      { factor: 2 },
    );
    expect(Array.from(r.data).every(Number.isNaN)).toBe(true);
  });

  it('edge case: 1×1 grid with factor 1 is a copy', () => {
    const g = createGrid(new Float32Array([7]), { shape: [1, 1], bounds: [0, 0, 1, 1], crs: 'EPSG:4326' });
    const r = upscale(g, { factor: 1 });
    expect(Array.from(r.data)).toEqual([7]);
    expect(r.data).not.toBe(g.data);
  });

  it('edge case: factor equal to the size gives one cell holding the mean', () => {
    const r = upscale(g4, { factor: 4 });
    expect(r.shape).toEqual([1, 1]);
    expect(r.data[0]).toBe(8.5);
  });

  it('edge case: ±Infinity propagates, +∞ and −∞ together give NaN, −0 averages to 0', () => {
    const g = createGrid(new Float32Array([Infinity, 1, -0, -0, Infinity, -Infinity, 1, 1]), {
      shape: [2, 4],
      bounds: [0, 0, 4, 2],
      crs: 'EPSG:4326',
    });
    const r = upscale(g, { factor: 2 });
    // blocks: [∞, 1, ∞, -∞] → NaN; [-0, -0, 1, 1] → 0.5
    expect(Number.isNaN(r.data[0])).toBe(true);
    expect(r.data[1]).toBe(0.5);
    const inf = upscale(
      createGrid(new Float32Array([Infinity, 1, 2, 3]), { shape: [2, 2], bounds: [0, 0, 2, 2], crs: 'EPSG:4326' }),
      { factor: 2 },
    );
    expect(inf.data[0]).toBe(Infinity);
  });

  it('throws GridArgumentError for a non-divisible or non-integer factor, naming the argument', () => {
    const e = thrown(() => upscale(g4, { factor: 3 }));
    expect(isGridError(e, 'GridArgumentError')).toBe(true);
    expect((e as Error).message).toMatch(/'factor'.*'upscale'/);
    expect(
      isGridError(
        thrown(() => upscale(g4, { factor: 1.5 })),
        'GridArgumentError',
      ),
    ).toBe(true);
    expect(
      isGridError(
        thrown(() => upscale(g4, { factor: 0 })),
        'GridArgumentError',
      ),
    ).toBe(true);
  });

  it('throws GridMismatchError when like is in another CRS', () => {
    const e = thrown(() => upscale(g4, { like: { shape: [1, 1], bounds: [0, 0, 1000, 1000], crs: 'EPSG:3978' } }));
    expect(isGridError(e, 'GridMismatchError')).toBe(true);
  });

  it('reuses an out array', () => {
    const out = new Float32Array(4);
    expect(upscale(g4, { factor: 2 }, { out }).data).toBe(out);
  });

  it('property: a mean upscale preserves the mean when no cell is nodata', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        fc.float({ min: -1000, max: 1000, noNaN: true }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (k, br, bc, scale, seed) => {
          const rows = k * br,
            cols = k * bc;
          let x = seed;
          const data = Float64Array.from({ length: rows * cols }, () => {
            x = (x * 1103515245 + 12345) % 2147483648;
            return (x / 2147483648 - 0.5) * scale;
          });
          const r = upscale(createGrid(data, { shape: [rows, cols], bounds: [0, 0, cols, rows], crs: 'EPSG:4326' }), {
            factor: k,
          });
          const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / a.length;
          expect(Math.abs(mean(r.data) - mean(data))).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(scale)));
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('upscale past the source edge', () => {
  it('averages only the part of a target cell that overlaps the source (hand-computed)', () => {
    const g = createGrid(Float32Array.from([1, 2, 3, 4]), { shape: [1, 4], bounds: [0, 0, 4, 1], crs: 'EPSG:4326' });
    const r = upscale(g, { like: { shape: [1, 2], bounds: [-1, 0, 3, 1], crs: 'EPSG:4326' } });
    // cell 0 covers x -1..1 → only source col 0; cell 1 covers 1..3 → cols 1, 2
    expect(Array.from(r.data)).toEqual([1, 2.5]);
    const outside = upscale(g, { like: { shape: [1, 1], bounds: [10, 0, 12, 1], crs: 'EPSG:4326' } });
    expect(Number.isNaN(outside.data[0])).toBe(true);
  });
});
