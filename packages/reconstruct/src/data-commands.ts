/**
 * `twsa data pairs` and `twsa data baseline`: the pairing summary and the LSM baseline's Table-1 scores, from the
 * same prepare step the pipeline uses.
 */
import type { PipelineConfig } from './config.js';
import { defaultEngine, type Engine } from './seam.js';
import { TABLE1_SCORES_DEFINITION, table1Scores } from './scores.js';

/** Result of `twsa data pairs`. */
export interface DataPairsResult {
  readonly source: string;
  readonly twinExperiment: boolean;
  readonly records: number;
  readonly first: string;
  readonly last: string;
  readonly splits: Readonly<Record<string, number>>;
  readonly missingMonths: readonly string[];
  readonly duplicatedMonths: readonly string[];
  /** Notes on choices the prepare step made (a user LSM's clip to Canada, its baseline, a shortened test split), when any. */
  readonly notes?: readonly string[];
}

/** Result of `twsa data baseline`. */
export interface DataBaselineResult {
  readonly source: string;
  readonly twinExperiment: boolean;
  readonly testRecords: number;
  readonly rmseMm: number;
  readonly cc: number;
  readonly seriesRmseMm: number;
  readonly seriesCc: number;
  readonly definition: string;
  readonly paper: { readonly rmseMm: 105; readonly cc: 0.89 };
}

/** Runs `pairs` or `baseline` for a configuration. */
export async function dataCommand(
  command: 'pairs' | 'baseline',
  config: PipelineConfig,
  engine?: Engine,
): Promise<DataPairsResult | DataBaselineResult> {
  const data = await (engine ?? (await defaultEngine())).prepare(config, {});
  if (command === 'pairs') {
    const splits: Record<string, number> = {};
    for (const s of data.splits) splits[s] = (splits[s] ?? 0) + 1;
    const seen = new Map<string, number>();
    for (const r of data.records) seen.set(r.yearMonth, (seen.get(r.yearMonth) ?? 0) + 1);
    const notes = ['lsm_clip_note', 'lsm_baseline_note', 'split_note'].flatMap((k) =>
      data.attributes[k] !== undefined ? [String(data.attributes[k])] : [],
    );
    return {
      source: data.description,
      twinExperiment: data.twinExperiment,
      records: data.records.length,
      first: data.records[0]?.yearMonth ?? '',
      last: data.records[data.records.length - 1]?.yearMonth ?? '',
      splits,
      missingMonths: data.missingMonths,
      duplicatedMonths: [...seen].filter(([, n]) => n > 1).map(([m]) => m),
      ...(notes.length > 0 ? { notes } : {}),
    };
  }
  const test = data.splits.flatMap((s, i) => (s === 'test' ? [i] : []));
  const s = table1Scores(data.lsm.data, data.grace, data.mask, test);
  return {
    source: data.description,
    twinExperiment: data.twinExperiment,
    testRecords: test.length,
    rmseMm: s.rmseMm,
    cc: s.cc,
    seriesRmseMm: s.seriesRmseMm,
    seriesCc: s.seriesCc,
    definition: TABLE1_SCORES_DEFINITION,
    paper: { rmseMm: 105, cc: 0.89 },
  };
}
