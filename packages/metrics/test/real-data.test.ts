// Real data: the Canada-mean GRACE JPL RL06 v03 series over the paper's period (2002-04..2016-12, 158 records), from
// ../shared/data/real (see its PROVENANCE.md). Expected statistics come from numpy/scipy
// (scripts/fixtures/metrics_reference.py → fixtures/real_canada_mean.json); the data are read at test time, not copied.
import { readFileSync } from 'node:fs';
import { annualHarmonic, decimalYear, trendTest } from '@twsa/metrics';
import { expectClose, num, readFixture } from './helpers.js';
import { haveRealData, realDataPath } from '../../../test-support/real-data.js';

const CSV = realDataPath('grace_jpl_rl06v03_land', 'canada_mean_twsa_jpl_rl06v03_lnd.csv');
const present = haveRealData(CSV);

type N = number | null;
interface RealFixture {
  records: number;
  firstMonth: string;
  lastMonth: string;
  mk: Record<'s' | 'varS' | 'z' | 'p' | 'tau' | 'count', N>;
  sen: { slope: N; intercept: N };
  harmonic: Record<string, N>;
}

(present ? describe : describe.skip)('real Canada-mean GRACE series (2002-04..2016-12)', () => {
  const ref = readFixture<RealFixture>('real_canada_mean.json');
  const rows = readFileSync(CSV, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','))
    .filter((r) => r[1]! < '2017-01-01');
  const times = rows.map((r) => r[1]!);
  const twsaCm = Float32Array.from(rows, (r) => Number(r[6]));

  it("holds the paper's 158 records", () => {
    expect(rows.length).toBe(ref.records);
    expect([rows[0]![0], rows.at(-1)![0]]).toEqual([ref.firstMonth, ref.lastMonth]);
  });
  it('Sen slope (cm/yr) and Mann–Kendall match scipy; the national decline is significant', () => {
    const r = trendTest(twsaCm, { times });
    expectClose([r.slope, r.intercept], [num(ref.sen.slope), num(ref.sen.intercept)], 1e-6, 'sen');
    expectClose(
      [r.s, r.varS, r.z, r.tau],
      [num(ref.mk.s), num(ref.mk.varS), num(ref.mk.z), num(ref.mk.tau)],
      1e-6,
      'mk',
    );
    expect(Math.abs(r.p - num(ref.mk.p)) / num(ref.mk.p)).toBeLessThan(1e-9); // tiny p: compared relatively
    expect([r.count, r.direction, r.significant]).toEqual([158, 'decreasing', true]);
  });
  it('annual harmonic matches numpy lstsq; storage peaks in spring', () => {
    const h = annualHarmonic(twsaCm, { times: times.map(decimalYear) });
    for (const k of ['mean', 'trend', 'amplitude', 'phase', 'peakDayOfYear', 't0', 'residualRms'] as const)
      expectClose(h[k], num(ref.harmonic[k]), 1e-6, k);
    expect(h.peakMonth).toBe(ref.harmonic.peakMonth);
    expect(h.peakMonth).toBeGreaterThanOrEqual(3);
    expect(h.peakMonth).toBeLessThanOrEqual(4);
  });
});
