// Property tests: any small grid or stack survives a write → read round trip exactly (Float32 values, NaN mask,
// ±0, ±Infinity, bounds, CRS, times, time bounds, labels).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import fc from 'fast-check';
import type { Grid, GridStack } from '../grid.js';
import { readGeoTiff, writeGeoTiff } from './geotiff.js';
import { readNetcdf } from './netcdf.js';
import { writeNetcdf } from './netcdf-write.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(nodePath.join(tmpdir(), 'twsa-prop-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const value = fc.oneof(
  { weight: 8, arbitrary: fc.float({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.constantFrom(Number.NaN, 0, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY) },
);
// Cell sizes and origins that are exact in binary, as real grids' are (1°, 0.25°, 112 km, 5 km); degrees stay
// inside ±180/±90.
const spec = fc.constantFrom('EPSG:4326', 'EPSG:3978').chain((crs) =>
  fc.record({
    rows: fc.integer({ min: 1, max: 6 }),
    cols: fc.integer({ min: 1, max: 6 }),
    crs: fc.constant(crs),
    cell: crs === 'EPSG:4326' ? fc.constantFrom(0.25, 0.5, 1, 2) : fc.constantFrom(112_000, 5_000),
    west: fc.integer({ min: -40, max: 40 }),
    north: fc.integer({ min: -20, max: 40 }),
  }),
);

function bounds(s: {
  rows: number;
  cols: number;
  cell: number;
  west: number;
  north: number;
}): [number, number, number, number] {
  const west = s.west * s.cell;
  const north = s.north * s.cell;
  return [west, north - s.rows * s.cell, west + s.cols * s.cell, north];
}
const same = (a: ArrayLike<number>, b: ArrayLike<number>): boolean => Array.from(a).every((v, i) => Object.is(v, b[i]));

let counter = 0;
describe('write → read round trips (fast-check)', () => {
  it('writeGeoTiff → readGeoTiff is the identity on Float32 grids', async () => {
    await fc.assert(
      fc.asyncProperty(
        spec.chain((s) =>
          fc.tuple(fc.constant(s), fc.array(value, { minLength: s.rows * s.cols, maxLength: s.rows * s.cols })),
        ),
        async ([s, values]) => {
          const grid: Grid = {
            data: Float32Array.from(values),
            shape: [s.rows, s.cols],
            bounds: bounds(s),
            crs: s.crs,
            nodata: Number.NaN,
          };
          const p = nodePath.join(dir, `g${counter++}.tif`);
          await writeGeoTiff(p, grid);
          const back = await readGeoTiff(p);
          return (
            back.crs === grid.crs &&
            back.shape.join() === grid.shape.join() &&
            back.bounds.join() === grid.bounds.join() &&
            same(back.data, grid.data)
          );
        },
      ),
      { numRuns: 30, seed: 20211102 },
    );
  });
  it('writeNetcdf → readNetcdf is the identity on stacks with times, bounds and labels', async () => {
    const stackArb = fc.tuple(spec, fc.integer({ min: 1, max: 4 })).chain(([s, n]) =>
      fc.tuple(
        fc.constant(s),
        fc.constant(n),
        fc.array(value, { minLength: n * s.rows * s.cols, maxLength: n * s.rows * s.cols }),
        fc.integer({ min: -10_000, max: 30_000 }),
        fc.array(
          fc.string({ maxLength: 12 }).map((x) => x.replace(/\0/g, '').trimEnd()),
          { minLength: n, maxLength: n },
        ),
      ),
    );
    await fc.assert(
      fc.asyncProperty(stackArb, async ([s, n, values, day0, labels]) => {
        const day = (d: number): string => new Date((day0 + d) * 86_400_000).toISOString().slice(0, 10);
        const stack: GridStack = {
          data: Float32Array.from(values),
          shape: [n, s.rows, s.cols],
          bounds: bounds(s),
          crs: s.crs,
          nodata: Number.NaN,
          units: 'mm',
          times: Array.from({ length: n }, (_, t) => `${day(31 * t + 15)}T12:00:00Z`),
          timeBounds: Array.from({ length: n }, (_, t) => [day(31 * t), day(31 * t + 31)] as const),
          labels,
        };
        const p = nodePath.join(dir, `s${counter++}.nc`);
        await writeNetcdf(p, stack);
        const back = await readNetcdf(p);
        // NetCDF stores ±Infinity and -0 as they are; NaN becomes the fill value and comes back as NaN.
        return (
          back.crs === stack.crs &&
          back.shape.join() === stack.shape.join() &&
          back.bounds.join() === stack.bounds.join() &&
          same(back.data, stack.data) &&
          back.times.join() === stack.times.join() &&
          JSON.stringify(back.timeBounds) === JSON.stringify(stack.timeBounds) &&
          JSON.stringify(back.labels) === JSON.stringify(stack.labels)
        );
      }),
      { numRuns: 30, seed: 20211102 },
    );
  });
});
