/** Argument checks and mask handling shared by the metric kernels. Not exported from the package. */
import { MetricsArgumentError, MetricsShapeError } from '../errors.js';
import type { MaskArray, NumericArray, FrameStack } from '../types.js';

/** Throws unless `value` is a typed float array or an array of numbers. */
export function assertNumeric(value: unknown, argument: string, fn: string): asserts value is NumericArray {
  if (value instanceof Float32Array || value instanceof Float64Array || Array.isArray(value)) return;
  throw new MetricsArgumentError(argument, fn, 'a Float32Array, Float64Array or number[]', describe(value));
}

/** Throws unless `a` and `b` have the same length. */
export function assertSameLength(a: ArrayLike<unknown>, b: ArrayLike<unknown>, argument: string, fn: string): void {
  if (a.length !== b.length) throw new MetricsShapeError(argument, fn, [a.length], [b.length]);
}

/** Checks a `{ data, shape: [time, rows, cols] }` record and returns its shape. */
export function assertStack(value: unknown, argument: string, fn: string): [number, number, number] {
  const s = value as FrameStack | null;
  if (
    !s ||
    typeof s !== 'object' ||
    !Array.isArray(s.shape) ||
    s.shape.length !== 3 ||
    !s.shape.every((v) => Number.isInteger(v) && v >= 0)
  ) {
    throw new MetricsArgumentError(argument, fn, 'a stack { data, shape: [time, rows, cols] }', describe(value));
  }
  assertNumeric(s.data, `${argument}.data`, fn);
  const [t, r, c] = s.shape;
  if (s.data.length !== t * r * c) throw new MetricsShapeError(`${argument}.data`, fn, [t * r * c], [s.data.length]);
  return [t, r, c];
}

/** Throws unless `threshold` is a finite number. */
export function checkThreshold(threshold: number | undefined, fn: string): number {
  const t = threshold ?? 0.5;
  if (typeof t !== 'number' || !Number.isFinite(t))
    throw new MetricsArgumentError('maskThreshold', fn, 'a finite number', String(threshold));
  return t;
}

/**
 * Converts a mask to a 0/1 `Uint8Array` of one of the allowed lengths (or `null` when absent).
 * An element is included when it is `true` or a number `>= threshold`.
 */
export function toInclusion(
  mask: MaskArray | undefined,
  lengths: readonly number[],
  argument: string,
  fn: string,
  threshold: number,
): Uint8Array | null {
  if (mask === undefined || mask === null) return null;
  if (typeof mask !== 'object' || typeof (mask as ArrayLike<unknown>).length !== 'number') {
    throw new MetricsArgumentError(
      argument,
      fn,
      'an array-like mask (Uint8Array, Float32Array, number[] or boolean[])',
      describe(mask),
    );
  }
  if (!lengths.includes(mask.length)) throw new MetricsShapeError(argument, fn, [lengths[0]!], [mask.length]);
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) {
    const m = mask[i] as number | boolean;
    out[i] = m === true || (typeof m === 'number' && m >= threshold) ? 1 : 0;
  }
  return out;
}

/** A short description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value))
    return `${value.constructor.name} of length ${(value as unknown as ArrayLike<number>).length}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

/**
 * Copies the finite values of `series` that the inclusion mask keeps, with their times, into compact arrays:
 * the first `n` entries of `t` and `x` are used.
 */
export function gatherValid(
  series: NumericArray,
  times: ArrayLike<number>,
  mask: Uint8Array | null,
): { t: Float64Array; x: Float64Array; n: number } {
  const t = new Float64Array(series.length);
  const x = new Float64Array(series.length);
  let n = 0;
  for (let i = 0; i < series.length; i++) {
    const v = series[i]!;
    if (!Number.isFinite(v) || (mask !== null && mask[i] === 0)) continue;
    t[n] = times[i]!;
    x[n] = v;
    n++;
  }
  return { t, x, n };
}
