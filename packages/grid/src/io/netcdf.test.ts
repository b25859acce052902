import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { isGridError } from '../errors.js';
import { openNetcdf, readNetcdf, sniffNetcdf } from './netcdf.js';
import { caught } from '../../../../test-support/caught.js';

const FIXTURES = nodePath.resolve(import.meta.dirname, '../../test/fixtures/io');
const fixture = (name: string): string => nodePath.join(FIXTURES, name);
const expected = JSON.parse(readFileSync(fixture('cf-expected.json'), 'utf8')) as {
  shape: [number, number, number];
  bounds: number[];
  times: string[];
  timeBounds: [string, string][];
  flag: number[];
  cm: (number | null)[];
};

describe.each([
  ['NetCDF-4 (h5wasm)', 'cf4.nc', 'NetCDF-4'],
  ['NetCDF-4 deflate + shuffle (h5wasm)', 'cf4-deflate.nc', 'NetCDF-4'],
  ['NetCDF-3 record variables (netcdfjs)', 'cf3.nc', 'NetCDF-3'],
])('readNetcdf on %s written by libnetcdf', (_label, file, format) => {
  it('sniffs the format', () => {
    expect(sniffNetcdf(fixture(file))).toBe(format);
  });
  it('decodes _FillValue, scale_factor and add_offset, flips latitude and wraps longitudes 0..360', async () => {
    const s = await readNetcdf(fixture(file), { variable: 'tws' });
    expect(s.shape).toEqual(expected.shape);
    expect(s.bounds).toEqual(expected.bounds);
    expect(s.crs).toBe('EPSG:4326');
    expect(s.units).toBe('cm');
    expect(s.data).toBeInstanceOf(Float32Array);
    expect(Array.from(s.data, (v) => (Number.isNaN(v) ? null : v))).toEqual(expected.cm);
  });
  it('decodes "hours since" times and time bounds, and exposes per-frame variables', async () => {
    const s = await readNetcdf(fixture(file), { variable: 'tws' });
    expect(s.times).toEqual(expected.times);
    expect(s.timeBounds).toEqual(expected.timeBounds);
    expect(s.frameVariables.flag).toEqual(expected.flag);
    expect(s.attributes?.title).toBe('grid io fixture');
    expect(s.attributes?.source_file).toBe(file);
    expect(s.attributes?.long_name).toBe('terrestrial water storage');
  });
  it('converts units on request', async () => {
    const s = await readNetcdf(fixture(file), { variable: 'tws', units: 'mm' });
    expect(s.units).toBe('mm');
    const i = expected.cm.findIndex((v) => v !== null);
    expect(s.data[i]).toBeCloseTo(expected.cm[i]! * 10, 3);
    expect(s.attributes?.units_original).toBe('cm');
  });
  it('subsets by a bbox in degrees (cells overlapping it) and by a time range', async () => {
    const s = await readNetcdf(fixture(file), {
      variable: 'tws',
      bbox: [-100, 41.2, 50, 42.5],
      timeRange: ['2000-02-01', '2000-03-01'],
    });
    // Columns with centres -67.5, -22.5, 22.5 (edges -90..45 overlap -100..50) plus -112.5 (-135..-90) and 67.5 (45..90).
    expect(s.bounds).toEqual([-135, 41, 90, 43]);
    expect(s.shape).toEqual([1, 2, 5]);
    expect(s.times).toEqual([expected.times[1]]);
    const [, rows, cols] = expected.shape;
    for (let r = 0; r < 2; r++)
      for (let c = 0; c < 5; c++) {
        const want = expected.cm[rows * cols + (r + 1) * cols + (c + 1)];
        const got = s.data[r * 5 + c]!;
        expect(Number.isNaN(got) ? null : got).toEqual(want);
      }
  });
  it('lists the variables present when the variable is missing', async () => {
    const error = await caught(readNetcdf(fixture(file), { variable: 'lwe_thickness' }));
    expect(isGridError(error, 'GridVariableError')).toBe(true);
    expect(error.message).toMatch(/'lwe_thickness' not found/);
    expect(error.message).toMatch(/tws/);
    expect(error.message).toMatch(/time_bnds/);
    expect(error.file).toBe(fixture(file));
  });
  it('asks for a variable when there are several', async () => {
    const error = await caught(readNetcdf(fixture(file)));
    expect(isGridError(error, 'GridVariableError')).toBe(true);
    expect(error.message).toMatch(/several data variables \(tws, temp\)/);
  });
  it('refuses units that are not water storage', async () => {
    const error = await caught(readNetcdf(fixture(file), { variable: 'temp', units: 'mm' }));
    expect(isGridError(error, 'GridUnitsError')).toBe(true);
    expect(error.message).toMatch(/'K' is not a water-storage unit/);
    expect(error.file).toBe(fixture(file));
    expect(error.field).toBe('temp:units');
  });
  it('throws GridEmptyError for an all-missing frame only when requireValid is set', async () => {
    const h = await openNetcdf(fixture(file), { variable: 'tws', requireValid: true });
    try {
      expect(() => h.readFrame(0)).not.toThrow();
      // Frame 2 has a single valid cell (40.5N, 22.5E): the western half excludes it.
    } finally {
      h.close();
    }
    const sub = await openNetcdf(fixture(file), { variable: 'tws', requireValid: true, bbox: [-180, 40, 0, 44] });
    try {
      let error: unknown;
      try {
        sub.readFrame(2);
      } catch (e) {
        error = e;
      }
      expect(isGridError(error, 'GridEmptyError')).toBe(true);
      expect((error as Error).message).toMatch(/Frame 2 \(2000-03-02T12:00:00Z\) of 'tws'/);
      expect((error as { file?: string }).file).toBe(fixture(file));
    } finally {
      sub.close();
    }
    const lenient = await readNetcdf(fixture(file), { variable: 'tws', bbox: [-180, 40, 0, 44] });
    expect(Array.from(lenient.data.subarray(2 * 16)).every(Number.isNaN)).toBe(true);
  });
  it('reads frames incrementally and refuses reads after close', async () => {
    const h = await openNetcdf(fixture(file), { variable: 'tws' });
    expect(h.spec).toEqual({ shape: [4, 8], bounds: expected.bounds, crs: 'EPSG:4326' });
    const f1 = h.readFrame(1);
    expect(Array.from(f1.data, (v) => (Number.isNaN(v) ? null : v))).toEqual(expected.cm.slice(32, 64));
    expect(() => h.readFrame(3)).toThrow(/must be an integer in \[0, 3\)/);
    h.close();
    expect(() => h.readFrame(0)).toThrow(/closed/);
  });
});

describe('readNetcdf on a projected file written by GDAL (gdal_translate -of netCDF)', () => {
  it('recognises the lambert_conformal_conic grid mapping as EPSG:3978 and flips y (stored south to north)', async () => {
    const tif = JSON.parse(readFileSync(fixture('tif-expected.json'), 'utf8')) as { float64: (number | null)[] };
    const s = await readNetcdf(fixture('gdal-3978.nc'));
    expect(s.crs).toBe('EPSG:3978');
    expect(s.shape).toEqual([1, 6, 4]);
    expect(s.bounds).toEqual([-2356000, 4246000 - 6 * 112000, -2356000 + 4 * 112000, 4246000]);
    expect(s.times).toEqual(['']);
    expect(Array.from(s.data, (v) => (Number.isNaN(v) ? null : v))).toEqual(
      tif.float64.map((v) => (v === null ? null : Math.fround(v))),
    );
  });
});

describe('readNetcdf on broken files', () => {
  it.each([
    ['truncated NetCDF-3', 'truncated3.nc', /truncated/],
    ['corrupt NetCDF-3 header', 'corrupt3.nc', /Corrupt or truncated NetCDF-3 header/],
    ['truncated NetCDF-4', 'truncated4.nc', /HDF5 file .* is truncated/],
    ['corrupt HDF5 superblock', 'corrupt4.nc', /HDF5 superblock|unknown superblock version|Cannot open HDF5 file/],
    // The HDF5 C library prints an HDF5-DIAG trace to stderr for this one; h5wasm does not export H5Eset_auto2.
    [
      'corrupt HDF5 object headers',
      'corrupt4-inside.nc',
      /Corrupt HDF5 file|Cannot open HDF5 file|Cannot read variable/,
    ],
  ])('%s -> GridFormatError naming the file', async (_label, file, message) => {
    const error = await caught(readNetcdf(fixture(file)));
    expect(isGridError(error, 'GridFormatError')).toBe(true);
    expect(error.message).toMatch(message);
    expect(error.file).toBe(fixture(file));
    expect(error.field).toBeDefined();
  });
  it('rejects a file that is not NetCDF, and a missing file with GridIoError', async () => {
    const notNc = await caught(readNetcdf(fixture('int16-4326.tif')));
    expect(isGridError(notNc, 'GridFormatError')).toBe(true);
    expect(notNc.message).toMatch(/is not a NetCDF file/);
    const missing = await caught(readNetcdf(fixture('nope.nc')));
    expect(isGridError(missing, 'GridIoError')).toBe(true);
    expect(missing.file).toBe(fixture('nope.nc'));
  });
  it('validates bbox and timeRange arguments', async () => {
    const bad = await caught(readNetcdf(fixture('cf3.nc'), { variable: 'tws', bbox: [10, 0, 5, 1] }));
    expect(isGridError(bad, 'GridArgumentError')).toBe(true);
    const outside = await caught(readNetcdf(fixture('cf3.nc'), { variable: 'tws', bbox: [0, -50, 10, -40] }));
    expect(outside.message).toMatch(/overlapping the grid/);
    const range = await caught(readNetcdf(fixture('cf3.nc'), { variable: 'tws', timeRange: ['soon', '2000-01-01'] }));
    expect(isGridError(range, 'GridArgumentError')).toBe(true);
  });
  it('leaves no file handles behind on errors (the directory can be removed)', async () => {
    const dir = mkdtempSync(nodePath.join(tmpdir(), 'twsa-nc-'));
    try {
      await caught(readNetcdf(fixture('cf3.nc'), { variable: 'missing' }));
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      expect(existsSync(dir)).toBe(false);
    }
  });
});
