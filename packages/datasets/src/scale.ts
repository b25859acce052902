/**
 * Min–max scaling to a target range (the paper scales LSM and GRACE TWSA separately to [−1, 1]), fitted on the
 * training samples only, saved as JSON and exactly invertible.
 */
import { DatasetsArgumentError, DatasetsEmptyError } from './errors.js';
import { assertLabels, SPLIT_LABELS, type SplitLabel } from './split.js';

/** A fitted min–max scaler: a plain JSON-safe record. */
export interface Scaler {
  readonly kind: 'minmax';
  /** Smallest finite value of the fitting samples. */
  readonly min: number;
  /** Largest finite value of the fitting samples. */
  readonly max: number;
  /** Target range `[low, high]`: `min` maps to `low`, `max` to `high`. */
  readonly range: readonly [low: number, high: number];
  /** Which samples it was fitted on: a split label, or `"all"`. */
  readonly fittedOn: SplitLabel | 'all';
  /** Number of finite values it was fitted on. */
  readonly count: number;
  /** Units of the unscaled data, e.g. `"mm"`. */
  readonly units?: string;
}

/** Values to fit or scale: a flat array, or a `{ data, shape: [samples, ...] }` record such as a `GridStack`. */
export type ScalableData = ArrayLike<number> | { readonly data: ArrayLike<number>; readonly shape: readonly number[] };

/** Options of {@link fitMinMax}. */
export interface FitMinMaxOptions {
  /** Target range. Default `[-1, 1]`. */
  readonly range?: readonly [low: number, high: number];
  /** Split label of each sample (first dimension). Required unless `fitOn` is `"all"`. */
  readonly labels?: readonly SplitLabel[];
  /** Samples to fit on. Default `"train"` (so test statistics never leak into the scaling). */
  readonly fitOn?: SplitLabel | 'all';
  /**
   * Values to consider: per element of one sample (e.g. a land mask of `rows*cols`) or per element of the whole
   * array. Included where `>= 0.5` (0/1 or land fraction). Default: every finite value.
   */
  readonly mask?: ArrayLike<number>;
  /** Units recorded in the scaler. */
  readonly units?: string;
}

function flatOf(data: ScalableData, fn: string): { values: ArrayLike<number>; samples: number | null } {
  if (data !== null && typeof data === 'object' && 'data' in data && 'shape' in data && Array.isArray(data.shape)) {
    const size = data.shape.reduce((a, b) => a * b, 1);
    if (data.data.length !== size)
      throw new DatasetsArgumentError(
        'data.data',
        fn,
        `${size} values for shape [${data.shape.join(', ')}]`,
        `${data.data.length}`,
      );
    return { values: data.data, samples: data.shape[0] ?? null };
  }
  if (data === null || typeof data !== 'object' || typeof (data as ArrayLike<number>).length !== 'number') {
    throw new DatasetsArgumentError('data', fn, 'an array of numbers or a { data, shape } record', String(data));
  }
  return { values: data as ArrayLike<number>, samples: null };
}

function checkRange(range: unknown, fn: string): [number, number] {
  const r = range as readonly number[];
  if (
    !Array.isArray(r) ||
    r.length !== 2 ||
    !r.every((v) => typeof v === 'number' && Number.isFinite(v)) ||
    !(r[0]! < r[1]!)
  ) {
    throw new DatasetsArgumentError(
      'range',
      fn,
      'two finite numbers [low, high] with low < high',
      JSON.stringify(range),
    );
  }
  return [r[0]!, r[1]!];
}

/**
 * Fits a min–max scaler on the finite values of the selected samples.
 *
 * ## Method
 * min and max over the values of samples labelled `fitOn` (all samples for `"all"`), inside `mask`, ignoring NaN
 * and ±Infinity. The sample dimension is the first of `shape`, or `values / labels.length` values per sample for a
 * flat array.
 *
 * @param data - Values to fit on; see {@link ScalableData}.
 * @param options - {@link FitMinMaxOptions}.
 * @returns A {@link Scaler}.
 * @throws {@link DatasetsArgumentError} when labels are missing or do not divide the data, or the range or mask is invalid.
 * @throws {@link DatasetsEmptyError} when the selected samples hold no finite value.
 * @example
 * ```ts
 * const s = fitMinMax([0, 10, 50, 20, -100, 1000], { labels: ["test", "train", "train", "train", "test", "test"] });
 * [s.min, s.max, s.fittedOn, s.count]; // => [10, 50, "train", 3]
 * ```
 */
export function fitMinMax(data: ScalableData, options?: FitMinMaxOptions): Scaler {
  const fn = 'fitMinMax';
  const { values, samples } = flatOf(data, fn);
  const range = checkRange(options?.range ?? [-1, 1], fn);
  const fitOn = options?.fitOn ?? 'train';
  if (fitOn !== 'all' && !SPLIT_LABELS.includes(fitOn))
    throw new DatasetsArgumentError('fitOn', fn, `"all" or one of ${SPLIT_LABELS.join(', ')}`, JSON.stringify(fitOn));
  const labels = options?.labels;
  let perSample = values.length;
  if (labels !== undefined) {
    assertLabels(labels, 'labels', fn);
    if (samples !== null ? labels.length !== samples : labels.length === 0 || values.length % labels.length !== 0) {
      throw new DatasetsArgumentError(
        'labels',
        fn,
        samples !== null ? `${samples} labels (one per sample)` : `a count that divides the ${values.length} values`,
        `${labels.length} labels`,
      );
    }
    perSample = values.length / labels.length;
  } else if (fitOn !== 'all') {
    throw new DatasetsArgumentError(
      'labels',
      fn,
      `one label per sample to fit on "${fitOn}" (or fitOn: "all" to fit on every sample)`,
      'undefined',
    );
  }
  const mask = options?.mask;
  if (mask !== undefined && mask.length !== perSample && mask.length !== values.length) {
    throw new DatasetsArgumentError(
      'mask',
      fn,
      `${perSample} (one sample) or ${values.length} (all) entries`,
      `${mask.length}`,
    );
  }
  let min = Infinity,
    max = -Infinity,
    count = 0;
  for (let i = 0; i < values.length; i++) {
    if (labels !== undefined && fitOn !== 'all' && labels[Math.floor(i / perSample)] !== fitOn) continue;
    if (mask !== undefined && !(mask[mask.length === values.length ? i : i % perSample]! >= 0.5)) continue;
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
    count++;
  }
  if (count === 0)
    throw new DatasetsEmptyError(
      `fitMinMax: no finite value in the samples labelled "${fitOn}"${mask !== undefined ? ' inside the mask' : ''}; nothing to fit`,
      { field: 'data' },
    );
  return {
    kind: 'minmax',
    min,
    max,
    range,
    fittedOn: fitOn,
    count,
    ...(options?.units !== undefined ? { units: options.units } : {}),
  };
}

function outputFor(
  length: number,
  out: Float32Array | Float64Array | undefined,
  fn: string,
): Float32Array | Float64Array {
  if (out === undefined) return new Float32Array(length);
  if (!(out instanceof Float32Array || out instanceof Float64Array) || out.length !== length) {
    throw new DatasetsArgumentError(
      'out',
      fn,
      `a Float32Array or Float64Array of length ${length}`,
      out instanceof Object ? `${out.constructor.name} of length ${(out as ArrayLike<number>).length}` : String(out),
    );
  }
  return out;
}

function checkScaler(scaler: Scaler, fn: string): void {
  if (
    !scaler ||
    scaler.kind !== 'minmax' ||
    !Number.isFinite(scaler.min) ||
    !Number.isFinite(scaler.max) ||
    !(scaler.max >= scaler.min)
  ) {
    throw new DatasetsArgumentError(
      'scaler',
      fn,
      'a min-max Scaler from fitMinMax or scalerFromJson',
      JSON.stringify(scaler),
    );
  }
  checkRange(scaler.range, fn);
}

/**
 * Scales values into the scaler's range.
 *
 * ## Method
 * y = low + ((x − min) / (max − min)) · (high − low), computed in float64; NaN stays NaN; values outside
 * [min, max] (e.g. test months beyond the training extremes) map outside [low, high] — they are not clipped.
 * A constant fit (max = min) maps every value to the middle of the range.
 *
 * @param scaler - From {@link fitMinMax}.
 * @param data - Values (a flat array or a `{ data, shape }` record).
 * @param out - Optional output to reuse (Float32Array or Float64Array of the same length). Default: a new Float32Array.
 * @returns The scaled values.
 * @throws {@link DatasetsArgumentError} for an invalid scaler or `out`.
 * @example
 * ```ts
 * const s = fitMinMax([0, 5, 10], { fitOn: "all" });
 * Array.from(applyScaler(s, [0, 2.5, 10, NaN, 20])); // => [-1, -0.5, 1, NaN, 3]
 * ```
 */
export function applyScaler(
  scaler: Scaler,
  data: ScalableData,
  out?: Float32Array | Float64Array,
): Float32Array | Float64Array {
  const fn = 'applyScaler';
  checkScaler(scaler, fn);
  const { values } = flatOf(data, fn);
  const result = outputFor(values.length, out, fn);
  const [low, high] = scaler.range;
  const span = scaler.max - scaler.min;
  if (span === 0) {
    const mid = (low + high) / 2;
    for (let i = 0; i < values.length; i++) result[i] = Number.isNaN(values[i]!) ? Number.NaN : mid;
    return result;
  }
  const width = high - low;
  // Divide before multiplying so that a tiny (even subnormal) span cannot overflow the factor.
  for (let i = 0; i < values.length; i++) result[i] = low + ((values[i]! - scaler.min) / span) * width;
  return result;
}

/**
 * Maps scaled values back to data units (the inverse of {@link applyScaler}).
 *
 * ## Method
 * x = min + ((y − low) / (high − low)) · (max − min), in float64. `invertScaler(s, applyScaler(s, x))` returns `x` to
 * float32 precision (exactly up to float64 round-off with a Float64Array `out`).
 *
 * @param scaler - From {@link fitMinMax}.
 * @param data - Scaled values.
 * @param out - Optional output to reuse. Default: a new Float32Array.
 * @returns Values in data units.
 * @throws {@link DatasetsArgumentError} for an invalid scaler or `out`.
 * @example
 * ```ts
 * const s = fitMinMax([0, 5, 10], { fitOn: "all" });
 * Array.from(invertScaler(s, [-1, -0.5, 1])); // => [0, 2.5, 10]
 * ```
 */
export function invertScaler(
  scaler: Scaler,
  data: ScalableData,
  out?: Float32Array | Float64Array,
): Float32Array | Float64Array {
  const fn = 'invertScaler';
  checkScaler(scaler, fn);
  const { values } = flatOf(data, fn);
  const result = outputFor(values.length, out, fn);
  const [low, high] = scaler.range;
  const span = scaler.max - scaler.min;
  const width = high - low;
  for (let i = 0; i < values.length; i++) result[i] = scaler.min + ((values[i]! - low) / width) * span;
  return result;
}

const SCALER_FORMAT = 'twsa-scaler/1';

/**
 * Serialises a scaler as JSON (numbers round-trip exactly through JSON).
 *
 * @param scaler - From {@link fitMinMax}.
 * @returns A JSON string with a `format: "twsa-scaler/1"` tag.
 * @throws {@link DatasetsArgumentError} for an invalid scaler.
 * @example
 * ```ts
 * scalerToJson(fitMinMax([1, 3], { fitOn: "all", units: "mm" }));
 * // => '{"format":"twsa-scaler/1","kind":"minmax","min":1,"max":3,"range":[-1,1],"fittedOn":"all","count":2,"units":"mm"}'
 * ```
 */
export function scalerToJson(scaler: Scaler): string {
  checkScaler(scaler, 'scalerToJson');
  return JSON.stringify({
    format: SCALER_FORMAT,
    kind: scaler.kind,
    min: scaler.min,
    max: scaler.max,
    range: [scaler.range[0], scaler.range[1]],
    fittedOn: scaler.fittedOn,
    count: scaler.count,
    ...(scaler.units !== undefined ? { units: scaler.units } : {}),
  });
}

/**
 * Reads a scaler written by {@link scalerToJson}, validating every field.
 *
 * @param json - The JSON text, or the parsed object.
 * @returns The {@link Scaler}.
 * @throws {@link DatasetsArgumentError} naming the bad field (`json.min`, `json.range`, …) when the JSON is invalid.
 * @example
 * ```ts
 * scalerFromJson('{"format":"twsa-scaler/1","kind":"minmax","min":1,"max":3,"range":[-1,1],"fittedOn":"train","count":2}').max; // => 3
 * ```
 */
export function scalerFromJson(json: string | object): Scaler {
  const fn = 'scalerFromJson';
  let o: Record<string, unknown>;
  if (typeof json === 'string') {
    try {
      o = JSON.parse(json) as Record<string, unknown>;
    } catch (cause) {
      throw new DatasetsArgumentError('json', fn, 'valid JSON', JSON.stringify(json.slice(0, 60)), { cause });
    }
  } else {
    o = json as Record<string, unknown>;
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o))
    throw new DatasetsArgumentError('json', fn, 'a JSON object', JSON.stringify(o));
  const bad = (field: string, expected: string): never => {
    throw new DatasetsArgumentError(`json.${field}`, fn, expected, JSON.stringify(o[field]));
  };
  if (o.format !== SCALER_FORMAT) bad('format', `"${SCALER_FORMAT}"`);
  if (o.kind !== 'minmax') bad('kind', '"minmax"');
  if (typeof o.min !== 'number' || !Number.isFinite(o.min)) bad('min', 'a finite number');
  if (typeof o.max !== 'number' || !Number.isFinite(o.max) || !((o.max as number) >= (o.min as number)))
    bad('max', 'a finite number >= min');
  const r = o.range as unknown[];
  if (
    !Array.isArray(r) ||
    r.length !== 2 ||
    !r.every((v) => typeof v === 'number' && Number.isFinite(v)) ||
    !((r[0] as number) < (r[1] as number))
  )
    bad('range', 'two finite numbers [low, high] with low < high');
  if (o.fittedOn !== 'all' && !(SPLIT_LABELS as readonly unknown[]).includes(o.fittedOn))
    bad('fittedOn', `"all" or one of ${SPLIT_LABELS.join(', ')}`);
  if (typeof o.count !== 'number' || !Number.isInteger(o.count) || (o.count as number) < 0)
    bad('count', 'a non-negative integer');
  if (o.units !== undefined && typeof o.units !== 'string') bad('units', 'a string');
  return {
    kind: 'minmax',
    min: o.min as number,
    max: o.max as number,
    range: [r[0] as number, r[1] as number],
    fittedOn: o.fittedOn as SplitLabel | 'all',
    count: o.count as number,
    ...(typeof o.units === 'string' ? { units: o.units } : {}),
  };
}
