// basinSeries --run on a run folder made with the stand-in engine: the long CSV (GRACE, LSM, each model), the
// per-basin scores CSV, and the smoke-run warning in Table 1; the GRACE rows are recomputed here by hand.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { basinWeights, mergeCalendarMonths, readBasins } from '@twsa/grid';
import { pearson } from '@twsa/metrics';
import { basinSeries } from './basin-series.js';
import { resolveConfig } from './config.js';
import { readPrepared } from './internal/store.js';
import { runPipeline } from './pipeline.js';
import type { PipelineEvent } from './progress.js';
import { fakeEngine } from '../test/fake-engine.js';

const base = mkdtempSync(join(tmpdir(), 'twsa-basin-run-'));
const basins = resolve(import.meta.dirname, '..', '..', 'grid', 'test', 'fixtures', 'basins', 'basins.geojson');
const config = resolveConfig({ profile: 'smoke', models: { names: ['seunet', 'dcae'] }, hindcast: { enabled: false } });

describe('basinSeries on a run folder', () => {
  const run = join(base, 'run');
  beforeAll(async () => {
    await runPipeline(config, { out: run, engine: fakeEngine(), stages: ['prepare', 'train', 'evaluate'] });
  });

  it('says in Table 1 (md and json) that a smoke run scores mean nothing', () => {
    expect(readFileSync(join(run, 'evaluation', 'table1.md'), 'utf8')).toMatch(
      /^\*\*Smoke run: scores mean nothing\.\*\*/,
    );
    expect(JSON.parse(readFileSync(join(run, 'evaluation', 'table1.json'), 'utf8')).warning).toMatch(/^Smoke run/);
  });

  it('writes every series per basin and month, and CC/RMSE per basin against GRACE', async () => {
    const events: PipelineEvent[] = [];
    const out = join(base, 'series.csv');
    const r = await basinSeries({ run, basins, nameField: 'NAME', out, log: (e) => events.push(e) });
    expect(r.sources).toEqual(['grace', 'lsm', 'seunet', 'dcae']);
    expect(r.scoresOut).toBe(join(base, 'series-scores.csv'));
    const warnings = events.filter((e) => e.type === 'warning').map((e) => (e as { message: string }).message);
    expect(warnings.some((m) => /^basin 'Gamma': \d+\.\d % of its area lies outside the run grid/.test(m))).toBe(true);

    const rows = readFileSync(out, 'utf8').trim().split('\n');
    expect(rows[0]).toBe('basin,month,source,split,twsa_mm,coverage');
    expect(rows.length - 1).toBe(3 * 4 * r.months);

    // GRACE rows by hand: calendar months of the prepared stack, fraction × area weights.
    const data = readPrepared(join(run, 'prepared'));
    const monthly = mergeCalendarMonths(data.grace).stack;
    const alpha = (await readBasins(basins, { nameField: 'NAME' })).basins[0]!;
    const w = basinWeights(alpha.geometry, monthly, { subsamples: 20 }).weights;
    const size = w.length;
    const byHand = monthly.labels!.map((_, t) => {
      let sw = 0,
        swx = 0;
      for (let i = 0; i < size; i++) {
        const x = monthly.data[t * size + i]!;
        if (w[i]! > 0 && Number.isFinite(x)) {
          sw += w[i]!;
          swx += w[i]! * x;
        }
      }
      return swx / sw;
    });
    const graceAlpha = rows.filter((l) => l.startsWith('Alpha,') && l.split(',')[2] === 'grace');
    expect(graceAlpha.map((l) => l.split(',')[1])).toEqual(monthly.labels);
    graceAlpha.forEach((l, t) => expect(Number(l.split(',')[4])).toBeCloseTo(byHand[t]!, 2));

    const scores = readFileSync(r.scoresOut!, 'utf8').trim().split('\n');
    expect(scores[0]).toBe('basin,source,split,months,cc,rmse_mm');
    expect(scores.length - 1).toBe(3 * 3 * 2); // basins × (lsm + 2 models) × (test, all)
    const series = (src: string) =>
      rows.filter((l) => l.startsWith('Alpha,') && l.split(',')[2] === src).map((l) => Number(l.split(',')[4]));
    const ccAll = pearson(series('lsm'), series('grace')).value;
    const line = scores.find((l) => l.startsWith('Alpha,lsm,all,'))!.split(',');
    expect(Number(line[3])).toBe(r.months);
    expect(Number(line[4])).toBeCloseTo(ccAll, 2);
  });

  it('refuses to overwrite the CSVs unless asked', async () => {
    const out = join(base, 'twice.csv');
    await basinSeries({ run, basins, out });
    await expect(basinSeries({ run, basins, out })).rejects.toMatchObject({ name: 'OutputExistsError' });
    await basinSeries({ run, basins, out, overwrite: true });
  });
});
