/**
 * Aggregation of daily grids onto time windows (GRACE months, 30-day windows): over an in-memory stack, or streamed
 * from an async iterable of daily frames with one accumulator per open window (bounded memory).
 */
import { GridArgumentError, GridMismatchError } from './errors.js';
import { sameGrid, type Grid, type GridArray, type GridSpec, type GridStack } from './grid.js';
import { assertStack } from './internal/grid-args.js';
import { isoDate } from './time-decode.js';
import { parseIsoUtc, type TimeWindow } from './time-windows.js';

const DAY_MS = 86_400_000;

/** One daily frame of a streamed series: its time (ISO 8601; only the UTC date counts) and its grid. */
export interface DailyFrame {
  readonly time: string;
  readonly grid: Grid<GridArray>;
}

/** Progress events of the aggregators (libraries are silent; pass `log` to see them). */
export type AggregateEvent =
  | { readonly type: 'window'; readonly id: string; readonly days: number; readonly windowDays: number }
  | { readonly type: 'frame-outside'; readonly time: string };

/** Options of {@link aggregateDaily}, {@link streamWindowMeans} and {@link aggregateStack}. */
export interface AggregateDailyOptions {
  /** Minimum number of valid days a pixel needs in a window to get a value (else NaN). Default 1. */
  readonly minDays?: number;
  /** Receives one `window` event per finished window and a `frame-outside` event per frame in no window. */
  readonly log?: (event: AggregateEvent) => void;
}

/** One finished window of {@link streamWindowMeans}. */
export interface WindowMean {
  /** The window, as passed in. */
  readonly window: TimeWindow;
  /** Index of the window in the `windows` argument. */
  readonly index: number;
  /** The mean grid (Float32, NaN where fewer than `minDays` valid days). */
  readonly grid: Grid<Float32Array>;
  /** Number of daily frames that fell in the window. */
  readonly days: number;
}

interface Accumulator {
  readonly sum: Float64Array;
  readonly count: Int32Array;
  days: number;
}

interface ParsedWindow {
  readonly index: number;
  readonly start: number;
  readonly end: number;
  readonly window: TimeWindow;
}

/**
 * Streams window means out of a time-ordered series of daily frames, holding only the windows that are open.
 *
 * ## Method
 * A frame counts for a window when its UTC date (its time truncated to midnight) lies in `[start, end)`; a frame
 * may count for several overlapping windows. Per pixel, `mean = Σ valid values / number of valid days` (values that
 * are NaN or equal to the grid's nodata are skipped), and pixels with fewer than `minDays` valid days are NaN.
 * Frames must arrive in non-decreasing time order. A window is finished, and yielded, as soon as a frame on or
 * after its end arrives (or the source ends); windows that received no frame are yielded all-NaN with `days: 0`.
 * Memory is one float64 sum and one int32 count per pixel per open window (12 bytes per cell; two windows are
 * open at once only where they overlap), plus the frame being read. Windows are yielded in order of their end.
 *
 * @param source - An async or sync iterable of {@link DailyFrame}s (e.g. GeoTIFFs read one by one, or
 *   `openNetcdf(...).readFrame`), all on the same grid.
 * @param windows - The windows (e.g. {@link graceMonths} records or {@link thirtyDayWindows}).
 * @param options - See {@link AggregateDailyOptions}.
 * @throws {@link GridArgumentError} when frames go back in time, a time or window is not an ISO date, or `minDays` < 1.
 * @throws {@link GridMismatchError} when a frame is on another grid than the first.
 * @example
 * ```ts
 * async function* days() {
 *   for (let d = 1; d <= 31; d++) yield { time: `1979-01-${String(d).padStart(2, "0")}`,
 *     grid: createGrid(new Float32Array([d]), { shape: [1, 1], bounds: [0, 0, 1, 1], crs: "EPSG:4326" }) };
 * }
 * const means = [];
 * for await (const m of streamWindowMeans(days(), thirtyDayWindows("1979-01-01", "1979-02-01"))) means.push([m.window.id, m.days, m.grid.data[0]]);
 * means; // => [["1979-01-01", 30, 15.5]]
 * ```
 */
export async function* streamWindowMeans(
  source: AsyncIterable<DailyFrame> | Iterable<DailyFrame>,
  windows: readonly TimeWindow[],
  options: AggregateDailyOptions = {},
): AsyncGenerator<WindowMean> {
  const minDays = checkMinDays(options.minDays, 'streamWindowMeans');
  const parsed = parseWindows(windows, 'streamWindowMeans');
  const byStart = [...parsed].sort((a, b) => a.start - b.start || a.index - b.index);
  const open = new Map<number, Accumulator>(); // window index → accumulator
  let pending: ParsedWindow[] = []; // started (start <= last day), not finished
  let next = 0;
  let spec: GridSpec | null = null;
  let lastDay = -Infinity;
  let frameNo = 0;
  const finish = (pw: ParsedWindow): WindowMean => {
    const acc = open.get(pw.index);
    open.delete(pw.index);
    const [rows, cols] = spec!.shape;
    const data = new Float32Array(rows * cols);
    if (acc)
      for (let i = 0; i < data.length; i++) data[i] = acc.count[i] >= minDays ? acc.sum[i] / acc.count[i] : Number.NaN;
    else data.fill(Number.NaN);
    const days = acc?.days ?? 0;
    options.log?.({ type: 'window', id: pw.window.id, days, windowDays: (pw.end - pw.start) / DAY_MS });
    const grid: Grid<Float32Array> = {
      data,
      shape: [rows, cols],
      bounds: spec!.bounds,
      crs: spec!.crs,
      nodata: Number.NaN,
    };
    return { window: pw.window, index: pw.index, grid, days };
  };
  const closeBefore = function* (day: number): Generator<WindowMean> {
    while (next < byStart.length && byStart[next].start <= day) pending.push(byStart[next++]);
    const done = pending.filter((w) => w.end <= day);
    if (done.length === 0) return;
    pending = pending.filter((w) => w.end > day);
    done.sort((a, b) => a.end - b.end || a.index - b.index);
    for (const w of done) yield finish(w);
  };
  for await (const frame of source as AsyncIterable<DailyFrame>) {
    const t = parseIsoUtc(frame?.time, `source[${frameNo}].time`, 'streamWindowMeans');
    const day = Math.floor(t / DAY_MS) * DAY_MS;
    if (day < lastDay) {
      throw new GridArgumentError(
        `source[${frameNo}].time`,
        'streamWindowMeans',
        `non-decreasing dates (previous ${isoDate(lastDay)})`,
        JSON.stringify(frame.time),
      );
    }
    lastDay = day;
    const g = frame.grid;
    if (!spec) {
      if (!g || !ArrayBuffer.isView(g.data) || g.data.length !== g.shape[0] * g.shape[1])
        throw new GridArgumentError(`source[${frameNo}].grid`, 'streamWindowMeans', 'a Grid', String(g));
      spec = { shape: [g.shape[0], g.shape[1]], bounds: g.bounds, crs: g.crs };
    } else if (!g || g.data.length !== spec.shape[0] * spec.shape[1] || g.crs !== spec.crs || !sameGrid(g, spec)) {
      throw new GridMismatchError(
        `streamWindowMeans: frame ${frameNo} (${frame.time}) is on ${g?.crs} ${g?.shape?.join('x')} [${g?.bounds?.join(', ')}], the first frame on ${spec.crs} ${spec.shape.join('x')} [${spec.bounds.join(', ')}]`,
        { field: `source[${frameNo}].grid` },
      );
    }
    yield* closeBefore(day);
    const size = spec.shape[0] * spec.shape[1];
    let used = false;
    for (const w of pending) {
      if (!(day >= w.start && day < w.end)) continue;
      let acc = open.get(w.index);
      if (!acc) {
        acc = { sum: new Float64Array(size), count: new Int32Array(size), days: 0 };
        open.set(w.index, acc);
      }
      accumulate(g.data, g.nodata, acc);
      used = true;
    }
    if (!used) options.log?.({ type: 'frame-outside', time: frame.time });
    frameNo++;
  }
  if (!spec) throw new GridArgumentError('source', 'streamWindowMeans', 'at least one daily frame', 'an empty series');
  const rest = [...pending, ...byStart.slice(next)].sort((a, b) => a.end - b.end || a.index - b.index);
  for (const w of rest) yield finish(w);
}

function accumulate(data: GridArray, nodata: number, acc: Accumulator): void {
  const { sum, count } = acc;
  const n = sum.length;
  for (let i = 0; i < n; i++) {
    const v = data[i];
    if (v === v && v !== nodata) {
      sum[i] += v;
      count[i]++;
    }
  }
  acc.days++;
}

/**
 * Aggregates a streamed daily series onto windows and returns them as one stack (in the order of `windows`).
 * See {@link streamWindowMeans} for the method; only the result stack (windows × cells) and the open windows are
 * held in memory, never the daily series.
 *
 * @param source - Async or sync iterable of {@link DailyFrame}s in time order.
 * @param windows - The windows; at least one.
 * @param options - See {@link AggregateDailyOptions}.
 * @returns A Float32 stack with `timeBounds` = the windows, `times` = their mid-points, `labels` = their ids, and
 *   attributes `aggregation` and `days_per_window` (comma-separated frame counts).
 * @throws {@link GridArgumentError} when `windows` is empty or the source holds no frame; see {@link streamWindowMeans}.
 * @example
 * ```ts
 * async function* days() {
 *   for (let d = 1; d <= 40; d++) yield { time: new Date(Date.UTC(2002, 3, d)).toISOString(),
 *     grid: createGrid(new Float32Array([d]), { shape: [1, 1], bounds: [0, 0, 1, 1], crs: "EPSG:4326" }) };
 * }
 * const months = graceMonths({ timeBounds: [["2002-04-04", "2002-05-01"], ["2002-05-02", "2002-05-19"]] });
 * (await aggregateDaily(days(), months, { minDays: 10 })).data;
 * // => Float32Array [17, NaN] (days 4-30 of April; only 9 days of the second window reached)
 * ```
 */
export async function aggregateDaily(
  source: AsyncIterable<DailyFrame> | Iterable<DailyFrame>,
  windows: readonly TimeWindow[],
  options: AggregateDailyOptions = {},
): Promise<GridStack<Float32Array>> {
  if (!Array.isArray(windows) || windows.length === 0)
    throw new GridArgumentError(
      'windows',
      'aggregateDaily',
      'a non-empty array of { id, start, end } windows',
      JSON.stringify(windows),
    );
  let data: Float32Array | null = null;
  let spec: GridSpec | null = null;
  const days = new Array<number>(windows.length).fill(0);
  for await (const m of streamWindowMeans(source, windows, options)) {
    if (!spec) {
      spec = { shape: m.grid.shape, bounds: m.grid.bounds, crs: m.grid.crs };
      data = new Float32Array(windows.length * m.grid.data.length).fill(Number.NaN);
    }
    data!.set(m.grid.data, m.index * m.grid.data.length);
    days[m.index] = m.days;
  }
  if (!spec || !data)
    throw new GridArgumentError('source', 'aggregateDaily', 'at least one daily frame', 'an empty series');
  return stackOf(data, spec, windows, days);
}

/**
 * Aggregates an in-memory stack of daily frames onto windows (the synchronous counterpart of {@link aggregateDaily};
 * same method and result).
 *
 * @param stack - Daily frames; each frame's date is taken from `times`.
 * @param windows - The windows; at least one.
 * @param options - See {@link AggregateDailyOptions}.
 * @throws {@link GridArgumentError} for unordered times or bad windows.
 * @example
 * ```ts
 * const s = createStack(new Float32Array([1, 2, 3]), { shape: [3, 1, 1], bounds: [0, 0, 1, 1], crs: "EPSG:4326",
 *   times: ["2001-01-01", "2001-01-02", "2001-02-01"] });
 * aggregateStack(s, [{ id: "jan", start: "2001-01-01", end: "2001-02-01" }]).data;
 * // => Float32Array [1.5]
 * ```
 */
export function aggregateStack(
  stack: GridStack<GridArray>,
  windows: readonly TimeWindow[],
  options: AggregateDailyOptions = {},
): GridStack<Float32Array> {
  assertStack(stack, 'stack', 'aggregateStack');
  if (!Array.isArray(windows) || windows.length === 0)
    throw new GridArgumentError(
      'windows',
      'aggregateStack',
      'a non-empty array of { id, start, end } windows',
      JSON.stringify(windows),
    );
  const minDays = checkMinDays(options.minDays, 'aggregateStack');
  const parsed = parseWindows(windows, 'aggregateStack');
  const [nt, rows, cols] = stack.shape;
  const size = rows * cols;
  // Per window, accumulate the frames whose date falls inside (stack order need not be sorted here).
  const dayOf = stack.times.map(
    (t, i) => Math.floor(parseIsoUtc(t, `stack.times[${i}]`, 'aggregateStack') / DAY_MS) * DAY_MS,
  );
  const data = new Float32Array(parsed.length * size);
  const days: number[] = [];
  parsed.forEach((w, k) => {
    const acc: Accumulator = { sum: new Float64Array(size), count: new Int32Array(size), days: 0 };
    for (let t = 0; t < nt; t++)
      if (dayOf[t] >= w.start && dayOf[t] < w.end)
        accumulate(stack.data.subarray(t * size, (t + 1) * size), stack.nodata, acc);
    const o = k * size;
    for (let i = 0; i < size; i++) data[o + i] = acc.count[i] >= minDays ? acc.sum[i] / acc.count[i] : Number.NaN;
    days.push(acc.days);
    options.log?.({ type: 'window', id: w.window.id, days: acc.days, windowDays: (w.end - w.start) / DAY_MS });
  });
  return stackOf(
    data,
    { shape: [rows, cols], bounds: stack.bounds, crs: stack.crs },
    windows,
    days,
    stack.units,
    stack.attributes,
  );
}

function stackOf(
  data: Float32Array,
  spec: GridSpec,
  windows: readonly TimeWindow[],
  days: readonly number[],
  units?: string,
  attributes?: Readonly<Record<string, string | number>>,
): GridStack<Float32Array> {
  const mids = windows.map((w) => {
    const a = parseIsoUtc(w.start, 'windows[].start', 'aggregateDaily');
    const b = parseIsoUtc(w.end, 'windows[].end', 'aggregateDaily');
    return isoDate(Math.floor((a + (b - a) / 2) / 1000) * 1000);
  });
  return {
    data,
    shape: [windows.length, spec.shape[0], spec.shape[1]],
    bounds: spec.bounds,
    crs: spec.crs,
    nodata: Number.NaN,
    ...(units !== undefined ? { units } : {}),
    times: mids,
    timeBounds: windows.map((w) => [w.start, w.end] as const),
    labels: windows.map((w) => w.id),
    attributes: {
      ...(attributes ?? {}),
      aggregation: 'per-pixel mean of the daily frames whose UTC date is in [start, end)',
      days_per_window: days.join(','),
    },
  };
}

function checkMinDays(v: number | undefined, fn: string): number {
  const m = v ?? 1;
  if (!Number.isInteger(m) || m < 1)
    throw new GridArgumentError('options.minDays', fn, 'a positive integer', String(v));
  return m;
}

function parseWindows(windows: readonly TimeWindow[], fn: string): ParsedWindow[] {
  if (!Array.isArray(windows))
    throw new GridArgumentError('windows', fn, 'an array of { id, start, end } windows', String(windows));
  return windows.map((w, index) => {
    const start = parseIsoUtc(w?.start, `windows[${index}].start`, fn);
    const end = parseIsoUtc(w?.end, `windows[${index}].end`, fn);
    if (!(end > start))
      throw new GridArgumentError(`windows[${index}]`, fn, 'a window with end after start', JSON.stringify(w));
    return { index, start, end, window: w };
  });
}
