import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createGrid, writeGeoTiff } from '@twsa/grid';
import { resolveConfig } from './config.js';
import { dataCommand, type DataPairsResult } from './data-commands.js';

const REAL = resolve(import.meta.dirname, '../../../../shared/data/real');
const GRACE = join(REAL, 'grace_jpl_rl06v03_land/jpl_rl06v03_lnd_northamerica_1deg_200204-201912.nc');
const GLDAS = join(REAL, 'gldas_vic_partial_sample');
const haveReal = existsSync(GRACE) && existsSync(GLDAS);
if (!haveReal) console.warn('skipped: ../shared/data/real not found');

(haveReal ? describe : describe.skip)('real GRACE + a user LSM (--lsm <files|dir>)', () => {
  it('GLDAS 2002-04..12: pairs the 7 GRACE records it covers, not a twin experiment, with notes on clip, baseline and split', async () => {
    const config = resolveConfig({ data: { grace: [GRACE], lsm: [GLDAS] } });
    expect(config.data.lsmClip).toBe('canada');
    const r = (await dataCommand('pairs', config)) as DataPairsResult;
    expect(r.twinExperiment).toBe(false);
    expect(r.source).toMatch(
      /real GRACE .* \+ user LSM \(files .*GLDAS_VIC10_M\.A200204_200212\.nc4; Canint \+ SWE summed; clipped to Canada at its own resolution\)/,
    );
    expect([r.records, r.first, r.last]).toEqual([7, '2002-04', '2002-12']);
    expect(r.missingMonths).toEqual(['2002-06', '2002-07']);
    expect(r.splits).toEqual({ test: 2, train: 5 });
    expect(r.notes).toHaveLength(3);
    expect(r.notes![0]).toMatch(
      /^LSM clip \(data\.lsmClip "canada"\): Canada .* source cells have their centre inside/,
    );
  });

  it('data.lsmClip "none" switches the clip off and says so in the source and notes', async () => {
    const config = resolveConfig({ data: { grace: [GRACE], lsm: [GLDAS], lsmClip: 'none' } });
    const r = (await dataCommand('pairs', config)) as DataPairsResult;
    expect(r.source).toMatch(/; not clipped to Canada\)$/);
    expect(r.notes![0]).toMatch(/^LSM clip \(data\.lsmClip "none"\): none/);
    expect(() => resolveConfig({ data: { lsmClip: 'usa' } })).toThrow(
      /data\.lsmClip: expected one of "canada", "none", got "usa"/,
    );
  });

  it('an LSM with no overlap with the GRACE period: one InputError naming the periods', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'twsa-user-lsm-'));
    try {
      for (const m of ['01', '02', '03']) {
        await writeGeoTiff(
          join(dir, `lsm_1990${m}.tif`),
          createGrid(new Float32Array([1, 2, 3, 4]), {
            shape: [2, 2],
            bounds: [-100, 50, -98, 52],
            crs: 'EPSG:4326',
            units: 'mm',
          }),
        );
      }
      const config = resolveConfig({ data: { grace: [GRACE], lsm: [dir] }, hindcast: { enabled: false } });
      await expect(dataCommand('pairs', config)).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringMatching(/no LSM data|has no overlap with the GRACE records/),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
