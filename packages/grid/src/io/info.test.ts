import * as nodePath from 'node:path';
import { isGridError } from '../errors.js';
import { gridInfo } from './info.js';

const FIXTURES = nodePath.resolve(import.meta.dirname, '../../test/fixtures/io');
const fixture = (name: string): string => nodePath.join(FIXTURES, name);

describe('gridInfo', () => {
  it('summarises a GeoTIFF written by GDAL', async () => {
    const info = await gridInfo(fixture('int16-4326.tif'));
    expect(info).toMatchObject({
      format: 'GeoTIFF',
      driver: 'geotiff',
      variable: 'band 1',
      shape: [5, 7],
      crs: 'EPSG:4326',
      bounds: [-100, 57.5, -96.5, 60],
      nodata: -32768,
      units: 'mm',
    });
    expect(info.variables).toEqual([{ name: 'band 1', dims: ['y', 'x'], shape: [5, 7], type: 'int16', units: 'mm' }]);
    expect(info.stats).toMatchObject({ count: 35, validCount: 33 });
    expect(info.stats!.min).toBeLessThanOrEqual(info.stats!.mean);
    expect(info.stats!.mean).toBeLessThanOrEqual(info.stats!.max);
  });
  it.each([
    ['cf3.nc', 'NetCDF-3', 'netcdfjs'],
    ['cf4.nc', 'NetCDF-4', 'h5wasm'],
  ])('summarises %s', async (file, format, driver) => {
    const info = await gridInfo(fixture(file), { variable: 'tws' });
    expect(info).toMatchObject({
      format,
      driver,
      variable: 'tws',
      shape: [3, 4, 8],
      bounds: [-180, 40, 180, 44],
      crs: 'EPSG:4326',
      nodata: -32768,
      units: 'cm',
      times: { first: '2000-01-01T12:00:00Z', last: '2000-03-02T12:00:00Z', count: 3 },
    });
    expect(info.variables.find((v) => v.name === 'tws')).toEqual({
      name: 'tws',
      dims: ['time', 'lat', 'lon'],
      shape: [3, 4, 8],
      type: 'short',
      units: 'cm',
    });
    expect(info.stats!.count).toBe(96);
    expect(JSON.parse(JSON.stringify(info))).toEqual(info);
  });
  it('picks the first data variable by default and reports broken files as typed errors', async () => {
    expect((await gridInfo(fixture('cf3.nc'), { stats: false })).variable).toBe('tws');
    await expect(gridInfo(fixture('truncated4.nc'))).rejects.toThrow(/truncated/);
    let error: unknown;
    try {
      await gridInfo(fixture('missing.tif'));
    } catch (e) {
      error = e;
    }
    expect(isGridError(error, 'GridIoError')).toBe(true);
  });
});
