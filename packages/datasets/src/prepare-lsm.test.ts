import { existsSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  CANADA_LCC_110KM,
  canadaMask,
  createGrid,
  createStack,
  thirtyDayWindows,
  writeGeoTiff,
  writeNetcdf,
  type GridSpec,
  type TimeWindow,
} from '@twsa/grid';
import { prepareLsm } from './prepare-lsm.js';
import { isDatasetsError } from './errors.js';
import { caught } from '../../../test-support/caught.js';

// Source: 2 × 3 one-degree cells; target: the same extent as 2 cells of 1.5° (left = col 0 + half of col 1,
// right = half of col 1 + col 2). Values are `signal × (col + 1)`, constant over rows, so the conservative means
// are signal × (1·1 + 2·0.5) / 1.5 = 4/3 · signal (left) and signal × (2·0.5 + 3·1) / 1.5 = 8/3 · signal (right).
const SOURCE: GridSpec = { shape: [2, 3], bounds: [-100, 50, -97, 52], crs: 'EPSG:4326' };
const TARGET: GridSpec = { shape: [1, 2], bounds: [-100, 50, -97, 52], crs: 'EPSG:4326' };
const field = (signal: number): Float32Array => Float32Array.from({ length: 6 }, (_, i) => signal * ((i % 3) + 1));

const REPO = resolve(import.meta.dirname, '../../..');
const GLDAS = join(REPO, '../shared/data/real/gldas_vic_partial_sample');
const haveReal = existsSync(GLDAS);
if (!haveReal) console.warn('skipped: ../shared/data/real not found');

describe('prepareLsm', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'twsa-prepare-lsm-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('daily GeoTIFFs (in m): window means, mm, conservative regrid and anomalies match the hand computation', async () => {
    const daily = join(dir, 'daily');
    mkdirSync(daily);
    // Day d (0-based, 2003-01-01 + d) holds signal d, in metres.
    for (let d = 0; d < 10; d++) {
      const data = Float32Array.from(field(d), (v) => v / 1000);
      await writeGeoTiff(
        join(daily, `lsm_200301${String(d + 1).padStart(2, '0')}.tif`),
        createGrid(data, { ...SOURCE, units: 'm' }),
      );
    }
    const windows: TimeWindow[] = [
      { id: 'b', start: '2003-01-04', end: '2003-01-11' },
      { id: 'a', start: '2003-01-01', end: '2003-01-04' },
      { id: 'none', start: '2003-02-01', end: '2003-03-01' },
    ];
    const r = await prepareLsm(daily, { windows, target: TARGET, baseline: ['2003-01', '2003-01'] });
    expect(r.step).toBe('daily');
    expect(r.files).toHaveLength(10);
    expect(r.emptyWindows).toEqual(['none']);
    expect(r.lsm.shape).toEqual([2, 1, 2]);
    expect(r.lsm.labels).toEqual(['a', 'b']);
    expect(r.lsm.timeBounds).toEqual([
      ['2003-01-01', '2003-01-04'],
      ['2003-01-04', '2003-01-11'],
    ]);
    expect(r.lsm.units).toBe('mm');
    // Window means of the signal: a = mean(0, 1, 2) = 1, b = mean(3..9) = 6; baseline mean 3.5 → −2.5, +2.5.
    const expected = [(-2.5 * 4) / 3, (-2.5 * 8) / 3, (2.5 * 4) / 3, (2.5 * 8) / 3];
    Array.from(r.lsm.data).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 3));
    expect(r.lsm.attributes?.source).toBe('user LSM');
    expect(String(r.lsm.attributes?.lsm_source)).toContain('lsm_20030101.tif');
    expect(r.lsm.attributes?.lsm_step).toBe('daily');
  });

  it('monthly GeoTIFFs (YYYYMM and YYYY-MM names): each window takes the month of its mid-point', async () => {
    const monthly = join(dir, 'monthly');
    mkdirSync(monthly);
    const names = ['swe_200301.tif', 'swe_2003-02.tif', 'swe_200303.tif'];
    for (const [m, name] of names.entries())
      await writeGeoTiff(join(monthly, name), createGrid(field(m + 1), { ...SOURCE, units: 'mm' }));
    // 30-day windows from 2003-01-01: mid-points 01-16, 02-15, 03-17, 04-16 (no file for April).
    const windows = thirtyDayWindows('2003-01-01', '2003-05-01');
    const r = await prepareLsm(
      names.map((n) => join(monthly, n)),
      { windows, target: TARGET, baseline: ['2003-01', '2003-03'] },
    );
    expect(r.step).toBe('monthly');
    expect(r.lsm.shape).toEqual([3, 1, 2]);
    expect(r.emptyWindows).toEqual([windows[3]!.id]);
    // Signal 1, 2, 3 minus the baseline mean 2.
    const expected = [-4 / 3, -8 / 3, 0, 0, 4 / 3, 8 / 3];
    Array.from(r.lsm.data).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 3));
  });

  it("baseline not covered: a DatasetsEmptyError naming the option, or the LSM's own period with a note", async () => {
    const monthly = join(dir, 'monthly');
    const windows = thirtyDayWindows('2003-01-01', '2003-04-01');
    // 2003 lies in the paper baseline 2002-04..2016-12: accepted, with a note on the partial coverage.
    const r0 = await prepareLsm(monthly, { windows, target: TARGET });
    expect(String(r0.lsm.attributes?.baseline_note)).toMatch(/covers only 3 frame/);
    const err = await caught(prepareLsm(monthly, { windows, target: TARGET, baseline: ['1990-01', '1999-12'] }));
    expect(isDatasetsError(err, 'DatasetsEmptyError')).toBe(true);
    expect(err.message).toMatch(/does not cover the anomaly baseline 1990-01\.\.1999-12/);
    expect(err.message).toMatch(/baselineFallback/);
    const r = await prepareLsm(monthly, {
      windows,
      target: TARGET,
      baseline: ['1990-01', '1999-12'],
      baselineFallback: 'period',
    });
    expect(Array.from(r.lsm.data.subarray(0, 2)).map((v) => Math.round(v * 1000) / 1000)).toEqual([-1.333, -2.667]);
    expect(String(r.lsm.attributes?.baseline_note)).toMatch(/does not cover the baseline/);
  });

  it('daily NetCDF (kg m-2, default variable choice): streamed window means regridded like the GeoTIFFs', async () => {
    const file = join(dir, 'daily.nc');
    const data = new Float32Array(10 * 6);
    for (let d = 0; d < 10; d++) data.set(field(d), d * 6);
    const times = Array.from({ length: 10 }, (_, d) => `2003-01-${String(d + 1).padStart(2, '0')}`);
    await writeNetcdf(file, createStack(data, { ...SOURCE, shape: [10, 2, 3], units: 'kg m-2', times }), {
      variable: 'SoilMoist',
    });
    const windows: TimeWindow[] = [
      { id: 'a', start: '2003-01-01', end: '2003-01-04' },
      { id: 'b', start: '2003-01-04', end: '2003-01-11' },
    ];
    const r = await prepareLsm(file, { windows, target: TARGET, baseline: ['2003-01', '2003-01'] });
    expect(r.step).toBe('daily');
    expect(r.variables).toEqual(['SoilMoist']);
    const expected = [(-2.5 * 4) / 3, (-2.5 * 8) / 3, (2.5 * 4) / 3, (2.5 * 8) / 3];
    Array.from(r.lsm.data).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 3));
  });

  it('clips to Canada at the source resolution by default: a border cell averages only its Canadian source cells', async () => {
    // 0.5° source over 100–96°W, 47–51°N: the border runs along 49°N there. Canadian cells (centres 49.25..50.75°N)
    // hold the month's signal m = 1, 2, 3; US cells (centres 47.25..48.75°N) hold 10⁶ · m.
    const clipDir = join(dir, 'clip');
    mkdirSync(clipDir);
    const source: GridSpec = { shape: [8, 8], bounds: [-100, 47, -96, 51], crs: 'EPSG:4326' };
    for (const m of [1, 2, 3]) {
      const data = Float32Array.from({ length: 64 }, (_, i) =>
        51 - 0.5 * (Math.floor(i / 8) + 0.5) > 49 ? m : 1e6 * m,
      );
      await writeGeoTiff(join(clipDir, `lsm_20030${m}.tif`), createGrid(data, { ...source, units: 'mm' }));
    }
    const windows = thirtyDayWindows('2003-01-01', '2003-04-01');
    // Target: two 2° cells straddling the border (48–50°N), and one cell wholly in the US (47–48°N) below them.
    const border: GridSpec = { shape: [1, 2], bounds: [-100, 48, -96, 50], crs: 'EPSG:4326' };
    const r = await prepareLsm(clipDir, { windows, target: border, baseline: ['2003-01', '2003-03'] });
    // Anomalies of the Canadian signal alone: m − 2 = −1, 0, +1 in both cells; nothing of the US 10⁶ · m.
    expect(Array.from(r.lsm.data).map((v) => Math.round(v * 1e4) / 1e4)).toEqual([-1, -1, 0, 0, 1, 1]);
    expect(String(r.lsm.attributes?.lsm_clip)).toMatch(/^Canada .*: 32 of 64 source cells have their centre inside/);
    expect(String(r.lsm.attributes?.processing)).toMatch(
      /clip to the region at the source resolution → conservative remap/,
    );
    // A target cell with no Canadian source cell is NaN, not the US value.
    const us = await prepareLsm(clipDir, {
      windows,
      target: { shape: [1, 1], bounds: [-100, 47, -96, 48], crs: 'EPSG:4326' },
      baseline: ['2003-01', '2003-03'],
    });
    expect(Array.from(us.lsm.data).every(Number.isNaN)).toBe(true);
    // clip "none" (the old behaviour): the border cells average both sides, ≈ (m + 10⁶ m) / 2 − baseline (the
    // southern half weighs a little more: conservative weights follow the true cell areas, ∝ cos latitude).
    const none = await prepareLsm(clipDir, { windows, target: border, baseline: ['2003-01', '2003-03'], clip: 'none' });
    expect(none.lsm.data[0]).toBeLessThan(-0.49e6);
    expect(none.lsm.data[0]).toBeGreaterThan(-0.52e6);
    expect(none.lsm.attributes?.lsm_clip).toMatch(/^none/);
    // A polygon clips to that region instead (here the western half: the eastern cell has no source cell left).
    const west = {
      type: 'Polygon',
      coordinates: [
        [
          [-101, 46],
          [-98, 46],
          [-98, 52],
          [-101, 52],
          [-101, 46],
        ],
      ],
    } as const;
    const w = await prepareLsm(clipDir, { windows, target: border, baseline: ['2003-01', '2003-03'], clip: west });
    expect(w.lsm.data[0]).toBeLessThan(-0.49e6);
    expect(Number.isNaN(w.lsm.data[1])).toBe(true);
    const bad = await caught(prepareLsm(clipDir, { windows, target: border, clip: 'usa' as never }));
    expect(isDatasetsError(bad, 'DatasetsArgumentError')).toBe(true);
    expect(bad.message).toMatch(/options\.clip/);
  });

  it('typed errors naming the file: no files, no date in the name, unreadable file, no storage variable', async () => {
    const windows = thirtyDayWindows('2003-01-01', '2003-04-01');
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const e1 = await caught(prepareLsm(empty, { windows }));
    expect(isDatasetsError(e1, 'DatasetsEmptyError')).toBe(true);
    expect(e1.message).toContain(empty);
    const e0 = await caught(prepareLsm(join(dir, 'missing.tif'), { windows }));
    expect(isDatasetsError(e0, 'DatasetsArgumentError')).toBe(true);
    expect(e0.message).toContain('missing.tif');

    const undated = join(dir, 'undated.tif');
    await writeGeoTiff(undated, createGrid(field(1), { ...SOURCE, units: 'mm' }));
    const e2 = await caught(prepareLsm(undated, { windows }));
    expect(isDatasetsError(e2, 'DatasetsArgumentError')).toBe(true);
    expect(e2.message).toContain('undated.tif');

    const broken = join(dir, 'broken_20030105.tif');
    writeFileSync(broken, 'not a tiff');
    const e3 = await caught(prepareLsm(broken, { windows }));
    expect(isDatasetsError(e3, 'DatasetsArgumentError')).toBe(true);
    expect(e3.message).toContain('broken_20030105.tif');

    const temp = join(dir, 'temperature.nc');
    await writeNetcdf(
      temp,
      createStack(new Float32Array(12).fill(270), {
        ...SOURCE,
        shape: [2, 2, 3],
        units: 'K',
        times: ['2003-01-16', '2003-02-15'],
      }),
    );
    const e4 = await caught(prepareLsm(temp, { windows }));
    expect(isDatasetsError(e4, 'DatasetsArgumentError')).toBe(true);
    expect(e4.message).toContain('temperature.nc');
    expect(e4.message).toMatch(/water-storage/);
  });

  (haveReal ? it : it.skip)(
    'GLDAS VIC monthly NetCDF-4: 9 months, SWE + Canint summed in mm on the 48×48 grid',
    async () => {
      const windows: TimeWindow[] = [];
      for (let m = 0; m < 18; m++) {
        const a = new Date(Date.UTC(2002, m, 1)).toISOString().slice(0, 10);
        const b = new Date(Date.UTC(2002, m + 1, 1)).toISOString().slice(0, 10);
        windows.push({ id: a.slice(0, 7), start: a, end: b });
      }
      const r = await prepareLsm(GLDAS, { windows });
      expect(r.step).toBe('monthly');
      expect([...r.variables].sort()).toEqual(['Canint', 'SWE']);
      expect(r.lsm.shape).toEqual([9, 48, 48]);
      expect(r.lsm.labels).toEqual([
        '2002-04',
        '2002-05',
        '2002-06',
        '2002-07',
        '2002-08',
        '2002-09',
        '2002-10',
        '2002-11',
        '2002-12',
      ]);
      expect(r.lsm.units).toBe('mm');
      expect(String(r.lsm.attributes?.lsm_variables)).toMatch(/Canint \+ SWE \(summed\)/);
      // The sum is linear through regrid and anomalies: sum − SWE alone is the canopy water (Canint) anomaly, a few mm
      // at most, and not zero everywhere. (Each run opens the file with h5wasm, ~3 s, so Canint alone is not re-read.)
      const swe = await prepareLsm(GLDAS, { windows, variables: ['SWE'] });
      let finite = 0;
      let maxDiff = 0;
      for (let i = 0; i < r.lsm.data.length; i++) {
        const v = r.lsm.data[i]!;
        if (!Number.isFinite(v)) continue;
        finite++;
        maxDiff = Math.max(maxDiff, Math.abs(v - swe.lsm.data[i]!));
      }
      // Clipped to Canada at the source resolution: 977 finite cells a frame (1653 unclipped, 679 of them wholly outside
      // Canada: US, Alaska, Greenland). The few left outside (15) are reached by 1° source cells whose centres are Canadian.
      expect(finite).toBeGreaterThan(9 * 900);
      const canada = canadaMask(CANADA_LCC_110KM).data;
      let outside = 0;
      for (let i = 0; i < r.lsm.data.length; i++)
        if (Number.isFinite(r.lsm.data[i]!) && canada[i % 2304] === 0) outside++;
      expect(outside).toBeLessThan(0.03 * finite);
      expect(String(r.lsm.attributes?.lsm_clip)).toMatch(/^Canada/);
      expect(maxDiff).toBeGreaterThan(0.01);
      expect(maxDiff).toBeLessThan(5);
      // Snow: the December frame is above the 9-month mean somewhere (anomalies of up to hundreds of mm).
      const dec = r.lsm.data.subarray(8 * 2304, 9 * 2304);
      expect(Math.max(...Array.from(dec).filter(Number.isFinite))).toBeGreaterThan(20);
    },
  );
});
