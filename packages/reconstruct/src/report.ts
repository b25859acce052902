/**
 * The report stage: the paper's figures from what evaluate and hindcast stored, and one self-contained HTML file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Grid, GridStack } from '@twsa/grid';
import type { PipelineConfig } from './config.js';
import { renderMapPng, type MapPanel } from './figures-png.js';
import { renderLineChartSvg, monthIndex, monthString, type ChartSeries } from './figures-svg.js';
import { renderHtmlReport, markdownTableToHtml, type ReportFigure, type ReportSection } from './html-report.js';
import { readArray, readPrepared } from './internal/store.js';
import { readJson, writeFileAtomic } from './run-folder.js';
import { ROW_LABELS, type Table1 } from './table1.js';
import { domainMean, trendOf } from './scores.js';
import { StageOrderError } from './errors.js';

const COLORS: Record<string, string> = {
  grace: '#000000',
  lsm: '#8c6d31',
  seunet: '#1f77b4',
  pix2pix: '#d62728',
  dcae: '#2ca02c',
  convlstm: '#9467bd',
  hindcast: '#2ca02c',
};
const TWIN = 'TWIN EXPERIMENT: LSM EMULATED FROM GRACE';

interface Figure extends ReportFigure {
  readonly file: string;
}

/**
 * Draws every figure into `<run>/report/figures/` and writes `<run>/report/report.html`.
 * @returns the path of the HTML report.
 * @throws {@link StageOrderError} when evaluate has not run.
 */
export async function buildReport(
  work: string,
  config: PipelineConfig,
  record: {
    readonly gitCommit: string | null;
    readonly backend: string | null;
    readonly seed: number;
    readonly versions: Readonly<Record<string, string>>;
    readonly skipped?: Readonly<Partial<Record<string, string>>>;
  },
): Promise<string> {
  const evalDir = join(work, 'evaluation');
  if (!existsSync(join(evalDir, 'table1.json')))
    throw new StageOrderError('report', 'evaluation/table1.json (the evaluate stage)');
  const data = readPrepared(join(work, 'prepared'));
  const table = readJson<Table1>(join(evalDir, 'table1.json'));
  const figDir = join(work, 'report', 'figures');
  const [, rows, cols] = data.grace.shape;
  const size = rows * cols;
  const mask = data.mask.data;
  const footer = data.twinExperiment ? TWIN : undefined;
  const figures: Figure[] = [];
  const add = (file: string, caption: string, bytes: Uint8Array | string): Figure => {
    const mime = file.endsWith('.svg') ? 'image/svg+xml' : 'image/png';
    if (config.report.figures) writeFileAtomic(join(figDir, file), bytes);
    const f: Figure = { file, caption, mime, bytes };
    figures.push(f);
    return f;
  };
  const models = config.models.names.filter((m) => existsSync(join(evalDir, 'predictions', `${m}.json`)));
  const predictions: Record<string, GridStack> = {};
  for (const m of models) predictions[m] = readArray<GridStack>(join(evalDir, 'predictions'), m);
  const frame = (stack: GridStack, t: number): Float32Array =>
    stack.data.subarray(t * size, (t + 1) * size) as Float32Array;

  // Fig. 2: trend maps of GRACE and the LSM over the paired records.
  const fig2 = add(
    'fig02_trend.png',
    `Fig. 2: linear trend of TWSA (mm/yr), ${data.records[0]?.yearMonth}..${data.records[data.records.length - 1]?.yearMonth}, GRACE and LSM`,
    renderMapPng(
      [
        { label: 'GRACE', data: trendOf(data.grace, data.mask) },
        { label: 'LSM', data: trendOf(data.lsm, data.mask) },
      ],
      { title: 'FIG. 2  TWSA TREND (MM/YR)', shape: [rows, cols], mask, units: 'MM/YR', ...(footer ? { footer } : {}) },
    ),
  );

  // Fig. 11: per-pixel CC and RMSE over the test records.
  const keys = ['lsm', ...models];
  const perPixel = (kind: 'cc' | 'rmse' | 'cc-deseasonalised'): MapPanel[] =>
    keys
      .filter((k) => existsSync(join(evalDir, 'per-pixel', `${k}-${kind}.json`)))
      .map((k) => ({
        label: (ROW_LABELS[k] ?? k).replace(' baseline', ''),
        data: readArray<Grid>(join(evalDir, 'per-pixel'), `${k}-${kind}`).data,
      }));
  const fig11cc = add(
    'fig11_cc.png',
    'Fig. 11a: per-pixel Pearson CC against GRACE over the test records',
    renderMapPng(perPixel('cc'), {
      title: 'FIG. 11  PER-PIXEL CC (TEST)',
      shape: [rows, cols],
      mask,
      colorMap: 'correlation',
      range: [-1, 1],
      columns: 3,
      ...(footer ? { footer } : {}),
    }),
  );
  const fig11rmse = add(
    'fig11_rmse.png',
    'Fig. 11b: per-pixel RMSE (mm) against GRACE over the test records',
    renderMapPng(perPixel('rmse'), {
      title: 'FIG. 11  PER-PIXEL RMSE (TEST)',
      shape: [rows, cols],
      mask,
      colorMap: 'viridis',
      units: 'MM',
      columns: 3,
      ...(footer ? { footer } : {}),
    }),
  );

  const deseasonalisedPanels = perPixel('cc-deseasonalised');
  const fig11deseasonalised =
    deseasonalisedPanels.length > 0
      ? add(
          'fig11_cc_deseasonalised.png',
          "Fig. 11c: per-pixel Pearson CC against GRACE over the test records after removing each pixel's mean annual cycle (fitted on the training records only) from both: skill beyond the seasonal cycle",
          renderMapPng(deseasonalisedPanels, {
            title: 'FIG. 11  PER-PIXEL CC, DESEASONALISED (TEST)',
            shape: [rows, cols],
            mask,
            colorMap: 'correlation',
            range: [-1, 1],
            columns: 3,
            ...(footer ? { footer } : {}),
          }),
        )
      : null;

  // Seed ensembles (twsa collect): the spread map per model, and the sd over seeds of the nationwide series.
  const ensembleSeries = existsSync(join(evalDir, 'ensemble-series.json'))
    ? readJson<{ seeds: number[]; sd: Record<string, (number | null)[]> }>(join(evalDir, 'ensemble-series.json'))
    : null;
  const spreadPanels: MapPanel[] = models
    .filter((k) => existsSync(join(evalDir, 'per-pixel', `${k}-spread.json`)))
    .map((k) => ({ label: ROW_LABELS[k] ?? k, data: readArray<Grid>(join(evalDir, 'per-pixel'), `${k}-spread`).data }));
  const fig11spread =
    ensembleSeries && spreadPanels.length > 0
      ? add(
          'fig11_ensemble_spread.png',
          `Ensemble spread: per-pixel sd over seeds ${ensembleSeries.seeds.join(', ')} of each model's prediction, mean over the test records (mm)`,
          renderMapPng(spreadPanels, {
            title: 'ENSEMBLE SPREAD (SD OVER SEEDS, TEST MEAN)',
            shape: [rows, cols],
            mask,
            colorMap: 'viridis',
            units: 'MM',
            columns: 3,
            ...(footer ? { footer } : {}),
          }),
        )
      : null;

  // Fig. 12: nationwide series with train/test shading; GRACE gaps stay gaps.
  const byMonth = (values: Float64Array): { months: string[]; values: number[] } => {
    // One point per calendar month (the first solution of a duplicated month), missing months as NaN.
    const first = monthIndex(data.months[0]!);
    const last = monthIndex(data.months[data.months.length - 1]!);
    const out = new Array<number>(last - first + 1).fill(Number.NaN);
    data.records.forEach((r, i) => {
      const k = monthIndex(r.yearMonth) - first;
      if (Number.isNaN(out[k]!)) out[k] = values[i]!;
    });
    return { months: out.map((_, k) => monthString(first + k)), values: out };
  };
  const series: ChartSeries[] = [];
  const graceMean = domainMean(data.grace.data, data.grace, data.mask);
  series.push({ label: 'GRACE', color: COLORS['grace']!, ...byMonth(graceMean), markers: true });
  series.push({
    label: data.twinExperiment ? 'LSM (emulated)' : 'LSM',
    color: COLORS['lsm']!,
    dashed: true,
    ...byMonth(domainMean(data.lsm.data, data.grace, data.mask)),
  });
  for (const m of models)
    series.push({
      label: ROW_LABELS[m] ?? m,
      color: COLORS[m] ?? '#555',
      ...byMonth(domainMean(predictions[m]!.data, data.grace, data.mask)),
      ...(ensembleSeries?.sd[m]
        ? { band: byMonth(Float64Array.from(ensembleSeries.sd[m]!, (x) => x ?? Number.NaN)).values }
        : {}),
    });
  const shading = splitBlocks(
    data.records.map((r) => r.yearMonth),
    data.splits,
  );
  const fig12 = add(
    'fig12_nationwide_series.svg',
    `Fig. 12: nationwide (area-weighted Canada mean) TWSA; shaded: test records; gaps are missing GRACE months (not interpolated)${ensembleSeries ? `; models: ensemble mean over seeds ${ensembleSeries.seeds.join(', ')}, band ± 1 sd over seeds` : ''}`,
    renderLineChartSvg(series, {
      title: 'Fig. 12  Nationwide TWSA',
      yLabel: 'TWSA (mm)',
      shading,
      ...(data.twinExperiment ? { note: TWIN } : {}),
    }),
  );

  // Fig. 13–16: monthly maps.
  const monthly: Figure[] = [];
  config.evaluate.mapMonths.forEach((month, k) => {
    const t = data.records.findIndex((r) => r.yearMonth === month);
    if (t < 0) return;
    const panels: MapPanel[] = [
      { label: 'GRACE', data: frame(data.grace, t) },
      { label: 'LSM', data: frame(data.lsm, t) },
      ...models.map((m) => ({ label: ROW_LABELS[m] ?? m, data: frame(predictions[m]!, t) })),
    ];
    monthly.push(
      add(
        `fig${13 + k}_${month}.png`,
        `Fig. ${13 + k}: TWSA (mm) in ${month} (${data.splits[t]} record): GRACE, LSM and each model`,
        renderMapPng(panels, {
          title: `FIG. ${13 + k}  TWSA ${month} (${data.splits[t]!.toUpperCase()})`,
          shape: [rows, cols],
          mask,
          units: 'MM',
          columns: 3,
          ...(footer ? { footer } : {}),
        }),
      ),
    );
  });
  const skippedMonths = config.evaluate.mapMonths.filter((m) => !data.records.some((r) => r.yearMonth === m));

  // Fig. 17–18: hindcast.
  const hindFigs: Figure[] = [];
  if (existsSync(join(work, 'hindcast', 'hindcast.json'))) {
    const hind = readArray<GridStack>(join(work, 'hindcast'), 'hindcast');
    const hMean = domainMean(hind.data, hind, data.mask);
    const hindSd = existsSync(join(work, 'hindcast', 'ensemble-series.json'))
      ? readJson<{ sd: (number | null)[] }>(join(work, 'hindcast', 'ensemble-series.json')).sd.map(
          (x) => x ?? Number.NaN,
        )
      : null;
    const model = config.hindcast.model;
    const hindMonths = hind.times.map((t) => t.slice(0, 7));
    const chart: ChartSeries[] = [
      {
        label: `${ROW_LABELS[model] ?? model} hindcast`,
        color: COLORS['hindcast']!,
        months: hindMonths,
        values: hMean,
        ...(hindSd && hindSd.length === hMean.length ? { band: hindSd } : {}),
      },
      { label: 'GRACE', color: COLORS['grace']!, ...byMonth(graceMean), markers: true },
    ];
    if (predictions[model])
      chart.push({
        label: `${ROW_LABELS[model] ?? model} (GRACE era)`,
        color: COLORS['hindcast']!,
        dashed: true,
        ...byMonth(domainMean(predictions[model]!.data, data.grace, data.mask)),
      });
    hindFigs.push(
      add(
        'fig17_hindcast_series.svg',
        `Fig. 17: nationwide TWSA hindcast ${hindMonths[0]}..${hindMonths[hindMonths.length - 1]} by ${ROW_LABELS[model] ?? model}, with GRACE`,
        renderLineChartSvg(chart, {
          title: `Fig. 17  Hindcast by ${ROW_LABELS[model] ?? model} and GRACE`,
          yLabel: 'TWSA (mm)',
          ...(data.twinExperiment ? { note: TWIN } : {}),
        }),
      ),
    );
    const hindLsm = data.hindcastLsm;
    const first = hindMonths[0]!;
    const lsmIndex = hindLsm ? hindLsm.times.findIndex((t) => t.slice(0, 7) === first) : -1;
    if (hindLsm && lsmIndex >= 0) {
      hindFigs.push(
        add(
          'fig18_first_hindcast_month.png',
          `Fig. 18: ${first}: LSM input and ${ROW_LABELS[model] ?? model} reconstruction (mm)`,
          renderMapPng(
            [
              { label: 'LSM', data: frame(hindLsm, lsmIndex) },
              { label: ROW_LABELS[model] ?? model, data: frame(hind, 0) },
            ],
            {
              title: `FIG. 18  ${first}  LSM VS RECONSTRUCTION`,
              shape: [rows, cols],
              mask,
              units: 'MM',
              ...(footer ? { footer } : {}),
            },
          ),
        ),
      );
    }
  }

  const md = readFileSync(join(evalDir, 'table1.md'), 'utf8');
  const sections: ReportSection[] = [
    {
      heading: 'Run',
      paragraphs: [
        `Data: ${data.description}`,
        `Profile ${config.profile}; models ${config.models.names.join(', ')} (preset ${config.models.preset}); ${config.train.epochs} epoch(s), batch ${config.train.batchSize}, learning rate ${config.train.learningRate}; seed ${record.seed}; tfjs backend ${record.backend ?? 'unknown'}; git ${record.gitCommit ?? 'unknown'}.`,
        `${data.records.length} paired records ${data.records[0]?.yearMonth}..${data.records[data.records.length - 1]?.yearMonth}: ${data.splits.filter((s) => s === 'train').length} train, ${data.splits.filter((s) => s === 'test').length} test; ${data.missingMonths.length} missing GRACE months, left as gaps.`,
      ],
    },
    {
      heading: 'Table 1',
      tableHtml: markdownTableToHtml(md),
      paragraphs: md
        .split('\n')
        .filter((l) => l.trim() !== '' && !l.startsWith('|'))
        .map((l) => l.replace(/\*\*/g, '')),
    },
    { heading: 'Trends (Fig. 2)', figures: [fig2] },
    {
      heading: 'Per-pixel scores (Fig. 11)',
      figures: [
        fig11cc,
        fig11rmse,
        ...(fig11deseasonalised ? [fig11deseasonalised] : []),
        ...(fig11spread ? [fig11spread] : []),
      ],
    },
    { heading: 'Nationwide series (Fig. 12)', figures: [fig12] },
    {
      heading: 'Monthly maps (Fig. 13–16)',
      figures: monthly,
      paragraphs: skippedMonths.length ? [`No GRACE record for ${skippedMonths.join(', ')}: no map drawn.`] : [],
    },
    ...(hindFigs.length
      ? [{ heading: 'Hindcast (Fig. 17–18)', figures: hindFigs }]
      : record.skipped?.hindcast
        ? [{ heading: 'Hindcast (Fig. 17–18)', paragraphs: [`Not run: ${record.skipped.hindcast}.`] }]
        : []),
  ];
  const reportPath = join(work, 'report', 'report.html');
  if (config.report.html)
    writeFileAtomic(
      reportPath,
      renderHtmlReport(sections, {
        title: 'twsa: GRACE-like TWSA reconstruction (Yu et al. 2021 workflow)',
        ...(data.twinExperiment ? { banner: table.twinExperiment ? TWIN_BANNER : TWIN_BANNER } : {}),
      }),
    );
  return reportPath;
}

const TWIN_BANNER =
  'Twin experiment: the LSM input was emulated from GRACE itself. Scores and the hindcast show how well the models invert the emulator, not how they would do on a real land-surface model.';

/** Contiguous blocks of test records as shaded periods. */
function splitBlocks(
  months: readonly string[],
  splits: readonly string[],
): { start: string; end: string; label: string; color: string }[] {
  const out: { start: string; end: string; label: string; color: string }[] = [];
  for (let i = 0; i < months.length; i++) {
    if (splits[i] !== 'test') continue;
    let j = i;
    while (j + 1 < months.length && splits[j + 1] === 'test') j++;
    out.push({ start: months[i]!, end: months[j]!, label: 'test', color: '#f4a582' });
    i = j;
  }
  return out;
}
