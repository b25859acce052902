import pngjs from 'pngjs';
import { renderMapPng, colorAt, defaultRange, formatTick } from './figures-png.js';
import { renderLineChartSvg, monthIndex, monthString } from './figures-svg.js';

const decode = (b: Buffer): pngjs.PNG => pngjs.PNG.sync.read(b);
const pixel = (p: pngjs.PNG, x: number, y: number): number[] =>
  Array.from(p.data.subarray((y * p.width + x) * 4, (y * p.width + x) * 4 + 4));

describe('renderMapPng', () => {
  it('draws cells with the colour map, nodata grey and outside-mask white', () => {
    const data = new Float32Array([-10, 10, Number.NaN, 0]);
    const png = decode(
      renderMapPng([{ label: 'A', data }], {
        title: 'T',
        shape: [2, 2],
        range: [-10, 10],
        mask: [1, 1, 1, 0],
        cellPixels: 10,
      }),
    );
    // find the panel: first cell's colour must be the map's low end
    const low = colorAt('dry-wet', 0);
    let found: [number, number] | null = null;
    for (let y = 0; y < png.height && !found; y++)
      for (let x = 0; x < png.width; x++) {
        const p = pixel(png, x, y);
        if (p[0] === low[0] && p[1] === low[1] && p[2] === low[2]) {
          found = [x, y];
          break;
        }
      }
    expect(found).not.toBeNull();
    const [x0, y0] = found!;
    expect(pixel(png, x0 + 12, y0 + 2).slice(0, 3)).toEqual([...colorAt('dry-wet', 1)]);
    expect(pixel(png, x0 + 2, y0 + 12).slice(0, 3)).toEqual([160, 160, 160]);
    expect(pixel(png, x0 + 12, y0 + 12).slice(0, 3)).toEqual([255, 255, 255]);
  });
  it('rejects a panel of the wrong size', () => {
    expect(() => renderMapPng([{ label: 'A', data: [1, 2, 3] }], { title: 'T', shape: [2, 2] })).toThrow(
      /expected 2×2 = 4/,
    );
  });
  it('colour maps interpolate and clamp', () => {
    expect(colorAt('viridis', -1)).toEqual(colorAt('viridis', 0));
    expect(colorAt('correlation', 0.5)).toEqual([247, 247, 247]);
    expect(colorAt('dry-wet', Number.NaN)).toEqual(colorAt('dry-wet', 0));
  });
  it('default ranges: symmetric for anomalies, ±1 for CC', () => {
    const [lo, hi] = defaultRange([[1, -3, 2, Number.NaN]], 'dry-wet');
    expect(lo).toBe(-hi);
    expect(hi).toBeGreaterThanOrEqual(3);
    expect(defaultRange([[0.3]], 'correlation')).toEqual([-1, 1]);
    expect(formatTick(-150)).toBe('-150');
    expect(formatTick(0.25)).toBe('0.25');
  });
});

describe('renderLineChartSvg', () => {
  it('breaks lines at NaN and at missing months', () => {
    const svg = renderLineChartSvg(
      [
        {
          label: 'GRACE',
          months: ['2002-04', '2002-05', '2002-08', '2002-09', '2002-10', '2002-11'],
          values: [1, 2, 3, 4, Number.NaN, 6],
          color: 'black',
        },
      ],
      { title: 'Fig', yLabel: 'mm', shading: [{ start: '2002-04', end: '2002-05', label: 'test', color: '#fcc' }] },
    );
    expect(svg.startsWith('<svg')).toBe(true);
    expect((svg.match(/<polyline/g) ?? []).length).toBe(2); // 04-05 and 08-09; 11 alone is a dot
    expect((svg.match(/<circle/g) ?? []).length).toBe(1);
    expect(svg).toContain('test');
  });
  it('legend: one entry per shading kind and per series kind, however many blocks share it (Fig. 12 test head + tail)', () => {
    const months = Array.from({ length: 24 }, (_, k) => monthString(monthIndex('2002-04') + k));
    const svg = renderLineChartSvg(
      [
        { label: 'GRACE', months, values: months.map((_, k) => Math.sin(k)), color: 'black' },
        { label: 'DCAE', months, values: months.map((_, k) => Math.cos(k)), color: 'blue' },
      ],
      {
        title: 'Fig. 12',
        yLabel: 'mm',
        shading: [
          { start: '2002-04', end: '2002-09', label: 'test', color: '#f4a582' },
          { start: '2003-10', end: '2004-03', label: 'test', color: '#f4a582' },
        ],
      },
    );
    const legendTexts = (svg.match(/<text [^>]*dominant-baseline="middle">[^<]*<\/text>/g) ?? [])
      .map((t) => t.replace(/<[^>]+>/g, ''))
      .filter((t) => !/^-?[\d.]+$/.test(t));
    expect(legendTexts).toEqual(['GRACE', 'DCAE', 'test']);
    // Both blocks are still shaded (each with its tooltip); only the legend is deduplicated.
    expect((svg.match(/<title>test<\/title>/g) ?? []).length).toBe(2);
  });
  it('draws a ± band under a line, split where the line or the band has a gap, and widens the y range for it', () => {
    const months = ['2002-04', '2002-05', '2002-06', '2002-07', '2002-08'];
    const svg = renderLineChartSvg(
      [{ label: 'SEUNet', months, values: [0, 1, 2, 3, 4], band: [1, 1, Number.NaN, 1, 10], color: 'blue' }],
      { title: 'Fig. 12', yLabel: 'mm' },
    );
    expect((svg.match(/<polygon /g) ?? []).length).toBe(2); // 04-05 and 07-08
    expect((svg.match(/<title>SEUNet ± sd<\/title>/g) ?? []).length).toBe(2);
    expect(svg).toContain('>10<'); // the y axis reaches 4 + 10 (ticks 0, 5, 10; without the band it ends near 4)
    expect(() =>
      renderLineChartSvg([{ label: 'a', months, values: [1, 2, 3, 4, 5], band: [1], color: 'red' }], {
        title: '',
        yLabel: '',
      }),
    ).toThrow(/band of 1/);
  });
  it('month helpers round-trip', () => {
    expect(monthString(monthIndex('1979-01'))).toBe('1979-01');
    expect(monthIndex('2002-04-16T00:00:00Z') - monthIndex('2002-03')).toBe(1);
    expect(() =>
      renderLineChartSvg([{ label: 'a', months: ['2002-01'], values: [Number.NaN], color: 'red' }], {
        title: '',
        yLabel: '',
      }),
    ).toThrow(/no finite value/);
  });
});
