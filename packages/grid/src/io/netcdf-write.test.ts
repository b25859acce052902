import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { isGridError } from '../errors.js';
import { SAMPLE_NOW, geographicSample, lccSample, lccStackSample } from '../../test/io-samples.js';
import { readNetcdf } from './netcdf.js';
import { writeNetcdf } from './netcdf-write.js';
import { caught } from '../../../../test-support/caught.js';

const FIXTURES = nodePath.resolve(import.meta.dirname, '../../test/fixtures/io');
interface NetcdfRecord {
  sha256: string;
  ncdumpHeader: string;
  gdal: { geoTransform: number[]; epsg: string; noDataValue: number; unit: string };
  netCDF4: {
    dataModel: string;
    dimensions: Record<string, number>;
    variables: string[];
    globals: Record<string, string>;
    variableAttributes: Record<string, string | number>;
    crsAttributes: Record<string, string | number | number[]>;
    crsWktEpsg: string;
    validCount: number;
    sum: number;
    times?: string[];
    timeBounds?: string[][];
    labels?: string[];
  };
}
const written = JSON.parse(readFileSync(nodePath.join(FIXTURES, 'written-by-twsa.json'), 'utf8')) as {
  files: Record<string, NetcdfRecord>;
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(nodePath.join(tmpdir(), 'twsa-nc-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const nulls = (a: ArrayLike<number>): (number | null)[] => Array.from(a, (v) => (Number.isNaN(v) ? null : v));
const sha = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');

describe('writeNetcdf: what ncdump, netCDF4-python and GDAL saw (fixture written-by-twsa.json)', () => {
  it('LCC stack: same bytes; CF-1.8 with time, time_bnds, labels, crs grid mapping (EPSG:3978) and history', async () => {
    const p = nodePath.join(dir, 'lcc48-stack.nc');
    await writeNetcdf(p, lccStackSample(), { variable: 'twsa', now: SAMPLE_NOW, producer: 'grid_io_write_samples.ts' });
    const record = written.files['lcc48-stack.nc']!;
    expect(sha(p)).toBe(record.sha256);
    const nc = record.netCDF4;
    expect(nc.dataModel).toBe('NETCDF3_64BIT_OFFSET');
    expect(nc.dimensions).toEqual({ time: 3, nv: 2, y: 48, x: 48, label_len: 8 });
    expect(nc.globals.Conventions).toBe('CF-1.8');
    expect(nc.globals.title).toBe('twsa writer sample');
    expect(nc.globals.baseline).toBe('2002-04..2016-12');
    expect(nc.globals.history).toBe(
      '2026-11-28T00:00:00Z: @twsa/grid writeNetcdf wrote twsa [3, 48, 48] EPSG:3978 to lcc48-stack.nc (grid_io_write_samples.ts)',
    );
    expect(nc.variableAttributes).toMatchObject({ _FillValue: -99999, units: 'mm', grid_mapping: 'crs' });
    expect(nc.crsAttributes).toMatchObject({
      grid_mapping_name: 'lambert_conformal_conic',
      standard_parallel: [49, 77],
      longitude_of_central_meridian: -95,
      latitude_of_projection_origin: 49,
      false_easting: 0,
      false_northing: 0,
      semi_major_axis: 6378137,
      inverse_flattening: 298.257222101,
    });
    expect(nc.crsWktEpsg).toBe('3978');
    expect(nc.times).toEqual(['2012-01-01T00:00:00', '2012-01-16T12:00:00', '2012-02-15T12:00:00']);
    expect(nc.timeBounds).toEqual([
      ['2011-12-17', '2012-01-16'],
      ['2012-01-01', '2012-02-01'],
      ['2012-02-01', '2012-03-01'],
    ]);
    expect(nc.labels).toEqual(['2012-01a', '2012-01b', '2012-02']);
    const stack = lccStackSample();
    expect(nc.validCount).toBe(Array.from(stack.data).filter((v) => !Number.isNaN(v)).length);
    expect(nc.sum).toBeCloseTo(
      Array.from(stack.data).reduce((a, v) => (Number.isNaN(v) ? a : a + v), 0),
      2,
    );
    expect(record.gdal.geoTransform).toEqual([-2356000, 112000, 0, 4246000, 0, -112000]);
    expect(record.gdal.epsg).toBe('3978');
    expect(record.ncdumpHeader).toMatch(/float twsa\(time, y, x\)/);
    expect(record.ncdumpHeader).toMatch(/time:units = "days since 1970-01-01 00:00:00"/);
  });
  it('geographic grid: lat/lon coordinates and latitude_longitude mapping (EPSG:4326)', async () => {
    const p = nodePath.join(dir, 'geo1deg.nc');
    await writeNetcdf(p, geographicSample(), { variable: 'lwe_thickness', now: SAMPLE_NOW });
    const record = written.files['geo1deg.nc']!;
    expect(sha(p)).toBe(record.sha256);
    expect(record.netCDF4.variables).toEqual(['lat', 'lat_bnds', 'lon', 'lon_bnds', 'crs', 'lwe_thickness']);
    expect(record.ncdumpHeader).toMatch(/lat:bounds = "lat_bnds"/);
    expect(record.netCDF4.crsAttributes.grid_mapping_name).toBe('latitude_longitude');
    expect(record.netCDF4.crsWktEpsg).toBe('4326');
    expect(record.gdal.geoTransform).toEqual([-170, 1, 0, 85, 0, -1]);
    expect(record.ncdumpHeader).toMatch(/lat:standard_name = "latitude"/);
    expect(record.ncdumpHeader).toMatch(/lon:units = "degrees_east"/);
  });
});

describe('writeNetcdf round trips through readNetcdf', () => {
  it('LCC stack: values, NaN mask, bounds, CRS, times, bounds, labels, units and attributes', async () => {
    const stack = lccStackSample();
    const p = nodePath.join(dir, 's.nc');
    await writeNetcdf(p, stack, { variable: 'twsa' });
    const back = await readNetcdf(p);
    expect(back.shape).toEqual(stack.shape);
    expect(back.bounds).toEqual(stack.bounds);
    expect(back.crs).toBe('EPSG:3978');
    expect(back.units).toBe('mm');
    expect(back.times).toEqual(stack.times);
    expect(back.timeBounds).toEqual(stack.timeBounds);
    expect(back.labels).toEqual(stack.labels);
    expect(nulls(back.data)).toEqual(nulls(stack.data));
    expect(back.attributes?.baseline).toBe('2002-04..2016-12');
    expect(String(back.attributes?.history)).toMatch(
      /@twsa\/grid writeNetcdf wrote twsa \[3, 48, 48\] EPSG:3978 to s\.nc/,
    );
  });
  it('a Grid is written without a time dimension and read back as one frame', async () => {
    const g = lccSample();
    const p = nodePath.join(dir, 'g.nc');
    await writeNetcdf(p, g);
    const back = await readNetcdf(p);
    expect(back.shape).toEqual([1, 48, 48]);
    expect(back.times).toEqual(['']);
    expect(nulls(back.data)).toEqual(nulls(g.data));
  });
  it('keeps per-frame variables of a stack read from a file and appends to its history', async () => {
    const first = nodePath.join(dir, 'a.nc');
    await writeNetcdf(
      first,
      { ...lccStackSample(), frameVariables: { year_month: [201201, 201201, 201202], mission: [0, 0, 0] } } as never,
      { now: SAMPLE_NOW },
    );
    const a = await readNetcdf(first);
    expect(a.frameVariables.year_month).toEqual([201201, 201201, 201202]);
    const second = nodePath.join(dir, 'b.nc');
    await writeNetcdf(second, a, { inputs: [first] });
    const b = await readNetcdf(second);
    expect(b.frameVariables.mission).toEqual([0, 0, 0]);
    const lines = String(b.attributes?.history).split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^2026-11-28T00:00:00Z: .* to a\.nc$/);
  });
});

describe('writeNetcdf failures leave nothing behind', () => {
  it('refuses an existing file without overwrite and an input even with overwrite', async () => {
    const p = nodePath.join(dir, 'x.nc');
    writeFileSync(p, 'keep me');
    const exists = await caught(writeNetcdf(p, lccStackSample()));
    expect(isGridError(exists, 'GridIoError')).toBe(true);
    expect(exists.file).toBe(p);
    const input = await caught(writeNetcdf(p, lccStackSample(), { overwrite: true, inputs: [p] }));
    expect(isGridError(input, 'GridIoError')).toBe(true);
    expect(readFileSync(p, 'utf8')).toBe('keep me');
    expect(readdirSync(dir)).toEqual(['x.nc']);
  });
  it('rejects bad times, CRSs and names before writing anything', async () => {
    const s = lccStackSample();
    const time = await caught(
      writeNetcdf(nodePath.join(dir, 'a.nc'), { ...s, times: ['2012-01-01', 'later', '2012-03-01'] }),
    );
    expect(isGridError(time, 'GridArgumentError')).toBe(true);
    expect(time.message).toMatch(/stack\.times\[1\]/);
    const crs = await caught(writeNetcdf(nodePath.join(dir, 'b.nc'), { ...s, crs: 'EPSG:32611' }));
    expect(isGridError(crs, 'GridCrsError')).toBe(true);
    const name = await caught(writeNetcdf(nodePath.join(dir, 'c.nc'), s, { variable: 'time' }));
    expect(isGridError(name, 'GridArgumentError')).toBe(true);
    const dirError = await caught(writeNetcdf(nodePath.join(dir, 'missing', 'd.nc'), s));
    expect(isGridError(dirError, 'GridIoError')).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
  });
});
