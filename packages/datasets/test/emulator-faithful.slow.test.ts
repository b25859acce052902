/**
 * Slow lane: the emulator at its faithful fine resolution (fineFactor 22, ≈ 5.1 km, daily 1979–2016: ~1.5·10^10
 * values streamed) on real GRACE, checked against the EALCO calibration band and against fineFactor 1.
 */
import { existsSync } from 'node:fs';
import { prepareGrace, emulateLsm, pairMonthly, baselineMetrics } from '@twsa/datasets';
import { REAL_GRACE, fromRepoRoot } from './helpers.js';

const FILE = fromRepoRoot(REAL_GRACE);
const present = existsSync(FILE);
if (!present) console.warn('skipped: ../shared/data/real not found');
const maybe = present ? describe : describe.skip;

maybe('emulator at fineFactor 22 on real GRACE', () => {
  it('lands in the EALCO band and matches the fineFactor-1 monthly output', async () => {
    const { grace, mask } = await prepareGrace(FILE);
    const faithful = await emulateLsm(grace, { seed: 0 });
    expect(faithful.attributes!.fine_factor).toBe(22);
    expect(faithful.attributes!.fine_resolution_km).toBeCloseTo(5.091, 3);
    const m = baselineMetrics(pairMonthly(grace, faithful, { mask }));
    expect(m.cc).toBeGreaterThan(0.86);
    expect(m.cc).toBeLessThan(0.92);
    expect(m.rmse).toBeGreaterThan(89.25);
    expect(m.rmse).toBeLessThan(120.75);
    const coarse = await emulateLsm(grace, { seed: 0, fineFactor: 1 });
    let worst = 0;
    for (let i = 0; i < coarse.data.length; i++)
      if (Number.isFinite(coarse.data[i]!)) worst = Math.max(worst, Math.abs(coarse.data[i]! - faithful.data[i]!));
    expect(worst).toBeLessThan(0.05);
  }, 3_600_000);
});
