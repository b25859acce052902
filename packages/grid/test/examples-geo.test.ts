// Runs the ```ts blocks of the TSDoc in the geometry and time part of @twsa/grid (upscale, reproject, weights,
// mask, time-windows, aggregate, anomaly, stream) as async code with every package export in scope, and checks each
// stated result (`expr; // => expected`, see test-support/doc-examples.ts): `await expr` equals `expected`, where
// typed arrays compare as arrays, numbers to 1e-7 relative (NaN equals NaN), and a trailing "(…)" remark after the
// expected value is ignored.
import { join } from 'node:path';
import * as api from '../src/index.js';
import { docExamples, runDocExample } from '../../../test-support/doc-examples.js';

const SRC = join(import.meta.dirname, '..', 'src');
const FILES = [
  'upscale.ts',
  'reproject.ts',
  'weights.ts',
  'mask.ts',
  'time-windows.ts',
  'calendar-months.ts',
  'months.ts',
  'random.ts',
  'aggregate.ts',
  'anomaly.ts',
  'stream.ts',
];

function same(actual: unknown, expected: unknown): boolean {
  if (ArrayBuffer.isView(actual)) actual = Array.from(actual as unknown as ArrayLike<number>);
  if (typeof expected === 'number' && typeof actual === 'number') {
    if (Number.isNaN(expected)) return Number.isNaN(actual);
    return actual === expected || Math.abs(actual - expected) <= 1e-7 * Math.max(1, Math.abs(expected));
  }
  if (Array.isArray(expected))
    return (
      Array.isArray(actual) &&
      actual.length === expected.length &&
      expected.every((e, i) => same((actual as unknown[])[i], e))
    );
  return JSON.stringify(actual) === JSON.stringify(expected);
}

const cases = docExamples(
  FILES.map((f) => join(SRC, f)),
  (file) => file.slice(SRC.length + 1),
);

describe('TSDoc examples of the geometry and time modules', () => {
  it('finds an example for every exported function of these modules', () => {
    const functions = [
      'upscale',
      'remapWeights',
      'applyRemap',
      'reproject',
      'cellAreas',
      'rasterizePolygons',
      'canadaMask',
      'canadaOutline',
      'parseBasinOutline',
      'graceMonths',
      'missingMonths',
      'thirtyDayWindows',
      'streamWindowMeans',
      'aggregateDaily',
      'aggregateStack',
      'anomalies',
      'netcdfFrames',
      'geotiffFrames',
    ];
    const missing = functions.filter((f) => !cases.some((c) => new RegExp(`\\b${f}\\(`).test(c.block)));
    expect(missing).toEqual([]);
  });
  it.each(cases)('$name runs and states its result', async ({ block }) => {
    const { checks, failures } = await runDocExample(block, api as Record<string, unknown>, { remarks: true, same });
    expect(failures).toEqual([]);
    expect(checks).toBeGreaterThan(0);
  });
});
