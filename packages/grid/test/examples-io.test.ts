// Runs the ```ts blocks of the TSDoc in the io part of @twsa/grid (units.ts, time-decode.ts, io/*.ts) as async
// code with every package export in scope, and checks each stated result (`expr; // => expected`, see
// test-support/doc-examples.ts): `await expr` deep-equals `expected` (NaN equals NaN). The examples write only to
// /tmp/twsa-example-*.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as api from '../src/index.js';
import { docExamples, runDocExample } from '../../../test-support/doc-examples.js';

const SRC = join(import.meta.dirname, '..', 'src');
const FILES = [
  'units.ts',
  'time-decode.ts',
  ...readdirSync(join(SRC, 'io'))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => `io/${f}`),
];

const cases = docExamples(
  FILES.map((f) => join(SRC, f)),
  (file) => file.slice(SRC.length + 1),
);

describe('TSDoc examples of the io modules', () => {
  it('finds an example for every exported io function', () => {
    const functions = [
      'readGeoTiff',
      'readGeoTiffHeader',
      'writeGeoTiff',
      'sniffNetcdf',
      'openNetcdf',
      'readNetcdf',
      'writeNetcdf',
      'gridInfo',
      'normalizeUnits',
      'unitScale',
      'convertUnits',
      'parseCfTimeUnit',
      'decodeCfTimes',
      'isoDateTime',
      'isoDate',
    ];
    const missing = functions.filter((f) => !cases.some((c) => new RegExp(`\\b${f}\\(`).test(c.block)));
    expect(missing).toEqual([]);
  });
  it.each(cases)('$name runs and its stated results hold', async ({ block }) => {
    const { checks, failures } = await runDocExample(block, api as Record<string, unknown>);
    expect(failures).toEqual([]);
    expect(checks).toBeGreaterThan(0);
  });
});
