import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { haveRealData, realDataPath } from '../../../../test-support/real-data.js';
import { createGrid, writeGeoTiff } from '@twsa/grid';
import { resolveConfig } from '../config.js';
import { calendarMonthWindows, periodData, prepare } from './prepare.js';

describe('calendarMonthWindows', () => {
  it('gives one [first day, first day of the next month) window per month, across a year end', () => {
    expect(calendarMonthWindows('2001-11', '2002-02')).toEqual([
      { id: '2001-11', start: '2001-11-01', end: '2001-12-01' },
      { id: '2001-12', start: '2001-12-01', end: '2002-01-01' },
      { id: '2002-01', start: '2002-01-01', end: '2002-02-01' },
      { id: '2002-02', start: '2002-02-01', end: '2002-03-01' },
    ]);
  });
});

const GRACE = realDataPath('grace_jpl_rl06v03_land', 'jpl_rl06v03_lnd_northamerica_1deg_200204-201912.nc');
const haveReal = haveRealData(GRACE);

(haveReal ? describe : describe.skip)('prepare: a user LSM before GRACE on the hindcast time steps', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'twsa-lsm-steps-'));
    // Monthly LSM GeoTIFFs 2001-10..2003-12 over southern Manitoba (lon/lat), a seasonal cycle in mm.
    for (let y = 2001; y <= 2003; y++)
      for (let m = y === 2001 ? 10 : 1; m <= 12; m++) {
        const v = 50 * Math.sin((2 * Math.PI * (m - 3)) / 12) + (y - 2002) * 5;
        await writeGeoTiff(
          join(dir, `lsm_${y}${String(m).padStart(2, '0')}.tif`),
          createGrid(
            Float32Array.from({ length: 16 }, (_, i) => v + i),
            {
              shape: [4, 4],
              bounds: [-100, 49, -96, 53],
              crs: 'EPSG:4326',
              units: 'mm',
            },
          ),
        );
      }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('calendar months by default, the paper’s 30-day windows with hindcast.steps paper-30day', async () => {
    const base = { data: { grace: [GRACE], lsm: [dir], end: '2003-12' }, hindcast: { start: '2001-10' } };
    const monthly = await prepare(resolveConfig(base), {});
    const before = monthly.hindcastLsm!.labels!.filter((l) => l < '2002-04');
    expect(before).toEqual(['2001-10', '2001-11', '2001-12', '2002-01', '2002-02', '2002-03']);
    expect(monthly.hindcastLsm!.timeBounds![0]).toEqual(['2001-10-01', '2001-11-01']);
    const paper = await prepare(resolveConfig({ ...base, hindcast: { start: '2001-10', steps: 'paper-30day' } }), {});
    const first = paper.hindcastLsm!.timeBounds![0]!;
    expect(first).toEqual(['2001-10-01', '2001-10-31']);
    expect(paper.hindcastLsm!.labels![0]).toBe('2001-10-01');
    // The pairs (GRACE windows) do not depend on the hindcast steps.
    expect(paper.records).toEqual(monthly.records);
  }, 120_000);
});

(haveReal ? describe : describe.skip)("periodData: the run's LSM files re-read for a period after training", () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'twsa-lsm-period-'));
    for (let y = 2015; y <= 2018; y++)
      for (let m = 1; m <= 12; m++)
        await writeGeoTiff(
          join(dir, `lsm_${y}${String(m).padStart(2, '0')}.tif`),
          createGrid(
            Float32Array.from({ length: 16 }, (_, i) => 40 * Math.sin((2 * Math.PI * (m - 3)) / 12) + i),
            { shape: [4, 4], bounds: [-100, 49, -96, 53], crs: 'EPSG:4326', units: 'mm' },
          ),
        );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives calendar months in the gap, GRACE-FO windows where GRACE-FO has a record, and those records', async () => {
    const config = resolveConfig({ data: { grace: [GRACE], lsm: [dir] } });
    const p = await periodData(config, { from: '2017-07', to: '2018-08' });
    expect(p.lsm.labels).toEqual([
      ...calendarMonthWindows('2017-07', '2018-05').map((w) => w.id),
      '2018-06',
      '2018-07',
      '2018-08',
    ]);
    expect(p.lsm.timeBounds![0]).toEqual(['2017-07-01', '2017-08-01']);
    expect(p.graceIds).toEqual(['2018-06', '2018-07']);
    expect(p.grace!.shape).toEqual([2, 48, 48]);
    expect(p.note).toMatch(/re-read onto GRACE's windows and calendar months/);
    // 2018-08 has no GRACE-FO solution: a calendar month.
    expect(p.lsm.timeBounds![p.lsm.labels!.indexOf('2018-08')]).toEqual(['2018-08-01', '2018-09-01']);
  }, 120_000);
});
