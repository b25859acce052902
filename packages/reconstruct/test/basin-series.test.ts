// `twsa basin series` as a user runs it (the real CLI from sources), on GeoJSON and on a shapefile, against the
// numpy/shapely basin means of scripts/fixtures/basin_reference.py (packages/grid/test/fixtures/basins): a GRACE-like
// NetCDF is written from the reference's 1° lon/lat stack, and the CSV's means must agree to 0.05 mm. Also the real
// NCSG basin outlines on real GRACE when ../shared/data/real is present (skipped, and said so, when absent).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createStack, writeNetcdf } from '@twsa/grid';
import { basinMeans } from '../src/basin-series.js';
import { readBasins } from '@twsa/grid';
import { haveRealData, realDataPath } from '../../../test-support/real-data.js';

const root = resolve(import.meta.dirname, '..', '..', '..');
const cli = join(root, 'packages', 'reconstruct', 'src', 'cli.ts');
const FIX = join(root, 'packages', 'grid', 'test', 'fixtures', 'basins');
const tmp = mkdtempSync(join(tmpdir(), 'twsa-basin-'));

function twsa(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--conditions=twsa-source', '--import', 'tsx', cli, ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Ref {
  times: string[];
  grids: Record<
    string,
    {
      spec: { shape: [number, number]; bounds: [number, number, number, number]; crs: string };
      data: (number | null)[];
      basins: Record<string, { means: number[]; coverage: number[]; outsideFraction: number }>;
    }
  >;
}
const ref = JSON.parse(readFileSync(join(FIX, 'reference.json'), 'utf8')) as Ref;

function refStack(key: string) {
  const g = ref.grids[key]!;
  return createStack(
    Float32Array.from(g.data, (v) => (v === null ? Number.NaN : v)),
    {
      shape: [ref.times.length, ...g.spec.shape],
      bounds: g.spec.bounds,
      crs: g.spec.crs,
      units: 'mm',
      times: ref.times,
    },
  );
}

const graceFile = join(tmp, 'grace-like.nc');
beforeAll(async () => {
  await writeNetcdf(graceFile, refStack('geographic'), { variable: 'lwe_thickness', units: 'mm' });
});

describe('twsa basin series --grace', () => {
  it.each(['basins.geojson', 'basins-3978.shp'])(
    'writes basin,month,twsa_mm,coverage from %s = numpy reference',
    (f) => {
      const out = join(tmp, `${f}.csv`);
      const r = twsa(
        'basin',
        'series',
        '--grace',
        graceFile,
        '--basins',
        join(FIX, f),
        '--name-field',
        'NAME',
        '--out',
        out,
        '--subsamples',
        '50',
      );
      expect(r.stderr).toMatch(/basin 'Gamma': 41\.\d % of its area lies outside the grid/);
      expect(r.code).toBe(0);
      const lines = readFileSync(out, 'utf8').trim().split('\n');
      expect(lines[0]).toBe('basin,month,twsa_mm,coverage');
      expect(lines.length).toBe(1 + 3 * 4);
      // The figure beside the CSV: one panel per basin.
      const svg = readFileSync(out.replace(/\.csv$/, '.svg'), 'utf8');
      for (const name of ['Alpha', 'Beta', 'Gamma']) expect(svg).toContain(name);
      expect(
        readFileSync(out.replace(/\.csv$/, '.png'))
          .subarray(1, 4)
          .toString(),
      ).toBe('PNG');
      for (const line of lines.slice(1)) {
        const [basin, month, mm, coverage] = line.split(',');
        const t = ref.times.findIndex((x) => x.startsWith(month!));
        const b = ref.grids['geographic']!.basins[basin!]!;
        expect(Math.abs(Number(mm) - b.means[t]!)).toBeLessThan(0.05);
        expect(Math.abs(Number(coverage) - b.coverage[t]!)).toBeLessThan(0.003);
      }
    },
  );

  it('basinMeans on the projected grid matches the reference too (outline reprojected to EPSG:3978)', async () => {
    const layer = await readBasins(join(FIX, 'basins.geojson'), { nameField: 'NAME' });
    const series = basinMeans(refStack('lcc'), layer, { subsamples: 50 });
    for (const s of series) {
      const b = ref.grids['lcc']!.basins[s.basin]!;
      expect(s.months).toEqual(['2003-01', '2003-02', '2003-03', '2003-04']);
      expect(Math.abs(s.outsideFraction - b.outsideFraction)).toBeLessThan(0.002);
      s.mean.forEach((m, t) => expect(Math.abs(m - b.means[t]!)).toBeLessThan(0.05));
    }
  });

  it('refuses a bad combination with a usage error', () => {
    const r = twsa('basin', 'series', '--basins', join(FIX, 'basins.geojson'), '--out', join(tmp, 'x.csv'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs exactly one of --grace <file> or --run <run-dir>/);
  });
});

const haveReal = haveRealData(realDataPath('canada_boundary', 'basins_ncsg'));
(haveReal ? describe : describe.skip)('real data: NCSG Yukon basin on JPL GRACE', () => {
  it('writes a monthly series with GRACE duplicates merged and full coverage on the 1° grid', () => {
    const out = join(tmp, 'yukon.csv');
    const r = twsa(
      'basin',
      'series',
      '--grace',
      realDataPath('grace_jpl_rl06v03_land', 'jpl_rl06v03_lnd_northamerica_1deg_200204-201912.nc'),
      '--basins',
      realDataPath('canada_boundary', 'basins_ncsg', 'Yukon.vec'),
      '--out',
      out,
    );
    expect(r.code).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n').slice(1);
    const months = lines.map((l) => l.split(',')[1]!);
    expect(new Set(months).size).toBe(months.length); // one row per calendar month
    expect(months[0]).toBe('2002-04');
    expect(lines.every((l) => Number(l.split(',')[3]) > 0.99)).toBe(true);
    const mm = lines.map((l) => Number(l.split(',')[2]));
    expect(Math.max(...mm) - Math.min(...mm)).toBeGreaterThan(100); // the Yukon's seasonal cycle, in mm
  });

  it('the Canada outline (CAN.geo.json) as a basin reproduces the derived Canada-mean series to 0.5 mm', () => {
    // canada_mean_twsa_jpl_rl06v03_lnd.csv was derived independently (cos-lat × Canada-fraction weights, 10×10
    // sub-points, in cm, one row per GRACE record); months with two records are averaged here.
    const out = join(tmp, 'canada.csv');
    const dir = realDataPath('grace_jpl_rl06v03_land');
    const r = twsa(
      'basin',
      'series',
      '--grace',
      join(dir, 'jpl_rl06v03_lnd_northamerica_1deg_200204-201912.nc'),
      '--basins',
      realDataPath('canada_boundary', 'CAN.geo.json'),
      '--out',
      out,
    );
    expect(r.code).toBe(0);
    const ref = new Map<string, number[]>();
    for (const line of readFileSync(join(dir, 'canada_mean_twsa_jpl_rl06v03_lnd.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)) {
      const f = line.split(',');
      const month = `${f[0]!.slice(0, 4)}-${f[0]!.slice(4)}`;
      ref.set(month, [...(ref.get(month) ?? []), Number(f[6]) * 10]);
    }
    const rows = readFileSync(out, 'utf8').trim().split('\n').slice(1);
    expect(rows.length).toBe(ref.size);
    for (const line of rows) {
      const [basin, month, mm] = line.split(',');
      expect(basin).toBe('Canada');
      const v = ref.get(month!)!;
      expect(Math.abs(Number(mm) - v.reduce((a, b) => a + b, 0) / v.length)).toBeLessThan(0.5);
    }
  });
});
