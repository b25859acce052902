/**
 * Time-series figures as Vega-Lite specs (Fig. 12 nationwide series, Fig. 17 hindcast, and any basin or ensemble
 * series): monthly lines on a time axis, one panel per group, shaded periods (training/test, a gap-fill period),
 * optional bands (ensemble min–max, seed spread), and missing months left as gaps — a line never bridges a month
 * without a value. Inputs are plain arrays of `"YYYY-MM"` months and values.
 */
import { ReconstructError } from './errors.js';
import { FIGURE_CONFIG, type FigureSpec } from './figures-render.js';

/** One line of a series panel. */
export interface SeriesLine {
  readonly label: string;
  /** Months `"YYYY-MM"` (drawn mid-month) or dates `"YYYY-MM-DD…"` (drawn on that day), increasing. */
  readonly months: readonly string[];
  /** Values, NaN for a missing month (drawn as a gap). */
  readonly values: ArrayLike<number>;
  /** CSS colour. */
  readonly color: string;
  /** Dashed line. Default false. */
  readonly dashed?: boolean;
  /** A dot on every value (for series with many gaps, like GRACE). Default false. */
  readonly markers?: boolean;
}

/** A band between two curves (e.g. an ensemble's min–max or ±1 standard deviation over seeds). */
export interface SeriesBand {
  readonly label: string;
  readonly months: readonly string[];
  readonly lower: ArrayLike<number>;
  readonly upper: ArrayLike<number>;
  readonly color: string;
}

/** A shaded period, e.g. the test records or a gap-fill period. */
export interface SeriesShading {
  /** First month `"YYYY-MM"`, inclusive. */
  readonly start: string;
  /** Last month `"YYYY-MM"`, inclusive. */
  readonly end: string;
  /** Legend label; periods with the same label share one legend entry and colour. */
  readonly label: string;
  readonly color: string;
}

/** One panel of a series figure. */
export interface SeriesPanel {
  /** Panel title (e.g. the model compared with GRACE). */
  readonly title: string;
  readonly lines: readonly SeriesLine[];
  readonly bands?: readonly SeriesBand[];
}

/** Options of {@link seriesFigureSpec}. */
export interface SeriesFigureOptions {
  readonly title: string;
  readonly subtitle?: string | readonly string[];
  /** y-axis title, e.g. `"TWSA (mm)"`. */
  readonly yLabel: string;
  /** Periods shaded in every panel. */
  readonly shading?: readonly SeriesShading[];
  /** Panel size in CSS pixels. Default 820 × 170 (several panels) or 820 × 300 (one). */
  readonly width?: number;
  readonly height?: number;
  /** Let the reader zoom and pan the time axis (mouse wheel / drag; double-click resets). For the HTML report. */
  readonly zoom?: boolean;
}

/** Month index `year * 12 + month − 1` of `"YYYY-MM…"`. */
export function monthIndex(month: string): number {
  const m = /^(\d{4})-(\d{2})/.exec(month);
  if (!m) throw new ReconstructError(`monthIndex: expected "YYYY-MM…", got "${month}"`);
  return Number(m[1]) * 12 + Number(m[2]) - 1;
}

/** `"YYYY-MM"` of a month index. */
export function monthString(index: number): string {
  const y = Math.floor(index / 12);
  return `${y}-${String(index - y * 12 + 1).padStart(2, '0')}`;
}

/** UTC milliseconds of the first day of a month index. */
const monthStart = (index: number): number => Date.UTC(Math.floor(index / 12), index % 12, 1);

/**
 * UTC milliseconds where a value is drawn: the given day for a full date (`"YYYY-MM-DD…"`), the 15th for a month.
 * @throws {@link ReconstructError} for anything else.
 */
export function seriesTime(month: string): number {
  const m = /^(\d{4})-(\d{2})(?:-(\d{2}))?/.exec(month);
  if (!m) throw new ReconstructError(`seriesTime: expected "YYYY-MM" or "YYYY-MM-DD…", got "${month}"`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, m[3] ? Number(m[3]) : 15);
}

/** Points further apart than this are not joined (more than one monthly step). */
const GAP_MS = 46 * 86_400_000;

/**
 * Rows of one line, with a `null` value wherever consecutive points are more than a monthly step apart (a missing
 * month), so the drawn line breaks there (Vega-Lite breaks paths at null); NaN values are null too.
 */
function lineRows(line: SeriesLine, panel: string): Record<string, string | number | null>[] {
  if (line.months.length !== line.values.length)
    throw new ReconstructError(
      `seriesFigureSpec: line '${line.label}' has ${line.months.length} months but ${line.values.length} values`,
    );
  const out: Record<string, string | number | null>[] = [];
  let prev: number | null = null;
  for (let i = 0; i < line.months.length; i++) {
    const t = seriesTime(line.months[i]!);
    if (prev !== null && t <= prev)
      throw new ReconstructError(
        `seriesFigureSpec: line '${line.label}' times are not increasing at ${line.months[i]}`,
      );
    if (prev !== null && t - prev > GAP_MS) out.push({ panel, series: line.label, t: (prev + t) / 2, v: null });
    const v = line.values[i]!;
    out.push({ panel, series: line.label, t, v: Number.isFinite(v) ? Math.round(v * 1e4) / 1e4 : null });
    prev = t;
  }
  return out;
}

/**
 * A series figure: one panel per {@link SeriesPanel} stacked vertically on a shared time axis, shaded periods in
 * each, one legend for every line, band and period.
 *
 * @throws {@link ReconstructError} when there is no panel, a line's months and values differ in length or are not
 * increasing, or no line has a finite value.
 * @example
 * ```ts
 * const spec = seriesFigureSpec(
 *   [{ title: "DCAE", lines: [{ label: "GRACE", months: ["2002-04", "2002-05"], values: [1, 2], color: "black" }] }],
 *   { title: "Fig. 12", yLabel: "TWSA (mm)" },
 * );
 * spec.vconcat.length; // => 1
 * // renderFigure(spec) (figures-render.ts) draws it: { svg, png }
 * ```
 */
export function seriesFigureSpec(panels: readonly SeriesPanel[], options: SeriesFigureOptions): FigureSpec {
  if (panels.length === 0) throw new ReconstructError('seriesFigureSpec: expected at least one panel');
  const legendOrder: string[] = [];
  const legendColor: string[] = [];
  const legendDash: number[][] = [];
  const addLegend = (label: string, color: string, dash: number[]): void => {
    if (legendOrder.includes(label)) return;
    legendOrder.push(label);
    legendColor.push(color);
    legendDash.push(dash);
  };
  let lo = Infinity;
  let hi = -Infinity;
  let tMin = Infinity;
  let tMax = -Infinity;
  const lineData: Record<string, string | number | null>[] = [];
  const pointData: Record<string, string | number | null>[] = [];
  const bandData: Record<string, string | number | null>[] = [];
  for (const p of panels) {
    for (const l of p.lines) {
      const rows = lineRows(l, p.title);
      lineData.push(...rows);
      if (l.markers) pointData.push(...rows.filter((r) => r['v'] !== null));
      addLegend(l.label, l.color, l.dashed ? [5, 3] : [1, 0]);
      for (let i = 0; i < l.months.length; i++) {
        const k = monthIndex(l.months[i]!);
        tMin = Math.min(tMin, k);
        tMax = Math.max(tMax, k);
        const v = l.values[i]!;
        if (Number.isFinite(v)) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
    }
    for (const b of p.bands ?? []) {
      if (b.months.length !== b.lower.length || b.months.length !== b.upper.length)
        throw new ReconstructError(`seriesFigureSpec: band '${b.label}' months, lower and upper differ in length`);
      for (let i = 0; i < b.months.length; i++) {
        const a = b.lower[i]!;
        const c = b.upper[i]!;
        bandData.push({
          panel: p.title,
          series: b.label,
          t: seriesTime(b.months[i]!),
          lo: Number.isFinite(a) ? a : null,
          hi: Number.isFinite(c) ? c : null,
        });
      }
      addLegend(b.label, b.color, [1, 0]);
    }
  }
  if (!Number.isFinite(lo)) throw new ReconstructError('seriesFigureSpec: no finite value to plot');
  const shading = (options.shading ?? []).map((s) => ({
    series: s.label,
    t: monthStart(monthIndex(s.start)),
    t2: monthStart(monthIndex(s.end) + 1),
  }));
  for (const s of options.shading ?? []) addLegend(s.label, s.color, [1, 0]);
  const pad = (hi - lo) * 0.06 || 1;
  const yDomain = [lo - pad, hi + pad];
  const xDomain = [monthStart(tMin), monthStart(tMax + 1)];
  const colorScale = { domain: legendOrder, range: legendColor };
  const width = options.width ?? 820;
  const height = options.height ?? (panels.length > 1 ? 170 : 300);
  // The time scale (UTC, fixed domain) is declared on the line layer only: Vega-Lite merges a layer's scales and
  // warns when the same domain arrives in two spellings.
  const x = (last: boolean, withScale = false): Record<string, unknown> => ({
    field: 't',
    type: 'temporal',
    title: last ? 'Month' : null,
    ...(withScale ? { scale: { type: 'utc', domain: xDomain } } : {}),
    axis: { labelOverlap: true },
  });
  const y = { field: 'v', type: 'quantitative', title: options.yLabel, scale: { domain: yDomain, zero: false } };
  const legend = { title: null, orient: 'top', symbolType: 'stroke', symbolStrokeWidth: 2.5, symbolOpacity: 1 };
  const color = { field: 'series', type: 'nominal', scale: colorScale, legend };
  const views = panels.map((p, k) => {
    const last = k === panels.length - 1;
    const mine = <T extends Record<string, unknown>>(rows: T[]): T[] => rows.filter((r) => r['panel'] === p.title);
    const layers: Record<string, unknown>[] = [];
    if (shading.length)
      layers.push({
        data: { values: shading },
        mark: { type: 'rect', opacity: 0.3 },
        encoding: {
          x: { ...x(last), field: 't' },
          x2: { field: 't2' },
          color,
        },
      });
    if (bandData.some((b) => b['panel'] === p.title))
      layers.push({
        data: { values: mine(bandData) },
        mark: { type: 'area', opacity: 0.25 },
        encoding: {
          x: x(last),
          y: { ...y, field: 'lo' },
          y2: { field: 'hi' },
          color,
        },
      });
    layers.push({
      data: { values: mine(lineData) },
      mark: { type: 'line', strokeWidth: 1.3, clip: true },
      encoding: {
        x: x(last, true),
        y,
        color,
        strokeDash: {
          field: 'series',
          type: 'nominal',
          scale: { domain: legendOrder, range: legendDash },
          legend,
        },
        tooltip: [
          { field: 'series', title: 'series' },
          { field: 't', type: 'temporal', format: '%Y-%m-%d', formatType: 'utc', title: 'date' },
          { field: 'v', type: 'quantitative', format: '.1f', title: options.yLabel },
        ],
      },
      ...(options.zoom
        ? { params: [{ name: `zoom${k}`, select: { type: 'interval', encodings: ['x'] }, bind: 'scales' }] }
        : {}),
    });
    if (pointData.some((r) => r['panel'] === p.title))
      layers.push({
        data: { values: mine(pointData) },
        mark: { type: 'point', filled: true, size: 9, clip: true },
        encoding: { x: x(last), y, color },
      });
    return { title: { text: p.title, anchor: 'start', fontSize: 12 }, width, height, layer: layers };
  });
  const subtitle = typeof options.subtitle === 'string' ? [options.subtitle] : [...(options.subtitle ?? [])];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    // Room for text whose width Vega can only estimate (no canvas in Node).
    padding: 16,
    title: { text: options.title, ...(subtitle.length ? { subtitle } : {}) },
    config: FIGURE_CONFIG,
    vconcat: views,
    spacing: 12,
    resolve: { scale: { color: 'shared', strokeDash: 'shared' } },
  } as unknown as FigureSpec;
}
