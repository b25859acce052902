// Slow lane: the tfjs engine (tfjs, @twsa/datasets, @twsa/models) end to end on the smoke profile, and the LSM
// baseline of the twin experiment on the real GRACE file.
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runPipeline, resolveConfig, dataCommand, type DataBaselineResult } from '@twsa/reconstruct';

const root = resolve(import.meta.dirname, '..', '..', '..');
const GRACE = join(
  root,
  '..',
  'shared',
  'data',
  'real',
  'grace_jpl_rl06v03_land',
  'jpl_rl06v03_lnd_northamerica_1deg_200204-201912.nc',
);
const base = mkdtempSync(join(tmpdir(), 'twsa-slow-'));

describe('smoke profile with the tfjs engine', () => {
  it('writes Table 1, the hindcast files and the report', async () => {
    const out = join(base, 'smoke');
    const result = await runPipeline(resolveConfig({ profile: 'smoke', backend: 'cpu' }), { out });
    expect(result.record.backend).toBe('cpu');
    expect(result.table1!.rows.map((r) => r.key)).toEqual(['lsm', 'seunet', 'pix2pix', 'dcae', 'convlstm']);
    for (const r of result.table1!.rows) expect(Number.isFinite(r.rmseMm)).toBe(true);
    // The ConvLSTM predicts every test month (forecast and hindcast networks; the target decides the split).
    const convlstm = result.table1!.rows.find((r) => r.key === 'convlstm')!;
    expect(convlstm.testMonthsPredicted).toBe(convlstm.testMonths);
    expect(existsSync(join(out, 'models', 'convlstm', 'hindcast', 'model.json'))).toBe(true);
    const sequences = JSON.parse(readFileSync(join(out, 'models', 'convlstm', 'sequences.json'), 'utf8')) as {
      sequencing: string;
      evaluation: { mode: string }[];
      notPredicted: unknown[];
    };
    expect(sequences.sequencing).toBe('records');
    expect(new Set(sequences.evaluation.map((w) => w.mode))).toEqual(new Set(['forecast', 'hindcast']));
    expect(sequences.notPredicted).toEqual([]);
    for (const r of result.table1!.rows) expect(Number.isFinite(r.deseasonalised!.cc)).toBe(true);
    // Departures from the seasonal-and-trend fit (models.convlstmBaseline), each network from a damped persistence.
    expect(existsSync(join(out, 'models', 'convlstm', 'seasonal-trend.json'))).toBe(true);
    expect(convlstm.selectedOn).toMatch(
      /^forecasts GRACE's departure .*; forecast network( \(starts from 0\.\d{3} × the last departure\))?: training loss .*; hindcast network( \(starts from 0\.\d{3} × the last departure\))?: training loss/,
    );
    const nc = readdirSync(join(out, 'hindcast')).filter((f) => f.endsWith('.nc'));
    expect(nc).toHaveLength(1);
    expect(
      readFileSync(join(out, 'hindcast', nc[0]!))
        .subarray(0, 3)
        .toString(),
    ).toBe('CDF');
    const tifs = readdirSync(join(out, 'hindcast', 'geotiff'));
    expect(tifs).toHaveLength(279); // one per calendar month 1979-01..2002-03
    expect(existsSync(join(out, 'report', 'report.html'))).toBe(true);
  }, 900_000);
});

const real = existsSync(GRACE);
if (!real) console.warn('skipped: ../shared/data/real not found');
(real ? describe : describe.skip)('twin experiment on real GRACE', () => {
  it('pairs 158 records and the emulated LSM lands near the paper EALCO row', async () => {
    const config = resolveConfig({
      profile: 'quick',
      data: { grace: [GRACE], lsm: 'emulate' },
      hindcast: { enabled: false },
    });
    const b = (await dataCommand('baseline', config)) as DataBaselineResult;
    expect(b.testRecords).toBe(40);
    expect(b.twinExperiment).toBe(true);
    expect(b.rmseMm).toBeGreaterThan(105 * 0.85);
    expect(b.rmseMm).toBeLessThan(105 * 1.15);
    expect(Math.abs(b.cc - 0.89)).toBeLessThan(0.03);
  }, 900_000);
});
