// End-to-end real-data check of the geometry part: GRACE 1° North America → Canada LCC 112 km (conservative) →
// Canada mask (Natural Earth 50m) → area-weighted national mean, against canada_mean_twsa_jpl_rl06v03_lnd.csv, which
// was derived independently on the 1° grid (cos-lat and Canada-fraction weights from a different outline).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyRemap, canadaMask, cellAreas, readNetcdf, remapWeights, CANADA_LCC_110KM } from '../src/index.js';
import { haveRealData, realDataPath } from '../../../test-support/real-data.js';

const DIR = realDataPath('grace_jpl_rl06v03_land');
const haveReal = haveRealData(DIR);

(haveReal ? describe : describe.skip)('GRACE → Canada LCC → national mean (real data)', () => {
  it('matches the reference Canada-mean TWSA series within 0.2 cm (signal RMS ≈ 5 cm)', async () => {
    const stack = await readNetcdf(join(DIR, 'jpl_rl06v03_lnd_northamerica_1deg_200204-201912.nc'), {
      units: 'cm',
      timeRange: ['2002-04-01', '2004-01-01'],
    });
    const rows = readFileSync(join(DIR, 'canada_mean_twsa_jpl_rl06v03_lnd.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    const weights = remapWeights(
      { shape: [stack.shape[1], stack.shape[2]], bounds: stack.bounds, crs: stack.crs },
      CANADA_LCC_110KM,
    );
    const lcc = applyRemap(weights, stack);
    expect(lcc.units).toBe('cm');
    const mask = canadaMask(CANADA_LCC_110KM).data;
    const area = cellAreas(CANADA_LCC_110KM).data;
    const n = lcc.shape[0];
    expect(n).toBeGreaterThan(15);
    let worst = 0;
    for (let t = 0; t < n; t++) {
      let sv = 0,
        sw = 0;
      for (let i = 0; i < 48 * 48; i++) {
        const v = lcc.data[t * 48 * 48 + i]!;
        const w = mask[i]! * area[i]!;
        if (w > 0 && !Number.isNaN(v)) {
          sv += w * v;
          sw += w;
        }
      }
      const row = rows.find((r) => r[2] === stack.timeBounds![t]![0])!;
      worst = Math.max(worst, Math.abs(sv / sw - Number(row[6])));
    }
    expect(worst).toBeLessThan(0.2); // measured 0.07 cm over all 180 months
  });
});
