import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  aggregateDaily,
  createGrid,
  createStack,
  geotiffFrames,
  netcdfFrames,
  openNetcdf,
  writeGeoTiff,
  writeNetcdf,
  type NetcdfHandle,
} from '@twsa/grid';

describe('daily frame sources', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'twsa-stream-test-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('netcdfFrames streams a daily NetCDF stack frame by frame into the same means as the in-memory path', async () => {
    const n = 62;
    const data = Float32Array.from({ length: n * 2 }, (_, i) =>
      i % 2 ? (Math.floor(i / 2) % 3 === 0 ? Number.NaN : 1) : Math.floor(i / 2),
    );
    const stack = createStack(data, {
      shape: [n, 1, 2],
      bounds: [-100, 50, -98, 51],
      crs: 'EPSG:4326',
      times: Array.from({ length: n }, (_, i) => new Date(Date.UTC(2003, 0, 1 + i)).toISOString()),
    });
    const file = join(dir, 'daily.nc');
    await writeNetcdf(file, stack);
    const handle = await openNetcdf(file);
    try {
      const windows = [
        { id: '2003-01', start: '2003-01-01', end: '2003-02-01' },
        { id: '2003-02', start: '2003-02-01', end: '2003-03-01' },
      ];
      const r = await aggregateDaily(netcdfFrames(handle), windows);
      expect(Array.from(r.data)).toEqual([15, 1, (31 + 58) / 2, 1]); // February 2003: frames 31..58
      expect(r.attributes!.days_per_window).toBe('31,28');
    } finally {
      handle.close();
    }
  });

  it('netcdfFrames rejects a handle without times; geotiffFrames rejects a bad date and reports a missing file', async () => {
    const fake = {
      times: [''],
      variable: 'v',
      path: 'x.nc',
      readFrame: () => {
        throw new Error('not reached');
      },
    } as unknown as NetcdfHandle;
    expect(() => [...netcdfFrames(fake)]).toThrow(expect.objectContaining({ name: 'GridArgumentError' }));
    const spec = { shape: [1, 1] as const, bounds: [-100, 50, -99, 51] as const, crs: 'EPSG:4326' };
    const ok = join(dir, 'd1.tif');
    await writeGeoTiff(ok, createGrid(new Float32Array([5]), spec));
    await expect(
      aggregateDaily(geotiffFrames([{ time: '2001-13-01', path: ok }]), [
        { id: 'x', start: '2001-01-01', end: '2001-02-01' },
      ]),
    ).rejects.toMatchObject({ name: 'GridArgumentError', argument: 'files[0].time' });
    await expect(
      aggregateDaily(
        geotiffFrames([
          { time: '2001-01-01', path: ok },
          { time: '2001-01-02', path: join(dir, 'missing.tif') },
        ]),
        [{ id: 'x', start: '2001-01-01', end: '2001-02-01' }],
      ),
    ).rejects.toMatchObject({ name: 'GridIoError' });
  });
});
