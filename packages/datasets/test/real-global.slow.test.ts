/** Slow lane: prepareGrace on the original global netCDF-4 (HDF5) granules agrees with the North-America subset. */
import { existsSync } from 'node:fs';
import { prepareGrace } from '@twsa/datasets';
import { REAL_GRACE, fromRepoRoot } from './helpers.js';

const FILE = fromRepoRoot(REAL_GRACE);
const DIR = fromRepoRoot('../shared/data/real/grace_jpl_rl06v03_land/original_global_samples/');
const present = existsSync(FILE) && existsSync(DIR);
if (!present) console.warn('skipped: ../shared/data/real not found');
const maybe = present ? describe : describe.skip;

maybe('prepareGrace on global granules', () => {
  it('gives the same 2010-01 minus 2002-04 difference as the North-America subset (baseline-free)', async () => {
    const files = [
      'GRD-3_2002094-2002120_GRAC_JPLEM_BA01_0600_LND_v03.nc',
      'GRD-3_2010001-2010031_GRAC_JPLEM_BA01_0600_LND_v03.nc',
    ].map((f) => DIR + f);
    const global = await prepareGrace(files, { end: '2010-01', baseline: ['2002-04', '2010-01'] });
    expect(global.grace.shape).toEqual([2, 48, 48]);
    const na = (await prepareGrace(FILE)).grace;
    const i10 = na.times.findIndex((t) => t.startsWith('2010-01'));
    const size = 48 * 48;
    let compared = 0,
      worst = 0;
    for (let k = 0; k < size; k++) {
      const a = global.grace.data[size + k]! - global.grace.data[k]!;
      const b = na.data[i10 * size + k]! - na.data[k]!;
      expect(Number.isFinite(a)).toBe(Number.isFinite(b));
      if (Number.isFinite(a)) {
        compared++;
        worst = Math.max(worst, Math.abs(a - b));
      }
    }
    expect(compared).toBeGreaterThan(900);
    expect(worst).toBeLessThan(1e-3);
  }, 600_000);
});
