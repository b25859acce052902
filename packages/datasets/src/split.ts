/**
 * Train / validation / test splits over time, as one {@link SplitLabel} per sample.
 *
 * Splits are made on contiguous time blocks *before* any windowing or augmentation, so that no month is seen in
 * training and evaluation at once (see USER-NEEDS 6). The label array travels with the samples: augmentation,
 * sequence windows and predictions carry it along.
 */
import { DatasetsArgumentError } from './errors.js';

/** Which part of the data a sample belongs to; `"unused"` samples are in no part (outside every range, or a gap). */
export type SplitLabel = 'train' | 'validation' | 'test' | 'unused';

/** Every {@link SplitLabel}, in a fixed order. */
export const SPLIT_LABELS: readonly SplitLabel[] = ['train', 'validation', 'test', 'unused'];

/** Options of {@link paperSplit}. */
export interface PaperSplitOptions {
  /** Number of test samples at the start. Default `20`. */
  readonly testHead?: number;
  /** Number of test samples at the end. Default `20`. */
  readonly testTail?: number;
}

function assertCount(value: unknown, argument: string, fn: string, min = 0): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min)
    throw new DatasetsArgumentError(argument, fn, `an integer >= ${min}`, String(value));
  return value;
}

/**
 * The split of Yu et al. (2021): the first `testHead` and the last `testTail` samples (in time order) are test,
 * every sample between them is train. On the paper's 158 GRACE records (2002-04..2016-12) this gives
 * 118 train and 40 test (2002-04..2004-02 and 2014-10..2016-12).
 *
 * @param count - Number of samples, in time order.
 * @param options - {@link PaperSplitOptions}.
 * @returns One label per sample.
 * @throws {@link DatasetsArgumentError} when counts are not non-negative integers or leave no training sample.
 * @example
 * ```ts
 * const labels = paperSplit(158);
 * splitCounts(labels); // => { train: 118, validation: 0, test: 40, unused: 0 }
 * paperSplit(5, { testHead: 1, testTail: 2 }); // => ["test", "train", "train", "test", "test"]
 * ```
 */
export function paperSplit(count: number, options?: PaperSplitOptions): SplitLabel[] {
  const fn = 'paperSplit';
  assertCount(count, 'count', fn);
  const head = assertCount(options?.testHead ?? 20, 'testHead', fn);
  const tail = assertCount(options?.testTail ?? 20, 'testTail', fn);
  if (head + tail >= count)
    throw new DatasetsArgumentError(
      'count',
      fn,
      `more than testHead + testTail = ${head + tail} samples so that some are left for training`,
      String(count),
    );
  return Array.from({ length: count }, (_, i): SplitLabel => (i < head || i >= count - tail ? 'test' : 'train'));
}

/** A half-open date range `[from, to)` as ISO dates (`"2002-04-01"`, `"2002-04"`, `"2002-04-16T12:00:00Z"`). */
export type DateRange = readonly [from: string, to: string];

/**
 * Options of {@link splitByDateRange}: the range (or list of ranges) of each part; samples outside every range are
 * `"unused"`. The paper's test set, for instance, is two blocks: `test: [["2002-04", "2004-03"], ["2014-10", "2017-01"]]`.
 */
export interface DateRangeSplitOptions {
  readonly train: DateRange | readonly DateRange[];
  readonly validation?: DateRange | readonly DateRange[];
  readonly test?: DateRange | readonly DateRange[];
}

/** Milliseconds since the epoch of an ISO date (UTC when no zone is given; `"YYYY-MM"` means the 1st). */
function parseTime(iso: unknown, argument: string, fn: string): number {
  if (typeof iso !== 'string') throw new DatasetsArgumentError(argument, fn, 'an ISO date string', typeof iso);
  const m = /^(\d{4})-(\d{2})(?:-(\d{2}))?(?:[T ](\d{2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(
    iso.trim(),
  );
  if (!m) throw new DatasetsArgumentError(argument, fn, 'an ISO date such as "2002-04-16"', JSON.stringify(iso));
  const [, y, mo, d, h, mi, s, zone] = m;
  const month = Number(mo),
    day = d === undefined ? 1 : Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31)
    throw new DatasetsArgumentError(argument, fn, 'a valid calendar date', JSON.stringify(iso));
  if (new Date(Date.UTC(Number(y), month - 1, day)).getUTCDate() !== day)
    throw new DatasetsArgumentError(argument, fn, 'a valid calendar date', JSON.stringify(iso));
  let ms = Date.UTC(Number(y), month - 1, day, Number(h ?? 0), Number(mi ?? 0), 0) + Number(s ?? 0) * 1000;
  if (zone !== undefined && zone !== 'Z') {
    const z = /([+-])(\d{2}):?(\d{2})/.exec(zone)!;
    ms -= (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3])) * 60_000;
  }
  return ms;
}

/**
 * Labels samples by the date range their time falls in: `[from, to)` per part; outside every range → `"unused"`.
 *
 * @param times - ISO date of each sample (e.g. a GRACE stack's `times`, the window mid-points).
 * @param options - {@link DateRangeSplitOptions}; ranges must not overlap.
 * @returns One label per sample.
 * @throws {@link DatasetsArgumentError} for an unparsable date, a range with `from >= to`, or overlapping ranges.
 * @example
 * ```ts
 * splitByDateRange(["2002-04-16", "2008-01-16", "2015-06-15", "2020-01-16"], { train: ["2004-03", "2014-10"], test: ["2014-10", "2017-01"] });
 * // => ["unused", "train", "test", "unused"]
 * splitByDateRange(["2002-04-16", "2008-01-16", "2015-06-15"], { train: ["2004-03", "2014-10"], test: [["2002-04", "2004-03"], ["2014-10", "2017-01"]] });
 * // => ["test", "train", "test"]
 * ```
 */
export function splitByDateRange(times: readonly string[], options: DateRangeSplitOptions): SplitLabel[] {
  const fn = 'splitByDateRange';
  if (!Array.isArray(times)) throw new DatasetsArgumentError('times', fn, 'an array of ISO dates', typeof times);
  if (!options || !Array.isArray(options.train))
    throw new DatasetsArgumentError('options.train', fn, 'a [from, to) pair of ISO dates', String(options?.train));
  const parts: { label: SplitLabel; from: number; to: number }[] = [];
  for (const label of ['train', 'validation', 'test'] as const) {
    const given = options[label];
    if (given === undefined) continue;
    const listed = Array.isArray(given) && Array.isArray(given[0]);
    const ranges = (listed ? given : [given]) as readonly unknown[];
    ranges.forEach((range, r) => {
      const name = listed ? `options.${label}[${r}]` : `options.${label}`;
      if (!Array.isArray(range) || range.length !== 2)
        throw new DatasetsArgumentError(name, fn, 'a [from, to) pair of ISO dates', JSON.stringify(range));
      const from = parseTime(range[0], `${name}[0]`, fn);
      const to = parseTime(range[1], `${name}[1]`, fn);
      if (!(from < to)) throw new DatasetsArgumentError(name, fn, 'a range with from < to', JSON.stringify(range));
      for (const p of parts) {
        if (from < p.to && p.from < to)
          throw new DatasetsArgumentError(name, fn, `a range that does not overlap ${p.label}`, JSON.stringify(range));
      }
      parts.push({ label, from, to });
    });
  }
  return times.map((t, i) => {
    const ms = parseTime(t, `times[${i}]`, fn);
    return parts.find((p) => ms >= p.from && ms < p.to)?.label ?? 'unused';
  });
}

/** Options of {@link blockedKFold}. */
export interface BlockedKFoldOptions {
  /** Number of folds (contiguous time blocks), at least 2. */
  readonly folds: number;
  /**
   * Training samples within this many calendar months of the test block (before or after) are labelled
   * `"unused"`, so that autocorrelation does not leak the test months into training. Default `0`.
   */
  readonly gapMonths?: number;
}

/** One fold of {@link blockedKFold}. */
export interface Fold {
  /** 0-based fold number; its test block is the `fold`-th block in time order. */
  readonly fold: number;
  /** One label per sample: `"test"` in the block, `"unused"` in the gaps, `"train"` elsewhere. */
  readonly labels: SplitLabel[];
  /** `[first, last]` sample index of the test block (inclusive). */
  readonly testBlock: readonly [first: number, last: number];
}

function monthNumber(ms: number): number {
  const d = new Date(ms);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}

/**
 * Blocked k-fold cross-validation over time: the samples (in time order) are cut into `folds` contiguous blocks
 * of near-equal size (the first `count % folds` blocks get one more), and each fold tests on one block and trains on
 * the rest, minus a gap of `gapMonths` calendar months on each side of the test block.
 *
 * @param times - ISO date of each sample, strictly increasing.
 * @param options - {@link BlockedKFoldOptions}.
 * @returns `folds` folds; every sample is `"test"` in exactly one of them.
 * @throws {@link DatasetsArgumentError} when `folds` is not an integer in [2, samples], `gapMonths` is negative, or times are not increasing.
 * @example
 * ```ts
 * const times = ["2003-01", "2003-02", "2003-03", "2003-04", "2003-05", "2003-06"];
 * blockedKFold(times, { folds: 3, gapMonths: 1 })[1].labels;
 * // => ["train", "unused", "test", "test", "unused", "train"]
 * ```
 */
export function blockedKFold(times: readonly string[], options: BlockedKFoldOptions): Fold[] {
  const fn = 'blockedKFold';
  if (!Array.isArray(times)) throw new DatasetsArgumentError('times', fn, 'an array of ISO dates', typeof times);
  const n = times.length;
  const folds = options?.folds;
  if (typeof folds !== 'number' || !Number.isInteger(folds) || folds < 2 || folds > n)
    throw new DatasetsArgumentError('folds', fn, `an integer in [2, ${n}] (the number of samples)`, String(folds));
  const gap = assertCount(options.gapMonths ?? 0, 'gapMonths', fn);
  const ms = times.map((t, i) => parseTime(t, `times[${i}]`, fn));
  for (let i = 1; i < n; i++)
    if (!(ms[i]! > ms[i - 1]!))
      throw new DatasetsArgumentError(
        'times',
        fn,
        'strictly increasing',
        `times[${i - 1}] = ${times[i - 1]} and times[${i}] = ${times[i]}`,
      );
  const months = ms.map(monthNumber);
  const base = Math.floor(n / folds);
  const extra = n % folds;
  const out: Fold[] = [];
  let start = 0;
  for (let k = 0; k < folds; k++) {
    const size = base + (k < extra ? 1 : 0);
    const first = start,
      last = start + size - 1;
    const m0 = months[first]!,
      m1 = months[last]!;
    const labels = months.map((m, i): SplitLabel => {
      if (i >= first && i <= last) return 'test';
      if (gap > 0 && ((i < first && m0 - m <= gap) || (i > last && m - m1 <= gap))) return 'unused';
      return 'train';
    });
    out.push({ fold: k, labels, testBlock: [first, last] });
    start += size;
  }
  return out;
}

/** Options of {@link validationFromTrain}: give exactly one of `fraction` and `lastN`. */
export interface ValidationFromTrainOptions {
  /** Fraction of the training samples (rounded, at least 1) to move to validation. */
  readonly fraction?: number;
  /** Number of training samples to move to validation. */
  readonly lastN?: number;
}

/**
 * Carves a validation block from the end (in time order) of the training samples: the last `lastN` (or
 * `round(fraction · train)`) `"train"` labels become `"validation"`; every other label is unchanged.
 *
 * @param labels - One label per sample, in time order.
 * @param options - {@link ValidationFromTrainOptions}.
 * @returns A new label array.
 * @throws {@link DatasetsArgumentError} when both or neither option is given, or the block would take every training sample.
 * @example
 * ```ts
 * validationFromTrain(["test", "train", "train", "train", "train", "test"], { lastN: 1 });
 * // => ["test", "train", "train", "train", "validation", "test"]
 * splitCounts(validationFromTrain(paperSplit(158), { fraction: 0.1 })); // => { train: 106, validation: 12, test: 40, unused: 0 }
 * ```
 */
export function validationFromTrain(labels: readonly SplitLabel[], options: ValidationFromTrainOptions): SplitLabel[] {
  const fn = 'validationFromTrain';
  assertLabels(labels, 'labels', fn);
  const hasFraction = options?.fraction !== undefined;
  const hasLastN = options?.lastN !== undefined;
  if (hasFraction === hasLastN)
    throw new DatasetsArgumentError(
      'options',
      fn,
      'exactly one of fraction and lastN',
      JSON.stringify(options ?? null),
    );
  const train = labels.reduce((a, l) => a + (l === 'train' ? 1 : 0), 0);
  let n: number;
  if (hasFraction) {
    const f = options.fraction!;
    if (typeof f !== 'number' || !(f > 0 && f < 1))
      throw new DatasetsArgumentError('fraction', fn, 'a number in (0, 1)', String(f));
    n = Math.max(1, Math.round(f * train));
  } else {
    n = assertCount(options.lastN, 'lastN', fn, 1);
  }
  if (n >= train)
    throw new DatasetsArgumentError(
      hasFraction ? 'fraction' : 'lastN',
      fn,
      `fewer than the ${train} training samples`,
      `${n} validation samples`,
    );
  const out = [...labels];
  for (let i = out.length - 1, left = n; i >= 0 && left > 0; i--) {
    if (out[i] === 'train') {
      out[i] = 'validation';
      left--;
    }
  }
  return out;
}

/** Number of samples per label. */
export interface SplitCounts {
  readonly train: number;
  readonly validation: number;
  readonly test: number;
  readonly unused: number;
}

/**
 * Counts the samples of each label.
 *
 * @param labels - One label per sample.
 * @returns `{ train, validation, test, unused }`.
 * @throws {@link DatasetsArgumentError} for an unknown label.
 * @example
 * ```ts
 * splitCounts(["train", "test", "train"]); // => { train: 2, validation: 0, test: 1, unused: 0 }
 * ```
 */
export function splitCounts(labels: readonly SplitLabel[]): SplitCounts {
  assertLabels(labels, 'labels', 'splitCounts');
  const c = { train: 0, validation: 0, test: 0, unused: 0 };
  for (const l of labels) c[l]++;
  return c;
}

/**
 * The sample indices of each label, in order.
 *
 * @param labels - One label per sample.
 * @returns `{ train, validation, test, unused }` index arrays.
 * @throws {@link DatasetsArgumentError} for an unknown label.
 * @example
 * ```ts
 * splitIndices(["test", "train", "train", "test"]).train; // => [1, 2]
 * ```
 */
export function splitIndices(labels: readonly SplitLabel[]): Record<SplitLabel, number[]> {
  assertLabels(labels, 'labels', 'splitIndices');
  const out: Record<SplitLabel, number[]> = { train: [], validation: [], test: [], unused: [] };
  labels.forEach((l, i) => out[l].push(i));
  return out;
}

/** Throws unless `labels` is an array of {@link SplitLabel}s. Shared by the other modules. */
export function assertLabels(labels: unknown, argument: string, fn: string): asserts labels is readonly SplitLabel[] {
  if (!Array.isArray(labels)) throw new DatasetsArgumentError(argument, fn, 'an array of split labels', typeof labels);
  labels.forEach((l, i) => {
    if (!(SPLIT_LABELS as readonly unknown[]).includes(l))
      throw new DatasetsArgumentError(
        `${argument}[${i}]`,
        fn,
        `one of ${SPLIT_LABELS.map((x) => `"${x}"`).join(', ')}`,
        JSON.stringify(l),
      );
  });
}
