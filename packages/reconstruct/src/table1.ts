/**
 * Table 1 of Yu et al. (2021): parameters, test RMSE and test CC of the LSM baseline and the four models,
 * ours beside the paper's published values, as Markdown, CSV and JSON.
 */

/**
 * The paper's published Table 1 values that this project states with confidence: the parameter count of
 * each model and the LSM (EALCO) row as the paper reports it. The models' published test RMSE and CC are
 * deliberately left out (not verified here), so their "paper" cells stay empty rather than guessed.
 */
export const PAPER_TABLE1: Readonly<
  Record<string, { readonly params?: number; readonly rmseMm?: number; readonly cc?: number }>
> = Object.freeze({
  lsm: Object.freeze({ rmseMm: 105, cc: 0.89 }),
  convlstm: Object.freeze({ params: 1_858_049 }),
  pix2pix: Object.freeze({ params: 34_544_514 }),
  seunet: Object.freeze({ params: 1_964_093 }),
  dcae: Object.freeze({ params: 76_125_313 }),
});

/** Display names of Table 1's rows. */
export const ROW_LABELS: Readonly<Record<string, string>> = Object.freeze({
  lsm: 'LSM baseline',
  seunet: 'SEUNet',
  pix2pix: 'Pix2Pix',
  dcae: 'DCAE',
  convlstm: 'ConvLSTM',
});

/** One row of Table 1. */
export interface Table1Row {
  /** Row key: `"lsm"` or a model name. */
  readonly key: string;
  readonly label: string;
  /** Trainable + non-trainable parameters of the model as built in this run (`null` for the LSM row). */
  readonly params: number | null;
  /** Model preset used in this run (`null` for the LSM row). */
  readonly preset: string | null;
  /** Nationwide test RMSE in mm, per the documented definition in {@link Table1.definition}. */
  readonly rmseMm: number;
  /** Nationwide test Pearson CC, per the same definition. */
  readonly cc: number;
  /** RMSE (mm) of the area-weighted domain-mean monthly series over the test months. */
  readonly seriesRmseMm: number;
  /** CC of the domain-mean monthly series over the test months. */
  readonly seriesCc: number;
  /** Number of test months scored. */
  readonly testMonths: number;
  /** The paper's published values for this row, when known (see {@link PAPER_TABLE1}). */
  readonly paper: { readonly params?: number; readonly rmseMm?: number; readonly cc?: number };
}

/** Table 1 of one run. */
export interface Table1 {
  readonly rows: readonly Table1Row[];
  /** How "nationwide" RMSE and CC are computed (from `@twsa/metrics`). */
  readonly definition: string;
  /** Where the data came from; for the emulator it says "twin experiment". */
  readonly dataSource: string;
  /** True when the LSM was emulated from GRACE (the scores are a twin experiment, not an LSM evaluation). */
  readonly twinExperiment: boolean;
  /** Set to {@link SMOKE_WARNING} for a smoke-profile run, whose scores mean nothing. */
  readonly warning?: string;
  /** The tfjs backend the models were trained on, with the TensorFlow version on the native engine. */
  readonly backend?: string;
}

/** What every smoke-profile result says: the terminal summary, Table 1 (md, json) and the report. */
export const SMOKE_WARNING =
  'Smoke run: scores mean nothing. The smoke profile trains each model for a few steps only, to check that the pipeline runs end to end; its RMSE and CC are not a measure of skill (use --profile quick or paper).';

const fmt = (v: number | null | undefined, digits: number): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '' : v.toFixed(digits);
const fmtInt = (v: number | null | undefined): string =>
  v === null || v === undefined ? '' : v.toLocaleString('en-US');

/**
 * Formats Table 1 as a Markdown table with notes on the definition, the data source and the paper columns.
 * @example
 * ```ts
 * formatTable1Markdown({ rows: [], definition: "d", dataSource: "s", twinExperiment: false }).startsWith("| Model"); // => true
 * ```
 */
export function formatTable1Markdown(table: Table1): string {
  const lines = [
    ...(table.warning ? [`**${table.warning.replace(/^([^.]*\.)/, '$1**')}`, ''] : []),
    '| Model | Params (ours) | Params (paper) | Test RMSE mm (ours) | Test RMSE mm (paper) | Test CC (ours) | Test CC (paper) | Series RMSE mm | Series CC |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of table.rows) {
    lines.push(
      `| ${r.label}${r.preset ? ` (${r.preset})` : ''} | ${fmtInt(r.params)} | ${fmtInt(r.paper.params)} | ${fmt(r.rmseMm, 1)} | ${fmt(r.paper.rmseMm, 0)} | ${fmt(r.cc, 3)} | ${fmt(r.paper.cc, 2)} | ${fmt(r.seriesRmseMm, 1)} | ${fmt(r.seriesCc, 3)} |`,
    );
  }
  lines.push('');
  lines.push(`Data: ${table.dataSource}`);
  if (table.backend !== undefined) lines.push('', `Trained on the tfjs backend: ${table.backend}.`);
  if (table.twinExperiment)
    lines.push(
      '',
      '**Twin experiment**: the LSM input was emulated from GRACE itself; these scores measure how well the models invert the emulator, not how they would do on a real land-surface model.',
    );
  lines.push(
    '',
    `Nationwide RMSE and CC: ${table.definition} "Series" columns: RMSE and CC of the area-weighted Canada-mean monthly series over the test months.`,
  );
  lines.push(
    '',
    "Paper columns: Yu et al. (2021), Table 1. Only the parameter counts and the LSM (EALCO) row are reproduced here; the models' published RMSE/CC are left blank rather than quoted from memory. The paper's LSM is EALCO, which is not public: our LSM row scores whatever LSM this run used.",
  );
  return lines.join('\n') + '\n';
}

/** Formats Table 1 as CSV (one header line, one line per row; empty cells where a value is unknown). */
export function formatTable1Csv(table: Table1): string {
  const header =
    'model,label,preset,params,paper_params,test_rmse_mm,paper_test_rmse_mm,test_cc,paper_test_cc,series_rmse_mm,series_cc,test_months,data_source';
  const q = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = table.rows.map((r) =>
    [
      r.key,
      q(r.label),
      r.preset ?? '',
      r.params ?? '',
      r.paper.params ?? '',
      fmt(r.rmseMm, 3),
      r.paper.rmseMm ?? '',
      fmt(r.cc, 4),
      r.paper.cc ?? '',
      fmt(r.seriesRmseMm, 3),
      fmt(r.seriesCc, 4),
      r.testMonths,
      q(table.dataSource),
    ].join(','),
  );
  return [header, ...lines].join('\n') + '\n';
}
