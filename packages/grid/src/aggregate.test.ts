import {
  aggregateDaily,
  aggregateStack,
  createGrid,
  createStack,
  isGridError,
  streamWindowMeans,
  thirtyDayWindows,
  type DailyFrame,
  type Grid,
  type TimeWindow,
} from '@twsa/grid';

const SPEC = { shape: [1, 2] as const, bounds: [0, 0, 2, 1] as const, crs: 'EPSG:4326' };
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Daily frames from `from` for `n` days: pixel 0 = day index, pixel 1 = NaN on odd days, else 100. */
function* days(from: string, n: number, grid = SPEC): Generator<DailyFrame> {
  const t0 = Date.parse(from);
  for (let k = 0; k < n; k++) {
    yield {
      time: `${iso(t0 + k * DAY)}T12:00:00Z`,
      grid: createGrid(new Float32Array([k, k % 2 ? Number.NaN : 100]), grid),
    };
  }
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const WINDOWS: TimeWindow[] = [
  { id: '2012-01a', start: '2011-12-17', end: '2012-01-16' }, // overlaps the next one
  { id: '2012-01b', start: '2012-01-01', end: '2012-02-01' },
  { id: '2012-03', start: '2012-03-01', end: '2012-03-05' }, // gap before it: no frame in Feb is used
  { id: 'empty', start: '2013-01-01', end: '2013-02-01' }, // after the series
];

describe('aggregateDaily / streamWindowMeans', () => {
  it('averages the days whose date is in [start, end), overlapping windows both counted (hand-computed)', async () => {
    // series: 2011-12-20 (k = 0) … 2012-03-09 (k = 80)
    const events: unknown[] = [];
    const r = await aggregateDaily(days('2011-12-20', 81), WINDOWS, { log: (e) => events.push(e) });
    expect(r.shape).toEqual([4, 1, 2]);
    expect(r.labels).toEqual(['2012-01a', '2012-01b', '2012-03', 'empty']);
    expect(r.timeBounds![1]).toEqual(['2012-01-01', '2012-02-01']);
    // 2012-01a: days 2011-12-20 .. 2012-01-15 → k = 0..26, mean 13; pixel 1 valid on even k only → 100
    // 2012-01b: 2012-01-01 .. 2012-01-31 → k = 12..42, mean 27
    // 2012-03: 2012-03-01 .. 2012-03-04 → k = 72..75, mean 73.5
    expect(Array.from(r.data)).toEqual([13, 100, 27, 100, 73.5, 100, Number.NaN, Number.NaN]);
    expect(r.attributes!.days_per_window).toBe('27,31,4,0');
    expect(events.filter((e) => (e as { type: string }).type === 'window')).toHaveLength(4);
    expect(events.filter((e) => (e as { type: string }).type === 'frame-outside')).toHaveLength(81 - 43 - 4); // Feb and 2012-03-05..09
  });

  it('equals the in-memory aggregateStack on the same series', async () => {
    const frames = [...days('2011-12-20', 81)];
    const stack = createStack(Float32Array.from(frames.flatMap((f) => Array.from(f.grid.data))), {
      ...SPEC,
      shape: [81, 1, 2],
      times: frames.map((f) => f.time),
    });
    const a = aggregateStack(stack, WINDOWS);
    const b = await aggregateDaily(frames, WINDOWS);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(a.times).toEqual(b.times);
  });

  it('minDays: pixels with too few valid days are NaN', async () => {
    const r = await aggregateDaily(days('2012-03-01', 4), [WINDOWS[2]!], { minDays: 3 });
    // pixel 0 has 4 valid days; pixel 1 only 2 (even k)
    expect(r.data[0]).toBe(1.5);
    expect(Number.isNaN(r.data[1]!)).toBe(true);
  });

  it('streams: yields each window as soon as a frame on or after its end arrives', async () => {
    const seen: string[] = [];
    async function* source(): AsyncGenerator<DailyFrame> {
      for (const f of days('2011-12-20', 81)) {
        seen.push(f.time.slice(0, 10));
        yield f;
      }
    }
    const order: [string, string][] = [];
    for await (const m of streamWindowMeans(source(), WINDOWS)) order.push([m.window.id, seen[seen.length - 1]!]);
    // each window closes when the first frame on or after its end arrives; 'empty' at the end of the stream
    expect(order).toEqual([
      ['2012-01a', '2012-01-16'],
      ['2012-01b', '2012-02-01'],
      ['2012-03', '2012-03-05'],
      ['empty', '2012-03-09'],
    ]);
  });

  it('30-day windows over a pre-GRACE daily series', async () => {
    const w = thirtyDayWindows('1979-01-01', '1979-03-05');
    const means = await collect(streamWindowMeans(days('1979-01-01', 63), w));
    expect(means.map((m) => [m.window.id, m.days, m.grid.data[0]])).toEqual([
      ['1979-01-01', 30, 14.5],
      ['1979-01-31', 30, 44.5],
    ]);
  });

  it('throws GridArgumentError for frames out of order and GridMismatchError for a frame on another grid', async () => {
    const frames = [...days('2012-01-01', 3)];
    const swapped = [frames[1]!, frames[0]!];
    await expect(aggregateDaily(swapped, WINDOWS)).rejects.toMatchObject({
      name: 'GridArgumentError',
      argument: 'source[1].time',
    });
    const other: Grid = createGrid(new Float32Array(2), { ...SPEC, bounds: [0, 0, 4, 1] });
    await expect(aggregateDaily([frames[0]!, { time: '2012-01-02', grid: other }], WINDOWS)).rejects.toMatchObject({
      name: 'GridMismatchError',
    });
    await expect(aggregateDaily([], WINDOWS)).rejects.toMatchObject({ name: 'GridArgumentError' });
    let err: unknown;
    try {
      aggregateStack(createStack(new Float32Array(2), { ...SPEC, shape: [1, 1, 2], times: ['2012-01-01'] }), [
        { id: 'x', start: '2012-02-01', end: '2012-01-01' },
      ]);
    } catch (e) {
      err = e;
    }
    expect(isGridError(err, 'GridArgumentError')).toBe(true);
  });
});
