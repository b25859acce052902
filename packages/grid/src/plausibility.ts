/**
 * Plausibility checks on the values a reader returned, before anything is computed from them: a value that is
 * infinite, a water-storage anomaly beyond a physical bound, values that look like cm or mm in a field labelled m,
 * and frames with no valid value at all. Each problem names the file, the variable and the offending value.
 */
import { GridValueError } from './errors.js';
import { normalizeUnits, WATER_UNITS } from './units.js';

/** The checks {@link plausibilityProblems} runs, in the order it reports them. */
export const PLAUSIBILITY_CHECKS = ['non-finite', 'empty-frames', 'units', 'magnitude'] as const;
/** One of {@link PLAUSIBILITY_CHECKS}. */
export type PlausibilityCheck = (typeof PLAUSIBILITY_CHECKS)[number];

/** Options of {@link plausibilityProblems} and {@link assertPlausible}. */
export interface PlausibilityOptions {
  /** The file the values were read from, named in every message. */
  readonly file?: string;
  /** The variable (or band) the values were read from, named in every message. */
  readonly variable?: string;
  /** Checks whose findings are intended and not problems; `true` accepts every check. Default none. */
  readonly accept?: boolean | readonly PlausibilityCheck[];
  /**
   * Bound on |value| in metres after unit decoding, for water-storage anomalies (TWSA). `null` skips the
   * `magnitude` and `units` checks (any raster). Default `10`. Skipped as well when the units are not a water unit.
   */
  readonly maxAbsMetres?: number | null;
  /** How the caller accepts a finding, appended to messages. Default names this option (`{ accept: [...] }`). */
  readonly acceptHint?: string;
}

/** One implausible finding. */
export interface PlausibilityProblem {
  readonly check: PlausibilityCheck;
  /** A sentence naming the file, the variable, the value and where it is. */
  readonly message: string;
  /** The offending value (for `empty-frames`, the frame's time or index). */
  readonly value: number | string;
  /** 0-based frame of the first offending value, for stacks. */
  readonly frame?: number;
}

/** What the checks need of a record: a {@link Grid} or {@link GridStack} fits. */
export interface CheckedValues {
  readonly data: ArrayLike<number>;
  readonly shape: readonly number[];
  readonly units?: string;
  readonly times?: readonly string[];
  readonly nodata?: number;
}

const MEDIAN_SAMPLE = 100_000;

function formatValue(v: number): string {
  if (v === Infinity) return '+Infinity';
  if (v === -Infinity) return '-Infinity';
  return Math.abs(v) >= 1e6 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : String(+v.toPrecision(6));
}

/**
 * The implausible findings in `values`, one per check at most (the first offending cell, with a count).
 *
 * ## Method
 * - `non-finite`: ±Infinity anywhere. Readers decode the fill value and nodata to NaN, so NaN is "missing" and
 *   an infinite value is a value that is neither valid nor the fill.
 * - `empty-frames`: a frame (or a single grid) without one finite value.
 * - `units` (water units only): in a field labelled m, a median |value| above 1 m: TWSA anomalies are a few cm
 *   to dm, so the values are most likely cm or mm.
 * - `magnitude` (water units only): |value| beyond `maxAbsMetres` after converting to metres (default 10 m).
 * @param values - a grid or stack (`[rows, cols]` or `[time, rows, cols]`).
 * @param options - names for the messages, the checks to accept and the bound.
 * @returns the problems, empty when everything is plausible or accepted.
 * @example
 * ```ts
 * const g = createGrid(new Float32Array([0.1, Infinity, NaN, 0.2]), { shape: [2, 2], bounds: [0, 0, 2, 2], crs: "EPSG:4326", units: "m" });
 * plausibilityProblems(g, { file: "grace.nc", variable: "lwe_thickness" }).map((p) => p.check); // => ["non-finite"]
 * ```
 */
export function plausibilityProblems(values: CheckedValues, options: PlausibilityOptions = {}): PlausibilityProblem[] {
  const accepted = (c: PlausibilityCheck): boolean =>
    options.accept === true || (Array.isArray(options.accept) && options.accept.includes(c));
  const where = `${options.file ?? '(data)'}${options.variable ? `, variable '${options.variable}'` : ''}`;
  const hint = (c: PlausibilityCheck): string => options.acceptHint ?? `pass { accept: ["${c}"] } to accept it`;
  const data = values.data;
  const shape = values.shape;
  const frames = shape.length === 3 ? shape[0]! : 1;
  const size = shape.length === 3 ? shape[1]! * shape[2]! : data.length;
  const cols = shape[shape.length - 1] ?? 1;
  const at = (i: number): { frame: number; text: string } => {
    const frame = Math.floor(i / size);
    const k = i - frame * size;
    const time = values.times?.[frame];
    const f = shape.length === 3 ? `frame ${frame}${time ? ` (${time})` : ''}, ` : '';
    return { frame, text: `${f}row ${Math.floor(k / cols)}, col ${k % cols}` };
  };
  const problems: PlausibilityProblem[] = [];

  if (!accepted('non-finite')) {
    let first = -1;
    let count = 0;
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (v === Infinity || v === -Infinity) {
        if (first < 0) first = i;
        count++;
      }
    }
    if (first >= 0) {
      const p = at(first);
      problems.push({
        check: 'non-finite',
        value: data[first]!,
        frame: p.frame,
        message: `${where}: value ${formatValue(data[first]!)} at ${p.text} is not finite and not the fill value (${count} such cell${count === 1 ? '' : 's'}); fix the file, or ${hint('non-finite')}`,
      });
    }
  }

  if (!accepted('empty-frames') && data.length > 0) {
    const empty: number[] = [];
    for (let t = 0; t < frames; t++) {
      let any = false;
      for (let k = t * size; k < (t + 1) * size; k++) {
        if (Number.isFinite(data[k]!)) {
          any = true;
          break;
        }
      }
      if (!any) empty.push(t);
    }
    if (empty.length > 0) {
      const name = (t: number): string =>
        shape.length === 3 ? `frame ${t}${values.times?.[t] ? ` (${values.times[t]})` : ''}` : 'the grid';
      const list = empty.slice(0, 5).map(name).join(', ') + (empty.length > 5 ? `, … (${empty.length} in all)` : '');
      problems.push({
        check: 'empty-frames',
        value: values.times?.[empty[0]!] ?? empty[0]!,
        frame: empty[0]!,
        message: `${where}: ${list} ${empty.length === 1 ? 'has' : 'have'} no valid value (every cell is missing or the fill value${values.nodata !== undefined && Number.isFinite(values.nodata) ? ` ${values.nodata}` : ''}); fix the file, or ${hint('empty-frames')}`,
      });
    }
  }

  const unit = values.units !== undefined ? normalizeUnits(values.units) : undefined;
  const bound = options.maxAbsMetres === undefined ? 10 : options.maxAbsMetres;
  if (bound !== null && unit !== undefined) {
    const toMetres = WATER_UNITS[unit] / 1000;
    if (!accepted('units') && unit === 'm') {
      const stride = Math.max(1, Math.floor(data.length / MEDIAN_SAMPLE));
      const sample: number[] = [];
      for (let i = 0; i < data.length; i += stride) {
        const v = data[i]!;
        if (Number.isFinite(v)) sample.push(Math.abs(v));
      }
      sample.sort((a, b) => a - b);
      const median = sample.length > 0 ? sample[Math.floor(sample.length / 2)]! : 0;
      if (median > 1) {
        problems.push({
          check: 'units',
          value: median,
          message: `${where}: the values look like cm or mm, not the labelled '${values.units}': median |value| ${formatValue(median)} m (TWSA anomalies are a few cm to dm); fix the units attribute, or ${hint('units')}`,
        });
      }
    }
    if (!accepted('magnitude')) {
      let first = -1;
      let count = 0;
      for (let i = 0; i < data.length; i++) {
        const v = data[i]!;
        if (Number.isFinite(v) && Math.abs(v * toMetres) > bound) {
          if (first < 0) first = i;
          count++;
        }
      }
      if (first >= 0) {
        const p = at(first);
        problems.push({
          check: 'magnitude',
          value: data[first]!,
          frame: p.frame,
          message: `${where}: value ${formatValue(data[first]!)} ${values.units} at ${p.text} is beyond the physical bound |TWSA| ≤ ${bound} m (${count} such cell${count === 1 ? '' : 's'}); fix the file, or ${hint('magnitude')}`,
        });
      }
    }
  }
  return problems;
}

/**
 * Throws the first of {@link plausibilityProblems} as a {@link GridValueError} naming the file, the variable and
 * the offending value; returns when everything is plausible or accepted.
 * @throws {@link GridValueError} with `check`, `value`, `file` and `field` (the variable).
 * @example
 * ```ts
 * const g = createGrid(new Float32Array([NaN, NaN]), { shape: [1, 2], bounds: [0, 0, 2, 1], crs: "EPSG:4326", units: "m" });
 * assertPlausible(g, { file: "a.tif", accept: ["empty-frames"] }); // => undefined
 * ```
 */
export function assertPlausible(values: CheckedValues, options: PlausibilityOptions = {}): void {
  const first = plausibilityProblems(values, options)[0];
  if (first === undefined) return;
  throw new GridValueError(first.message, {
    check: first.check,
    value: first.value,
    ...(options.file !== undefined ? { file: options.file } : {}),
    ...(options.variable !== undefined ? { field: options.variable } : {}),
  });
}
