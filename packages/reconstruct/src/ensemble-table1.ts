/**
 * Table 1 of a seed ensemble: per model the mean ± sd over seeds of every score, each member's scores, and the
 * scores of the ensemble-mean prediction; plus the ensemble mean and spread of predictions. Pure functions on
 * Table 1 rows, so they follow whatever scores a row carries.
 */
import { InputError } from './errors.js';
import { type Table1, type Table1Row } from './table1.js';

/** A nested record of numbers, as scores are (`{ rmseMm, cc, deseasonalised: { rmseMm, cc } }`). */
export interface ScoreTree {
  readonly [key: string]: number | null | ScoreTree;
}

/** What an ensemble adds to a model row of Table 1. */
export interface EnsembleStats {
  /** The seeds, in order. */
  readonly seeds: readonly number[];
  /** Sample standard deviation (n − 1) over seeds of every score of the row; null with one seed. */
  readonly sd: ScoreTree;
  /** Each member's scores, in seed order. */
  readonly members: readonly ({ readonly seed: number } & ScoreTree)[];
  /** The scores of the ensemble-mean prediction (the mean over seeds of the predicted TWSA, then scored). */
  readonly ensembleMean: ScoreTree;
}

/** A Table 1 row of an ensemble: the score fields hold the mean over seeds; `ensemble` the rest. */
export interface EnsembleTable1Row extends Table1Row {
  readonly ensemble?: EnsembleStats;
}

/** Table 1 of an ensemble. */
export interface EnsembleTable1 extends Table1 {
  readonly rows: readonly EnsembleTable1Row[];
  /** Seeds of the ensemble. */
  readonly seeds: readonly number[];
}

/** Row fields that are not scores: identical across members, taken from the first. */
export const NON_SCORE_FIELDS: ReadonlySet<string> = new Set([
  'key',
  'label',
  'params',
  'preset',
  'testMonths',
  'testMonthsPredicted',
  'paper',
  'backend',
  'ensemble',
]);

function isTree(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The score fields of a row (numbers and nested records of numbers), without {@link NON_SCORE_FIELDS}. */
export function scoresOf(row: object): ScoreTree {
  const walk = (o: Record<string, unknown>, top: boolean): ScoreTree => {
    const out: Record<string, number | null | ScoreTree> = {};
    for (const [k, v] of Object.entries(o)) {
      if (top && NON_SCORE_FIELDS.has(k)) continue;
      if (typeof v === 'number' || v === null) out[k] = v;
      else if (isTree(v)) out[k] = walk(v, false);
    }
    return out;
  };
  return walk(row as Record<string, unknown>, true);
}

/**
 * Mean and sample sd (n − 1) over trees of the same shape, field by field; a field that is not finite in some
 * member gives null (it cannot be averaged). sd is null with one tree.
 * @throws {@link InputError} when `trees` is empty.
 */
export function meanAndSd(trees: readonly ScoreTree[]): { mean: ScoreTree; sd: ScoreTree } {
  if (trees.length === 0) throw new InputError('meanAndSd: no member scores');
  const walk = (nodes: readonly ScoreTree[]): { mean: ScoreTree; sd: ScoreTree } => {
    const mean: Record<string, number | null | ScoreTree> = {};
    const sd: Record<string, number | null | ScoreTree> = {};
    for (const [k, first] of Object.entries(nodes[0]!)) {
      if (isTree(first)) {
        const sub = walk(nodes.map((n) => (isTree(n[k]) ? (n[k] as ScoreTree) : {})));
        mean[k] = sub.mean;
        sd[k] = sub.sd;
        continue;
      }
      const values = nodes.map((n) => n[k]);
      if (!values.every((v): v is number => typeof v === 'number' && Number.isFinite(v))) {
        mean[k] = null;
        sd[k] = null;
        continue;
      }
      let s = 0;
      for (const v of values) s += v;
      const m = s / values.length;
      mean[k] = m;
      if (values.length < 2) sd[k] = null;
      else {
        let q = 0;
        for (const v of values) q += (v - m) * (v - m);
        sd[k] = Math.sqrt(q / (values.length - 1));
      }
    }
    return { mean, sd };
  };
  return walk(trees);
}

/**
 * One model's ensemble row: the score fields are the mean over members, `ensemble` carries the sd, the members'
 * scores and the ensemble-mean prediction's scores.
 * @param members - the model's rows, one per seed, as the single-run evaluation scores them.
 * @param ensembleMeanRow - the row of the ensemble-mean prediction, scored the same way.
 * @throws {@link InputError} when `members` is empty or the rows are of different models.
 */
export function ensembleRow(
  members: readonly { readonly seed: number; readonly row: Table1Row }[],
  ensembleMeanRow: Table1Row,
): EnsembleTable1Row {
  if (members.length === 0) throw new InputError(`ensembleRow: no member of ${ensembleMeanRow.key}`);
  const other = members.find((m) => m.row.key !== ensembleMeanRow.key);
  if (other) throw new InputError(`ensembleRow: a ${other.row.key} member in the ${ensembleMeanRow.key} row`);
  const sorted = [...members].sort((a, b) => a.seed - b.seed);
  const trees = sorted.map((m) => scoresOf(m.row));
  const { mean, sd } = meanAndSd(trees);
  return {
    ...ensembleMeanRow,
    ...(mean as object),
    ensemble: {
      seeds: sorted.map((m) => m.seed),
      sd,
      members: sorted.map((m, i) => ({ seed: m.seed, ...trees[i]! })),
      ensembleMean: scoresOf(ensembleMeanRow),
    },
  } as EnsembleTable1Row;
}

/**
 * The ensemble mean and sample spread (sd, n − 1) of predictions, element by element, summed in the order given
 * (so the same members give the same bits). NaN where any member is NaN (outside land); spread NaN with one member.
 * @throws {@link InputError} when there is no prediction or their lengths differ.
 */
export function ensembleMeanAndSpread(predictions: readonly Float32Array[]): {
  mean: Float32Array;
  spread: Float32Array;
} {
  if (predictions.length === 0) throw new InputError('ensembleMeanAndSpread: no prediction');
  const n = predictions[0]!.length;
  if (predictions.some((p) => p.length !== n))
    throw new InputError(
      `ensembleMeanAndSpread: predictions of different lengths (${predictions.map((p) => p.length).join(', ')})`,
    );
  const mean = new Float32Array(n);
  const spread = new Float32Array(n);
  const k = predictions.length;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (const p of predictions) s += p[i]!;
    const m = s / k;
    mean[i] = m;
    if (k < 2 || !Number.isFinite(m)) spread[i] = Number.NaN;
    else {
      let q = 0;
      for (const p of predictions) q += (p[i]! - m) * (p[i]! - m);
      spread[i] = Math.sqrt(q / (k - 1));
    }
  }
  return { mean, spread };
}

/** A number at a dotted path of a score tree (`"deseasonalised.cc"`), or null. */
function num(t: ScoreTree | object | undefined, path: string): number | null {
  let v: unknown = t;
  for (const k of path.split('.')) v = isTree(v) ? v[k] : undefined;
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
const f = (v: number | null | undefined, d: number): string => (v === null || v === undefined ? '' : v.toFixed(d));
const pm = (m: number | null, s: number | null, d: number): string =>
  m === null ? '' : s === null ? f(m, d) : `${f(m, d)} ± ${f(s, d)}`;
/** mean ± sd of one score of a row. */
const cell = (r: EnsembleTable1Row, path: string, d: number): string => pm(num(r, path), num(r.ensemble?.sd, path), d);

/**
 * Table 1 of an ensemble as Markdown: per model the mean ± sd over seeds of the per-pixel, series and
 * deseasonalised scores and of the RMSE gain over the LSM, the ensemble-mean prediction's scores, and the paper's
 * values beside them.
 */
export function formatEnsembleTable1Markdown(table: EnsembleTable1): string {
  const lines = [
    `Ensemble of ${table.seeds.length} seed${table.seeds.length === 1 ? '' : 's'} (${table.seeds.join(', ')}): mean ± sd over seeds (sample sd), and the scores of the ensemble-mean prediction.`,
    '',
    '| Model | Backend | Params | RMSE mm (mean ± sd) | RMSE mm (paper) | CC (mean ± sd) | CC (paper) | RMSE gain % (mean ± sd) | RMSE gain % (paper) | Ens.-mean RMSE mm | Ens.-mean CC | Series RMSE mm | Series CC | Deseas. RMSE mm | Deseas. CC | Test months |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of table.rows) {
    const e = r.ensemble;
    const months =
      r.testMonthsPredicted !== undefined && r.testMonthsPredicted !== r.testMonths
        ? `${r.testMonthsPredicted}/${r.testMonths}`
        : `${r.testMonths}`;
    lines.push(
      `| ${r.label}${r.preset ? ` (${r.preset})` : ''} | ${r.backend ?? ''} | ${r.params === null ? '' : r.params.toLocaleString('en-US')} | ${cell(r, 'rmseMm', 1)} | ${f(r.paper.rmseMm, 0)} | ${cell(r, 'cc', 3)} | ${f(r.paper.cc, 2)} | ${cell(r, 'improvementPct', 0)} | ${f(r.paper.improvementPct, 0)} | ${e ? f(num(e.ensembleMean, 'rmseMm'), 1) : ''} | ${e ? f(num(e.ensembleMean, 'cc'), 3) : ''} | ${cell(r, 'seriesRmseMm', 1)} | ${cell(r, 'seriesCc', 3)} | ${cell(r, 'deseasonalised.rmseMm', 1)} | ${cell(r, 'deseasonalised.cc', 3)} | ${months} |`,
    );
  }
  lines.push('', `Data: ${table.dataSource}`);
  if (table.twinExperiment)
    lines.push(
      '',
      '**Twin experiment**: the LSM input was emulated from GRACE itself; these scores measure how well the models invert the emulator.',
    );
  lines.push(
    '',
    `RMSE and CC: the mean over land pixels of the per-pixel test scores (beside the paper's column); "Series": scores of the area-weighted Canada-mean series; "Deseas.": after removing each pixel's mean annual cycle fitted on the training records; RMSE gain: (LSM − model) / LSM in %. Each is computed per member, then averaged over seeds; "Ens.-mean" scores the mean of the members' predictions. In full: ${table.definition}`,
  );
  return lines.join('\n') + '\n';
}

const CSV_SCORES: readonly [string, string, number][] = [
  ['rmseMm', 'test_rmse_mm', 3],
  ['cc', 'test_cc', 4],
  ['improvementPct', 'rmse_gain_pct', 2],
  ['seriesRmseMm', 'series_rmse_mm', 3],
  ['seriesCc', 'series_cc', 4],
  ['deseasonalised.rmseMm', 'deseasonalised_rmse_mm', 3],
  ['deseasonalised.cc', 'deseasonalised_cc', 4],
  ['deseasonalised.seriesCc', 'deseasonalised_series_cc', 4],
];

/**
 * Table 1 of an ensemble as CSV: per model a `mean` line (mean, sd, and the ensemble-mean scores), then one line per
 * member (its seed and its scores).
 */
export function formatEnsembleTable1Csv(table: EnsembleTable1): string {
  const header = [
    'model',
    'seed',
    'params',
    ...CSV_SCORES.flatMap(([, name]) => [name, `${name}_sd`]),
    ...CSV_SCORES.map(([, name]) => `ensmean_${name}`),
    'test_months',
  ].join(',');
  const lines = [header];
  for (const r of table.rows) {
    const e = r.ensemble;
    lines.push(
      [
        r.key,
        e ? 'mean' : '',
        r.params ?? '',
        ...CSV_SCORES.flatMap(([path, , d]) => [f(num(r, path), d), f(num(e?.sd, path), d)]),
        ...CSV_SCORES.map(([path, , d]) => (e ? f(num(e.ensembleMean, path), d) : '')),
        r.testMonths,
      ].join(','),
    );
    for (const m of e?.members ?? [])
      lines.push(
        [
          r.key,
          m.seed,
          r.params ?? '',
          ...CSV_SCORES.flatMap(([path, , d]) => [f(num(m, path), d), '']),
          ...CSV_SCORES.map(() => ''),
          r.testMonths,
        ].join(','),
      );
  }
  return lines.join('\n') + '\n';
}
