/**
 * The paper's figures (Yu et al. 2021) as one call each, on plain data: Fig. 2 trend maps, Fig. 11 per-pixel CC and
 * RMSE maps, Fig. 12 nationwide series, Fig. 13–16 monthly maps, Fig. 17 hindcast series, Fig. 18 first hindcast
 * month. Each returns a Vega-Lite spec; `renderFigure(spec)` draws it as SVG and PNG. New figure kinds (ensemble
 * spread, deseasonalised skill, basin series, a gap-fill period) are {@link mapFigureSpec} or
 * {@link seriesFigureSpec} calls with their own title, palette and units.
 */
import type { GridSpec } from '@twsa/grid';
import type { FigureSpec } from './figures-render.js';
import { mapFigureSpec, type MapPanelData } from './figures-maps.js';
import {
  seriesFigureSpec,
  type SeriesBand,
  type SeriesLine,
  type SeriesPanel,
  type SeriesShading,
} from './figures-series.js';

/** What every map figure of a run shares. */
export interface RunMapOptions {
  readonly grid: GridSpec;
  readonly mask?: ArrayLike<number>;
  /** Extra subtitle lines (e.g. the twin-experiment warning). */
  readonly notes?: readonly string[];
  /** Include cell coordinates (for tooltips in the HTML report). */
  readonly withCoordinates?: boolean;
}

/** Fig. 2: linear TWSA trend maps (mm/yr, diverging, centred on 0). */
export function trendMapsFigure(
  panels: readonly MapPanelData[],
  options: RunMapOptions & { readonly period: string },
): FigureSpec {
  return mapFigureSpec(panels, {
    ...options,
    title: 'Fig. 2  Linear trend of TWSA',
    subtitle: [`Least-squares trend over the paired records ${options.period}.`, ...(options.notes ?? [])],
    palette: 'diverging',
    units: 'mm/yr',
    columns: 2,
  });
}

/** Fig. 11: per-pixel skill over the test records — CC (red–blue on [−1, 1]) or RMSE (mm, sequential). */
export function skillMapsFigure(
  panels: readonly MapPanelData[],
  kind: 'cc' | 'rmse',
  options: RunMapOptions & { readonly what?: string; readonly title?: string },
): FigureSpec {
  const what = options.what ?? 'against GRACE over the test records';
  return mapFigureSpec(panels, {
    ...options,
    title:
      options.title ?? (kind === 'cc' ? 'Fig. 11a  Per-pixel correlation coefficient' : 'Fig. 11b  Per-pixel RMSE'),
    subtitle: [kind === 'cc' ? `Pearson CC ${what}.` : `Root-mean-square error ${what}.`, ...(options.notes ?? [])],
    palette: kind === 'cc' ? 'correlation' : 'sequential',
    units: kind === 'cc' ? 'CC' : 'mm',
    ...(kind === 'cc' ? { domain: [-1, 1] as const } : {}),
    columns: 3,
  });
}

/** Fig. 13–16: TWSA maps of one month (GRACE, LSM, each model; diverging, centred on 0). */
export function monthlyMapsFigure(
  panels: readonly MapPanelData[],
  options: RunMapOptions & { readonly figure: number; readonly month: string; readonly split: string },
): FigureSpec {
  return mapFigureSpec(panels, {
    ...options,
    title: `Fig. ${options.figure}  TWSA in ${options.month} (${options.split} record)`,
    subtitle: ['GRACE, the LSM input and each model’s reconstruction of the same month.', ...(options.notes ?? [])],
    palette: 'diverging',
    units: 'mm',
    columns: 3,
  });
}

/** Fig. 18: the first hindcast month — LSM input and the reconstruction. */
export function hindcastMonthFigure(
  panels: readonly MapPanelData[],
  options: RunMapOptions & { readonly month: string },
): FigureSpec {
  return mapFigureSpec(panels, {
    ...options,
    title: `Fig. 18  First hindcast month, ${options.month}`,
    subtitle: [
      'The LSM input and the model’s reconstruction (no GRACE exists for this month).',
      ...(options.notes ?? []),
    ],
    palette: 'diverging',
    units: 'mm',
    columns: 2,
  });
}

/** Fig. 12: nationwide mean TWSA, one panel per model beside GRACE, training/test periods shaded. */
export function nationwideSeriesFigure(
  panels: readonly SeriesPanel[],
  options: { readonly shading?: readonly SeriesShading[]; readonly notes?: readonly string[]; readonly zoom?: boolean },
): FigureSpec {
  return seriesFigureSpec(panels, {
    title: 'Fig. 12  Nationwide TWSA',
    subtitle: [
      'Area-weighted mean over the Canada mask. Gaps: missing GRACE months (not interpolated).',
      ...(options.notes ?? []),
    ],
    yLabel: 'TWSA (mm)',
    ...(options.shading ? { shading: options.shading } : {}),
    ...(options.zoom ? { zoom: true } : {}),
  });
}

/** Fig. 17: the nationwide hindcast series with GRACE (one panel). */
export function hindcastSeriesFigure(
  lines: readonly SeriesLine[],
  options: {
    readonly model: string;
    readonly notes?: readonly string[];
    readonly zoom?: boolean;
    /** Bands around lines, e.g. a seed ensemble's ± 1 sd. */
    readonly bands?: readonly SeriesBand[];
  },
): FigureSpec {
  return seriesFigureSpec([{ title: `Hindcast by ${options.model} and GRACE`, lines, bands: options.bands ?? [] }], {
    title: `Fig. 17  Nationwide TWSA hindcast by ${options.model}`,
    subtitle: ['Area-weighted mean over the Canada mask.', ...(options.notes ?? [])],
    yLabel: 'TWSA (mm)',
    ...(options.zoom ? { zoom: true } : {}),
  });
}
