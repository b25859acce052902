import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNetcdf, readGeoTiff } from '@twsa/grid';
import { resolveConfig } from './config.js';
import { runPipeline } from './pipeline.js';
import { predictIntoRun, predictPeriod } from './predict.js';
import { monthRanges, readPredictScores } from './predict-report.js';
import { fakeEngine } from '../test/fake-engine.js';

const base = mkdtempSync(join(tmpdir(), 'twsa-predict-'));
const config = resolveConfig({
  profile: 'smoke',
  models: { names: ['seunet', 'dcae'] },
  hindcast: { start: '2001-10' },
});
let run: string;

beforeAll(async () => {
  run = join(base, 'run');
  await runPipeline(config, { out: run, engine: fakeEngine() });
}, 120_000);

describe('twsa predict (predictIntoRun) with a stand-in engine', () => {
  it('fills the GRACE/GRACE-FO gap and scores the unseen GRACE-FO records as an independent test', async () => {
    const result = await predictIntoRun(run, { from: '2017-07', to: '2019-12', engine: fakeEngine() });
    const s = result.scores;
    // Default model: the better of the two by test RMSE in Table 1.
    const table = JSON.parse(readFileSync(join(run, 'evaluation', 'table1.json'), 'utf8')) as {
      rows: { key: string; rmseMm: number }[];
    };
    const best = table.rows.filter((r) => r.key !== 'lsm').sort((a, b) => a.rmseMm - b.rmseMm)[0]!.key;
    expect(s.model).toBe(best);
    expect(monthRanges(s.gapFilledMonths)).toBe('2017-07..2018-05, 2018-08..2018-09');
    expect(s.testRecords[0]).toBe('2018-06');
    expect(s.testRecords).toHaveLength(17);
    expect(new Set(s.testMissions)).toEqual(new Set(['GRACE-FO']));
    expect(s.trainingPeriod).toBe('2002-04..2016-12');
    expect(s.warning).toMatch(/^Smoke run: scores mean nothing/); // the stand-in run uses the smoke profile
    // The fitted linear model beats its damped LSM input on the unseen months.
    expect(s.test!.rmseMm).toBeLessThan(s.lsmBaseline!.rmseMm);
    expect(s.test!.cc).toBeGreaterThan(0.9);
    expect(result.dir).toBe(join(run, 'predict', `${best}_2017-07_2019-12`));
    // Files: NetCDF with the prediction, GRACE and skill maps; one GeoTIFF per frame; the series; the report.
    const nc = join(result.dir, `twsa_predict_${best}_2017-07_2019-12.nc`);
    const twsa = await readNetcdf(nc, { variable: 'twsa' });
    expect(twsa.shape[0]).toBe(30);
    expect(twsa.attributes?.time_axis).toBe('mixed');
    const rmse = await readNetcdf(nc, { variable: 'rmse_independent_test' });
    expect(Array.from(rmse.data).some(Number.isFinite)).toBe(true);
    expect(readdirSync(join(result.dir, 'geotiff'))).toHaveLength(30);
    expect((await readGeoTiff(join(result.dir, 'skill', `${best}_cc.tif`))).crs).toBe('EPSG:3978');
    const csv = readFileSync(join(result.dir, 'nationwide_series.csv'), 'utf8').trim().split('\n');
    expect(csv.find((l) => l.startsWith('2017-07,'))).toMatch(/,calendar-month,.*,gap-fill,$/);
    expect(csv.find((l) => l.startsWith('2018-06,'))).toMatch(/,independent-test,GRACE-FO$/);
    const html = readFileSync(result.reportPath!, 'utf8');
    expect(html).toContain('Predicted period 2017-07..2019-12');
    expect(html).toMatch(/Independent test on 17 GRACE-FO record/);
    expect(html).toContain('shaded: months filled where GRACE has no solution');
    expect(s.series!.months).toHaveLength(30);
    expect(readPredictScores(run).map((p) => p.name)).toEqual([`${best}_2017-07_2019-12`]);
  }, 60_000);

  it('predicts a pre-GRACE period from the prepared LSM (nothing to score) with a chosen model', async () => {
    const p = await predictPeriod(run, { from: '1990-01', to: '1990-12', model: 'dcae', engine: fakeEngine() });
    expect(p.model).toBe('dcae');
    expect(p.lsm.shape[0]).toBe(12);
    expect(new Set(p.roles)).toEqual(new Set(['before-grace']));
    expect(p.lsmNote).toMatch(/prepared LSM/);
  });

  it('refuses bad months, the ConvLSTM and untrained models with an InputError', async () => {
    const engine = fakeEngine();
    await expect(predictPeriod(run, { from: '2017-13', to: '2019-12', engine })).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringMatching(/--from expects a month YYYY-MM/),
    });
    await expect(predictPeriod(run, { from: '2019-01', to: '2018-01', engine })).rejects.toMatchObject({
      message: expect.stringMatching(/--to \(2018-01\) is before --from/),
    });
    await expect(
      predictPeriod(run, { from: '2018-01', to: '2018-03', model: 'convlstm', engine }),
    ).rejects.toMatchObject({ message: expect.stringMatching(/ConvLSTM forecasts GRACE from GRACE/) });
    await expect(
      predictPeriod(run, { from: '2018-01', to: '2018-03', model: 'pix2pix', engine }),
    ).rejects.toMatchObject({ message: expect.stringMatching(/did not train pix2pix/) });
    expect(existsSync(join(run, 'predict', 'pix2pix_2018-01_2018-03'))).toBe(false);
  });
});
