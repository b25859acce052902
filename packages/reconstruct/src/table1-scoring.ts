/**
 * Scoring one prediction into a Table 1 row: the test scores, the deseasonalised scores, the months predicted, the
 * gain over the LSM row, and (optionally) the per-pixel maps. Shared by the evaluate stage and the ensemble collect,
 * so a single run and an ensemble score their predictions the same way.
 */
import { join } from 'node:path';
import type { Grid } from '@twsa/grid';
import { writeArray } from './internal/store.js';
import { DESEASONALISED, skillMaps, type SkillMap } from './evaluation-files.js';
import { deseasonalise, perPixelScores, table1Scores } from './scores.js';
import { framesOf, type PreparedData } from './seam.js';
import { PAPER_TABLE1, ROW_LABELS, type Table1Row } from './table1.js';

/** What a row records of the model besides its scores. */
export interface Table1RowInfo {
  readonly params: number | null;
  readonly preset: string | null;
  readonly backend?: string | null;
  readonly selectedOn?: string;
}

/**
 * Scores `predicted` (all records, mm) on the test records into a row; `writeMaps` (default true) writes its maps,
 * and `skillMaps`, when given, receives its cc/rmse/nse/kge maps (and the deseasonalised ones) for the GIS files.
 */
export type Table1Scorer = (
  key: string,
  predicted: Float32Array,
  info: Table1RowInfo,
  options?: { readonly writeMaps?: boolean; readonly skillMaps?: SkillMap[] },
) => Table1Row;

/**
 * A scorer over the test records of `data`. Score the `lsm` row first: the models' RMSE gain is relative to it.
 * Maps go to `<evaluationDir>/per-pixel/<key>-{cc,rmse}[-deseasonalised]`.
 */
export function createTable1Scorer(data: PreparedData, evaluationDir: string): Table1Scorer {
  const test = framesOf(data, 'test');
  const trainFrames = framesOf(data, 'train');
  const observedDeseasonalised =
    trainFrames.length > 0
      ? { ...data.grace, data: deseasonalise(Float32Array.from(data.grace.data), data.grace, data.mask, trainFrames) }
      : null;
  const size = data.grace.shape[1] * data.grace.shape[2];
  const predictedFrames = (predicted: Float32Array): number =>
    test.filter((t) => {
      for (let i = 0; i < size; i++) if (Number.isFinite(predicted[t * size + i]!)) return true;
      return false;
    }).length;
  const dir = join(evaluationDir, 'per-pixel');
  let lsmRmse: number | undefined;
  return (key, predicted, info, options = {}) => {
    const writeMaps = options.writeMaps ?? true;
    const s = table1Scores(predicted, data.grace, data.mask, test);
    let deseasonalised: Table1Row['deseasonalised'];
    if (observedDeseasonalised) {
      const pd = deseasonalise(predicted, data.grace, data.mask, trainFrames);
      const d = table1Scores(pd, observedDeseasonalised, data.mask, test);
      deseasonalised = { rmseMm: d.rmseMm, cc: d.cc, seriesRmseMm: d.seriesRmseMm, seriesCc: d.seriesCc };
      if (writeMaps || options.skillMaps) {
        const dp = perPixelScores(pd, observedDeseasonalised, data.mask, test);
        options.skillMaps?.push(...skillMaps(key, dp, DESEASONALISED));
        if (writeMaps) {
          writeArray(dir, `${key}-cc-deseasonalised`, { ...data.mask, data: dp.cc, units: '1' } as Grid);
          writeArray(dir, `${key}-rmse-deseasonalised`, { ...data.mask, data: dp.rmseMm, units: 'mm' } as Grid);
        }
      }
    }
    const row: Table1Row = {
      key,
      label: ROW_LABELS[key] ?? key,
      params: info.params,
      preset: info.preset,
      backend: info.backend ?? null,
      rmseMm: s.rmseMm,
      cc: s.cc,
      seriesRmseMm: s.seriesRmseMm,
      seriesCc: s.seriesCc,
      testMonths: s.frames,
      testMonthsPredicted: predictedFrames(predicted),
      improvementPct: key === 'lsm' || lsmRmse === undefined ? null : ((lsmRmse - s.rmseMm) / lsmRmse) * 100,
      ...(deseasonalised ? { deseasonalised } : {}),
      ...(info.selectedOn ? { selectedOn: info.selectedOn } : {}),
      paper: PAPER_TABLE1[key] ?? {},
    };
    if (key === 'lsm') lsmRmse = s.rmseMm;
    if (writeMaps || options.skillMaps) {
      const pp = perPixelScores(predicted, data.grace, data.mask, test);
      options.skillMaps?.push(...skillMaps(key, pp));
      if (writeMaps) {
        writeArray(dir, `${key}-cc`, { ...data.mask, data: pp.cc, units: '1' } as Grid);
        writeArray(dir, `${key}-rmse`, { ...data.mask, data: pp.rmseMm, units: 'mm' } as Grid);
      }
    }
    return row;
  };
}
