/**
 * Basin series (`twsa basin series`): area-weighted basin means of GRACE (a Tellus file on its own grid) or of every
 * series of a run folder (GRACE, the LSM and each model's predictions), one row per basin and calendar month, and
 * per-basin CC/RMSE of the LSM and the models against GRACE.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  basinWeights,
  cellAreas,
  isGridError,
  mergeCalendarMonths,
  readBasins,
  readNetcdf,
  type BasinLayer,
  type GridStack,
} from '@twsa/grid';
import { areaWeightedMean, pearson, rmse } from '@twsa/metrics';
import { InputError, OutputExistsError } from './errors.js';
import { loadPrepared, readArray } from './internal/store.js';
import type { PipelineEvent } from './progress.js';
import { locateRunToResume, readJson, writeFileAtomic } from './run-folder.js';
import { csvNumber } from './scores.js';
import { renderFigure } from './figures-render.js';
import { seriesFigureSpec, type SeriesLine, type SeriesPanel, type SeriesShading } from './figures-series.js';

/** The basin series of one gridded series over calendar months. */
export interface BasinMeanSeries {
  readonly basin: string;
  /** `"YYYY-MM"` per value. */
  readonly months: readonly string[];
  /** Area-weighted basin mean (units of the stack, mm here) per month; NaN when no cell of the basin is valid. */
  readonly mean: Float64Array;
  /** Share of the whole basin's area that holds valid values, per month (0..1; < 1 when it leaves the grid). */
  readonly coverage: Float64Array;
  /** Share of the basin's area outside the grid (0..1). */
  readonly outsideFraction: number;
}

/** Options of {@link basinMeans}. */
export interface BasinMeansOptions {
  /** Sub-samples per cell side for the coverage fractions (see @twsa/grid rasterizePolygons). Default 20. */
  readonly subsamples?: number;
}

/**
 * Area-weighted means of every basin of a layer over a stack, merged into calendar months.
 *
 * ## Method
 * The stack is first merged into calendar months (@twsa/grid `mergeCalendarMonths`: GRACE's duplicate solutions
 * averaged, a frame belongs to the month of its window mid-point). Each basin's weights are the fraction of each
 * cell inside its outline × the cell's true area (@twsa/grid `basinWeights`, the outline transformed from the
 * layer's CRS to the stack's); the mean is @twsa/metrics `areaWeightedMean` with the cell areas as weights and
 * the fractions as `cellFraction` (no 0.5 cut), so a cell half inside counts half. `coverage` = valid weight /
 * basin weight inside the grid × (1 − share outside).
 *
 * @param stack - Values (mm) on any grid, with `times` and preferably `timeBounds`.
 * @param layer - Basins from @twsa/grid `readBasins`.
 * @returns One {@link BasinMeanSeries} per basin, in layer order.
 */
export function basinMeans(stack: GridStack, layer: BasinLayer, options: BasinMeansOptions = {}): BasinMeanSeries[] {
  const monthly = mergeCalendarMonths(stack).stack;
  const months = monthly.labels ?? [];
  return layer.basins.map((b) => {
    const w = basinWeights(b.geometry, monthly, { crs: layer.crs, subsamples: options.subsamples ?? 20 });
    if (!(w.insideAreaM2 > 0))
      return {
        basin: b.name,
        months,
        mean: new Float64Array(months.length).fill(Number.NaN),
        coverage: new Float64Array(months.length),
        outsideFraction: w.outsideFraction,
      };
    const r = areaWeightedMean(monthly, cellAreas(monthly).data, { cellFraction: w.fraction.data });
    const inside = 1 - w.outsideFraction;
    return {
      basin: b.name,
      months,
      mean: r.mean,
      coverage: Float64Array.from(r.coverage, (c) => c * inside),
      outsideFraction: w.outsideFraction,
    };
  });
}

/** Options of {@link basinSeries}. */
export interface BasinSeriesOptions {
  /** Basin outlines: GeoJSON, shapefile (`.shp` with `.dbf`/`.prj`) or `.vec`. */
  readonly basins: string;
  /** A GRACE Tellus NetCDF file (or any NetCDF stack of TWSA); its basin means go to `out`. */
  readonly grace?: string;
  /** NetCDF variable of `grace`. Default `lwe_thickness` when present, else the file's only data variable. */
  readonly variable?: string;
  /** A run folder: GRACE, LSM and every model's predictions of its evaluation. */
  readonly run?: string;
  /** Attribute naming each basin (default: `name`, `NAME`, … else `basin-<n>`). */
  readonly nameField?: string;
  /** CSV to write. */
  readonly out: string;
  /** Second CSV with per-basin CC/RMSE (`--run` only). Default `<out without .csv>-scores.csv`. */
  readonly scoresOut?: string;
  readonly overwrite?: boolean;
  readonly subsamples?: number;
  /** Warnings (a basin leaving the grid) and information. */
  readonly log?: (event: PipelineEvent) => void;
}

/** Result of {@link basinSeries}. */
export interface BasinSeriesResult {
  readonly out: string;
  readonly scoresOut: string | null;
  readonly basins: readonly { readonly name: string; readonly outsideFraction: number }[];
  /** Series written: `["grace"]` for a GRACE file, `["grace", "lsm", <models>…]` for a run. */
  readonly sources: readonly string[];
  readonly months: number;
  /** Rows written to `out` (without the header). */
  readonly rows: number;
  /** The figure of the series, `<out without .csv>.png` and `.svg` (one panel per basin). */
  readonly figure: { readonly png: string; readonly svg: string };
}

/**
 * Writes basin series as CSV, and draws them (one panel per basin) as `<out without .csv>.png` and `.svg`: with `grace`, columns `basin,month,twsa_mm,coverage`; with `run`, columns
 * `basin,month,source,split,twsa_mm,coverage` for GRACE, the LSM and every model, and a second CSV
 * `basin,source,split,months,cc,rmse_mm` scoring the LSM and each model against GRACE per basin (test split and all
 * months). Months are calendar months (`YYYY-MM`, GRACE duplicates merged); values in mm; `coverage` is the share of
 * the basin's area with valid values. A basin reaching outside the grid logs a warning with the share lost.
 *
 * @throws {@link InputError} for a missing input, a run folder without evaluation, or a bad combination.
 * @throws {@link OutputExistsError} when `out` (or the scores CSV) exists and `overwrite` is not set.
 * @throws the @twsa/grid reader errors for unreadable basin or GRACE files.
 */
export async function basinSeries(options: BasinSeriesOptions): Promise<BasinSeriesResult> {
  const log = options.log ?? (() => undefined);
  if ((options.grace === undefined) === (options.run === undefined))
    throw new InputError('basin series needs exactly one of a GRACE file (--grace) or a run folder (--run)');
  if (!existsSync(options.basins))
    throw new InputError(`basin file '${options.basins}' does not exist`, { file: options.basins });
  const scoresOut =
    options.run !== undefined ? (options.scoresOut ?? `${options.out.replace(/\.csv$/i, '')}-scores.csv`) : null;
  const figureBase = options.out.replace(/\.csv$/i, '');
  for (const f of [options.out, scoresOut, `${figureBase}.png`, `${figureBase}.svg`])
    if (f !== null && existsSync(f) && options.overwrite !== true) throw new OutputExistsError(f);
  const layer = await readBasins(
    options.basins,
    options.nameField !== undefined ? { nameField: options.nameField } : {},
  );
  log({
    type: 'info',
    message: `${layer.basins.length} basin(s) from ${options.basins} (CRS: ${layer.crsSource})`,
  });
  const sub = options.subsamples !== undefined ? { subsamples: options.subsamples } : {};
  const warnOutside = (series: readonly BasinMeanSeries[], grid: string): void => {
    for (const s of series) {
      if (s.outsideFraction >= 0.001)
        log({
          type: 'warning',
          message: `basin '${s.basin}': ${(s.outsideFraction * 100).toFixed(1)} % of its area lies outside the ${grid}; its means cover the rest only (see the coverage column)`,
        });
      // Inside the grid, cells without values (outside the data's land mask) shrink the coverage further.
      const sorted = Float64Array.from(s.coverage).sort();
      const median = sorted.length > 0 ? sorted[Math.floor(sorted.length / 2)]! : 0;
      if (median < 1 - s.outsideFraction - 0.05)
        log({
          type: 'warning',
          message: `basin '${s.basin}': in a typical month only ${(median * 100).toFixed(1)} % of its area has values (cells without data inside the grid, e.g. outside the data's land mask)`,
        });
    }
  };

  if (options.grace !== undefined) {
    const grace = await readGrace(options.grace, options.variable);
    const series = basinMeans(grace, layer, sub);
    warnOutside(series, `grid of ${options.grace}`);
    const lines = ['basin,month,twsa_mm,coverage'];
    for (const s of series)
      s.months.forEach((m, i) =>
        lines.push([csvField(s.basin), m, csvNumber(s.mean[i]!), s.coverage[i]!.toFixed(4)].join(',')),
      );
    writeFileAtomic(options.out, lines.join('\n') + '\n');
    const figure = await writeBasinFigure(
      options.out,
      series.map((s) => ({ title: s.basin, lines: [graceLine(s)] })),
      [],
      `GRACE basin means from ${options.grace}`,
    );
    return {
      out: options.out,
      scoresOut: null,
      figure,
      basins: series.map((s) => ({ name: s.basin, outsideFraction: s.outsideFraction })),
      sources: ['grace'],
      months: series[0]?.months.length ?? 0,
      rows: lines.length - 1,
    };
  }

  const loc = locateRunToResume(options.run!);
  const work = loc.work;
  const data = loadPrepared(work, 'evaluate');
  const predictions = join(work, 'evaluation', 'predictions');
  const config = readJson<{ config: { models: { names: string[] } } }>(join(work, 'run.json')).config;
  const models = config.models.names.filter((n) => existsSync(join(predictions, `${n}.json`)));
  if (models.length === 0)
    throw new InputError(
      `run folder '${options.run}' has no model predictions (evaluation/predictions/): run 'twsa evaluate' first`,
      { file: options.run! },
    );
  const stacks: [string, GridStack][] = [
    ['grace', data.grace],
    ['lsm', data.lsm],
    ...models.map((m): [string, GridStack] => [m, readArray<GridStack>(predictions, m)]),
  ];
  // Split of each calendar month: the split of its first record.
  const splitOf = new Map<string, string>();
  data.records.forEach((r, i) => {
    if (!splitOf.has(r.yearMonth)) splitOf.set(r.yearMonth, data.splits[i]!);
  });
  const all = stacks.map(([source, stack]) => [source, basinMeans(stack, layer, sub)] as const);
  warnOutside(all[0]![1], 'run grid');
  const lines = ['basin,month,source,split,twsa_mm,coverage'];
  layer.basins.forEach((_, b) => {
    for (const [source, series] of all) {
      const s = series[b]!;
      s.months.forEach((m, i) =>
        lines.push(
          [csvField(s.basin), m, source, splitOf.get(m) ?? '', csvNumber(s.mean[i]!), s.coverage[i]!.toFixed(4)].join(
            ',',
          ),
        ),
      );
    }
  });
  const scoreLines = ['basin,source,split,months,cc,rmse_mm'];
  const grace = all[0]![1];
  layer.basins.forEach((_, b) => {
    const obs = grace[b]!;
    for (const [source, series] of all.slice(1)) {
      const pred = series[b]!;
      for (const split of ['test', 'all'] as const) {
        const keep = Uint8Array.from(obs.months, (m) => (split === 'all' || splitOf.get(m) === 'test' ? 1 : 0));
        const cc = pearson(pred.mean, obs.mean, { mask: keep });
        const e = rmse(pred.mean, obs.mean, { mask: keep });
        scoreLines.push(
          [csvField(obs.basin), source, split, cc.count, csvNumber(cc.value), csvNumber(e.value)].join(','),
        );
      }
    }
  });
  writeFileAtomic(options.out, lines.join('\n') + '\n');
  writeFileAtomic(scoresOut!, scoreLines.join('\n') + '\n');
  const panels = layer.basins.map((_, b): SeriesPanel => ({
    title: grace[b]!.basin,
    lines: all.map(([source, series], k) =>
      k === 0
        ? graceLine(series[b]!)
        : {
            label: source === 'lsm' ? 'LSM input' : source,
            months: series[b]!.months,
            values: series[b]!.mean,
            color: source === 'lsm' ? '#8c8c8c' : SOURCE_COLORS[(k - 2) % SOURCE_COLORS.length]!,
            ...(source === 'lsm' ? { dashed: true } : {}),
          },
    ),
  }));
  const figure = await writeBasinFigure(
    options.out,
    panels,
    testPeriods(grace[0]?.months ?? [], splitOf),
    `GRACE, the LSM input and every model of ${options.run}`,
  );
  return {
    out: options.out,
    scoresOut,
    figure,
    basins: grace.map((s) => ({ name: s.basin, outsideFraction: s.outsideFraction })),
    sources: stacks.map(([s]) => s),
    months: grace[0]?.months.length ?? 0,
    rows: lines.length - 1,
  };
}

/** Reads a GRACE TWSA stack in mm: `lwe_thickness` when the file has it (or `variable`), else its only variable. */
async function readGrace(file: string, variable: string | undefined): Promise<GridStack> {
  if (!existsSync(file)) throw new InputError(`GRACE file '${file}' does not exist`, { file });
  if (variable !== undefined) return readNetcdf(file, { variable, units: 'mm' });
  try {
    return await readNetcdf(file, { variable: 'lwe_thickness', units: 'mm' });
  } catch (error) {
    if (isGridError(error, 'GridVariableError')) return readNetcdf(file, { units: 'mm' });
    throw error;
  }
}

/** A CSV field: quoted when it holds a comma, quote or newline. */
function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Line colours of the models (Okabe–Ito, colour-blind safe). */
const SOURCE_COLORS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9'];

function graceLine(s: BasinMeanSeries): SeriesLine {
  return { label: 'GRACE', months: s.months, values: s.mean, color: '#000000', markers: true };
}

/** Runs of consecutive test months, shaded in the figure. */
function testPeriods(months: readonly string[], splitOf: ReadonlyMap<string, string>): SeriesShading[] {
  const out: SeriesShading[] = [];
  let start: string | null = null;
  let last: string | null = null;
  for (const m of months) {
    if (splitOf.get(m) === 'test') {
      start ??= m;
      last = m;
    } else if (start !== null) {
      out.push({ start, end: last!, label: 'test records', color: '#fde0c5' });
      start = null;
    }
  }
  if (start !== null) out.push({ start, end: last!, label: 'test records', color: '#fde0c5' });
  return out;
}

/** Draws the basin series (one panel per basin) beside the CSV: `<out without .csv>.png` and `.svg`. */
async function writeBasinFigure(
  out: string,
  panels: readonly SeriesPanel[],
  shading: readonly SeriesShading[],
  subtitle: string,
): Promise<{ png: string; svg: string }> {
  const base = out.replace(/\.csv$/i, '');
  const spec = seriesFigureSpec(panels, {
    title: 'Basin-mean TWSA',
    subtitle: [subtitle, 'Area-weighted by the share of each cell inside the basin; gaps: months without data.'],
    yLabel: 'TWSA (mm)',
    ...(shading.length ? { shading } : {}),
  });
  const figure = await renderFigure(spec);
  const png = `${base}.png`;
  const svg = `${base}.svg`;
  writeFileAtomic(png, Buffer.from(figure.png));
  writeFileAtomic(svg, figure.svg);
  return { png, svg };
}
