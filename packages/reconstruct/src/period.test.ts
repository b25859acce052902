import type { GridStack } from '@twsa/grid';
import { frameIds, frameKinds, timeAxisAttributes } from './period.js';

const stack = (labels: string[], bounds: [string, string][]): GridStack => ({
  data: new Float32Array(labels.length),
  shape: [labels.length, 1, 1],
  bounds: [0, 0, 1, 1],
  crs: 'EPSG:3978',
  nodata: Number.NaN,
  times: bounds.map(([s]) => `${s.slice(0, 8)}15`),
  timeBounds: bounds,
  labels,
});

describe('frameKinds', () => {
  it('tells GRACE windows, 30-day windows (even one spanning April exactly) and calendar months apart', () => {
    const s = stack(
      ['2001-04-01', '2001-05-01', '2001-06', '2002-04', '2002-06'],
      [
        ['2001-04-01', '2001-05-01'],
        ['2001-05-01', '2001-05-31'],
        ['2001-06-01', '2001-07-01'],
        ['2002-04-04', '2002-05-01'],
        ['2002-06-01', '2002-07-01'],
      ],
    );
    expect(frameKinds(s, new Set(['2002-04', '2002-06']))).toEqual([
      '30-day',
      '30-day',
      'calendar-month',
      'grace-window',
      'grace-window',
    ]);
    expect(timeAxisAttributes(frameKinds(s, new Set(['2002-04']))).time_axis).toBe('mixed');
  });
  it('frame ids add a/b for two frames in one month', () => {
    expect(frameIds(['1981-12-01', '1981-12-31', '1982-01-30'])).toEqual(['1981-12a', '1981-12b', '1982-01']);
  });
});
