/**
 * Calendar-month alignment: GRACE solutions are windows of roughly a month that do not follow the calendar (some
 * months hold two solutions, some none). To compare GRACE with monthly series, merge its frames into calendar months.
 */
import { GridArgumentError } from './errors.js';
import type { GridArray, GridStack, TimeBounds } from './grid.js';
import { assertStack } from './internal/grid-args.js';
import { isoDate, isoDateTime } from './time-decode.js';
import { graceMonths, parseIsoUtc } from './time-windows.js';

/** One calendar month of a {@link mergeCalendarMonths} result. */
export interface CalendarMonth {
  /** `"YYYY-MM"`. */
  readonly yearMonth: string;
  /** Frames of the input stack merged into this month (their mean), in frame order. */
  readonly frames: readonly number[];
}

/** Result of {@link mergeCalendarMonths}. */
export interface CalendarMonthStack {
  /**
   * One Float32 frame per calendar month that holds at least one input frame, in time order; `times` at the
   * month's mid-point, `timeBounds` the whole month, `labels` `"YYYY-MM"`.
   */
  readonly stack: GridStack<Float32Array>;
  /** Which input frames each output frame merges. */
  readonly months: readonly CalendarMonth[];
}

/**
 * Merges the frames of a stack into calendar months: the cell-wise mean of every frame assigned to a month.
 *
 * ## Method
 * A frame belongs to the calendar month (UTC) of its window mid-point when the stack has `timeBounds` (as
 * {@link graceMonths}, JPL's and the paper's rule), else of its `times` entry. Each month's value is the mean over
 * its frames of the finite values of each cell (NaN where none is finite), so GRACE's duplicate solutions
 * (`"2012-01a"`, `"2012-01b"`) become one month. Months without a frame are absent (see `missingMonths`).
 * Output times are the mid-point of the month (`start + (end − start) / 2`, e.g. `"2012-02-15T12:00:00Z"`), its
 * bounds `[first day, first day of next month)`.
 *
 * @param stack - A stack with `times` (and preferably `timeBounds`).
 * @returns {@link CalendarMonthStack}.
 * @throws {@link GridArgumentError} when the stack is malformed or a time is not an ISO date.
 * @example
 * ```ts
 * const s = { data: Float32Array.of(1, 3, 5), shape: [3, 1, 1] as const, bounds: [0, 0, 1, 1] as const,
 *   crs: "EPSG:4326", nodata: NaN, times: ["2012-01-04", "2012-01-19", "2012-02-14"],
 *   timeBounds: [["2011-12-27", "2012-01-11"], ["2012-01-11", "2012-01-26"], ["2012-02-01", "2012-02-28"]] as const };
 * const m = mergeCalendarMonths(s);
 * Array.from(m.stack.data); // => [2, 5]
 * m.stack.labels; // => ["2012-01", "2012-02"]
 * ```
 */
export function mergeCalendarMonths(stack: GridStack<GridArray>): CalendarMonthStack {
  const fn = 'mergeCalendarMonths';
  assertStack(stack, 'stack', fn);
  const [nt, rows, cols] = stack.shape;
  const size = rows * cols;
  const monthOf: string[] =
    stack.timeBounds !== undefined
      ? graceMonths(stack).map((m) => m.yearMonth)
      : stack.times.map((t, i) => isoDate(parseIsoUtc(t, `stack.times[${i}]`, fn)).slice(0, 7));
  const groups = new Map<string, number[]>();
  monthOf.forEach((ym, i) => {
    const g = groups.get(ym);
    if (g) g.push(i);
    else groups.set(ym, [i]);
  });
  const order = [...groups.keys()].sort();
  if (order.length === 0) throw new GridArgumentError('stack', fn, 'a stack with at least one frame', String(nt));
  const data = new Float32Array(order.length * size);
  const times: string[] = [];
  const timeBounds: TimeBounds[] = [];
  const months: CalendarMonth[] = [];
  order.forEach((ym, k) => {
    const frames = groups.get(ym)!;
    const base = k * size;
    for (let i = 0; i < size; i++) {
      let sum = 0;
      let n = 0;
      for (const f of frames) {
        const v = stack.data[f * size + i]!;
        if (Number.isFinite(v)) {
          sum += v;
          n++;
        }
      }
      data[base + i] = n > 0 ? sum / n : Number.NaN;
    }
    const [y, m] = ym.split('-').map(Number) as [number, number];
    const start = Date.UTC(y, m - 1, 1);
    const end = Date.UTC(y, m, 1);
    times.push(isoDateTime(start + (end - start) / 2));
    timeBounds.push([isoDate(start), isoDate(end)]);
    months.push({ yearMonth: ym, frames });
  });
  const merged = months.filter((m) => m.frames.length > 1).length;
  return {
    stack: {
      data,
      shape: [order.length, rows, cols],
      bounds: stack.bounds,
      crs: stack.crs,
      nodata: Number.NaN,
      ...(stack.units !== undefined ? { units: stack.units } : {}),
      times,
      timeBounds,
      labels: order,
      attributes: {
        ...(stack.attributes ?? {}),
        time_aggregation: `calendar months: mean of the frames whose window mid-point falls in the month (${merged} month(s) merged two or more frames)`,
      },
    },
    months,
  };
}
