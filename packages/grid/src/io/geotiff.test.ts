import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { CANADA_LCC_110KM } from '../crs.js';
import { isGridError } from '../errors.js';
import { geographicSample, lccSample } from '../../test/io-samples.js';
import { readGeoTiff, readGeoTiffHeader, writeGeoTiff } from './geotiff.js';
import { encodeFloat32Tiff, geoKeyDirectory } from './tiff-encoder.js';
import { caught } from '../../../../test-support/caught.js';

const FIXTURES = nodePath.resolve(import.meta.dirname, '../../test/fixtures/io');
const fixture = (name: string): string => nodePath.join(FIXTURES, name);
const tifExpected = JSON.parse(readFileSync(fixture('tif-expected.json'), 'utf8')) as {
  int16: (number | null)[];
  float64: (number | null)[];
  pointGeoTransform: number[];
  deflateTiled: (number | null)[];
};
const written = JSON.parse(readFileSync(fixture('written-by-twsa.json'), 'utf8')) as {
  files: Record<
    string,
    {
      sha256: string;
      gdal: {
        size: number[];
        geoTransform: number[];
        epsg: string;
        crsName: string;
        noDataValue: number | string;
        unit: string;
        type: string;
      };
    }
  >;
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(nodePath.join(tmpdir(), 'twsa-tif-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const nulls = (a: Float32Array): (number | null)[] => Array.from(a, (v) => (Number.isNaN(v) ? null : v));

describe('readGeoTiff on files written by GDAL', () => {
  it('reads Int16 with GDAL_NODATA as Float32 with NaN, EPSG:4326, bounds and band units', async () => {
    const g = await readGeoTiff(fixture('int16-4326.tif'));
    expect(g.shape).toEqual([5, 7]);
    expect(g.crs).toBe('EPSG:4326');
    expect(g.bounds).toEqual([-100, 57.5, -96.5, 60]);
    expect(g.units).toBe('mm');
    expect(g.data).toBeInstanceOf(Float32Array);
    expect(nulls(g.data)).toEqual(tifExpected.int16);
    const cm = await readGeoTiff(fixture('int16-4326.tif'), { units: 'cm' });
    const i = tifExpected.int16.findIndex((v) => v !== null && v !== 0);
    expect(cm.data[i]).toBeCloseTo(tifExpected.int16[i]! / 10, 5);
  });
  it('reads Float64 in EPSG:3978 (NaN without a nodata tag)', async () => {
    const g = await readGeoTiff(fixture('float64-3978.tif'));
    expect(g.crs).toBe('EPSG:3978');
    expect(g.shape).toEqual([6, 4]);
    expect(g.bounds).toEqual([-2356000, 4246000 - 6 * 112000, -2356000 + 4 * 112000, 4246000]);
    expect(nulls(g.data)).toEqual(tifExpected.float64.map((v) => (v === null ? null : Math.fround(v))));
  });
  it('reads tiled DEFLATE (floating-point predictor) files and checks tiles against the file size', async () => {
    const g = await readGeoTiff(fixture('deflate-tiled-3978.tif'));
    expect(g.shape).toEqual([40, 40]);
    expect(g.bounds).toEqual([-2356000, 4246000 - 40 * 5000, -2356000 + 40 * 5000, 4246000]);
    expect(nulls(g.data)).toEqual(tifExpected.deflateTiled.map((v) => (v === null ? null : Math.fround(v))));
  });
  it('reads the requested band of a multi-band file and rejects a band that does not exist', async () => {
    expect(Array.from((await readGeoTiff(fixture('two-bands-4326.tif'))).data)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Array.from((await readGeoTiff(fixture('two-bands-4326.tif'), { band: 1 })).data)).toEqual([
      0, 10, 20, 30, 40, 50,
    ]);
    const error = await caught(readGeoTiff(fixture('two-bands-4326.tif'), { band: 2 }));
    expect(isGridError(error, 'GridArgumentError')).toBe(true);
    expect(error.message).toMatch(/'band' passed to 'readGeoTiff' must be an integer in \[0, 2\)/);
  });
  it('shifts PixelIsPoint tiepoints by half a cell, as GDAL does', async () => {
    const g = await readGeoTiff(fixture('point-4326.tif'));
    const [x0, dx, , y0, , dy] = tifExpected.pointGeoTransform;
    expect(g.bounds).toEqual([x0, y0! + 6 * dy!, x0! + 4 * dx!, y0]);
  });
  it('unknown CRS -> GridCrsError naming the file and the GeoKey', async () => {
    const error = await caught(readGeoTiff(fixture('utm-32611.tif')));
    expect(isGridError(error, 'GridCrsError')).toBe(true);
    expect(error.message).toMatch(/ProjectedCSTypeGeoKey = 32611/);
    expect(error.file).toBe(fixture('utm-32611.tif'));
    expect(error.field).toBe('ProjectedCSTypeGeoKey');
  });
  it('truncated GeoTIFF -> GridFormatError naming the file and the strip field', async () => {
    const error = await caught(readGeoTiff(fixture('truncated.tif')));
    expect(isGridError(error, 'GridFormatError')).toBe(true);
    expect(error.message).toMatch(/is truncated: strip 0 ends at byte/);
    expect(error.file).toBe(fixture('truncated.tif'));
    expect(error.field).toBe('StripByteCounts');
  });
  it('garbage and missing files -> GridFormatError / GridIoError', async () => {
    const junk = nodePath.join(dir, 'junk.tif');
    writeFileSync(junk, 'not a tiff at all');
    expect(isGridError(await caught(readGeoTiff(junk)), 'GridFormatError')).toBe(true);
    const missing = await caught(readGeoTiff(nodePath.join(dir, 'none.tif')));
    expect(isGridError(missing, 'GridIoError')).toBe(true);
  });
  it('all-nodata band -> GridEmptyError only with requireValid', async () => {
    const lenient = await readGeoTiff(fixture('nodata-only.tif'));
    expect(Array.from(lenient.data).every(Number.isNaN)).toBe(true);
    const error = await caught(readGeoTiff(fixture('nodata-only.tif'), { requireValid: true }));
    expect(isGridError(error, 'GridEmptyError')).toBe(true);
    expect(error.file).toBe(fixture('nodata-only.tif'));
    expect(error.field).toBe('band 0');
  });
  it('units the file does not record cannot be converted', async () => {
    const error = await caught(readGeoTiff(fixture('float64-3978.tif'), { units: 'mm' }));
    expect(isGridError(error, 'GridUnitsError')).toBe(true);
    expect(error.file).toBe(fixture('float64-3978.tif'));
  });
});

describe('writeGeoTiff', () => {
  it.each([
    ['lcc48.tif', lccSample, {}],
    ['geo1deg.tif', geographicSample, { nodata: -9999 }],
  ] as const)(
    '%s: bytes match the file GDAL inspected, and GDAL saw the right CRS, origin, pixel size and nodata',
    async (name, make, options) => {
      const grid = make();
      const p = nodePath.join(dir, name);
      await writeGeoTiff(p, grid, options);
      const record = written.files[name]!;
      // Same bytes as the file gdalinfo read (regenerate with scripts/fixtures/grid_io_gdalinfo.py after writer changes).
      expect(createHash('sha256').update(readFileSync(p)).digest('hex')).toBe(record.sha256);
      const [w, , , n] = grid.bounds;
      const dx = (grid.bounds[2] - w) / grid.shape[1];
      const dy = (n - grid.bounds[1]) / grid.shape[0];
      expect(record.gdal.size).toEqual([grid.shape[1], grid.shape[0]]);
      expect(record.gdal.geoTransform).toEqual([w, dx, 0, n, 0, -dy]);
      expect(record.gdal.epsg).toBe(grid.crs.split(':')[1]);
      expect(record.gdal.type).toBe('Float32');
      expect(record.gdal.unit).toBe(grid.units);
      expect(record.gdal.noDataValue).toBe('nodata' in options ? options.nodata : 'NaN');
    },
  );
  it('round-trips through readGeoTiff (values, NaN mask, bounds, CRS, units)', async () => {
    for (const grid of [lccSample(), geographicSample()]) {
      const p = nodePath.join(dir, `${grid.crs.replace(':', '')}.tif`);
      await writeGeoTiff(p, grid, { nodata: -9999 });
      const back = await readGeoTiff(p);
      expect(back.shape).toEqual(grid.shape);
      expect(back.bounds).toEqual(grid.bounds);
      expect(back.crs).toBe(grid.crs);
      expect(back.units).toBe(grid.units);
      expect(nulls(back.data)).toEqual(nulls(grid.data));
      const header = await readGeoTiffHeader(p);
      expect(header.nodata).toBe(-9999);
      expect(header.sampleType).toBe('float32');
    }
    expect(CANADA_LCC_110KM.shape).toEqual([48, 48]);
  });
  it('refuses to overwrite an existing file unless asked, and never overwrites an input', async () => {
    const p = nodePath.join(dir, 'a.tif');
    await writeGeoTiff(p, lccSample());
    const before = readFileSync(p);
    const exists = await caught(writeGeoTiff(p, geographicSample()));
    expect(isGridError(exists, 'GridIoError')).toBe(true);
    expect(exists.message).toMatch(/overwrite: true/);
    expect(readFileSync(p).equals(before)).toBe(true);
    await writeGeoTiff(p, geographicSample(), { overwrite: true });
    expect((await readGeoTiff(p)).crs).toBe('EPSG:4326');
    const input = await caught(
      writeGeoTiff(p, lccSample(), { overwrite: true, inputs: [nodePath.join(dir, '.', 'a.tif')] }),
    );
    expect(isGridError(input, 'GridIoError')).toBe(true);
    expect(input.message).toMatch(/it is an input of the same call/);
    expect(readdirSync(dir)).toEqual(['a.tif']);
  });
  it('leaves nothing behind when it fails (bad CRS, missing directory, bad grid)', async () => {
    const g = lccSample();
    const crs = await caught(writeGeoTiff(nodePath.join(dir, 'x.tif'), { ...g, crs: 'EPSG:32611' }));
    expect(isGridError(crs, 'GridCrsError')).toBe(true);
    const noDir = await caught(writeGeoTiff(nodePath.join(dir, 'sub', 'x.tif'), g));
    expect(isGridError(noDir, 'GridIoError')).toBe(true);
    expect(noDir.file).toBe(nodePath.join(dir, 'sub', 'x.tif'));
    const bad = await caught(writeGeoTiff(nodePath.join(dir, 'x.tif'), { ...g, data: new Float32Array(3) }));
    expect(isGridError(bad, 'GridArgumentError')).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
  });
  it('the encoder packs several ASCII GeoKeys with | separators and correct offsets', () => {
    const keys = geoKeyDirectory(
      [
        [1024, 1],
        [3072, 3978],
      ],
      [
        [1026, 'NAD83 / Canada Atlas Lambert'],
        [2049, 'NAD83'],
      ],
    );
    expect(keys.geoAscii).toBe('NAD83 / Canada Atlas Lambert|NAD83|');
    expect(keys.geoKeys).toEqual([1, 1, 0, 4, 1024, 0, 1, 1, 1026, 34737, 29, 0, 2049, 34737, 6, 29, 3072, 0, 1, 3978]);
    const bytes = encodeFloat32Tiff({
      width: 1,
      height: 1,
      data: new Float32Array([1.5]),
      pixelScale: [1, 1, 0],
      tiepoint: [0, 0, 0, 0, 1, 0],
      ...keys,
      gdalNodata: 'nan',
    });
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(view.getFloat32(bytes.length - 4, true)).toBe(1.5);
    expect(existsSync(dir)).toBe(true);
  });
});
