/**
 * The report stage: the paper's figures from what evaluate and hindcast stored, and one self-contained HTML file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Grid, GridSpec, GridStack } from '@twsa/grid';
import type { PipelineConfig } from './config.js';
import { FIGURE_CONFIG, compileFigure, renderFigure, svgToPng, type FigureSpec } from './figures-render.js';
import { defaultDomain, mapFigureSpec, mapPanelLayer, type MapPalette, type MapPanelData } from './figures-maps.js';
import { cellLonLat } from './figures-geo.js';
import {
  monthIndex,
  monthString,
  type SeriesBand,
  type SeriesLine,
  type SeriesPanel,
  type SeriesShading,
} from './figures-series.js';
import {
  hindcastMonthFigure,
  hindcastSeriesFigure,
  monthlyMapsFigure,
  nationwideSeriesFigure,
  skillMapsFigure,
  trendMapsFigure,
} from './figures-paper.js';
import {
  renderHtmlReport,
  markdownTableToHtml,
  encodeExplorerFrame,
  type ExplorerLayer,
  type ReportFigure,
  type ReportMapExplorer,
  type ReportSection,
} from './html-report.js';
import { readArray, readPrepared } from './internal/store.js';
import { readJson, writeFileAtomic } from './run-folder.js';
import { ROW_LABELS, type Table1 } from './table1.js';
import type { PreparedData } from './seam.js';
import { domainMean, trendOf } from './scores.js';
import { StageOrderError } from './errors.js';
import { predictSections } from './predict-report.js';

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
/** Device pixels per CSS pixel of the PNG files (print), and of the lighter copies inlined in the HTML report. */
const PRINT_DENSITY = 2.5;
const SCREEN_DENSITY = 1.25;

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
  const grid: GridSpec = { shape: [rows, cols], bounds: data.grace.bounds, crs: data.grace.crs };
  const twinLine = data.twinExperiment ? [TWIN] : [];
  const figures: Figure[] = [];
  // Each figure: <name>.png (print, 2.5× density) and <name>.svg (vector) on disk; a lighter PNG in the HTML.
  const add = async (name: string, caption: string, spec: FigureSpec): Promise<Figure> => {
    const drawn = await renderFigure(spec, { density: PRINT_DENSITY });
    if (config.report.figures) {
      writeFileAtomic(join(figDir, `${name}.png`), drawn.png);
      writeFileAtomic(join(figDir, `${name}.svg`), drawn.svg);
    }
    const screen = config.report.html ? svgToPng(drawn.svg, SCREEN_DENSITY).png : new Uint8Array();
    const f: Figure = { file: `${name}.png`, caption, mime: 'image/png', bytes: screen };
    figures.push(f);
    return f;
  };
  const models = config.models.names.filter((m) => existsSync(join(evalDir, 'predictions', `${m}.json`)));
  const predictions: Record<string, GridStack> = {};
  for (const m of models) predictions[m] = readArray<GridStack>(join(evalDir, 'predictions'), m);
  const frame = (stack: GridStack, t: number): Float32Array =>
    stack.data.subarray(t * size, (t + 1) * size) as Float32Array;
  const label = (k: string): string => (ROW_LABELS[k] ?? k).replace(' baseline', '');
  const period = `${data.records[0]?.yearMonth}..${data.records[data.records.length - 1]?.yearMonth}`;

  // Fig. 2: trend maps of GRACE and the LSM over the paired records.
  const trends = {
    grace: trendOf(data.grace, data.mask),
    lsm: trendOf(data.lsm, data.mask),
  };
  const fig2 = await add(
    'fig02_trend',
    `Fig. 2: linear trend of TWSA (mm/yr), ${period}, GRACE and LSM`,
    trendMapsFigure(
      [
        { label: 'GRACE', values: trends.grace },
        { label: 'LSM', values: trends.lsm },
      ],
      { grid, mask, period, notes: twinLine },
    ),
  );

  // Fig. 11: per-pixel CC and RMSE over the test records.
  const keys = ['lsm', ...models];
  const perPixel = (kind: 'cc' | 'rmse' | 'cc-deseasonalised'): MapPanelData[] =>
    keys.map((k) => {
      const file = join(evalDir, 'per-pixel', `${k}-${kind}.json`);
      if (!existsSync(file))
        return { label: label(k), values: new Float32Array(size).fill(Number.NaN), emptyReason: 'not scored' };
      const values = readArray<Grid>(join(evalDir, 'per-pixel'), `${k}-${kind}`).data;
      return { label: label(k), values, emptyReason: emptyReason(k, predictions[k], kind === 'rmse' ? 'rmse' : 'cc') };
    });
  const ccPanels = perPixel('cc');
  const rmsePanels = perPixel('rmse');
  const fig11cc = await add(
    'fig11_cc',
    'Fig. 11a: per-pixel Pearson CC against GRACE over the test records',
    skillMapsFigure(ccPanels, 'cc', { grid, mask, notes: twinLine }),
  );
  const fig11rmse = await add(
    'fig11_rmse',
    'Fig. 11b: per-pixel RMSE (mm) against GRACE over the test records',
    skillMapsFigure(rmsePanels, 'rmse', { grid, mask, notes: twinLine }),
  );

  const deseasonalisedPanels = keys.some((k) => existsSync(join(evalDir, 'per-pixel', `${k}-cc-deseasonalised.json`)))
    ? perPixel('cc-deseasonalised')
    : [];
  const fig11deseasonalised =
    deseasonalisedPanels.length > 0
      ? await add(
          'fig11_cc_deseasonalised',
          "Fig. 11c: per-pixel Pearson CC against GRACE over the test records after removing each pixel's mean annual cycle (fitted on the training records only) from both: skill beyond the seasonal cycle",
          skillMapsFigure(deseasonalisedPanels, 'cc', {
            grid,
            mask,
            notes: twinLine,
            title: 'Fig. 11c  Per-pixel correlation coefficient, deseasonalised',
            what: "against GRACE over the test records, after removing each pixel's mean annual cycle (fitted on the training records only) from both",
          }),
        )
      : null;

  // Seed ensembles (twsa collect): the spread map per model, and the sd over seeds of the nationwide series.
  const ensembleSeries = existsSync(join(evalDir, 'ensemble-series.json'))
    ? readJson<{ seeds: number[]; sd: Record<string, (number | null)[]> }>(join(evalDir, 'ensemble-series.json'))
    : null;
  const spreadPanels: MapPanelData[] = models
    .filter((k) => existsSync(join(evalDir, 'per-pixel', `${k}-spread.json`)))
    .map((k) => ({ label: label(k), values: readArray<Grid>(join(evalDir, 'per-pixel'), `${k}-spread`).data }));
  const fig11spread =
    ensembleSeries && spreadPanels.length > 0
      ? await add(
          'fig11_ensemble_spread',
          `Ensemble spread: per-pixel sd over seeds ${ensembleSeries.seeds.join(', ')} of each model's prediction, mean over the test records (mm)`,
          mapFigureSpec(spreadPanels, {
            grid,
            mask,
            title: 'Ensemble spread',
            subtitle: [
              `Standard deviation over seeds ${ensembleSeries.seeds.join(', ')} of each model's prediction, mean over the test records.`,
              ...twinLine,
            ],
            palette: 'sequential',
            units: 'mm',
          }),
        )
      : null;
  /** ± 1 sd over seeds around a model's ensemble-mean nationwide series. */
  const bandOf = (m: string, line: SeriesLine): SeriesBand[] => {
    const sd = ensembleSeries?.sd[m];
    if (!sd) return [];
    const s = byMonth(Float64Array.from(sd, (x) => x ?? Number.NaN)).values;
    const v = Array.from(line.values);
    return [
      {
        label: `${line.label} ± 1 sd over seeds`,
        months: line.months,
        lower: v.map((x, i) => x - s[i]!),
        upper: v.map((x, i) => x + s[i]!),
        color: line.color,
      },
    ];
  };

  // Fig. 12: nationwide series, one panel per model beside GRACE, training/test shaded; GRACE gaps stay gaps.
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
  const graceMean = domainMean(data.grace.data, data.grace, data.mask);
  const grace: SeriesLine = { label: 'GRACE', color: COLORS['grace']!, ...byMonth(graceMean), markers: true };
  const seriesOf: Record<string, SeriesLine> = {
    lsm: {
      label: data.twinExperiment ? 'LSM (emulated)' : 'LSM',
      color: COLORS['lsm']!,
      ...byMonth(domainMean(data.lsm.data, data.grace, data.mask)),
    },
  };
  for (const m of models)
    seriesOf[m] = {
      label: ROW_LABELS[m] ?? m,
      color: COLORS[m] ?? '#555',
      ...byMonth(domainMean(predictions[m]!.data, data.grace, data.mask)),
    };
  const shading = splitBlocks(
    data.records.map((r) => r.yearMonth),
    data.splits,
  );
  const fig12Panels: SeriesPanel[] = keys.map((k) => ({
    title: `${label(k)} and GRACE`,
    lines: [grace, seriesOf[k]!],
    bands: bandOf(k, seriesOf[k]!),
  }));
  const fig12 = await add(
    'fig12_nationwide_series',
    `Fig. 12: nationwide (area-weighted Canada mean) TWSA, each model beside GRACE; shaded: training and test records; gaps are missing GRACE months (not interpolated)${ensembleSeries ? `; models: ensemble mean over seeds ${ensembleSeries.seeds.join(', ')}, band ± 1 sd over seeds` : ''}`,
    nationwideSeriesFigure(fig12Panels, { shading, notes: twinLine }),
  );

  // Fig. 13–16: monthly maps.
  const monthly: Figure[] = [];
  const mapMonths: { month: string; t: number; fig: number }[] = [];
  config.evaluate.mapMonths.forEach((month, k) => {
    const t = data.records.findIndex((r) => r.yearMonth === month);
    if (t >= 0) mapMonths.push({ month, t, fig: 13 + k });
  });
  for (const { month, t, fig } of mapMonths) {
    const panels: MapPanelData[] = [
      { label: 'GRACE', values: frame(data.grace, t) },
      { label: data.twinExperiment ? 'LSM (emulated)' : 'LSM', values: frame(data.lsm, t) },
      ...models.map((m) => ({
        label: ROW_LABELS[m] ?? m,
        values: frame(predictions[m]!, t),
        emptyReason: emptyReason(m, predictions[m], 'twsa', {
          month,
          sequenceLength: config.models.sequenceLength,
          missingMonths: data.missingMonths,
        }),
      })),
    ];
    monthly.push(
      await add(
        `fig${fig}_${month}`,
        `Fig. ${fig}: TWSA (mm) in ${month} (${data.splits[t]} record): GRACE, LSM and each model`,
        monthlyMapsFigure(panels, { grid, mask, figure: fig, month, split: data.splits[t]!, notes: twinLine }),
      ),
    );
  }
  const skippedMonths = config.evaluate.mapMonths.filter((m) => !data.records.some((r) => r.yearMonth === m));

  // Fig. 17–18: hindcast.
  const hindFigs: Figure[] = [];
  let hindSeries: SeriesLine[] = [];
  if (existsSync(join(work, 'hindcast', 'hindcast.json'))) {
    const hind = readArray<GridStack>(join(work, 'hindcast'), 'hindcast');
    const hMean = domainMean(hind.data, hind, data.mask);
    const hindSd = existsSync(join(work, 'hindcast', 'ensemble-series.json'))
      ? readJson<{ sd: (number | null)[] }>(join(work, 'hindcast', 'ensemble-series.json')).sd.map(
          (x) => x ?? Number.NaN,
        )
      : null;
    const model = config.hindcast.model;
    const name = ROW_LABELS[model] ?? model;
    const hindMonths = hind.times.map((t) => t.slice(0, 7));
    hindSeries = [{ label: `${name} hindcast`, color: COLORS['hindcast']!, months: hind.times, values: hMean }, grace];
    if (seriesOf[model]) hindSeries.push({ ...seriesOf[model]!, label: `${name} (GRACE era)`, dashed: true });
    const hindBands: SeriesBand[] =
      hindSd && hindSd.length === hMean.length
        ? [
            {
              label: `${name} hindcast ± 1 sd`,
              months: hind.times,
              lower: Array.from(hMean, (x, i) => x - hindSd[i]!),
              upper: Array.from(hMean, (x, i) => x + hindSd[i]!),
              color: COLORS['hindcast']!,
            },
          ]
        : [];
    hindFigs.push(
      await add(
        'fig17_hindcast_series',
        `Fig. 17: nationwide TWSA hindcast ${hindMonths[0]}..${hindMonths[hindMonths.length - 1]} by ${name}, with GRACE`,
        hindcastSeriesFigure(hindSeries, { model: name, notes: twinLine, bands: hindBands }),
      ),
    );
    const hindLsm = data.hindcastLsm;
    const first = hindMonths[0]!;
    const lsmIndex = hindLsm ? hindLsm.times.findIndex((t) => t.slice(0, 7) === first) : -1;
    if (hindLsm && lsmIndex >= 0) {
      hindFigs.push(
        await add(
          'fig18_first_hindcast_month',
          `Fig. 18: ${first}: LSM input and ${name} reconstruction (mm)`,
          hindcastMonthFigure(
            [
              { label: 'LSM', values: frame(hindLsm, lsmIndex) },
              { label: `${name} hindcast`, values: frame(hind, 0) },
            ],
            { grid, mask, month: first, notes: twinLine },
          ),
        ),
      );
    }
  }

  // The interactive part of the HTML report: maps to explore and the series to zoom.
  const explorer = config.report.html
    ? buildExplorer({
        grid,
        mask,
        data,
        models,
        predictions,
        keys,
        label,
        trends,
        cc: ccPanels,
        rmse: rmsePanels,
        mapMonths: mapMonths.map((m) => m.month),
      })
    : null;
  const interactiveSeries = config.report.html
    ? [
        {
          title: 'Nationwide TWSA (zoom: mouse wheel or drag on the time axis; double-click resets)',
          spec: compileForScreen(nationwideSeriesFigure(fig12Panels, { shading, notes: twinLine, zoom: true })),
        },
        ...(hindSeries.length
          ? [
              {
                title: 'Hindcast',
                spec: compileForScreen(
                  hindcastSeriesFigure(hindSeries, {
                    model: ROW_LABELS[config.hindcast.model] ?? config.hindcast.model,
                    notes: twinLine,
                    zoom: true,
                  }),
                ),
              },
            ]
          : []),
      ]
    : [];

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
    ...(explorer
      ? [
          {
            heading: 'Explore the maps',
            paragraphs: [
              'Pick a map, a model and a month; hover a cell to read its value and coordinates. Grey cells have no value inside the land mask.',
            ],
            explorer,
          },
        ]
      : []),
    ...(interactiveSeries.length ? [{ heading: 'Explore the series', views: interactiveSeries }] : []),
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
    // Beyond the paper: periods predicted with `twsa predict` (text, scores and the nationwide series).
    ...(await predictSections(work, add)),
  ];
  const reportPath = join(work, 'report', 'report.html');
  if (config.report.html)
    writeFileAtomic(
      reportPath,
      renderHtmlReport(sections, {
        title: 'twsa: GRACE-like TWSA reconstruction (Yu et al. 2021 workflow)',
        ...(table.warning || data.twinExperiment
          ? { banner: [data.twinExperiment ? TWIN_BANNER : undefined, table.warning].filter(Boolean).join(' ') }
          : {}),
      }),
    );
  return reportPath;
}

const TWIN_BANNER =
  'Twin experiment: the LSM input was emulated from GRACE itself. Scores and the hindcast show how well the models invert the emulator, not how they would do on a real land-surface model.';

const SPLIT_COLORS: Readonly<Record<string, string>> = {
  train: '#c6dbef',
  validation: '#c7e9c0',
  test: '#f4a582',
};

/** Contiguous blocks of training, validation and test records as shaded periods (unused records are not shaded). */
function splitBlocks(months: readonly string[], splits: readonly string[]): SeriesShading[] {
  const out: SeriesShading[] = [];
  for (let i = 0; i < months.length; i++) {
    const split = splits[i]!;
    const color = SPLIT_COLORS[split];
    if (!color) continue;
    let j = i;
    while (j + 1 < months.length && splits[j + 1] === split) j++;
    out.push({ start: months[i]!, end: months[j]!, label: split === 'train' ? 'training' : split, color });
    i = j;
  }
  return out;
}

/**
 * Why a model's map is empty, for the caption line under an empty panel. The ConvLSTM predicts a record only when
 * it has a window of neighbouring GRACE records (models/convlstm/sequences.json lists those it could not predict);
 * any other all-NaN output is a failed model.
 */
function emptyReason(
  model: string,
  prediction: GridStack | undefined,
  kind: 'cc' | 'rmse' | 'twsa',
  context?: { readonly month: string; readonly sequenceLength: number; readonly missingMonths: readonly string[] },
): string {
  if (model === 'lsm') return kind === 'twsa' ? 'the LSM has no value here' : 'fewer than 3 test months with values';
  if (!prediction) return 'no prediction stored for this model';
  if (model === 'convlstm' && kind === 'twsa' && context)
    return `the ConvLSTM has no window for ${context.month} (models/convlstm/sequences.json lists the months it could not predict and why)`;
  if (model === 'convlstm' && kind !== 'twsa')
    return 'the ConvLSTM has no prediction for enough test months (see models/convlstm/sequences.json)';
  return kind === 'twsa'
    ? 'the model output is NaN everywhere (did training diverge?)'
    : 'score undefined: prediction NaN or constant over the test months';
}

/** The data of the HTML report's map explorer: every in-mask cell, and each map kind with its frames. */
function buildExplorer(input: {
  grid: GridSpec;
  mask: ArrayLike<number>;
  data: PreparedData;
  models: readonly string[];
  predictions: Readonly<Record<string, GridStack>>;
  keys: readonly string[];
  label: (k: string) => string;
  trends: { grace: ArrayLike<number>; lsm: ArrayLike<number> };
  cc: readonly MapPanelData[];
  rmse: readonly MapPanelData[];
  mapMonths: readonly string[];
}): ReportMapExplorer {
  const { grid, mask, data } = input;
  const [rows, cols] = grid.shape;
  const [w, s, e, n] = grid.bounds;
  const dx = (e - w) / cols;
  const dy = (n - s) / rows;
  const lonLat = cellLonLat(grid);
  const index: number[] = [];
  const cells: number[][] = [];
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      if (!(mask[i]! > 0)) continue;
      index.push(i);
      const round = (v: number): number => Math.round(v * 100) / 100;
      // The same 8 % overlap as the static maps, so the browser leaves no hairline seams between cells.
      cells.push([
        w + c * dx,
        w + (c + 1.08) * dx,
        n - (r + 1.08) * dy,
        n - r * dy,
        round(lonLat[2 * i]!),
        round(lonLat[2 * i + 1]!),
        r,
        c,
      ]);
    }
  // One compiled map panel; each kind of map only swaps in its own colour scale and legends.
  const explorerSpec = (
    palette: MapPalette,
    domain: readonly [number, number],
    units: string,
  ): { scales: { name: string }[]; legends?: object[] } =>
    compileFigure({
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      config: FIGURE_CONFIG_INTERACTIVE,
      ...mapPanelLayer(grid, { name: 'cells' }, { title: '', palette, domain, units, width: 460, tooltip: true }),
    } as unknown as FigureSpec) as unknown as { scales: { name: string }[]; legends?: object[] };
  const pickCells = (values: ArrayLike<number>): Float32Array => Float32Array.from(index, (i) => values[i]!);
  const layer = (
    title: string,
    units: string,
    palette: MapPalette,
    maps: { field: string; time: string; values: Float32Array }[],
    domain?: readonly [number, number],
  ): ExplorerLayer => {
    let max = 0;
    for (const m of maps) for (const v of m.values) if (Number.isFinite(v)) max = Math.max(max, Math.abs(v));
    const scale = max > 0 ? max / 32000 : 1;
    const frames: Record<string, Record<string, string>> = {};
    for (const m of maps) (frames[m.field] ??= {})[m.time] = encodeExplorerFrame(m.values, scale);
    const fields = [...new Set(maps.map((m) => m.field))];
    const times = [...new Set(maps.map((m) => m.time))];
    const dom =
      domain ??
      defaultDomain(
        maps.map((m) => m.values),
        palette,
      );
    const spec = explorerSpec(palette, dom, units);
    return {
      title,
      units,
      palette,
      fields,
      times,
      frames,
      scale,
      colorScale: spec.scales.find((x) => x.name === 'color')!,
      legends: spec.legends ?? [],
    };
  };
  // Monthly TWSA: every test record and the paper's map months, for GRACE, the LSM and each model (a whole run's
  // months would make the file tens of MB).
  const size = rows * cols;
  const wanted = data.records
    .map((r, t) => ({ month: r.yearMonth, t, split: data.splits[t] }))
    .filter((r) => r.split === 'test' || input.mapMonths.includes(r.month))
    .filter((r, k, all) => all.findIndex((o) => o.month === r.month) === k);
  const stacks: [string, GridStack][] = [
    ['GRACE', data.grace],
    [data.twinExperiment ? 'LSM (emulated)' : 'LSM', data.lsm],
    ...input.models.map((m) => [ROW_LABELS[m] ?? m, input.predictions[m]!] as [string, GridStack]),
  ];
  const twsa = layer(
    'TWSA by month (test records and the paper’s map months)',
    'mm',
    'diverging',
    stacks.flatMap(([field, stack]) =>
      wanted.map((r) => ({
        field,
        time: `${r.month} (${r.split})`,
        values: pickCells(stack.data.subarray(r.t * size, (r.t + 1) * size)),
      })),
    ),
  );
  const scores = (panels: readonly MapPanelData[]): { field: string; time: string; values: Float32Array }[] =>
    panels.map((p) => ({ field: p.label, time: '', values: pickCells(p.values) }));
  return {
    cells,
    spec: explorerSpec('diverging', [-1, 1], 'mm'),
    layers: [
      twsa,
      layer('Per-pixel CC (test)', 'CC', 'correlation', scores(input.cc), [-1, 1]),
      layer('Per-pixel RMSE (test)', 'mm', 'sequential', scores(input.rmse)),
      layer('Linear trend', 'mm/yr', 'diverging', [
        { field: 'GRACE', time: '', values: pickCells(input.trends.grace) },
        { field: 'LSM', time: '', values: pickCells(input.trends.lsm) },
      ]),
    ],
  };
}

/** In the browser Noto Sans may be missing: fall back to the reader's sans-serif fonts, never to a serif one. */
const SCREEN_FONT = 'Noto Sans, DejaVu Sans, Helvetica, Arial, sans-serif';
const FIGURE_CONFIG_INTERACTIVE = { ...FIGURE_CONFIG, font: SCREEN_FONT };

/** A figure compiled for the HTML report's Vega views (screen font stack). */
function compileForScreen(spec: FigureSpec): object {
  const s = spec as unknown as { config?: object };
  return compileFigure({ ...s, config: { ...s.config, font: SCREEN_FONT } } as unknown as FigureSpec);
}
