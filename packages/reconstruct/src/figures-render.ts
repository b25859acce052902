/**
 * Turns a figure description (a Vega-Lite spec) into an SVG document with Vega, and the SVG into a PNG with resvg,
 * using the Noto Sans font shipped in the npm package `@expo-google-fonts/noto-sans` — never the machine's fonts —
 * so the same run draws the same pictures on every machine.
 */
import { createRequire } from 'node:module';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { ReconstructError } from './errors.js';

/** The font family every figure uses (SVG `font-family`, and the one font resvg loads for PNGs). */
export const FIGURE_FONT = 'Noto Sans';

/** A Vega-Lite specification, as built by the figure functions of `figures-maps.ts` and `figures-series.ts`. */
export type FigureSpec = TopLevelSpec;

/** A figure drawn both ways: a vector document for papers and editors, and a raster one for reports and slides. */
export interface RenderedFigure {
  /** The SVG document (text drawn with {@link FIGURE_FONT}). */
  readonly svg: string;
  /** PNG bytes at {@link RenderFigureOptions.density} device pixels per CSS pixel. */
  readonly png: Uint8Array;
  /** PNG size in pixels. */
  readonly width: number;
  readonly height: number;
}

/** Options of {@link renderFigure}. */
export interface RenderFigureOptions {
  /** Device pixels per CSS pixel of the PNG. Default 2.5 (≈ 240 dpi for a 96-dpi layout). */
  readonly density?: number;
}

const require = createRequire(import.meta.url);
let fontFilesCache: string[] | null = null;

/**
 * The TrueType files of {@link FIGURE_FONT} (regular and bold) from the npm package `@expo-google-fonts/noto-sans`.
 * @throws {@link ReconstructError} when the package is not installed.
 */
export function figureFontFiles(): string[] {
  if (fontFilesCache) return fontFilesCache;
  try {
    fontFilesCache = ['400Regular/NotoSans_400Regular.ttf', '700Bold/NotoSans_700Bold.ttf'].map((f) =>
      require.resolve(`@expo-google-fonts/noto-sans/${f}`),
    );
  } catch (cause) {
    throw new ReconstructError(
      'figureFontFiles: cannot find the Noto Sans TrueType files of the npm package @expo-google-fonts/noto-sans (install the dependencies of @twsa/reconstruct)',
      { cause },
    );
  }
  return fontFilesCache;
}

/** The common look of every figure: font, sizes, no chart border. */
export const FIGURE_CONFIG = {
  font: FIGURE_FONT,
  background: 'white',
  view: { stroke: null },
  title: { fontSize: 15, fontWeight: 'bold', anchor: 'start', subtitleFontSize: 11, subtitleColor: '#444', offset: 8 },
  header: { labelFontSize: 12, titleFontSize: 12 },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#e5e5e5' },
  legend: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: 'normal' },
  concat: { spacing: 14 },
  // No per-item ARIA labels: a map has thousands of cells, and their labels would triple the SVG.
  aria: false,
} as const;

/** Advance widths of Noto Sans in em (regular weight), by character class: what Vega needs to lay text out. */
function notoSansEm(ch: string): number {
  if (ch === ' ') return 0.26;
  if ("il.,:;|!'’".includes(ch)) return 0.26;
  if ('fjrt()[]{}/\\-−–'.includes(ch)) return 0.34;
  if ('mwMW'.includes(ch)) return 0.86;
  if (ch >= '0' && ch <= '9') return 0.57;
  if (ch >= 'A' && ch <= 'Z') return 0.66;
  if (ch >= 'a' && ch <= 'z') return 0.55;
  if ('°'.includes(ch)) return 0.43;
  return 0.6;
}

/** Width in px of `text` in {@link FIGURE_FONT} at `fontSize` (bold ≈ 6 % wider). */
export function estimateTextWidth(text: string, fontSize: number, bold = false): number {
  let em = 0;
  for (const ch of text) em += notoSansEm(ch);
  return em * fontSize * (bold ? 1.06 : 1);
}

// Vega lays text out before the SVG exists; without a canvas it guesses widths from the character count alone,
// which overestimates Noto Sans by ~40 % (figures come out with wide empty margins). Teach it the font instead.
(vega as unknown as { textMetrics: { width: (item: unknown, text?: unknown) => number } }).textMetrics.width = (
  item: unknown,
  text?: unknown,
): number => {
  const it = item as unknown as { fontSize?: number; fontWeight?: string | number; text?: unknown };
  const value = text ?? it.text;
  const str = Array.isArray(value) ? value.join(' ') : value == null ? '' : String(value);
  const weight = it.fontWeight;
  return estimateTextWidth(str, it.fontSize ?? 11, weight === 'bold' || (typeof weight === 'number' && weight >= 600));
};

/**
 * Compiles a Vega-Lite spec to a Vega spec (what the interactive report embeds).
 * @throws {@link ReconstructError} when Vega-Lite rejects the spec.
 */
export function compileFigure(spec: FigureSpec): vega.Spec {
  try {
    return compile(spec).spec;
  } catch (cause) {
    throw new ReconstructError(`compileFigure: Vega-Lite rejected the figure spec: ${(cause as Error).message}`, {
      cause,
    });
  }
}

/**
 * The SVG of a figure: Vega-Lite → Vega → a headless Vega view (no canvas, no browser) → SVG text.
 * @throws {@link ReconstructError} when the spec does not compile or Vega fails to draw it.
 */
export async function renderFigureSvg(spec: FigureSpec): Promise<string> {
  const view = new vega.View(vega.parse(compileFigure(spec)), { renderer: 'none', logLevel: vega.Error });
  try {
    // Path coordinates to 1/100 px (Vega writes full doubles): a third of the file size, invisible at any zoom.
    return (await view.toSVG()).replace(/ d="[^"]*"/g, (d) => d.replace(/(\.\d\d)\d+/g, '$1'));
  } catch (cause) {
    throw new ReconstructError(`renderFigureSvg: Vega failed to draw the figure: ${(cause as Error).message}`, {
      cause,
    });
  } finally {
    view.finalize();
  }
}

/**
 * Rasterises an SVG document to PNG with resvg, loading only {@link figureFontFiles} (system fonts are ignored).
 * @returns PNG bytes and their size in pixels.
 */
export function svgToPng(svg: string, density = 2.5): { png: Uint8Array; width: number; height: number } {
  if (!(density > 0 && density <= 10))
    throw new ReconstructError(`svgToPng: density must be in (0, 10], got ${density}`);
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: density },
    background: 'white',
    font: { fontFiles: figureFontFiles(), loadSystemFonts: false, defaultFontFamily: FIGURE_FONT },
  });
  const image = resvg.render();
  return { png: new Uint8Array(image.asPng()), width: image.width, height: image.height };
}

/**
 * Draws a figure as SVG and PNG.
 *
 * @example
 * ```ts
 * const fig = await renderFigure({ data: { values: [{ a: 1, b: 2 }] }, mark: "point", encoding: { x: { field: "a", type: "quantitative" } } });
 * fig.svg.startsWith("<svg"); // => true
 * ```
 */
export async function renderFigure(spec: FigureSpec, options: RenderFigureOptions = {}): Promise<RenderedFigure> {
  const svg = await renderFigureSvg(spec);
  return { svg, ...svgToPng(svg, options.density ?? 2.5) };
}
