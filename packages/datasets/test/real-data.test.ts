/**
 * Real GRACE (JPL RL06 v03, ../shared/data/real): the paper's 158 records, the 118/40 split and the calibrated
 * emulator's Table-1 metrics inside the band around the paper's EALCO row. Skipped when the data are absent.
 */
import { existsSync } from 'node:fs';
import { prepareGrace, pairMonthly, describePairs, emulateLsm, baselineMetrics } from '@twsa/datasets';
import type { PreparedGrace } from '@twsa/datasets';
import type { GridStack } from '@twsa/grid';
import { REAL_GRACE, fromRepoRoot } from './helpers.js';

const FILE = fromRepoRoot(REAL_GRACE);
const present = existsSync(FILE);
if (!present) console.warn('skipped: ../shared/data/real not found');
const maybe = present ? describe : describe.skip;

maybe('real GRACE JPL RL06 v03', () => {
  let prepared: PreparedGrace;
  let lsm: GridStack;
  // One emulator run (calibrated defaults at fineFactor 1: the monthly output does not depend on the fine factor).
  beforeAll(async () => {
    prepared = await prepareGrace(FILE);
    lsm = await emulateLsm(prepared.grace, { fineFactor: 1, seed: 0 });
  });

  it('prepareGrace: 158 records 2002-04..2016-12 on the 48×48 Canada grid, in mm, anomalies vs the paper baseline', () => {
    const { grace, mask } = prepared;
    expect(grace.shape).toEqual([158, 48, 48]);
    expect(grace.units).toBe('mm');
    expect(grace.timeBounds![0]).toEqual(['2002-04-04', '2002-05-01']);
    expect(String(grace.attributes!.processing)).toContain('reproject conservative');
    // Anomalies: every land pixel averages to ~0 over the 158 records.
    const size = 48 * 48;
    let worst = 0,
      land = 0;
    for (let k = 0; k < size; k++) {
      if (!(mask.data[k]! >= 0.5)) continue;
      land++;
      let s = 0;
      for (let t = 0; t < 158; t++) s += grace.data[t * size + k]!;
      worst = Math.max(worst, Math.abs(s / 158));
    }
    expect(land).toBeGreaterThan(700);
    expect(worst).toBeLessThan(1e-3);
  });

  it('pairing: 158 records, paper split 118 train / 40 test, test = 2002-04..2004-02 and 2014-10..2016-12', async () => {
    const { grace, mask } = prepared;
    const d = describePairs(pairMonthly(grace, lsm, { mask }));
    expect(d.total).toBe(158);
    expect(d.counts).toEqual({ train: 118, validation: 0, test: 40, unused: 0 });
    expect(d.blocks.map((b) => [b.split, b.from, b.to, b.records])).toEqual([
      ['test', '2002-04', '2004-02', 20],
      ['train', '2004-03', '2014-09', 118],
      ['test', '2014-10', '2016-12', 20],
    ]);
    expect(d.duplicatedMonths).toEqual(['2012-01', '2015-04']);
    expect(d.missingMonths).toHaveLength(21);
  });

  it('baseline: the calibrated emulator (defaults, fineFactor 1) lands in the EALCO band — RMSE 105 mm ±15 %, CC 0.89 ±0.03', async () => {
    const { grace, mask } = prepared;
    const m = baselineMetrics(pairMonthly(grace, lsm, { mask }));
    expect(m.records).toBe(40);
    expect(m.cc).toBeGreaterThan(0.86);
    expect(m.cc).toBeLessThan(0.92);
    expect(m.rmse).toBeGreaterThan(105 * 0.85);
    expect(m.rmse).toBeLessThan(105 * 1.15);
    expect(m.lsmSource).toContain('twin experiment');
  });
});
