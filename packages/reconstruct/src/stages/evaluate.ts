/**
 * The evaluate stage: every trained model predicts the prepared records, Table 1 scores the test records against
 * GRACE (with the LSM itself as the baseline row), and the per-pixel maps, predictions and nationwide series are
 * written into `<run>/evaluation/`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { GridStack } from '@twsa/grid';
import type { PipelineConfig } from '../config.js';
import { InputError, StageOrderError } from '../errors.js';
import { loadPrepared, writeArray } from '../internal/store.js';
import type { PipelineEvent } from '../progress.js';
import { readJson, writeFileAtomic, writeJsonAtomic } from '../run-folder.js';
import { TABLE1_SCORES_DEFINITION, csvNumber as fmt, domainMean } from '../scores.js';
import { framesOf, type Engine, type PreparedData } from '../seam.js';
import { writeEvaluationFiles, type RecordPrediction, type SkillMap } from '../evaluation-files.js';
import type { RunRecord } from '../pipeline.js';
import { TWIN_NOTE } from './hindcast.js';
import { type Table1, type Table1Row, SMOKE_WARNING, formatTable1Csv, formatTable1Markdown } from '../table1.js';
import { createTable1Scorer, type Table1RowInfo } from '../table1-scoring.js';

/** Provenance of the evaluation files: the hindcast's attributes, from the run record. */
function evaluationAttributes(
  work: string,
  config: PipelineConfig,
  data: PreparedData,
): Record<string, string | number> {
  const record = existsSync(join(work, 'run.json'))
    ? readJson<Partial<Pick<RunRecord, 'versions' | 'gitCommit' | 'backend'>>>(join(work, 'run.json'))
    : {};
  return {
    source: data.description,
    model_preset: config.models.preset,
    twin_experiment: data.twinExperiment ? 'yes' : 'no',
    software: `@twsa/reconstruct ${record.versions?.['@twsa/reconstruct'] ?? ''}`.trim(),
    git_commit: record.gitCommit ?? 'unknown',
    seed: config.seed,
    backend: record.backend ?? 'unknown',
    created: new Date().toISOString(),
    crs: data.grace.crs,
    references: 'Yu et al. (2021), Int. J. Appl. Earth Obs. Geoinf. 102, 102404',
    ...(data.twinExperiment ? { warning: TWIN_NOTE } : {}),
  };
}

export async function evaluateStage(
  work: string,
  config: PipelineConfig,
  engine: Engine,
  log: (e: PipelineEvent) => void,
  /** The backend the models were trained on (run.json's), named in Table 1. */
  backend?: string | null,
): Promise<Table1> {
  const data = loadPrepared(work, 'evaluate');
  const test = framesOf(data, 'test');
  if (test.length === 0)
    throw new InputError('evaluate: the prepared data have no test record; check data.testRecords');
  const dir = join(work, 'evaluation');
  const rows: Table1Row[] = [];
  // The same scorer as the ensemble collect (table1-scoring.ts): the LSM row first, the models' gain is against it.
  const scorer = createTable1Scorer(data, dir);
  // Skill maps (cc, rmse, nse, kge, and deseasonalised) and test-record predictions for the GeoTIFF/NetCDF files.
  const maps: SkillMap[] = [];
  const recordPredictions: RecordPrediction[] = [];
  const scoreRow = (key: string, predicted: Float32Array, info: Table1RowInfo): void => {
    rows.push(scorer(key, predicted, info, { skillMaps: maps }));
  };
  scoreRow('lsm', Float32Array.from(data.lsm.data), { params: null, preset: null });
  const means: Record<string, Float64Array> = {
    grace: domainMean(data.grace.data, data.grace, data.mask),
    lsm: domainMean(data.lsm.data, data.grace, data.mask),
  };
  for (const [k, name] of config.models.names.entries()) {
    log({
      type: 'progress',
      stage: 'evaluate',
      label: `predict ${name}`,
      done: k,
      total: config.models.names.length,
      elapsedSeconds: 0,
    });
    const modelDir = join(work, 'models', name);
    if (!existsSync(join(modelDir, 'info.json')))
      throw new StageOrderError('evaluate', `models/${name} (the train stage)`);
    const info = readJson<{ params: number; preset: string; backend?: string | null; selectedOn?: string }>(
      join(modelDir, 'info.json'),
    );
    const model = await engine.load(name, modelDir, config);
    try {
      const predicted = await model.predict(data.lsm, { data });
      writeArray(join(dir, 'predictions'), name, {
        ...data.grace,
        data: predicted,
        attributes: { ...data.attributes, model: name, content: `${name} reconstruction of GRACE-like TWSA (mm)` },
      } as GridStack);
      scoreRow(name, predicted, info);
      recordPredictions.push({ model: name, data: predicted });
      means[name] = domainMean(predicted, data.grace, data.mask);
    } finally {
      model.dispose();
    }
  }
  const table: Table1 = {
    rows,
    definition: TABLE1_SCORES_DEFINITION,
    besidePaper:
      'rmseMm and cc (the mean over land pixels of the per-pixel test scores) sit beside paper.rmseMm and paper.cc; seriesRmseMm and seriesCc score the nationwide-mean series',
    dataSource: data.description,
    twinExperiment: data.twinExperiment,
    ...(config.profile === 'smoke' ? { warning: SMOKE_WARNING } : {}),
    ...(backend !== undefined && backend !== null ? { backend } : {}),
  };
  writeJsonAtomic(join(dir, 'table1.json'), table);
  await writeEvaluationFiles(dir, data, maps, recordPredictions, evaluationAttributes(work, config, data));
  writeFileAtomic(join(dir, 'table1.md'), formatTable1Markdown(table));
  writeFileAtomic(join(dir, 'table1.csv'), formatTable1Csv(table));
  const keys = Object.keys(means);
  const lines = [
    `# nationwide (area-weighted Canada mean) TWSA in mm; source: ${data.description}${data.twinExperiment ? ' [TWIN EXPERIMENT]' : ''}`,
    ['record', 'year_month', 'split', ...keys.map((k) => `${k}_mm`)].join(','),
  ];
  data.records.forEach((r, i) =>
    lines.push([r.id, r.yearMonth, data.splits[i], ...keys.map((k) => fmt(means[k]![i]!))].join(',')),
  );
  writeFileAtomic(join(dir, 'nationwide_series.csv'), lines.join('\n') + '\n');
  return table;
}
