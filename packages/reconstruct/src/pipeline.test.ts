import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPipeline, type RunRecord } from './pipeline.js';
import { resolveConfig } from './config.js';
import { isReconstructError } from './errors.js';
import type { PipelineEvent } from './progress.js';
import { fakeEngine } from '../test/fake-engine.js';

const base = mkdtempSync(join(tmpdir(), 'twsa-pipeline-'));
const config = resolveConfig({
  profile: 'smoke',
  models: { names: ['seunet', 'dcae'] },
  hindcast: { start: '2000-01' },
});
// The other tests use a short hindcast to stay fast.
const short = resolveConfig({
  profile: 'smoke',
  models: { names: ['seunet', 'dcae'] },
  hindcast: { start: '2001-10' },
});

describe('runPipeline with a stand-in engine', () => {
  it('runs all five stages into one run folder', async () => {
    const events: PipelineEvent[] = [];
    const out = join(base, 'full');
    const result = await runPipeline(config, { out, engine: fakeEngine(), log: (e) => events.push(e) });
    expect(result.runDir).toBe(out);
    expect(existsSync(`${out}.incomplete`)).toBe(false);
    const record = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunRecord;
    expect(record.status).toBe('complete');
    expect(record.backend).toBe('fake');
    expect(record.seed).toBe(42);
    expect(record.completedStages).toEqual(['prepare', 'train', 'evaluate', 'hindcast', 'report']);
    expect(Object.keys(record.timings).sort()).toEqual(['evaluate', 'hindcast', 'prepare', 'report', 'train']);
    expect(record.versions['@twsa/reconstruct']).toBe('0.1.0');
    expect(record.dataSource.description).toBe('fake test scenario');
    // Table 1: LSM row + 2 models; the fitted linear model beats the damped LSM.
    const t = result.table1!;
    expect(t.rows.map((r) => r.key)).toEqual(['lsm', 'seunet', 'dcae']);
    expect(t.rows[0]!.paper.rmseMm).toBe(105);
    expect(t.rows[1]!.rmseMm).toBeLessThan(t.rows[0]!.rmseMm);
    expect(t.rows[0]!.testMonths).toBe(40);
    // The paper's numbers beside every row; deseasonalised scores, improvement over the LSM and the backend.
    expect(t.rows[1]!.paper).toEqual({ params: 1_964_093, rmseMm: 64, cc: 0.96, improvementPct: 38 });
    expect(t.rows[2]!.paper.rmseMm).toBe(53);
    expect(t.rows[1]!.improvementPct).toBeCloseTo(
      ((t.rows[0]!.rmseMm - t.rows[1]!.rmseMm) / t.rows[0]!.rmseMm) * 100,
      9,
    );
    expect(t.rows[1]!.backend).toBe('fake');
    expect(t.rows[1]!.testMonthsPredicted).toBe(40);
    for (const r of t.rows) {
      expect(Number.isFinite(r.deseasonalised!.rmseMm)).toBe(true);
      expect(r.deseasonalised!.cc).toBeLessThanOrEqual(1);
    }
    const json = JSON.parse(readFileSync(join(out, 'evaluation', 'table1.json'), 'utf8')) as typeof t;
    expect(json.rows[3 - 1]!.paper.cc).toBe(0.99);
    expect(existsSync(join(out, 'evaluation', 'per-pixel', 'seunet-cc-deseasonalised.json'))).toBe(true);
    for (const f of ['table1.md', 'table1.csv', 'table1.json', 'nationwide_series.csv'])
      expect(existsSync(join(out, 'evaluation', f))).toBe(true);
    // Hindcast: one GeoTIFF per month 2000-01..2002-03 = 27 months.
    expect(readdirSync(join(out, 'hindcast', 'geotiff'))).toHaveLength(27);
    const csv = readFileSync(join(out, 'hindcast', 'nationwide_series.csv'), 'utf8')
      .trim()
      .split('\n');
    expect(csv).toHaveLength(2 + 27);
    expect(csv[2]).toMatch(/^2000-01,2000-01,,,-?\d/);
    // Figures and the self-contained report.
    const figs = readdirSync(join(out, 'report', 'figures')).sort();
    const names = [
      'fig02_trend',
      'fig11_cc',
      'fig11_cc_deseasonalised',
      'fig11_rmse',
      'fig12_nationwide_series',
      'fig13_2003-01',
      'fig14_2003-07',
      'fig15_2014-10',
      'fig16_2015-04',
      'fig17_hindcast_series',
      'fig18_first_hindcast_month',
    ];
    // Every figure as a print PNG and an SVG.
    expect(figs).toEqual(names.flatMap((n) => [`${n}.png`, `${n}.svg`]).sort());
    const html = readFileSync(result.reportPath!, 'utf8');
    expect((html.match(/src="data:image\/png;base64,/g) ?? []).length).toBe(11); // fig02, fig11 ×3, fig12, fig13-16, fig17, fig18
    expect(html).not.toMatch(/src="(?!data:)/);
    expect(html).toContain('id="explorer-data"');
    expect(events.filter((e) => e.type === 'stage-end')).toHaveLength(5);
  });

  it('says "twin experiment" everywhere for an emulated LSM', async () => {
    const out = join(base, 'twin');
    await runPipeline(short, { out, engine: fakeEngine({ twin: true }) });
    expect(readFileSync(join(out, 'evaluation', 'table1.md'), 'utf8')).toMatch(/Twin experiment/);
    expect(readFileSync(join(out, 'evaluation', 'nationwide_series.csv'), 'utf8')).toMatch(/TWIN EXPERIMENT/);
    expect(readFileSync(join(out, 'hindcast', 'nationwide_series.csv'), 'utf8')).toMatch(/TWIN EXPERIMENT/);
    for (const f of ['fig12_nationwide_series.svg', 'fig13_2003-01.svg'])
      expect(readFileSync(join(out, 'report', 'figures', f), 'utf8')).toMatch(/TWIN EXPERIMENT/);
    expect(readFileSync(join(out, 'report', 'report.html'), 'utf8')).toMatch(/class="banner">Twin experiment/);
    expect(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).dataSource.twinExperiment).toBe(true);
  });

  it('refuses an existing output folder unless overwrite', async () => {
    const out = join(base, 'full');
    // The library names its own option; the CLI names --overwrite (test/cli.test.ts).
    await expect(runPipeline(config, { out, engine: fakeEngine() })).rejects.toMatchObject({
      name: 'OutputExistsError',
      message: expect.stringMatching(/already exists: .*pass \{ overwrite: true \} to replace it$/),
    });
    await expect(
      runPipeline(config, { out, overwrite: true, engine: fakeEngine(), stages: ['prepare'] }),
    ).resolves.toBeDefined();
  });

  it('stops on abort, keeps an .incomplete folder, and resumes where it stopped', async () => {
    const out = join(base, 'aborted');
    const controller = new AbortController();
    const first = fakeEngine({
      beforeTrain: (m) => {
        if (m === 'dcae') controller.abort();
      },
    });
    let err: unknown;
    try {
      await runPipeline(short, { out, engine: first, signal: controller.signal });
    } catch (e) {
      err = e;
    }
    expect(isReconstructError(err, 'PipelineAbortedError')).toBe(true);
    expect(existsSync(out)).toBe(false);
    const record = JSON.parse(readFileSync(join(`${out}.incomplete`, 'run.json'), 'utf8')) as RunRecord;
    expect(record.status).toBe('aborted');
    expect(record.completedStages).toEqual(['prepare']);
    expect(record.completedModels).toEqual(['seunet']);
    const second = fakeEngine();
    const result = await runPipeline(short, { resume: out, engine: second });
    expect(second.trained).toEqual(['dcae']);
    expect(result.record.status).toBe('complete');
    expect(existsSync(join(out, 'report', 'report.html'))).toBe(true);
    expect(existsSync(`${out}.incomplete`)).toBe(false);
  });

  it('skips the hindcast (and says why) when the LSM has nothing before GRACE; asked for alone, it fails', async () => {
    const out = join(base, 'no-hindcast-lsm');
    const events: PipelineEvent[] = [];
    const result = await runPipeline(short, {
      out,
      engine: fakeEngine({ noHindcastLsm: true }),
      log: (e) => events.push(e),
    });
    expect(result.record.status).toBe('complete');
    expect(result.record.completedStages).toEqual(['prepare', 'train', 'evaluate', 'report']);
    expect(result.record.skipped?.hindcast).toMatch(/no LSM before GRACE/);
    expect(existsSync(join(out, 'hindcast'))).toBe(false);
    expect(events).toContainEqual({
      type: 'info',
      message: expect.stringMatching(/^warning: .*no LSM before GRACE.*the hindcast stage will be skipped$/),
    });
    expect(events).toContainEqual({
      type: 'stage-skip',
      stage: 'hindcast',
      reason: expect.stringMatching(/no LSM before GRACE/),
    });
    expect(readFileSync(join(out, 'report', 'report.html'), 'utf8')).toMatch(
      /Not run: the data source .* has no LSM before GRACE/,
    );
    await expect(
      runPipeline(short, { resume: out, engine: fakeEngine({ noHindcastLsm: true }), stages: ['hindcast'] }),
    ).rejects.toMatchObject({ name: 'InputError', message: expect.stringMatching(/^hindcast: .*no LSM before GRACE/) });
  });

  it('runs a stage alone on an existing run and refuses one whose inputs are missing', async () => {
    const out = join(base, 'stages');
    await runPipeline(config, { out, engine: fakeEngine(), stages: ['prepare'] });
    expect(existsSync(join(out, 'prepared', 'prepared.json'))).toBe(true);
    await expect(
      runPipeline(config, { resume: out, engine: fakeEngine(), stages: ['evaluate'] }),
    ).rejects.toMatchObject({ name: 'StageOrderError' });
    await runPipeline(config, { resume: out, engine: fakeEngine(), stages: ['train'] });
    const r = await runPipeline(config, { resume: out, engine: fakeEngine(), stages: ['evaluate'] });
    expect(r.table1!.rows).toHaveLength(3);
  });
});
