/**
 * PNG map figures: one or more 2-D fields drawn cell by cell with a colour map, a title, panel labels, a colour
 * bar with tick labels, the land mask (outside = white) and nodata cells in grey. Pure: returns PNG bytes.
 */
import pngjs from 'pngjs';
import { ReconstructError } from './errors.js';
import { type Canvas, type Rgb, createCanvas, drawText, fillRect, textWidth, GLYPH_HEIGHT } from './internal/font.js';

/** Colour maps available to {@link renderMapPng}. */
export type ColorMapName = 'dry-wet' | 'viridis' | 'correlation';

/** Colour stops `[position 0..1, r, g, b]`. */
const COLOR_MAPS: Readonly<Record<ColorMapName, readonly (readonly [number, number, number, number])[]>> = {
  // Brown (dry, negative) → white → blue (wet, positive): the usual TWSA convention.
  'dry-wet': [
    [0, 84, 48, 5],
    [0.2, 166, 97, 26],
    [0.4, 223, 194, 125],
    [0.5, 247, 247, 247],
    [0.6, 128, 205, 193],
    [0.8, 53, 151, 143],
    [1, 1, 70, 140],
  ],
  // A viridis approximation for non-negative quantities (RMSE).
  viridis: [
    [0, 68, 1, 84],
    [0.25, 59, 82, 139],
    [0.5, 33, 145, 140],
    [0.75, 94, 201, 98],
    [1, 253, 231, 37],
  ],
  // Red (negative) → white → green-blue (positive) for correlation coefficients.
  correlation: [
    [0, 178, 24, 43],
    [0.25, 239, 138, 98],
    [0.5, 247, 247, 247],
    [0.75, 103, 169, 207],
    [1, 5, 48, 97],
  ],
};

/** Colour of `t` in 0..1 on a colour map (clamped). */
export function colorAt(map: ColorMapName, t: number): Rgb {
  const stops = COLOR_MAPS[map];
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0));
  for (let i = 1; i < stops.length; i++) {
    const a = stops[i - 1]!;
    const b = stops[i]!;
    if (x <= b[0]) {
      const f = b[0] === a[0] ? 0 : (x - a[0]) / (b[0] - a[0]);
      return [
        Math.round(a[1] + f * (b[1] - a[1])),
        Math.round(a[2] + f * (b[2] - a[2])),
        Math.round(a[3] + f * (b[3] - a[3])),
      ];
    }
  }
  const last = stops[stops.length - 1]!;
  return [last[1], last[2], last[3]];
}

/** One panel of a map figure. */
export interface MapPanel {
  /** Label drawn above the panel (e.g. `"GRACE"`, `"DCAE"`). */
  readonly label: string;
  /** Row-major values, `length === rows * cols`, row 0 north; NaN = nodata. */
  readonly data: ArrayLike<number>;
}

/** Options of {@link renderMapPng}. */
export interface RenderMapOptions {
  /** Figure title. */
  readonly title: string;
  /** Grid shape `[rows, cols]` shared by every panel. */
  readonly shape: readonly [number, number];
  /** Colour map. Default `"dry-wet"`. */
  readonly colorMap?: ColorMapName;
  /** Value range of the colour bar `[min, max]`. Default: symmetric ±(98th percentile of |values|) for `dry-wet`, else min..max. */
  readonly range?: readonly [number, number];
  /** Units printed under the colour bar (e.g. `"mm"`). */
  readonly units?: string;
  /** Land mask, 1 inside the study area; cells outside are drawn white. Default: every cell inside. */
  readonly mask?: ArrayLike<number>;
  /** Device pixels per grid cell. Default 5. */
  readonly cellPixels?: number;
  /** Panels per row. Default: all in one row up to 4. */
  readonly columns?: number;
  /** A footer line (e.g. `"TWIN EXPERIMENT: LSM EMULATED FROM GRACE"`). */
  readonly footer?: string;
}

const NODATA_GREY: Rgb = [160, 160, 160];
const OUTSIDE: Rgb = [255, 255, 255];
const INK: Rgb = [20, 20, 20];

/** The default colour-bar range for some values. */
export function defaultRange(
  values: readonly ArrayLike<number>[],
  map: ColorMapName,
  mask?: ArrayLike<number>,
): [number, number] {
  const all: number[] = [];
  for (const v of values)
    for (let i = 0; i < v.length; i++) if (Number.isFinite(v[i]!) && (!mask || mask[i]! > 0)) all.push(v[i]!);
  if (all.length === 0) return [-1, 1];
  all.sort((a, b) => a - b);
  if (map === 'dry-wet') {
    const abs = all.map(Math.abs).sort((a, b) => a - b);
    const m = abs[Math.min(abs.length - 1, Math.floor(0.98 * abs.length))]!;
    const nice = niceCeil(m || 1);
    return [-nice, nice];
  }
  if (map === 'correlation') return [-1, 1];
  const lo = all[0]!;
  const hi = all[all.length - 1]!;
  return lo === hi ? [lo, lo + 1] : [Math.min(0, lo), niceCeil(hi)];
}

function niceCeil(x: number): number {
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

/** Formats a tick label compactly. */
export function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 0.01) return v.toExponential(0);
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return Number(v.toFixed(1)).toString();
  if (a >= 1) return Number(v.toFixed(1)).toString();
  return Number(v.toFixed(2)).toString();
}

/**
 * Draws one or more fields as a PNG map figure.
 *
 * ## Method
 * Each cell becomes a `cellPixels`² block coloured by `(value − min) / (max − min)` on the colour map;
 * cells outside `mask` are white, NaN cells inside it grey. A horizontal colour bar with five ticks and the
 * units sits under the panels, the title above them, and an optional footer at the bottom.
 *
 * @returns PNG bytes (8-bit RGBA).
 * @throws {@link ReconstructError} when a panel's length is not `rows × cols` or there is no panel.
 * @example
 * ```ts
 * const png = renderMapPng([{ label: "GRACE", data: new Float32Array(4).fill(1) }], { title: "T", shape: [2, 2] });
 * png.subarray(1, 4).toString(); // => "PNG"
 * ```
 */
export function renderMapPng(panels: readonly MapPanel[], options: RenderMapOptions): Buffer {
  const [rows, cols] = options.shape;
  if (panels.length === 0) throw new ReconstructError('renderMapPng: expected at least one panel');
  for (const p of panels) {
    if (p.data.length !== rows * cols)
      throw new ReconstructError(
        `renderMapPng: panel '${p.label}' has ${p.data.length} values, expected ${rows}×${cols} = ${rows * cols}`,
      );
  }
  const map = options.colorMap ?? 'dry-wet';
  const range =
    options.range ??
    defaultRange(
      panels.map((p) => p.data),
      map,
      options.mask,
    );
  const px = options.cellPixels ?? 5;
  const perRow = Math.max(1, Math.min(options.columns ?? Math.min(4, panels.length), panels.length));
  const panelRows = Math.ceil(panels.length / perRow);
  const pad = 10;
  const labelH = GLYPH_HEIGHT * 2 + 6;
  const titleH = GLYPH_HEIGHT * 2 + 12;
  const panelW = cols * px;
  const panelH = rows * px;
  const barH = 14;
  const barBlock = barH + GLYPH_HEIGHT * 2 + 30;
  const footerH = options.footer ? GLYPH_HEIGHT + 10 : 0;
  const width = Math.max(
    pad * 2 + perRow * panelW + (perRow - 1) * pad,
    textWidth(options.title, 2) + 2 * pad,
    options.footer ? textWidth(options.footer) + 2 * pad : 0,
    260,
  );
  const height = titleH + panelRows * (labelH + panelH + pad) + barBlock + footerH;
  const canvas = createCanvas(width, height);
  drawText(canvas, options.title, Math.floor((width - textWidth(options.title, 2)) / 2), 6, INK, 2);
  const span = range[1] - range[0] || 1;
  panels.forEach((panel, k) => {
    const x0 = pad + (k % perRow) * (panelW + pad);
    const y0 = titleH + Math.floor(k / perRow) * (labelH + panelH + pad);
    const labelScale = textWidth(panel.label, 2) <= panelW ? 2 : 1;
    drawText(
      canvas,
      panel.label,
      x0 + Math.max(0, Math.floor((panelW - textWidth(panel.label, labelScale)) / 2)),
      y0 + (2 - labelScale) * GLYPH_HEIGHT,
      INK,
      labelScale,
    );
    const top = y0 + labelH;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const i = r * cols + c;
        const inside = !options.mask || options.mask[i]! > 0;
        const v = panel.data[i]!;
        const color = !inside ? OUTSIDE : Number.isFinite(v) ? colorAt(map, (v - range[0]) / span) : NODATA_GREY;
        fillRect(canvas, x0 + c * px, top + r * px, px, px, color);
      }
    }
    frame(canvas, x0 - 1, top - 1, panelW + 2, panelH + 2);
  });
  const barTop = titleH + panelRows * (labelH + panelH + pad) + 4;
  const barW = Math.min(width - 4 * pad, 400);
  const barX = Math.floor((width - barW) / 2);
  for (let i = 0; i < barW; i++) fillRect(canvas, barX + i, barTop, 1, barH, colorAt(map, i / (barW - 1)));
  frame(canvas, barX - 1, barTop - 1, barW + 2, barH + 2);
  for (let t = 0; t <= 4; t++) {
    const x = barX + Math.round((t / 4) * (barW - 1));
    fillRect(canvas, x, barTop + barH, 1, 4, INK);
    const label = formatTick(range[0] + (t / 4) * span);
    drawText(
      canvas,
      label,
      Math.min(width - textWidth(label) - 1, Math.max(0, x - Math.floor(textWidth(label) / 2))),
      barTop + barH + 6,
      INK,
    );
  }
  const legend = `${options.units ?? ''}${options.units ? '   ' : ''}GREY = NO DATA`;
  drawText(canvas, legend, Math.floor((width - textWidth(legend)) / 2), barTop + barH + 8 + GLYPH_HEIGHT + 4, INK);
  if (options.footer) drawText(canvas, options.footer, pad, height - GLYPH_HEIGHT - 4, [150, 20, 20]);
  return encodePng(canvas);
}

function frame(canvas: Canvas, x: number, y: number, w: number, h: number): void {
  fillRect(canvas, x, y, w, 1, INK);
  fillRect(canvas, x, y + h - 1, w, 1, INK);
  fillRect(canvas, x, y, 1, h, INK);
  fillRect(canvas, x + w - 1, y, 1, h, INK);
}

/** Encodes an RGBA canvas as PNG bytes. */
export function encodePng(canvas: Canvas): Buffer {
  const png = new pngjs.PNG({ width: canvas.width, height: canvas.height });
  png.data = Buffer.from(canvas.data.buffer, canvas.data.byteOffset, canvas.data.byteLength);
  return pngjs.PNG.sync.write(png);
}
