/**
 * Anomalies: subtract each pixel's mean over a baseline period.
 */
import { GridArgumentError, GridEmptyError } from './errors.js';
import type { GridArray, GridStack } from './grid.js';
import { assertStack, floatArrayFor, type FloatOf } from './internal/grid-args.js';
import { parseIsoUtc } from './time-windows.js';

/** The paper's baseline (Yu et al. 2021): the 158 GRACE months from 2002-04 to 2016-12, as `[start, end)`. */
export const PAPER_BASELINE: readonly [start: string, end: string] = Object.freeze([
  '2002-04-01',
  '2017-01-01',
] as const);

/** Options of {@link anomalies}. */
export interface AnomaliesOptions {
  /** Baseline period `[start, end)` as ISO dates; a frame belongs to it when its mid-point does. E.g. {@link PAPER_BASELINE}. */
  readonly baseline: readonly [start: string, end: string];
}

/**
 * Removes from every frame the per-pixel mean over the frames inside a baseline period.
 *
 * ## Method
 * A frame's time is the mid-point of its `timeBounds` window when the stack has them, else its `times` entry.
 * Frames with `start ≤ time < end` form the baseline; for each pixel `mean = Σ valid values / count`, and every
 * frame becomes `value − mean` (NaN stays NaN; a pixel with no valid baseline value becomes NaN everywhere). The
 * baseline (`baseline`, `baseline_frames`) is recorded in the output's attributes. Sums are float64.
 *
 * @param stack - The stack.
 * @param options - `{ baseline: [start, end) }`.
 * @returns A new stack of anomalies (Float64 for Float64 input, else Float32), same times, bounds and labels.
 * @throws {@link GridEmptyError} when no frame lies in the baseline.
 * @throws {@link GridArgumentError} when the baseline is not two ISO dates with end after start.
 * @example
 * ```ts
 * const s = createStack(new Float32Array([1, 3, 5]), { shape: [3, 1, 1], bounds: [0, 0, 1, 1], crs: "EPSG:4326",
 *   times: ["2002-04-16", "2002-05-16", "2020-01-16"] });
 * anomalies(s, { baseline: ["2002-04-01", "2017-01-01"] }).data;
 * // => Float32Array [-1, 1, 3]
 * ```
 */
export function anomalies<T extends GridArray>(stack: GridStack<T>, options: AnomaliesOptions): GridStack<FloatOf<T>> {
  assertStack(stack, 'stack', 'anomalies');
  const baseline = options?.baseline;
  if (!Array.isArray(baseline) || baseline.length !== 2)
    throw new GridArgumentError('options.baseline', 'anomalies', '[start, end) ISO dates', JSON.stringify(baseline));
  const b0 = parseIsoUtc(baseline[0], 'options.baseline[0]', 'anomalies');
  const b1 = parseIsoUtc(baseline[1], 'options.baseline[1]', 'anomalies');
  if (!(b1 > b0))
    throw new GridArgumentError(
      'options.baseline',
      'anomalies',
      'a period with end after start',
      JSON.stringify(baseline),
    );
  const [nt, rows, cols] = stack.shape;
  const size = rows * cols;
  const inBaseline: number[] = [];
  for (let t = 0; t < nt; t++) {
    const tb = stack.timeBounds?.[t];
    const time = tb
      ? (parseIsoUtc(tb[0], `stack.timeBounds[${t}][0]`, 'anomalies') +
          parseIsoUtc(tb[1], `stack.timeBounds[${t}][1]`, 'anomalies')) /
        2
      : parseIsoUtc(stack.times[t], `stack.times[${t}]`, 'anomalies');
    if (time >= b0 && time < b1) inBaseline.push(t);
  }
  if (inBaseline.length === 0) {
    throw new GridEmptyError(
      `anomalies: no frame of the stack (${stack.times[0] ?? ''} … ${stack.times[nt - 1] ?? ''}) has its mid-point in the baseline [${baseline[0]}, ${baseline[1]})`,
      { field: 'options.baseline' },
    );
  }
  const sum = new Float64Array(size);
  const count = new Int32Array(size);
  const src = stack.data;
  const nodata = stack.nodata;
  for (const t of inBaseline) {
    const o = t * size;
    for (let i = 0; i < size; i++) {
      const v = src[o + i];
      if (v === v && v !== nodata) {
        sum[i] += v;
        count[i]++;
      }
    }
  }
  for (let i = 0; i < size; i++) sum[i] = count[i] > 0 ? sum[i] / count[i] : Number.NaN;
  const out = floatArrayFor(src, nt * size);
  for (let t = 0; t < nt; t++) {
    const o = t * size;
    for (let i = 0; i < size; i++) {
      const v = src[o + i];
      out[o + i] = v === v && v !== nodata ? v - sum[i] : Number.NaN;
    }
  }
  return {
    ...stack,
    data: out,
    nodata: Number.NaN,
    times: [...stack.times],
    attributes: {
      ...(stack.attributes ?? {}),
      baseline: `${baseline[0]}/${baseline[1]}`,
      baseline_frames: inBaseline.length,
      anomaly: 'per-pixel mean over baseline frames (by window mid-point) removed',
    },
  };
}
