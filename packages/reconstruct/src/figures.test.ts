import pngjs from 'pngjs';
import { CANADA_LCC_110KM, transformer, type GridSpec } from '@twsa/grid';
import { mapFigureSpec, defaultDomain, niceCeil, wrapText } from './figures-maps.js';
import { seriesFigureSpec, monthIndex, monthString, seriesTime } from './figures-series.js';
import { renderFigure, estimateTextWidth, FIGURE_FONT } from './figures-render.js';
import { mapBackdrop, cellLonLat } from './figures-geo.js';
import { skillMapsFigure } from './figures-paper.js';

const decode = (b: Uint8Array): pngjs.PNG => pngjs.PNG.sync.read(Buffer.from(b));
// A 2×2 grid of 500 km cells in Canada LCC around the projection origin (49°N, 95°W).
const tiny: GridSpec = { shape: [2, 2], bounds: [-500_000, 0, 500_000, 1_000_000], crs: 'EPSG:3978' };

/** Every layer of a compiled-in-spirit Vega-Lite spec, depth first. */
function layers(spec: unknown): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const visit = (s: unknown): void => {
    if (!s || typeof s !== 'object') return;
    const o = s as Record<string, unknown>;
    if (o['mark']) out.push(o);
    for (const k of ['layer', 'concat', 'vconcat', 'hconcat'])
      if (Array.isArray(o[k])) (o[k] as unknown[]).forEach(visit);
  };
  visit(spec);
  return out;
}

describe('map figures', () => {
  it('draws values with a diverging scale centred on 0, no-value cells grey and off-mask cells not at all', async () => {
    const spec = mapFigureSpec([{ label: 'A', values: new Float32Array([-10, 10, Number.NaN, 0]) }], {
      title: 'T',
      units: 'mm',
      grid: tiny,
      mask: [1, 1, 1, 0],
      domain: [-10, 10],
    });
    const cellLayers = layers(spec).filter((l) => (l['mark'] as { type: string }).type === 'rect');
    const cells = (cellLayers[0]!['data'] as { values: { v: number | null }[] }).values;
    expect(cells.map((c) => c.v)).toEqual([-10, 10, null]); // the off-mask cell is not drawn
    const color = (cellLayers[0]!['encoding'] as { color: { scale: Record<string, unknown> } }).color.scale;
    expect(color).toMatchObject({ scheme: 'brownbluegreen', domain: [-10, 10], domainMid: 0, clamp: true });
    const fig = await renderFigure(spec, { density: 2 });
    expect(fig.svg.startsWith('<svg')).toBe(true);
    expect(fig.svg).toContain(`font-family="${FIGURE_FONT}`);
    expect(fig.svg).toContain('fill="#bdbdbd"');
    const png = decode(fig.png);
    const svgWidth = Number(/width="(\d+(\.\d+)?)"/.exec(fig.svg)![1]);
    expect(png.width).toBe(Math.round(svgWidth * 2));
    expect([png.width, png.height]).toEqual([fig.width, fig.height]);
    const seen = new Set<string>();
    for (let i = 0; i < png.data.length; i += 4) seen.add(`${png.data[i]},${png.data[i + 1]},${png.data[i + 2]}`);
    expect(seen.has('189,189,189')).toBe(true); // the no-value grey, flat inside its cell
  });

  it('says why an empty panel is empty, and rejects a panel of the wrong size', () => {
    const spec = mapFigureSpec(
      [
        { label: 'GRACE', values: [1, 2, 3, 4] },
        { label: 'ConvLSTM', values: [Number.NaN, Number.NaN, Number.NaN, Number.NaN], emptyReason: 'no window' },
      ],
      { title: 'T', units: 'mm', grid: tiny },
    );
    const titles = (spec as unknown as { concat: { title: unknown }[] }).concat.map((c) => c.title);
    expect(titles[1]).toMatchObject({ text: 'ConvLSTM', subtitle: ['empty: no window'] });
    expect(wrapText('the ConvLSTM needs GRACE in the 6 months before 2003-07', 30)).toEqual([
      'the ConvLSTM needs GRACE in',
      'the 6 months before 2003-07',
    ]);
    expect(() => mapFigureSpec([{ label: 'A', values: [1, 2, 3] }], { title: 'T', units: 'mm', grid: tiny })).toThrow(
      /expected 2×2 = 4/,
    );
    expect(() => mapFigureSpec([], { title: 'T', units: 'mm', grid: tiny })).toThrow(/at least one panel/);
  });

  it('default domains: symmetric for anomalies, ±1 for CC, from 0 for RMSE', () => {
    const [lo, hi] = defaultDomain([[1, -3, 2, Number.NaN]], 'diverging');
    expect(lo).toBe(-hi);
    expect(hi).toBeGreaterThanOrEqual(3);
    expect(defaultDomain([[0.3]], 'correlation')).toEqual([-1, 1]);
    expect(defaultDomain([[5, 17, Number.NaN]], 'sequential')).toEqual([0, 20]);
    expect(niceCeil(3.2)).toBe(4);
    const cc = skillMapsFigure([{ label: 'LSM', values: [0.1, 0.2, 0.3, 0.4] }], 'cc', { grid: tiny });
    const rmse = skillMapsFigure([{ label: 'LSM', values: [1, 2, 3, 4] }], 'rmse', { grid: tiny });
    const scale = (s: unknown): Record<string, unknown> =>
      (layers(s)[0]!['encoding'] as { color: { scale: Record<string, unknown> } }).color.scale;
    expect(scale(cc)).toMatchObject({ scheme: 'redblue', domain: [-1, 1], domainMid: 0 });
    expect(scale(rmse)).toMatchObject({ scheme: 'viridis' });
    expect(scale(rmse)['domainMid']).toBeUndefined();
  });

  it('outlines, graticule and its labels are in the grid projection, on the frame', () => {
    const grid = CANADA_LCC_110KM;
    const b = mapBackdrop(grid);
    const [w, s, e, n] = grid.bounds;
    expect(b.lines.filter((p) => p.kind === 'canada').length).toBeGreaterThan(500);
    expect(b.lines.some((p) => p.kind === 'graticule')).toBe(true);
    const texts = b.labels.map((l) => l.text);
    expect(texts).toEqual(expect.arrayContaining(['50°N', '60°N', '70°N', '100°W', '80°W']));
    expect(new Set(texts).size).toBe(texts.length); // each line labelled once
    for (const l of b.labels) {
      if (l.edge === 'left') expect(l.x).toBe(w);
      else expect(l.y).toBe(l.edge === 'top' ? n : s);
      expect(l.x >= w && l.x <= e && l.y >= s && l.y <= n).toBe(true);
    }
    // Cell (row 1, col 0) of the tiny grid is centred at x = −250 km, y = 250 km: west of 95°W, north of 49°N, and
    // projecting its longitude/latitude forward lands back on the centre.
    const ll = cellLonLat(tiny);
    const [lon, lat] = [ll[2 * 2]!, ll[2 * 2 + 1]!];
    expect(lon).toBeLessThan(-95);
    expect(lat).toBeGreaterThan(49);
    const [x, y] = transformer('EPSG:4326', 'EPSG:3978')(lon, lat);
    expect(x).toBeCloseTo(-250_000, -1);
    expect(y).toBeCloseTo(250_000, -1);
    expect(estimateTextWidth('Fig. 13', 10)).toBeGreaterThan(20);
  });

  it('draws the province/territory boundaries in the grid projection, thinner than the national outline', async () => {
    const grid = CANADA_LCC_110KM;
    const b = mapBackdrop(grid);
    expect(b.source).toContain('Canadian province/territory boundaries');
    const province = b.lines.filter((p) => p.kind === 'province');
    expect(new Set(province.map((p) => p.line)).size).toBeGreaterThan(10);
    // The 60°N boundary between the Prairie provinces and the territories: its vertices at 110°W and 102°W (the
    // Alberta–Saskatchewan–NWT and Saskatchewan–Manitoba–Nunavut corners) are drawn where proj4 puts them.
    const toLcc = transformer('EPSG:4326', grid.crs);
    for (const lon of [-110, -102]) {
      const [x, y] = toLcc(lon, 60.001087);
      expect(province.some((p) => Math.hypot(p.x - x, p.y - y) < 1_000)).toBe(true);
    }
    const spec = mapFigureSpec([{ label: 'A', values: new Float32Array(grid.shape[0] * grid.shape[1]).fill(1) }], {
      title: 'T',
      units: 'mm',
      grid,
    });
    const width = (name: string): number =>
      (layers(spec).find((l) => l['name'] === name)!['mark'] as { strokeWidth: number }).strokeWidth;
    expect(width('provinces')).toBeLessThan(width('canada_outline'));
    const { svg } = await renderFigure(spec, { density: 1 });
    // Vega draws each boundary line (one `detail` value) in its own group of the named mark.
    const drawn = svg.match(/<g class="mark-line role-mark provinces_marks"[^>]*><path d="M[^"]+"/g) ?? [];
    expect(drawn.length).toBeGreaterThan(10);
  });
});

describe('series figures', () => {
  it('breaks lines at NaN and at missing months, one legend entry per kind', () => {
    const months = ['2002-04', '2002-05', '2002-08', '2002-09', '2002-10', '2002-11'];
    const spec = seriesFigureSpec(
      [
        {
          title: 'DCAE and GRACE',
          lines: [
            { label: 'GRACE', months, values: [1, 2, 3, 4, Number.NaN, 6], color: 'black', markers: true },
            { label: 'DCAE', months, values: [1, 1, 1, 1, 1, 1], color: 'green' },
          ],
        },
        {
          title: 'SEUNet and GRACE',
          lines: [
            { label: 'GRACE', months, values: [1, 2, 3, 4, Number.NaN, 6], color: 'black', markers: true },
            { label: 'SEUNet', months, values: [0, 0, 0, 0, 0, 0], color: 'blue' },
          ],
        },
      ],
      {
        title: 'Fig. 12',
        yLabel: 'mm',
        shading: [
          { start: '2002-04', end: '2002-05', label: 'test', color: '#f4a582' },
          { start: '2002-10', end: '2002-11', label: 'test', color: '#f4a582' },
        ],
      },
    );
    const line = layers(spec).find((l) => (l['mark'] as { type: string }).type === 'line')!;
    const rows = (line['data'] as { values: { panel: string; series: string; t: number; v: number | null }[] }).values;
    const grace = rows.filter((r) => r.panel === 'DCAE and GRACE' && r.series === 'GRACE');
    // 6 months + one null for the 2002-06/07 gap; 2002-10 is NaN → null.
    expect(grace.map((r) => r.v)).toEqual([1, 2, null, 3, 4, null, 6]);
    expect(grace[0]!.t).toBe(Date.UTC(2002, 3, 15));
    const color = (line['encoding'] as { color: { scale: { domain: string[] } } }).color.scale;
    expect(color.domain).toEqual(['GRACE', 'DCAE', 'SEUNet', 'test']);
    const shading = layers(spec).find((l) => (l['mark'] as { type: string }).type === 'rect')!;
    expect((shading['data'] as { values: unknown[] }).values).toHaveLength(2);
  });

  it('draws full dates on their day, rejects unordered or empty series; month helpers round-trip', async () => {
    expect(seriesTime('1981-12-31')).toBe(Date.UTC(1981, 11, 31));
    expect(monthString(monthIndex('1979-01'))).toBe('1979-01');
    expect(monthIndex('2002-04-16T00:00:00Z') - monthIndex('2002-03')).toBe(1);
    const one = (months: string[], values: number[]) =>
      seriesFigureSpec([{ title: 'p', lines: [{ label: 'a', months, values, color: 'red' }] }], {
        title: '',
        yLabel: '',
      });
    expect(() => one(['2002-01'], [Number.NaN])).toThrow(/no finite value/);
    expect(() => one(['2002-02', '2002-01'], [1, 2])).toThrow(/not increasing at 2002-01/);
    expect(() => one(['2002-01'], [1, 2])).toThrow(/1 months but 2 values/);
    const fig = await renderFigure(one(['1981-12-01', '1981-12-31', '1982-01-30'], [1, 2, 3]), { density: 1 });
    expect(fig.width).toBeGreaterThan(800);
  });
});
