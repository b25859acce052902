import { existsSync } from 'node:fs';
import * as nodePath from 'node:path';
import { gridInfo } from './info.js';
import { openNetcdf, readNetcdf } from './netcdf.js';

// Real data live beside the repository (never copied into it): <repo>/../shared/data/real.
const REPO = nodePath.resolve(import.meta.dirname, '../../../..');
const REAL = nodePath.resolve(REPO, '../shared/data/real');
const present = existsSync(REAL);
if (!present) console.warn('skipped: ../shared/data/real not found');
const describeReal = present ? describe : describe.skip;

const GRACE = nodePath.join(REAL, 'grace_jpl_rl06v03_land');
const STACK = nodePath.join(GRACE, 'jpl_rl06v03_lnd_northamerica_1deg_200204-201912.nc');
const GRANULE = (name: string): string => nodePath.join(GRACE, 'original_global_samples', name);
const GLDAS = nodePath.join(REAL, 'gldas_vic_partial_sample', 'GLDAS_VIC10_M.A200204_200212.nc4');
const NA_BBOX = [-170, 25, -50, 85] as const;

describeReal('real GRACE JPL RL06 v03 and GLDAS files', () => {
  it('reads the NetCDF-3 North-America stack: 180 frames, windows, two solutions in 2012-01 and 2015-04', async () => {
    const s = await readNetcdf(STACK, { variable: 'lwe_thickness' });
    expect(s.shape).toEqual([180, 60, 120]);
    expect(s.bounds).toEqual([-170, 25, -50, 85]);
    expect(s.crs).toBe('EPSG:4326');
    expect(s.units).toBe('m');
    expect(s.times[0]).toBe('2002-04-17T12:00:00Z');
    expect(s.timeBounds?.[0]).toEqual(['2002-04-04', '2002-05-01']);
    const ym = s.frameVariables.year_month as number[];
    expect(ym.filter((v) => v === 201201)).toHaveLength(2);
    expect(ym.filter((v) => v === 201504)).toHaveLength(2);
    const twoJan = ym.flatMap((v, i) => (v === 201201 ? [i] : []));
    expect(new Set(twoJan.map((i) => s.labels![i])).size).toBe(2);
    expect(new Set(twoJan.map((i) => s.timeBounds![i]![0])).size).toBe(2);
    expect((s.frameVariables.mission as number[]).filter((m) => m === 1)).toHaveLength(17);
    expect(ym.filter((v) => v >= 200204 && v <= 201612)).toHaveLength(158);
    // Ocean is _FillValue (-99999) -> NaN; land values are metres of water, within a few metres.
    const frame0 = s.data.subarray(0, 60 * 120);
    const valid = Array.from(frame0).filter((v) => !Number.isNaN(v));
    expect(valid.length).toBeGreaterThan(2000);
    expect(valid.length).toBeLessThan(60 * 120);
    expect(Math.max(...valid.map(Math.abs))).toBeLessThan(5);
  });

  it.each([
    ['GRD-3_2002094-2002120_GRAC_JPLEM_BA01_0600_LND_v03.nc', 200204],
    ['GRD-3_2010001-2010031_GRAC_JPLEM_BA01_0600_LND_v03.nc', 201001],
    ['GRD-3_2018152-2018181_GRFO_JPLEM_BA01_0600_LND_v03.nc', 201806],
  ])('NetCDF-4 granule %s equals the same month of the NetCDF-3 stack, cell by cell', async (file, yearMonth) => {
    const granule = await readNetcdf(GRANULE(file), { variable: 'lwe_thickness', bbox: NA_BBOX });
    expect(granule.shape).toEqual([1, 60, 120]);
    expect(granule.bounds).toEqual([-170, 25, -50, 85]);
    const h = await openNetcdf(STACK, { variable: 'lwe_thickness' });
    try {
      const t = (h.frameVariables.year_month as number[]).indexOf(yearMonth);
      expect(h.labels?.[t]).toBe(file);
      expect(h.times[t]).toBe(granule.times[0]);
      expect(h.timeBounds?.[t]).toEqual(granule.timeBounds?.[0]);
      const frame = h.readFrame(t);
      let compared = 0;
      const mismatches: string[] = [];
      for (let i = 0; i < frame.data.length; i++) {
        const a = granule.data[i]!;
        const b = frame.data[i]!;
        if (Number.isNaN(a) !== Number.isNaN(b) || (!Number.isNaN(a) && a !== b))
          mismatches.push(`cell ${i}: granule ${a}, stack ${b}`);
        else if (!Number.isNaN(a)) compared++;
      }
      expect(mismatches.slice(0, 5)).toEqual([]);
      expect(compared).toBeGreaterThan(2000);
      // One named cell: 1-degree cell centred at 55.5N, 105.5W (Saskatchewan).
      const row = 85 - 56;
      const col = -106 + 170;
      expect(Number.isNaN(frame.data[row * 120 + col]!)).toBe(false);
      expect(granule.data[row * 120 + col]).toBe(frame.data[row * 120 + col]);
    } finally {
      h.close();
    }
  });

  it('reads a whole NetCDF-4 granule with longitudes wrapped from 0..360 to -180..180', async () => {
    const g = await readNetcdf(GRANULE('GRD-3_2010001-2010031_GRAC_JPLEM_BA01_0600_LND_v03.nc'), { units: 'cm' });
    expect(g.shape).toEqual([1, 180, 360]);
    expect(g.bounds).toEqual([-180, -90, 180, 90]);
    expect(g.units).toBe('cm');
    expect(g.attributes?.product_version_Level3).toBe('LND_sw06_k20_G300_GCSAL_v03');
    const stack = await readNetcdf(STACK, {
      variable: 'lwe_thickness',
      units: 'cm',
      timeRange: ['2010-01-01', '2010-02-01'],
    });
    // Stack column 0 is -169.5 E -> global column 10; stack row 0 is 84.5 N -> global row 5.
    for (const [r, c] of [
      [30, 65],
      [10, 100],
      [40, 20],
    ] as const) {
      const a = g.data[(r + 5) * 360 + (c + 10)]!;
      const b = stack.data[r * 120 + c]!;
      if (Number.isNaN(b)) expect(Number.isNaN(a)).toBe(true);
      else expect(a).toBeCloseTo(b, 4);
    }
  });

  it('reads GLDAS VIC SWE (NetCDF-4, "months since", kg/m2, fill 1e20) and converts kg m-2 to mm and cm', async () => {
    const s = await readNetcdf(GLDAS, { variable: 'SWE', units: 'mm', bbox: [-141, 41, -52, 84] });
    expect(s.times).toEqual(
      [
        '2002-04-01',
        '2002-05-01',
        '2002-06-01',
        '2002-07-01',
        '2002-08-01',
        '2002-09-01',
        '2002-10-01',
        '2002-11-01',
        '2002-12-01',
      ].map((d) => `${d}T00:00:00Z`),
    );
    expect(s.bounds).toEqual([-141, 41, -52, 84]);
    expect(s.shape).toEqual([9, 43, 89]);
    expect(s.units).toBe('mm');
    const valid = Array.from(s.data).filter((v) => !Number.isNaN(v));
    expect(valid.length).toBeGreaterThan(9 * 1000);
    expect(Math.min(...valid)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...valid)).toBeLessThan(1e5);
    const cm = await readNetcdf(GLDAS, { variable: 'Canint', units: 'cm', timeRange: ['2002-12-01', '2003-01-01'] });
    expect(cm.shape[0]).toBe(1);
    expect(cm.units).toBe('cm');
    await expect(readNetcdf(GLDAS, { variable: 'SWE', units: 'K' })).rejects.toThrow(/Requested units 'K'/);
  });

  it('gridInfo summarises the three kinds of real files', async () => {
    const stack = await gridInfo(STACK);
    expect(stack).toMatchObject({
      format: 'NetCDF-3',
      driver: 'netcdfjs',
      variable: 'lwe_thickness',
      shape: [180, 60, 120],
      crs: 'EPSG:4326',
      nodata: -99999,
      units: 'm',
    });
    expect(stack.times).toEqual({ first: '2002-04-17T12:00:00Z', last: stack.times!.last, count: 180 });
    expect(stack.times!.last.startsWith('2019-12')).toBe(true);
    expect(stack.stats!.validCount).toBeGreaterThan(180 * 2000);
    const granule = await gridInfo(GRANULE('GRD-3_2002094-2002120_GRAC_JPLEM_BA01_0600_LND_v03.nc'));
    expect(granule).toMatchObject({
      format: 'NetCDF-4',
      driver: 'h5wasm',
      variable: 'lwe_thickness',
      shape: [1, 180, 360],
      bounds: [-180, -90, 180, 90],
    });
    expect(granule.variables.map((v) => v.name)).toEqual(
      expect.arrayContaining(['lon', 'lat', 'time', 'lwe_thickness', 'time_bounds']),
    );
    const gldas = await gridInfo(GLDAS, { variable: 'SWE', stats: false });
    expect(gldas).toMatchObject({
      format: 'NetCDF-4',
      shape: [9, 150, 360],
      bounds: [-180, -60, 180, 90],
      units: 'kg/m2',
    });
    expect(gldas.nodata).toBeCloseTo(1e20, -13);
    expect(gldas.stats).toBeUndefined();
  });
});
