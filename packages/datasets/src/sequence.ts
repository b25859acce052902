/**
 * ConvLSTM training windows over a monthly series: 20 consecutive months, 19 in and 1 out, step 1, in time order
 * (forecast the next month) or reversed (hindcast the previous month), with an explicit rule for missing months
 * and no window spanning two splits.
 */
import type { ArrayRecord, FrameStack } from '@twsa/grid';
import { DatasetsArgumentError } from './errors.js';
import { assertLabels, type SplitLabel } from './split.js';

/**
 * `"forecast"`: inputs are months i … i+L−2 in time order and the target is month i+L−1 (the month after).
 * `"hindcast"`: inputs are months i+L−1 … i+1 in reversed time order and the target is month i (the month before),
 * which is how the paper extends GRACE backwards in time.
 */
export type SequenceMode = 'forecast' | 'hindcast';

/**
 * Rule for windows that touch missing months (invalid frames):
 * - `"skip"` (default): a window is kept only when all its frames (inputs and target) are valid — no gap inside.
 * - `"allow-gaps"`: up to `maxMissing` *inputs* may be missing; each is filled by linear interpolation in time between
 *   the nearest valid *input* frames of the same window on either side (never from the target, never from outside the
 *   window) and listed in `filled`. The target must always be valid (targets are never interpolated), and the first
 *   and last input (in time order) must be valid, since they cannot be interpolated without extrapolating.
 */
export type GapRule = 'skip' | 'allow-gaps';

/** Options of {@link makeSequences}. */
export interface SequenceOptions {
  /** Frames per window, inputs + 1 target. Default `20` (19 in, 1 out), as in the paper. */
  readonly length?: number;
  /** Step between consecutive window starts, in months. Default `1`. */
  readonly step?: number;
  /** Default `"forecast"`. */
  readonly mode?: SequenceMode;
  /** Default `"skip"`. */
  readonly gaps?: GapRule;
  /** With `gaps: "allow-gaps"`: maximum missing inputs per window. Default `1`. */
  readonly maxMissing?: number;
  /**
   * Split label per month. A window whose frames (inputs and target, including missing ones) do not all carry the
   * same label is dropped, so no window mixes train and test months (no leakage); a kept window carries that label.
   * Windows made only of `"unused"` months are dropped too. Default: every month `"train"`.
   */
  readonly labels?: readonly SplitLabel[];
}

/** One window: frame indices into the monthly series, in the order the model sees them. */
export interface SequenceWindow {
  /** Input month indices in model order (time order for forecast, reversed for hindcast); length − 1 entries. */
  readonly inputs: readonly number[];
  /** Target month index. */
  readonly target: number;
  /** The split label shared by every frame of the window. */
  readonly label: SplitLabel;
  /** Input month indices that were missing and are filled by interpolation (empty under `"skip"`). */
  readonly filled: readonly number[];
}

/** Result of {@link makeSequences}. */
export interface SequenceResult {
  readonly windows: SequenceWindow[];
  readonly mode: SequenceMode;
  readonly length: number;
  /** Why candidate windows were dropped. */
  readonly counts: {
    /** Windows that fit in the series (before any rule). */
    readonly candidates: number;
    readonly kept: number;
    /** Target month missing. */
    readonly missingTarget: number;
    /** Under `"skip"`: some input missing; under `"allow-gaps"`: more than `maxMissing` inputs missing. */
    readonly missingInputs: number;
    /** Under `"allow-gaps"`: the first or last input (in time order) missing, which cannot be interpolated. */
    readonly missingEdge: number;
    /** Frames with different split labels. */
    readonly mixedSplit: number;
    /** Every frame labelled `"unused"`. */
    readonly unused: number;
  };
}

function positiveInt(value: unknown, argument: string, fn: string, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min)
    throw new DatasetsArgumentError(argument, fn, `an integer >= ${min}`, String(value));
  return value;
}

/**
 * Cuts a monthly series into ConvLSTM windows (frame indices only; see {@link sequenceArrays} for the arrays).
 *
 * ## Method
 * For each start i = 0, step, 2·step, … with i + length ≤ months, the window spans months i … i+length−1. Its label
 * rule and gap rule ({@link GapRule}) decide whether it is kept; the counts of dropped windows are reported.
 * The series must be on a regular monthly axis (one frame per calendar month, missing months included as invalid
 * frames), e.g. the `months`/`monthMask` of paired GRACE data.
 *
 * @param valid - Validity per month (1/true = valid GRACE month, 0 = missing); its length is the number of months.
 * @param options - {@link SequenceOptions}.
 * @returns {@link SequenceResult}.
 * @throws {@link DatasetsArgumentError} for bad lengths, steps, labels or gap options.
 * @example
 * ```ts
 * const valid = [1, 1, 1, 1, 1, 0, 1, 1];
 * makeSequences(valid, { length: 4 }).windows.map((w) => w.target); // => [3, 4]
 * makeSequences(valid, { length: 4, mode: "hindcast" }).windows.map((w) => w.inputs); // => [[3, 2, 1], [4, 3, 2]]
 * const g = makeSequences(valid, { length: 4, gaps: "allow-gaps", maxMissing: 1 });
 * g.windows.map((w) => [w.target, w.filled]); // => [[3, []], [4, []], [7, [5]]]
 * g.counts; // => { candidates: 5, kept: 3, missingTarget: 1, missingInputs: 0, missingEdge: 1, mixedSplit: 0, unused: 0 }
 * ```
 */
export function makeSequences(
  valid: ArrayLike<number> | readonly boolean[],
  options?: SequenceOptions,
): SequenceResult {
  const fn = 'makeSequences';
  if (valid === null || typeof valid !== 'object' || typeof valid.length !== 'number')
    throw new DatasetsArgumentError('valid', fn, 'an array with one validity flag per month', String(valid));
  const months = valid.length;
  const length = positiveInt(options?.length ?? 20, 'length', fn, 2);
  const step = positiveInt(options?.step ?? 1, 'step', fn, 1);
  const mode = options?.mode ?? 'forecast';
  if (mode !== 'forecast' && mode !== 'hindcast')
    throw new DatasetsArgumentError('mode', fn, '"forecast" or "hindcast"', JSON.stringify(mode));
  const gaps = options?.gaps ?? 'skip';
  if (gaps !== 'skip' && gaps !== 'allow-gaps')
    throw new DatasetsArgumentError('gaps', fn, '"skip" or "allow-gaps"', JSON.stringify(gaps));
  const maxMissing = positiveInt(options?.maxMissing ?? 1, 'maxMissing', fn, 0);
  if (options?.maxMissing !== undefined && gaps === 'skip')
    throw new DatasetsArgumentError('maxMissing', fn, 'used only with gaps: "allow-gaps"', String(options.maxMissing));
  const labels = options?.labels;
  if (labels !== undefined) {
    assertLabels(labels, 'labels', fn);
    if (labels.length !== months)
      throw new DatasetsArgumentError('labels', fn, `${months} labels (one per month, like valid)`, `${labels.length}`);
  }
  const ok = (k: number): boolean => {
    const v = valid[k] as number | boolean;
    return v === true || (typeof v === 'number' && v >= 0.5);
  };
  const windows: SequenceWindow[] = [];
  const counts = {
    candidates: 0,
    kept: 0,
    missingTarget: 0,
    missingInputs: 0,
    missingEdge: 0,
    mixedSplit: 0,
    unused: 0,
  };
  for (let i = 0; i + length <= months; i += step) {
    counts.candidates++;
    const last = i + length - 1;
    const label: SplitLabel = labels === undefined ? 'train' : labels[i]!;
    let mixed = false;
    if (labels !== undefined)
      for (let k = i + 1; k <= last; k++)
        if (labels[k] !== label) {
          mixed = true;
          break;
        }
    if (mixed) {
      counts.mixedSplit++;
      continue;
    }
    if (label === 'unused') {
      counts.unused++;
      continue;
    }
    // Time-ordered input span and target.
    const target = mode === 'forecast' ? last : i;
    const first = mode === 'forecast' ? i : i + 1;
    const end = mode === 'forecast' ? last - 1 : last;
    if (!ok(target)) {
      counts.missingTarget++;
      continue;
    }
    const missing: number[] = [];
    for (let k = first; k <= end; k++) if (!ok(k)) missing.push(k);
    if (gaps === 'skip') {
      if (missing.length > 0) {
        counts.missingInputs++;
        continue;
      }
    } else {
      if (missing.length > maxMissing) {
        counts.missingInputs++;
        continue;
      }
      if (!ok(first) || !ok(end)) {
        counts.missingEdge++;
        continue;
      }
    }
    const inputs: number[] = [];
    for (let k = first; k <= end; k++) inputs.push(k);
    if (mode === 'hindcast') inputs.reverse();
    windows.push({ inputs, target, label, filled: mode === 'hindcast' ? missing.reverse() : missing });
    counts.kept++;
  }
  return { windows, mode, length, counts };
}

/** Options of {@link targetWindows}. */
export interface TargetWindowOptions {
  /** Frames per window, inputs + 1 target. Default `20`. */
  readonly length?: number;
  /** Mode of each target, or one mode for all. Default `"forecast"`. */
  readonly mode?: SequenceMode | readonly SequenceMode[];
  /** As {@link SequenceOptions.gaps}. Default `"skip"`. */
  readonly gaps?: GapRule;
  /** With `gaps: "allow-gaps"`: maximum missing inputs per window. Default `1`. */
  readonly maxMissing?: number;
  /** Split label per frame; a window carries its *target's* label (its inputs may come from any split). */
  readonly labels?: readonly SplitLabel[];
}

/** Result of {@link targetWindows}. */
export interface TargetWindowResult {
  /** One window per target that could be served, in the order of `targets`. */
  readonly windows: SequenceWindow[];
  /** Targets without a window, with the reason. */
  readonly skipped: { readonly target: number; readonly reason: string }[];
}

/**
 * Windows that predict given frames: the split is decided by the target alone.
 *
 * ## Method
 * For each target frame t: in `"forecast"` mode the inputs are frames t−L+1 … t−1 (time order), in `"hindcast"`
 * mode frames t+L−1 … t+1 (reversed), L = `length`. The inputs may be any valid frame — known history, not the
 * answer — so, unlike {@link makeSequences}, no split label rule applies to them; the window carries the target's
 * label. The target must be valid; the inputs follow the gap rule ({@link GapRule}: all valid, or up to `maxMissing`
 * missing inner inputs, filled by {@link sequenceArrays} and listed in `filled`). A target whose window would leave
 * the series or break the gap rule is listed in `skipped`.
 *
 * @param valid - Validity per frame (as {@link makeSequences}).
 * @param targets - Frame indices to predict.
 * @param options - {@link TargetWindowOptions}.
 * @returns {@link TargetWindowResult}.
 * @throws {@link DatasetsArgumentError} for bad lengths, modes, targets or labels.
 * @example
 * ```ts
 * const valid = [1, 1, 1, 0, 1, 1];
 * const r = targetWindows(valid, [0, 5], { length: 3, mode: ["hindcast", "forecast"] });
 * r.windows.map((w) => [w.target, w.inputs]); // => [[0, [2, 1]]]
 * r.skipped; // => [{ target: 5, reason: "input missing (skip rule)" }]
 * ```
 */
export function targetWindows(
  valid: ArrayLike<number> | readonly boolean[],
  targets: readonly number[],
  options?: TargetWindowOptions,
): TargetWindowResult {
  const fn = 'targetWindows';
  if (valid === null || typeof valid !== 'object' || typeof valid.length !== 'number')
    throw new DatasetsArgumentError('valid', fn, 'an array with one validity flag per frame', String(valid));
  const frames = valid.length;
  const length = positiveInt(options?.length ?? 20, 'length', fn, 2);
  const gaps = options?.gaps ?? 'skip';
  if (gaps !== 'skip' && gaps !== 'allow-gaps')
    throw new DatasetsArgumentError('gaps', fn, '"skip" or "allow-gaps"', JSON.stringify(gaps));
  const maxMissing = positiveInt(options?.maxMissing ?? 1, 'maxMissing', fn, 0);
  if (!Array.isArray(targets))
    throw new DatasetsArgumentError('targets', fn, 'an array of frame indices', typeof targets);
  const modeOption = options?.mode ?? 'forecast';
  const modes: readonly SequenceMode[] = Array.isArray(modeOption)
    ? (modeOption as readonly SequenceMode[])
    : targets.map(() => modeOption as SequenceMode);
  if (modes.length !== targets.length)
    throw new DatasetsArgumentError('mode', fn, `one mode or ${targets.length} modes`, `${modes.length}`);
  const labels = options?.labels;
  if (labels !== undefined) {
    assertLabels(labels, 'labels', fn);
    if (labels.length !== frames)
      throw new DatasetsArgumentError('labels', fn, `${frames} labels (one per frame)`, `${labels.length}`);
  }
  const ok = (k: number): boolean => {
    const v = valid[k] as number | boolean;
    return v === true || (typeof v === 'number' && v >= 0.5);
  };
  const windows: SequenceWindow[] = [];
  const skipped: { target: number; reason: string }[] = [];
  targets.forEach((t, n) => {
    const mode = modes[n];
    if (mode !== 'forecast' && mode !== 'hindcast')
      throw new DatasetsArgumentError(`mode[${n}]`, fn, '"forecast" or "hindcast"', JSON.stringify(mode));
    if (!Number.isInteger(t) || t < 0 || t >= frames)
      throw new DatasetsArgumentError(`targets[${n}]`, fn, `a frame index in [0, ${frames})`, String(t));
    const first = mode === 'forecast' ? t - length + 1 : t + 1;
    const end = mode === 'forecast' ? t - 1 : t + length - 1;
    if (first < 0 || end >= frames) {
      skipped.push({ target: t, reason: mode === 'forecast' ? 'not enough frames before' : 'not enough frames after' });
      return;
    }
    if (!ok(t)) {
      skipped.push({ target: t, reason: 'target missing' });
      return;
    }
    const missing: number[] = [];
    for (let k = first; k <= end; k++) if (!ok(k)) missing.push(k);
    if (missing.length > 0) {
      if (gaps === 'skip') {
        skipped.push({ target: t, reason: 'input missing (skip rule)' });
        return;
      }
      if (missing.length > maxMissing) {
        skipped.push({ target: t, reason: `more than ${maxMissing} inputs missing` });
        return;
      }
      if (!ok(first) || !ok(end)) {
        skipped.push({ target: t, reason: 'first or last input missing' });
        return;
      }
    }
    const inputs: number[] = [];
    for (let k = first; k <= end; k++) inputs.push(k);
    if (mode === 'hindcast') {
      inputs.reverse();
      missing.reverse();
    }
    windows.push({ inputs, target: t, label: labels?.[t] ?? 'train', filled: missing });
  });
  return { windows, skipped };
}

/**
 * Arrays of a set of windows, ready for a ConvLSTM: a record pair `{ inputs, targets }` that `@twsa/models`'
 * `SequenceData` accepts as is.
 */
export interface SequenceArrays {
  /** Inputs, `[windows, length − 1, rows, cols]`, frames in model order. */
  readonly inputs: ArrayRecord;
  /** Targets, `[windows, rows, cols]`. */
  readonly targets: FrameStack;
  /** Label of each window. */
  readonly labels: SplitLabel[];
}

/**
 * Gathers the frames of windows from a `[months, rows, cols]` stack, interpolating the inputs listed in `filled`.
 *
 * ## Method
 * A filled month k between the nearest valid input months a < k < b of its window (valid = not listed in
 * `filled`) gets x_k = x_a + (k − a)/(b − a) · (x_b − x_a), pixel by pixel (NaN pixels stay NaN).
 *
 * @param stack - Monthly frames `{ data, shape: [months, rows, cols] }` (e.g. a `GridStack` on a monthly axis).
 * @param windows - From {@link makeSequences} on the same months.
 * @returns {@link SequenceArrays}.
 * @throws {@link DatasetsArgumentError} when a window refers to a month outside the stack or cannot be interpolated.
 * @example
 * ```ts
 * const stack = { data: Float32Array.from([0, 10, 99, 30, 40]), shape: [5, 1, 1] as const };
 * const { windows } = makeSequences([1, 1, 0, 1, 1], { length: 5, gaps: "allow-gaps" });
 * Array.from(sequenceArrays(stack, windows).inputs.data); // => [0, 10, 20, 30]
 * ```
 */
export function sequenceArrays(
  stack: { readonly data: ArrayLike<number>; readonly shape: readonly [number, number, number] },
  windows: readonly SequenceWindow[],
): SequenceArrays {
  const fn = 'sequenceArrays';
  if (!stack || !Array.isArray(stack.shape) || stack.shape.length !== 3)
    throw new DatasetsArgumentError('stack', fn, 'a stack { data, shape: [months, rows, cols] }', String(stack));
  const [months, rows, cols] = stack.shape;
  const size = rows * cols;
  if (stack.data.length !== months * size)
    throw new DatasetsArgumentError(
      'stack.data',
      fn,
      `${months * size} values for shape [${months}, ${rows}, ${cols}]`,
      `${stack.data.length}`,
    );
  if (!Array.isArray(windows))
    throw new DatasetsArgumentError('windows', fn, 'an array of SequenceWindow', typeof windows);
  const list: readonly SequenceWindow[] = windows;
  const steps = list.length > 0 ? list[0]!.inputs.length : 0;
  const input = new Float32Array(list.length * steps * size);
  const target = new Float32Array(list.length * size);
  const inRange = (k: number): boolean => Number.isInteger(k) && k >= 0 && k < months;
  list.forEach((w, n) => {
    if (w.inputs.length !== steps)
      throw new DatasetsArgumentError(
        `windows[${n}].inputs`,
        fn,
        `${steps} inputs like windows[0]`,
        `${w.inputs.length}`,
      );
    if (!inRange(w.target) || !w.inputs.every(inRange))
      throw new DatasetsArgumentError(`windows[${n}]`, fn, `month indices in [0, ${months})`, JSON.stringify(w));
    const filled = new Set(w.filled);
    const ordered = [...w.inputs].sort((a, b) => a - b);
    w.inputs.forEach((k, s) => {
      const dst = (n * steps + s) * size;
      if (!filled.has(k)) {
        for (let i = 0; i < size; i++) input[dst + i] = stack.data[k * size + i]!;
        return;
      }
      const a = [...ordered].reverse().find((m) => m < k && !filled.has(m));
      const b = ordered.find((m) => m > k && !filled.has(m));
      if (a === undefined || b === undefined)
        throw new DatasetsArgumentError(
          `windows[${n}].filled`,
          fn,
          'months with a valid input on both sides in the window',
          String(k),
        );
      const wgt = (k - a) / (b - a);
      for (let i = 0; i < size; i++) {
        const xa = stack.data[a * size + i]!,
          xb = stack.data[b * size + i]!;
        input[dst + i] = xa + wgt * (xb - xa);
      }
    });
    for (let i = 0; i < size; i++) target[n * size + i] = stack.data[w.target * size + i]!;
  });
  return {
    inputs: { data: input, shape: [list.length, steps, rows, cols] },
    targets: { data: target, shape: [list.length, rows, cols] },
    labels: list.map((w) => w.label),
  };
}
