/**
 * Map figures as Vega-Lite specs: panels of grid cells drawn as rectangles in the grid's own projected x/y (Canada
 * LCC for the paper grid), with country outlines, a labelled graticule, one colour bar with units, grey for cells
 * inside the land mask that have no value, white outside the mask, and a line under each empty panel saying why it
 * is empty. Inputs are plain data (values as arrays + a {@link GridSpec}), so a new map figure is one call.
 */
import type { GridSpec } from '@twsa/grid';
import { ReconstructError } from './errors.js';
import { FIGURE_CONFIG, type FigureSpec } from './figures-render.js';
import { mapBackdrop, cellLonLat } from './figures-geo.js';

/** Colour scales of map figures. */
export type MapPalette =
  /** Brown (dry) → white → blue-green (wet), centred on 0: TWSA, trends, differences. */
  | 'diverging'
  /** Red → white → blue on [−1, 1], centred on 0: correlation coefficients. */
  | 'correlation'
  /** Light → dark (viridis) from 0: RMSE, spread, any non-negative quantity. */
  | 'sequential';

/** One panel of a map figure. */
export interface MapPanelData {
  /** Panel title, e.g. `"GRACE"`, `"DCAE"`. */
  readonly label: string;
  /** Row-major values on the figure's grid (`rows × cols`, row 0 north); NaN = no value. */
  readonly values: ArrayLike<number>;
  /** Why this panel has no value inside the mask, printed under it when it is empty (a default is used otherwise). */
  readonly emptyReason?: string;
}

/** Options of {@link mapFigureSpec}. */
export interface MapFigureOptions {
  /** Figure title, e.g. `"Fig. 13  TWSA in 2003-01 (test record)"`. */
  readonly title: string;
  /** Lines under the title (what is shown, over which period, twin-experiment warning). */
  readonly subtitle?: string | readonly string[];
  /** The grid every panel is on: shape, bounds and CRS (cells are drawn in this CRS's x/y). */
  readonly grid: GridSpec;
  /** Land mask on the grid (> 0 inside). Cells outside are left white. Default: every cell inside. */
  readonly mask?: ArrayLike<number>;
  /** Colour scale. Default `"diverging"`. */
  readonly palette?: MapPalette;
  /** Units of the colour bar, e.g. `"mm"`, `"mm/yr"`, `"CC"`. */
  readonly units: string;
  /** Colour-bar range. Default: ±(98th percentile of |values|) for diverging, [−1, 1] for correlation, [0, 98th percentile] for sequential. */
  readonly domain?: readonly [number, number];
  /** Panels per row. Default: up to 3. */
  readonly columns?: number;
  /** Panel width in CSS pixels (height follows the grid's aspect). Default 250. */
  readonly panelWidth?: number;
  /** Include longitude, latitude, row and column of each cell in the data (for tooltips). Default false. */
  readonly withCoordinates?: boolean;
}

const NO_VALUE_GREY = '#bdbdbd';
const SCHEMES: Readonly<Record<MapPalette, string>> = {
  diverging: 'brownbluegreen',
  correlation: 'redblue',
  sequential: 'viridis',
};

/** A "nice" number ≥ x (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10ⁿ). */
export function niceCeil(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= x * (1 - 1e-12)) return m * p;
  return 10 * p;
}

/**
 * The default colour-bar range of some panels for a palette: symmetric ±(98th percentile of |v|) rounded up to a
 * nice number for `"diverging"`, [−1, 1] for `"correlation"`, [0, nice 98th percentile] for `"sequential"`. Only
 * finite values inside the mask count; with none, ±1 (or [0, 1]).
 */
export function defaultDomain(
  values: readonly ArrayLike<number>[],
  palette: MapPalette,
  mask?: ArrayLike<number>,
): [number, number] {
  if (palette === 'correlation') return [-1, 1];
  const all: number[] = [];
  for (const v of values)
    for (let i = 0; i < v.length; i++) {
      const x = v[i]!;
      if (Number.isFinite(x) && (!mask || mask[i]! > 0)) all.push(palette === 'diverging' ? Math.abs(x) : x);
    }
  if (all.length === 0) return palette === 'diverging' ? [-1, 1] : [0, 1];
  all.sort((a, b) => a - b);
  const q = all[Math.min(all.length - 1, Math.floor(0.98 * all.length))]!;
  if (palette === 'diverging') {
    const m = niceCeil(q);
    return [-m, m];
  }
  const lo = Math.min(0, all[0]!);
  return [lo, Math.max(lo + 1e-9, niceCeil(q))];
}

/** Splits text into lines of at most `width` characters at spaces (a longer word stays whole). */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** The cells of one panel as data rows (inside the mask only). */
function panelRows(
  panel: MapPanelData,
  grid: GridSpec,
  mask: ArrayLike<number> | undefined,
  lonLat: Float64Array | null,
): { rows: Record<string, number | string | null>[]; finite: number; inside: number } {
  const [rows, cols] = grid.shape;
  const [w, , e, n] = grid.bounds;
  const dx = (e - w) / cols;
  const dy = (n - grid.bounds[1]) / rows;
  const out: Record<string, number | string | null>[] = [];
  let finite = 0;
  let inside = 0;
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      if (mask && !(mask[i]! > 0)) continue;
      inside++;
      const v = panel.values[i]!;
      const ok = Number.isFinite(v);
      if (ok) finite++;
      // Each rectangle overlaps its east and south neighbours by 8 % of a cell, so anti-aliasing leaves no hairline
      // seams between cells.
      const row: Record<string, number | string | null> = {
        x: w + c * dx,
        x2: w + (c + 1.08) * dx,
        y: n - (r + 1.08) * dy,
        y2: n - r * dy,
        v: ok ? Math.round(v * 1e4) / 1e4 : null,
      };
      if (!ok) row['nodata'] = 'no value inside the mask';
      if (lonLat) {
        row['lon'] = Math.round(lonLat[i * 2]! * 100) / 100;
        row['lat'] = Math.round(lonLat[i * 2 + 1]! * 100) / 100;
        row['row'] = r;
        row['col'] = c;
      }
      out.push(row);
    }
  return { rows: out, finite, inside };
}

/**
 * One map panel's layers (cells, no-value cells, outlines, graticule, labels) as a Vega-Lite layer spec. Used by
 * {@link mapFigureSpec}; exported for the interactive report, which swaps the `cells` data of a panel at run time.
 *
 * @param cellsData - Vega-Lite data of the cells: inline `{ values }` or a named source `{ name }`.
 */
export function mapPanelLayer(
  grid: GridSpec,
  cellsData: { readonly values: readonly object[] } | { readonly name: string },
  options: {
    readonly title: string | { readonly text: string; readonly subtitle: string | readonly string[] };
    readonly palette: MapPalette;
    readonly domain: readonly [number, number];
    readonly units: string;
    readonly width: number;
    readonly tooltip?: boolean;
  },
): Record<string, unknown> {
  const [w, s, e, n] = grid.bounds;
  const height = Math.round((options.width * (n - s)) / (e - w));
  const backdrop = mapBackdrop(grid);
  const x = { scale: { domain: [w, e], nice: false, zero: false }, axis: null };
  const y = { scale: { domain: [s, n], nice: false, zero: false }, axis: null };
  const colorScale: Record<string, unknown> = {
    scheme: SCHEMES[options.palette],
    domain: [...options.domain],
    // Values beyond the colour bar take its end colours (Vega would otherwise extrapolate to black).
    clamp: true,
  };
  if (options.palette !== 'sequential') colorScale['domainMid'] = 0;
  const cellTooltip = options.tooltip
    ? [
        { field: 'v', type: 'quantitative', title: options.units, format: '.4~g' },
        { field: 'lat', type: 'quantitative', title: 'lat (°N)' },
        { field: 'lon', type: 'quantitative', title: 'lon (°E)' },
      ]
    : undefined;
  // Both cell layers (valued cells, and grey no-value cells) place a rect per grid cell the same way.
  const cell = {
    x: { field: 'x', type: 'quantitative', ...x },
    x2: { field: 'x2' },
    y: { field: 'y', type: 'quantitative', ...y },
    y2: { field: 'y2' },
  };
  const layers: Record<string, unknown>[] = [
    {
      data: cellsData,
      transform: [{ filter: 'isValid(datum.v)' }],
      mark: { type: 'rect', strokeWidth: 0, clip: true },
      encoding: {
        ...cell,
        color: {
          field: 'v',
          type: 'quantitative',
          scale: colorScale,
          legend: { title: options.units, gradientLength: Math.max(120, height - 40), format: '~r', labelLimit: 200 },
        },
        ...(cellTooltip ? { tooltip: cellTooltip } : {}),
      },
    },
    {
      data: cellsData,
      transform: [{ filter: '!isValid(datum.v)' }],
      mark: { type: 'rect', strokeWidth: 0, clip: true },
      encoding: {
        ...cell,
        fill: {
          field: 'nodata',
          type: 'nominal',
          scale: { domain: ['no value inside the mask'], range: [NO_VALUE_GREY] },
          legend: { title: null, symbolType: 'square', symbolSize: 150, labelLimit: 220 },
        },
        ...(cellTooltip ? { tooltip: [{ field: 'nodata', title: 'value' }, ...cellTooltip.slice(1)] } : {}),
      },
    },
    ...(
      [
        ['graticule', '#9a9a9a', 0.35, [2, 2]],
        ['neighbour', '#8a8a8a', 0.6, null],
        ['province', '#6b6b6b', 0.45, null],
        ['canada', '#222222', 0.9, null],
      ] as const
    ).map(([kind, stroke, strokeWidth, strokeDash]) => ({
      // Named so the drawn marks are recognisable in the SVG (`<g class="… <kind>_marks">`).
      name: kind === 'province' ? 'provinces' : kind === 'canada' ? 'canada_outline' : kind,
      data: {
        values: backdrop.lines.filter((p) => p.kind === kind).map(({ line, order, x, y }) => ({ line, order, x, y })),
      },
      mark: { type: 'line', clip: true, stroke, strokeWidth, ...(strokeDash ? { strokeDash } : {}) },
      encoding: {
        x: { field: 'x', type: 'quantitative', ...x },
        y: { field: 'y', type: 'quantitative', ...y },
        detail: { field: 'line', type: 'nominal' },
        order: { field: 'order', type: 'quantitative' },
      },
    })),
    ...(
      [
        ['left', { align: 'right', dx: -3 }],
        ['bottom', { baseline: 'top', dy: 3 }],
        ['top', { baseline: 'top', dy: 2, dx: 2, align: 'left' }],
      ] as const
    ).map(([edge, place]) => ({
      data: { values: backdrop.labels.filter((l) => l.edge === edge) },
      mark: { type: 'text', fontSize: 8, color: '#555', ...place },
      encoding: {
        x: { field: 'x', type: 'quantitative', ...x },
        y: { field: 'y', type: 'quantitative', ...y },
        text: { field: 'text' },
      },
    })),
  ];
  return {
    title:
      typeof options.title === 'string'
        ? { text: options.title, anchor: 'middle', fontSize: 12, fontWeight: 'bold' }
        : {
            ...options.title,
            anchor: 'middle',
            fontSize: 12,
            fontWeight: 'bold',
            subtitleFontSize: 9,
            subtitleColor: '#a01010',
          },
    width: options.width,
    height,
    layer: layers,
  };
}

/**
 * A map figure: one panel per field, a shared colour bar, outlines and graticule, as a Vega-Lite spec.
 *
 * @throws {@link ReconstructError} when there is no panel or a panel's length is not `rows × cols`.
 * @example
 * ```ts
 * const spec = mapFigureSpec([{ label: "GRACE", values: new Float32Array(4).fill(1) }], {
 *   title: "TWSA", units: "mm", grid: { shape: [2, 2], bounds: [-1e6, 0, 1e6, 2e6], crs: "EPSG:3978" },
 * });
 * spec.concat.length; // => 1
 * // renderFigure(spec) (figures-render.ts) draws it: { svg, png }
 * ```
 */
export function mapFigureSpec(panels: readonly MapPanelData[], options: MapFigureOptions): FigureSpec {
  const [rows, cols] = options.grid.shape;
  if (panels.length === 0) throw new ReconstructError('mapFigureSpec: expected at least one panel');
  for (const p of panels)
    if (p.values.length !== rows * cols)
      throw new ReconstructError(
        `mapFigureSpec: panel '${p.label}' has ${p.values.length} values, expected ${rows}×${cols} = ${rows * cols}`,
      );
  if (options.mask && options.mask.length !== rows * cols)
    throw new ReconstructError(`mapFigureSpec: mask has ${options.mask.length} values, expected ${rows * cols}`);
  const palette = options.palette ?? 'diverging';
  const domain =
    options.domain ??
    defaultDomain(
      panels.map((p) => p.values),
      palette,
      options.mask,
    );
  if (!(domain[1] > domain[0])) throw new ReconstructError(`mapFigureSpec: empty colour range [${domain.join(', ')}]`);
  const lonLat = options.withCoordinates ? cellLonLat(options.grid) : null;
  const width = options.panelWidth ?? 250;
  const drawn = panels.map((p) => {
    const { rows: cells, finite, inside } = panelRows(p, options.grid, options.mask, lonLat);
    const caption =
      finite === 0
        ? wrapText(
            `empty: ${p.emptyReason ?? (inside === 0 ? 'no cell inside the mask' : 'no finite value inside the mask')}`,
            Math.max(30, Math.floor(width / 5)),
          )
        : [];
    return { p, cells, caption };
  });
  // Every panel gets as many caption lines as the longest one (blank ones are spaces), so the maps of a row align.
  const captionLines = Math.max(0, ...drawn.map((d) => d.caption.length));
  const views = drawn.map(({ p, cells, caption }) => {
    const title = captionLines
      ? { text: p.label, subtitle: [...caption, ...Array<string>(captionLines - caption.length).fill(' ')] }
      : p.label;
    return mapPanelLayer(
      options.grid,
      { values: cells },
      { title, palette, domain, units: options.units, width, tooltip: options.withCoordinates ?? false },
    );
  });
  const subtitle = [
    ...(typeof options.subtitle === 'string' ? [options.subtitle] : (options.subtitle ?? [])),
    'Grey: no value inside the land mask; white: outside it; colours beyond the bar’s ends saturate.',
    // Two lines: one would be wider than a single-panel figure.
    `Map in the grid’s projection (${options.grid.crs}), graticule every 10°.`,
    `${mapBackdrop(options.grid).source}.`,
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    // Room for text whose width Vega can only estimate (no canvas in Node).
    padding: 16,
    title: { text: options.title, subtitle },
    config: FIGURE_CONFIG,
    columns: Math.max(1, Math.min(options.columns ?? 3, panels.length)),
    concat: views,
    resolve: { scale: { color: 'shared', fill: 'shared' }, legend: { color: 'shared', fill: 'shared' } },
    spacing: { row: 18, column: 26 },
  } as unknown as FigureSpec;
}
