/**
 * Table 1 of Yu et al. (2021): parameters, test RMSE and test CC of the LSM baseline and the four models,
 * ours beside the paper's published values, as Markdown, CSV and JSON.
 */

/**
 * The paper's published Table 1 (Yu et al. 2021, test set of 40 months): parameters, test RMSE (mm) and test CC
 * of every row, and each model's improvement over the baseline RMSE in % as the paper states it in its text
 * (ConvLSTM ≈ 15 %, Pix2Pix 36 %, SEUNet 38 %, DCAE 49 %). The paper's baseline is EALCO, which is not public.
 * The paper does not say whether its nationwide mean is the mean of per-pixel scores or the score of the
 * nationwide-mean series; Fig. 11 maps "pixelwise mean CC and mean RMSE", so the per-pixel mean sits beside it.
 */
export const PAPER_TABLE1: Readonly<
  Record<
    string,
    { readonly params?: number; readonly rmseMm?: number; readonly cc?: number; readonly improvementPct?: number }
  >
> = Object.freeze({
  lsm: Object.freeze({ rmseMm: 105, cc: 0.89 }),
  convlstm: Object.freeze({ params: 1_858_049, rmseMm: 89, cc: 0.93, improvementPct: 15 }),
  pix2pix: Object.freeze({ params: 34_544_514, rmseMm: 67, cc: 0.96, improvementPct: 36 }),
  seunet: Object.freeze({ params: 1_964_093, rmseMm: 64, cc: 0.96, improvementPct: 38 }),
  dcae: Object.freeze({ params: 76_125_313, rmseMm: 53, cc: 0.99, improvementPct: 49 }),
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
  /** Test months with a prediction (a ConvLSTM may leave some out; the LSM row has every one). */
  readonly testMonthsPredicted?: number;
  /** Improvement of the per-pixel RMSE over this run's LSM row, in % (`(lsm − model) / lsm · 100`); null for the LSM row. */
  readonly improvementPct?: number | null;
  /**
   * The same scores after removing each pixel's mean annual cycle, fitted on the training records only, from the
   * prediction and from GRACE alike (each its own cycle): the skill beyond the seasonal cycle.
   */
  readonly deseasonalised?: {
    readonly rmseMm: number;
    readonly cc: number;
    readonly seriesRmseMm: number;
    readonly seriesCc: number;
  };
  /** tfjs backend that trained the model (`null` for the LSM row or when unknown). */
  readonly backend?: string | null;
  /** Which months early stopping / best-epoch selection looked at (never test months). */
  readonly selectedOn?: string;
  /** The paper's published values for this row, when known (see {@link PAPER_TABLE1}). */
  readonly paper: {
    readonly params?: number;
    readonly rmseMm?: number;
    readonly cc?: number;
    readonly improvementPct?: number;
  };
}

/** Table 1 of one run. */
export interface Table1 {
  readonly rows: readonly Table1Row[];
  /** How "nationwide" RMSE and CC are computed (from `@twsa/metrics`). */
  readonly definition: string;
  /** Which of our two definitions sits beside the paper's column: `rmseMm`/`cc` are the mean of per-pixel scores. */
  readonly besidePaper?: string;
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
    '| Model | Backend | Params (ours) | Params (paper) | RMSE mm (ours) | RMSE mm (paper) | CC (ours) | CC (paper) | RMSE gain % (ours) | RMSE gain % (paper) | Series RMSE mm | Series CC | Deseas. RMSE mm | Deseas. CC | Deseas. series CC | Test months |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of table.rows) {
    const d = r.deseasonalised;
    const months =
      r.testMonthsPredicted !== undefined && r.testMonthsPredicted !== r.testMonths
        ? `${r.testMonthsPredicted}/${r.testMonths}`
        : `${r.testMonths}`;
    lines.push(
      `| ${r.label}${r.preset ? ` (${r.preset})` : ''} | ${r.backend ?? ''} | ${fmtInt(r.params)} | ${fmtInt(r.paper.params)} | ${fmt(r.rmseMm, 1)} | ${fmt(r.paper.rmseMm, 0)} | ${fmt(r.cc, 3)} | ${fmt(r.paper.cc, 2)} | ${fmt(r.improvementPct, 0)} | ${fmt(r.paper.improvementPct, 0)} | ${fmt(r.seriesRmseMm, 1)} | ${fmt(r.seriesCc, 3)} | ${fmt(d?.rmseMm, 1)} | ${fmt(d?.cc, 3)} | ${fmt(d?.seriesCc, 3)} | ${months} |`,
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
    `RMSE and CC (ours): the mean over land pixels of the per-pixel test scores — the definition placed beside the paper's column, since the paper's Fig. 11 maps "pixelwise mean CC and mean RMSE" (it does not say more precisely). "Series" columns: RMSE and CC of the area-weighted Canada-mean monthly series over the test months. In full: ${table.definition}`,
    '',
    "RMSE gain: improvement of the per-pixel RMSE over the LSM row, (LSM − model) / LSM in %; the paper's as its text states it (ConvLSTM ≈ 15 %).",
    '',
    "Deseasonalised (Deseas.): the same per-pixel RMSE and CC, and the series CC, after removing from the prediction and from GRACE each pixel's own mean annual cycle, fitted on the training records only — the skill beyond the seasonal cycle.",
    '',
    "Paper columns: Yu et al. (2021), Table 1 (test set, 40 months; Keras, 100 epochs, paper-size models). The paper's LSM is EALCO, which is not public: our LSM row scores whatever LSM this run used.",
  );
  const selected = table.rows.filter((r) => r.selectedOn);
  if (selected.length > 0)
    lines.push(
      '',
      'Model selection (early stopping, best epoch):',
      ...selected.map((r) => `- ${r.label}: ${r.selectedOn}`),
    );
  return lines.join('\n') + '\n';
}

/** Formats Table 1 as CSV (one header line, one line per row; empty cells where a value is unknown). */
export function formatTable1Csv(table: Table1): string {
  const header =
    'model,label,preset,params,paper_params,test_rmse_mm,paper_test_rmse_mm,test_cc,paper_test_cc,series_rmse_mm,series_cc,test_months,data_source,backend,improvement_pct,paper_improvement_pct,deseasonalised_rmse_mm,deseasonalised_cc,deseasonalised_series_rmse_mm,deseasonalised_series_cc,test_months_predicted';
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
      r.backend ?? '',
      fmt(r.improvementPct, 2),
      r.paper.improvementPct ?? '',
      fmt(r.deseasonalised?.rmseMm, 3),
      fmt(r.deseasonalised?.cc, 4),
      fmt(r.deseasonalised?.seriesRmseMm, 3),
      fmt(r.deseasonalised?.seriesCc, 4),
      r.testMonthsPredicted ?? '',
    ].join(','),
  );
  return [header, ...lines].join('\n') + '\n';
}
