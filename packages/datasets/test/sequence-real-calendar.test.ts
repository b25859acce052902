// ConvLSTM windows on GRACE's real missing-month calendar over the paper's period (2002-04..2016-12), read from
// ../shared/data/real/grace_jpl_rl06v03_land/canada_mean_twsa_jpl_rl06v03_lnd.csv (one row per GRACE record).
// Expected counts were computed independently with a plain Python loop over the same rules (python3, csv module):
// 177 calendar months, 156 with a record, 21 missing; 20-frame windows, step 1.
import { readFileSync } from 'node:fs';
import { makeSequences, splitByDateRange, type SequenceMode } from '@twsa/datasets';
import { haveRealData, realDataPath } from '../../../test-support/real-data.js';

const CSV = realDataPath('grace_jpl_rl06v03_land', 'canada_mean_twsa_jpl_rl06v03_lnd.csv');
const present = haveRealData(CSV);

(present ? describe : describe.skip)('ConvLSTM windows on the real GRACE calendar 2002-04..2016-12', () => {
  const records = readFileSync(CSV, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(',')[1]!)
    .filter((t) => t < '2017-01-01');
  const have = new Set(records.map((t) => t.slice(0, 7)));
  const months: string[] = [];
  for (let y = 2002, m = 4; y < 2017; m === 12 ? (y++, (m = 1)) : m++)
    months.push(`${y}-${String(m).padStart(2, '0')}`);
  const valid = months.map((m) => have.has(m));
  // The paper's split by date: test = the months of the first 20 and last 20 records.
  const labels = splitByDateRange(
    months.map((m) => `${m}-15`),
    {
      train: ['2004-03', '2014-10'],
      test: [
        ['2002-04', '2004-03'],
        ['2014-10', '2017-01'],
      ],
    },
  );

  it('calendar: 177 months, 156 with a record (158 records), 21 missing', () => {
    expect([months.length, valid.filter(Boolean).length, records.length]).toEqual([177, 156, 158]);
  });
  it.each([
    ['forecast', undefined, 71],
    ['hindcast', undefined, 71],
    ['forecast', 1, 84],
    ['forecast', 2, 88],
    ['hindcast', 1, 84],
  ] as const)('%s, maxMissing %s, no split: %i windows', (mode, maxMissing, expected) => {
    const r = makeSequences(valid, {
      mode: mode as SequenceMode,
      ...(maxMissing === undefined ? {} : { gaps: 'allow-gaps' as const, maxMissing }),
    });
    expect(r.windows.length).toBe(expected);
    expect(r.counts.candidates).toBe(158);
  });
  it.each([
    ['forecast', undefined, 63, 0],
    ['forecast', 2, 70, 0],
    ['forecast', 3, 75, 2],
    ['hindcast', 3, 78, 1],
    ['forecast', 6, 84, 4],
  ] as const)(
    '%s, maxMissing %s, paper split: %i train and %i test windows (the gappy test blocks need interpolation)',
    (mode, maxMissing, train, test) => {
      const r = makeSequences(valid, {
        mode: mode as SequenceMode,
        labels,
        ...(maxMissing === undefined ? {} : { gaps: 'allow-gaps' as const, maxMissing }),
      });
      expect([
        r.windows.filter((w) => w.label === 'train').length,
        r.windows.filter((w) => w.label === 'test').length,
      ]).toEqual([train, test]);
    },
  );
});
