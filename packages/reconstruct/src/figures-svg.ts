/**
 * SVG time-series charts (Fig. 12 and Fig. 17): monthly series on a shared time axis, with shaded periods
 * (train/test) and missing months left as gaps — a line is never drawn across a missing month.
 */
import { ReconstructError } from './errors.js';

/** One line of a chart. */
export interface ChartSeries {
  readonly label: string;
  /** Months `YYYY-MM` (any day part is ignored), increasing. */
  readonly months: readonly string[];
  /** Values, `NaN` for a missing month. */
  readonly values: ArrayLike<number>;
  /** CSS colour. */
  readonly color: string;
  /** Dashed line. Default false. */
  readonly dashed?: boolean;
  /** Draw a dot on every value (useful when a series has many gaps). Default false. */
  readonly markers?: boolean;
  /**
   * Half-width of a shaded band around the line, per value (an ensemble's sd over seeds): `values ± band`, drawn in
   * the series' colour, translucent; NaN leaves a gap.
   */
  readonly band?: ArrayLike<number>;
}

/** A shaded period. */
export interface ChartShading {
  /** First month, `YYYY-MM`, inclusive. */
  readonly start: string;
  /** Last month, `YYYY-MM`, inclusive. */
  readonly end: string;
  readonly label: string;
  readonly color: string;
}

/** Options of {@link renderLineChartSvg}. */
export interface LineChartOptions {
  readonly title: string;
  readonly yLabel: string;
  readonly shading?: readonly ChartShading[];
  /** A note printed under the chart (e.g. the twin-experiment warning). */
  readonly note?: string;
  /** Width and height in px. Default 900 × 380. */
  readonly width?: number;
  readonly height?: number;
}

/** Month index `year * 12 + (month − 1)` of `"YYYY-MM[...]"`. */
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

const escapeXml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * Renders monthly series as an SVG line chart.
 *
 * ## Method
 * x is the month index, y the value; the axes span every finite value and every series' months. A series
 * is split into separate polylines wherever a value is NaN or consecutive points are more than one month
 * apart, so gaps (GRACE's missing months, the GRACE/GRACE-FO gap) stay visible. The legend has one entry per
 * kind: series with the same label, colour and dash share one, and so do shaded periods with the same label and
 * colour (several blocks of one split are one entry).
 *
 * @returns an SVG document.
 * @throws {@link ReconstructError} when a series' months and values differ in length, or there is no finite value.
 * @example
 * ```ts
 * renderLineChartSvg([{ label: "a", months: ["2002-04", "2002-05"], values: [1, 2], color: "blue" }], { title: "t", yLabel: "mm" }).startsWith("<svg"); // => true
 * ```
 */
export function renderLineChartSvg(series: readonly ChartSeries[], options: LineChartOptions): string {
  const width = options.width ?? 900;
  const height = options.height ?? 380;
  const m = { left: 64, right: 16, top: 36, bottom: 70 + (options.note ? 16 : 0) };
  let xMin = Infinity,
    xMax = -Infinity,
    yMin = Infinity,
    yMax = -Infinity;
  for (const s of series) {
    if (s.months.length !== s.values.length)
      throw new ReconstructError(
        `renderLineChartSvg: series '${s.label}' has ${s.months.length} months but ${s.values.length} values`,
      );
    for (let i = 0; i < s.months.length; i++) {
      const x = monthIndex(s.months[i]!);
      xMin = Math.min(xMin, x);
      xMax = Math.max(xMax, x);
      const v = s.values[i]!;
      if (Number.isFinite(v)) {
        const b = s.band && Number.isFinite(s.band[i]!) ? Math.abs(s.band[i]!) : 0;
        yMin = Math.min(yMin, v - b);
        yMax = Math.max(yMax, v + b);
      }
    }
    if (s.band && s.band.length !== s.values.length)
      throw new ReconstructError(
        `renderLineChartSvg: series '${s.label}' has ${s.values.length} values but a band of ${s.band.length}`,
      );
  }
  if (!Number.isFinite(yMin)) throw new ReconstructError('renderLineChartSvg: no finite value to plot');
  if (yMin === yMax) {
    yMin -= 1;
    yMax += 1;
  }
  const yPad = (yMax - yMin) * 0.06;
  yMin -= yPad;
  yMax += yPad;
  if (xMin === xMax) xMax = xMin + 1;
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;
  const sx = (x: number): number => m.left + ((x - xMin) / (xMax - xMin)) * pw;
  const sy = (y: number): number => m.top + (1 - (y - yMin) / (yMax - yMin)) * ph;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  out.push(
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(options.title)}</text>`,
  );
  for (const sh of options.shading ?? []) {
    const a = Math.max(xMin, monthIndex(sh.start) - 0.5);
    const b = Math.min(xMax, monthIndex(sh.end) + 0.5);
    if (b <= a) continue;
    out.push(
      `<rect x="${sx(a).toFixed(1)}" y="${m.top}" width="${(sx(b) - sx(a)).toFixed(1)}" height="${ph}" fill="${sh.color}" fill-opacity="0.35"><title>${escapeXml(sh.label)}</title></rect>`,
    );
  }
  // y ticks
  const step = niceStep((yMax - yMin) / 6);
  for (let v = Math.ceil(yMin / step) * step; v <= yMax; v += step) {
    const y = sy(v).toFixed(1);
    out.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${y}" y2="${y}" stroke="#ddd"/>`);
    out.push(
      `<text x="${m.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${Number(v.toFixed(6))}</text>`,
    );
  }
  if (yMin < 0 && yMax > 0)
    out.push(
      `<line x1="${m.left}" x2="${width - m.right}" y1="${sy(0).toFixed(1)}" y2="${sy(0).toFixed(1)}" stroke="#999"/>`,
    );
  // x ticks: years
  const years = (xMax - xMin) / 12;
  const yearStep = years > 30 ? 5 : years > 12 ? 2 : 1;
  for (let y = Math.ceil(xMin / 12); y * 12 <= xMax; y++) {
    if (y % yearStep !== 0) continue;
    const x = sx(y * 12).toFixed(1);
    out.push(`<line x1="${x}" x2="${x}" y1="${m.top + ph}" y2="${m.top + ph + 5}" stroke="black"/>`);
    out.push(`<text x="${x}" y="${m.top + ph + 18}" text-anchor="middle">${y}</text>`);
  }
  out.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="black"/>`);
  out.push(
    `<text transform="translate(16 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel)}</text>`,
  );
  // Bands first, under every line: one polygon per run of consecutive months with a finite value and band.
  for (const s of series) {
    if (!s.band) continue;
    let run: { x: number; lo: number; hi: number }[] = [];
    const flush = (): void => {
      if (run.length > 1) {
        const upper = run.map((p) => `${sx(p.x).toFixed(1)},${sy(p.hi).toFixed(1)}`);
        const lower = run.map((p) => `${sx(p.x).toFixed(1)},${sy(p.lo).toFixed(1)}`).reverse();
        out.push(
          `<polygon fill="${s.color}" fill-opacity="0.2" stroke="none" points="${[...upper, ...lower].join(' ')}"><title>${escapeXml(s.label)} ± sd</title></polygon>`,
        );
      }
      run = [];
    };
    let prev = -Infinity;
    for (let i = 0; i < s.months.length; i++) {
      const v = s.values[i]!;
      const b = s.band[i]!;
      const x = monthIndex(s.months[i]!);
      if (!Number.isFinite(v) || !Number.isFinite(b) || x - prev > 1) flush();
      if (Number.isFinite(v) && Number.isFinite(b)) run.push({ x, lo: v - b, hi: v + b });
      prev = Number.isFinite(v) && Number.isFinite(b) ? x : -Infinity;
    }
    flush();
  }
  for (const s of series) {
    const runs: string[][] = [];
    let current: string[] = [];
    let prev = -Infinity;
    for (let i = 0; i < s.months.length; i++) {
      const v = s.values[i]!;
      const x = monthIndex(s.months[i]!);
      if (!Number.isFinite(v) || x - prev > 1) {
        if (current.length) runs.push(current);
        current = [];
      }
      if (Number.isFinite(v)) current.push(`${sx(x).toFixed(1)},${sy(v).toFixed(1)}`);
      prev = Number.isFinite(v) ? x : -Infinity;
    }
    if (current.length) runs.push(current);
    const dash = s.dashed ? ' stroke-dasharray="5 3"' : '';
    for (const run of runs) {
      if (run.length === 1) {
        const [x, y] = run[0]!.split(',');
        out.push(`<circle cx="${x}" cy="${y}" r="1.8" fill="${s.color}"/>`);
        continue;
      }
      out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="1.4"${dash} points="${run.join(' ')}"/>`);
    }
    if (s.markers)
      for (const run of runs)
        for (const p of run) {
          const [x, y] = p.split(',');
          out.push(`<circle cx="${x}" cy="${y}" r="1.6" fill="${s.color}"/>`);
        }
  }
  // legend: one entry per kind of line (label, colour, dash) and per kind of shading (label, colour), however many
  // series or shaded blocks share it (e.g. the head and tail test blocks of Fig. 12 are one "test" entry).
  let lx = m.left;
  const ly = height - m.bottom + 40;
  const seen = new Set<string>();
  const firstOfKind = (key: string): boolean => (seen.has(key) ? false : (seen.add(key), true));
  for (const s of series) {
    if (!firstOfKind(JSON.stringify(['line', s.label, s.color, s.dashed === true]))) continue;
    out.push(
      `<line x1="${lx}" x2="${lx + 22}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`,
    );
    out.push(`<text x="${lx + 27}" y="${ly}" dominant-baseline="middle">${escapeXml(s.label)}</text>`);
    lx += 40 + s.label.length * 7;
  }
  for (const sh of options.shading ?? []) {
    if (!firstOfKind(JSON.stringify(['shading', sh.label, sh.color]))) continue;
    out.push(`<rect x="${lx}" y="${ly - 6}" width="22" height="12" fill="${sh.color}" fill-opacity="0.35"/>`);
    out.push(`<text x="${lx + 27}" y="${ly}" dominant-baseline="middle">${escapeXml(sh.label)}</text>`);
    lx += 40 + sh.label.length * 7;
  }
  if (options.note) out.push(`<text x="${m.left}" y="${height - 10}" fill="#a01010">${escapeXml(options.note)}</text>`);
  out.push('</svg>');
  return out.join('\n');
}

function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const k of [1, 2, 2.5, 5, 10]) if (k * p >= raw) return k * p;
  return 10 * p;
}
