/**
 * Pairing of monthly GRACE TWSA with monthly LSM TWSA by GRACE solution window, with an explicit missing-month
 * mask, both solutions of a duplicated month kept apart, a land mask and a split label per sample.
 */
import { createGrid, createStack, graceMonths, sameGrid, isStack, isGrid } from '@twsa/grid';
import type { Grid, GridStack, TimeBounds } from '@twsa/grid';
import {
  DatasetsArgumentError,
  DatasetsCalendarError,
  DatasetsEmptyError,
  DatasetsMismatchError,
  DatasetsOverlapError,
} from './errors.js';
import { dayNumber, dayIsoDate, isYearMonth, monthRange, yearMonthOf } from '@twsa/grid';
import { assertLabels, paperSplit, splitCounts } from './split.js';
import type { SplitCounts, SplitLabel } from './split.js';

/** One GRACE record of a {@link PairedSamples}: its id and window. */
export interface PairRecord {
  /** `"YYYY-MM"`, or `"YYYY-MMa"` / `"YYYY-MMb"` when a calendar month carries two GRACE solutions. */
  readonly id: string;
  /** `"YYYY-MM"` of the window mid-point. */
  readonly yearMonth: string;
  /** First day of the window, `"YYYY-MM-DD"`. */
  readonly start: string;
  /** Day after the last day of the window, `"YYYY-MM-DD"` (exclusive end). */
  readonly end: string;
  /** Nominal time of the record (the GRACE stack's `times` entry, the window mid-point). */
  readonly mid: string;
}

/** GRACE and LSM samples paired record by record; frame `i` of both stacks belongs to `records[i]`. */
export interface PairedSamples {
  /** GRACE TWSA, `[records, rows, cols]`, `labels` = record ids. */
  readonly grace: GridStack;
  /** LSM TWSA on the same grid and the same windows, `[records, rows, cols]`. */
  readonly lsm: GridStack;
  /** One entry per GRACE record, in time order. */
  readonly records: readonly PairRecord[];
  /** Every calendar month `"YYYY-MM"` from the first to the last record (the span the month mask covers). */
  readonly months: readonly string[];
  /** Per calendar month of `months`: 1 when at least one GRACE record has its mid-point in it, 0 when missing. */
  readonly monthMask: Uint8Array;
  /** Calendar months of the span with no GRACE record (never interpolated). */
  readonly missingMonths: readonly string[];
  /** Land fraction in [0, 1] on the common grid (0 outside the domain). */
  readonly mask: Grid;
  /** Split label of each record. */
  readonly splits: readonly SplitLabel[];
  /** Provenance: sources, period, matching rule, split rule. */
  readonly attributes: Readonly<Record<string, string | number>>;
}

/** A rule that labels records; receives the records in time order and returns one label per record. */
export type SplitRule = (records: readonly PairRecord[]) => readonly SplitLabel[];

/** Options of {@link pairMonthly}. */
export interface PairMonthlyOptions {
  /** First calendar month `"YYYY-MM"` (by GRACE window mid-point) to keep. Default: the first GRACE record. */
  readonly start?: string;
  /** Last calendar month `"YYYY-MM"` to keep, inclusive. Default: the last GRACE record. */
  readonly end?: string;
  /**
   * How an LSM frame is found for a GRACE record. `"window"` (default): the LSM frame whose `timeBounds` equal
   * the GRACE window to `toleranceDays` (the LSM was aggregated onto GRACE windows). `"month"`: the LSM frame
   * whose nominal time falls in the record's calendar month (an LSM already averaged by calendar month; when a
   * month has two GRACE records both get the same LSM frame).
   */
  readonly match?: 'window' | 'month';
  /** Tolerance in days on window start and end for `match: "window"`. Default `1`. */
  readonly toleranceDays?: number;
  /** Land fraction grid on the common grid. Default: 1 where GRACE has a finite value in some record, else 0. */
  readonly mask?: Grid;
  /** Split rule. Default: `paperSplit` (the first 20 and the last 20 records are `"test"`, the rest `"train"`). */
  readonly split?: SplitRule;
}

/**
 * Pairs GRACE records with LSM frames, one sample per GRACE record.
 *
 * ## Method
 * Each GRACE frame is one solution window `[start, end)` (`timeBounds`); its calendar month and id come from
 * @twsa/grid `graceMonths` (the month of the window mid-point). Records whose month is in `[start, end]` are kept in time order; a month with two solutions gives
 * ids `"YYYY-MMa"`, `"YYYY-MMb"`. For each record the LSM frame on the same window (or calendar month, see
 * `match`) is taken as is: the LSM side must already be aggregated onto GRACE windows by @twsa/grid. Months of the
 * span without a GRACE record are listed in `missingMonths` and flagged 0 in `monthMask`; nothing is filled in.
 *
 * @param grace GRACE TWSA stack with `timeBounds` (e.g. from {@link prepareGrace}).
 * @param lsm LSM TWSA stack on the same grid, in the same units.
 * @param options See {@link PairMonthlyOptions}.
 * @returns A {@link PairedSamples} record.
 * @throws {@link DatasetsArgumentError} when an argument is not a stack/grid or an option is malformed.
 * @throws {@link DatasetsMismatchError} when the grids (CRS, shape, bounds), the mask grid or the units differ.
 * @throws {@link DatasetsCalendarError} when GRACE has no `timeBounds`, times are malformed or unordered, or a GRACE record has no LSM frame.
 * @throws {@link DatasetsOverlapError} when no GRACE record lies in the requested period or the LSM period does not overlap it.
 * @throws {@link DatasetsEmptyError} when a kept GRACE or LSM frame is all NaN.
 * @example
 * ```ts
 * const pairs = pairMonthly(grace, lsm, { start: "2002-04", end: "2016-12" });
 * pairs.records.length;                     // => 158 on JPL RL06 v03
 * pairs.missingMonths.slice(0, 3);          // => ["2002-06", "2002-07", "2003-06"]
 * ```
 */
export function pairMonthly(grace: GridStack, lsm: GridStack, options: PairMonthlyOptions = {}): PairedSamples {
  const fn = 'pairMonthly';
  if (!isStack(grace)) throw new DatasetsArgumentError('grace', fn, 'a GridStack [time, rows, cols]', describe(grace));
  if (!isStack(lsm)) throw new DatasetsArgumentError('lsm', fn, 'a GridStack [time, rows, cols]', describe(lsm));
  const spec = { shape: [grace.shape[1], grace.shape[2]] as const, bounds: grace.bounds, crs: grace.crs };
  const lsmSpec = { shape: [lsm.shape[1], lsm.shape[2]] as const, bounds: lsm.bounds, crs: lsm.crs };
  if (!sameGrid(spec, lsmSpec)) {
    throw new DatasetsMismatchError(
      `GRACE and LSM stacks are on different grids: GRACE ${gridText(spec)}, LSM ${gridText(lsmSpec)}; remap both onto one grid (e.g. @twsa/grid reproject to CANADA_LCC_110KM) first`,
      { field: 'lsm' },
    );
  }
  if (grace.units !== undefined && lsm.units !== undefined && grace.units !== lsm.units) {
    throw new DatasetsMismatchError(
      `GRACE is in '${grace.units}' but LSM is in '${lsm.units}'; convert both to mm first`,
      { field: 'lsm.units' },
    );
  }
  const match = options.match ?? 'window';
  if (match !== 'window' && match !== 'month')
    throw new DatasetsArgumentError('options.match', fn, '"window" or "month"', JSON.stringify(match));
  const tolerance = options.toleranceDays ?? 1;
  if (!(tolerance >= 0 && Number.isFinite(tolerance)))
    throw new DatasetsArgumentError('options.toleranceDays', fn, 'a finite number ≥ 0', String(tolerance));
  for (const key of ['start', 'end'] as const) {
    const v = options[key];
    if (v !== undefined && !isYearMonth(v))
      throw new DatasetsArgumentError(`options.${key}`, fn, 'a "YYYY-MM" month', JSON.stringify(v));
  }
  if (!grace.timeBounds)
    throw new DatasetsCalendarError(
      'The GRACE stack has no timeBounds: each record must carry its solution window [start, end) (GRACE time_bounds)',
      { field: 'grace.timeBounds' },
    );

  // GRACE records, in time order.
  const graceDays = readCalendar(grace, 'grace', true);
  const [, rows, cols] = grace.shape;
  const size = rows * cols;
  // Calendar month and id of each record from @twsa/grid graceMonths (month of the window mid-point; a/b suffixes).
  const graceIds = graceMonths(grace);
  const all = graceDays.map((g, index) => ({
    index,
    ...g,
    yearMonth: graceIds[index]!.yearMonth,
    id: graceIds[index]!.id,
  }));
  const first = all[0]!.yearMonth;
  const last = all[all.length - 1]!.yearMonth;
  const from = options.start ?? first;
  const to = options.end ?? last;
  if (from > to) throw new DatasetsArgumentError('options.start', fn, `a month not after options.end (${to})`, from);
  const kept = all.filter((r) => r.yearMonth >= from && r.yearMonth <= to);
  if (kept.length === 0)
    throw new DatasetsOverlapError(`No GRACE record lies in ${from}..${to}; GRACE covers ${first}..${last}`, {
      field: 'options',
    });

  // LSM frames.
  const lsmDays = readCalendar(lsm, 'lsm', match === 'window');
  const lsmStart = Math.min(...lsmDays.map((d) => d.start));
  const lsmEnd = Math.max(...lsmDays.map((d) => d.end));
  const keptStart = kept[0]!.start;
  const keptEnd = kept[kept.length - 1]!.end;
  if (lsmEnd <= keptStart || lsmStart >= keptEnd) {
    throw new DatasetsOverlapError(
      `The LSM period ${dayIsoDate(lsmStart)}..${dayIsoDate(lsmEnd)} does not overlap the GRACE records ${dayIsoDate(keptStart)}..${dayIsoDate(keptEnd)} (${from}..${to})`,
      { field: 'lsm.times' },
    );
  }
  const lsmMonths = lsm.times.map(yearMonthOf);
  const missingLsm: string[] = [];
  const lsmIndex = kept.map((r) => {
    let j = -1;
    if (match === 'window') {
      j = lsmDays.findIndex((d) => Math.abs(d.start - r.start) <= tolerance && Math.abs(d.end - r.end) <= tolerance);
    } else {
      j = lsmMonths.indexOf(r.yearMonth);
    }
    if (j < 0) missingLsm.push(`${r.yearMonth} [${dayIsoDate(r.start)}, ${dayIsoDate(r.end)})`);
    return j;
  });
  if (missingLsm.length > 0) {
    throw new DatasetsCalendarError(
      `${missingLsm.length} GRACE record(s) have no LSM frame (match: "${match}"), e.g. ${missingLsm.slice(0, 4).join(', ')}; aggregate the LSM onto the GRACE windows (or use match: "month" for calendar-month LSM means)`,
      { field: 'lsm.timeBounds' },
    );
  }

  const records: PairRecord[] = kept.map((r) => ({
    id: r.id,
    yearMonth: r.yearMonth,
    start: dayIsoDate(r.start),
    end: dayIsoDate(r.end),
    mid: grace.times[r.index]!,
  }));

  // Copy frames, refusing all-NaN ones.
  const n = kept.length;
  const graceData = new Float32Array(n * size);
  const lsmData = new Float32Array(n * size);
  kept.forEach((r, i) => {
    graceData.set(grace.data.subarray(r.index * size, (r.index + 1) * size), i * size);
    lsmData.set(lsm.data.subarray(lsmIndex[i]! * size, (lsmIndex[i]! + 1) * size), i * size);
    if (allNaN(graceData, i * size, size))
      throw new DatasetsEmptyError(`GRACE frame ${records[i]!.id} (stack index ${r.index}) is all NaN`, {
        field: 'grace.data',
      });
    if (allNaN(lsmData, i * size, size))
      throw new DatasetsEmptyError(`LSM frame for ${records[i]!.id} (stack index ${lsmIndex[i]}) is all NaN`, {
        field: 'lsm.data',
      });
  });

  // Mask.
  let mask: Grid;
  if (options.mask !== undefined) {
    if (!isGrid(options.mask))
      throw new DatasetsArgumentError('options.mask', fn, 'a Grid of land fractions', describe(options.mask));
    if (!sameGrid(options.mask, spec))
      throw new DatasetsMismatchError(
        `The mask grid ${gridText(options.mask)} differs from the data grid ${gridText(spec)}`,
        { field: 'options.mask' },
      );
    const m = new Float32Array(size);
    for (let k = 0; k < size; k++) {
      const v = Number(options.mask.data[k]);
      m[k] = Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0;
    }
    mask = createGrid(m, { ...spec, units: '1' });
  } else {
    const m = new Float32Array(size);
    for (let i = 0; i < n; i++) for (let k = 0; k < size; k++) if (Number.isFinite(graceData[i * size + k]!)) m[k] = 1;
    mask = createGrid(m, { ...spec, units: '1' });
  }

  // Month mask over the calendar span.
  const months = monthRange(records[0]!.yearMonth, records[n - 1]!.yearMonth);
  const present = new Set(records.map((r) => r.yearMonth));
  const monthMask = Uint8Array.from(months, (m) => (present.has(m) ? 1 : 0));
  const missingMonths = months.filter((m) => !present.has(m));

  if (options.split !== undefined && typeof options.split !== 'function')
    throw new DatasetsArgumentError('options.split', fn, 'a function (records) => labels', typeof options.split);
  const splits = options.split ? options.split(records) : paperSplit(n);
  assertLabels(splits, 'options.split(records)', fn);
  if (splits.length !== n)
    throw new DatasetsArgumentError(
      'options.split',
      fn,
      `a rule returning ${n} labels (one per record)`,
      `${splits.length} labels`,
    );

  const timeBounds: TimeBounds[] = records.map((r) => [r.start, r.end]);
  const labels = records.map((r) => r.id);
  const common = {
    shape: [n, rows, cols] as const,
    bounds: grace.bounds,
    crs: grace.crs,
    times: records.map((r) => r.mid),
    timeBounds,
    labels,
  };
  const graceOut = createStack(graceData, {
    ...common,
    ...(grace.units !== undefined ? { units: grace.units } : {}),
    attributes: { ...(grace.attributes ?? {}), paired_by: `@twsa/datasets pairMonthly (match: ${match})` },
  });
  const lsmOut = createStack(lsmData, {
    ...common,
    ...(lsm.units !== undefined ? { units: lsm.units } : {}),
    attributes: { ...(lsm.attributes ?? {}), paired_by: `@twsa/datasets pairMonthly (match: ${match})` },
  });
  const attributes: Record<string, string | number> = {
    period: `${from}..${to}`,
    records: n,
    match,
    split_rule: options.split ? 'custom' : 'paperSplit: first 20 and last 20 records test, rest train',
    missing_months: missingMonths.join(' '),
  };
  if (grace.attributes?.source !== undefined) attributes.grace_source = grace.attributes.source;
  if (lsm.attributes?.lsm_source !== undefined) attributes.lsm_source = lsm.attributes.lsm_source;
  return { grace: graceOut, lsm: lsmOut, records, months, monthMask, missingMonths, mask, splits, attributes };
}

/** Summary of a {@link PairedSamples}, what `twsa data pairs --json` prints. */
export interface DescribePairsResult {
  /** Number of records. */
  readonly total: number;
  /** Records per split label. */
  readonly counts: SplitCounts;
  /** Contiguous runs of one split label: `{ split, from, to, records }` with record ids. */
  readonly blocks: readonly {
    readonly split: SplitLabel;
    readonly from: string;
    readonly to: string;
    readonly records: number;
  }[];
  /** First and last record ids. */
  readonly span: { readonly from: string; readonly to: string };
  /** Calendar months of the span with no GRACE record. */
  readonly missingMonths: readonly string[];
  /** Calendar months carrying more than one GRACE record. */
  readonly duplicatedMonths: readonly string[];
}

/**
 * Counts per split, split blocks, missing and duplicated months of a {@link PairedSamples}.
 *
 * @example
 * ```ts
 * describePairs(pairMonthly(grace, lsm, { start: "2002-04", end: "2016-12" })).counts;
 * // => { train: 118, validation: 0, test: 40, unused: 0 } on JPL RL06 v03
 * ```
 */
export function describePairs(pairs: PairedSamples): DescribePairsResult {
  if (
    !pairs ||
    !Array.isArray(pairs.records) ||
    !Array.isArray(pairs.splits) ||
    pairs.records.length !== pairs.splits.length
  ) {
    throw new DatasetsArgumentError(
      'pairs',
      'describePairs',
      'a PairedSamples record (records and splits of equal length)',
      describe(pairs),
    );
  }
  const counts = splitCounts(pairs.splits);
  const blocks: { split: SplitLabel; from: string; to: string; records: number }[] = [];
  pairs.records.forEach((r, i) => {
    const s = pairs.splits[i]!;
    const b = blocks[blocks.length - 1];
    if (b && b.split === s) {
      b.to = r.id;
      b.records++;
    } else blocks.push({ split: s, from: r.id, to: r.id, records: 1 });
  });
  const perMonth = new Map<string, number>();
  for (const r of pairs.records) perMonth.set(r.yearMonth, (perMonth.get(r.yearMonth) ?? 0) + 1);
  const n = pairs.records.length;
  return {
    total: n,
    counts,
    blocks,
    span: { from: n ? pairs.records[0]!.id : '', to: n ? pairs.records[n - 1]!.id : '' },
    missingMonths: [...pairs.missingMonths],
    duplicatedMonths: [...perMonth].filter(([, c]) => c > 1).map(([m]) => m),
  };
}

interface FrameDays {
  readonly start: number;
  readonly end: number;
}

/** Day numbers of each frame's window; validates times/timeBounds and their order. */
function readCalendar(stack: GridStack, which: 'grace' | 'lsm', requireBounds: boolean): FrameDays[] {
  if (stack.shape[0] === 0) throw new DatasetsEmptyError(`The ${which} stack has no frame`, { field: which });
  if (requireBounds && !stack.timeBounds)
    throw new DatasetsCalendarError(
      `The ${which} stack has no timeBounds; frames must carry their [start, end) window`,
      { field: `${which}.timeBounds` },
    );
  const out: FrameDays[] = [];
  for (let i = 0; i < stack.shape[0]; i++) {
    const mid = dayNumber(stack.times[i]!);
    if (!Number.isFinite(mid))
      throw new DatasetsCalendarError(`${which}.times[${i}] = ${JSON.stringify(stack.times[i])} is not an ISO date`, {
        field: `${which}.times`,
      });
    let start = mid;
    let end = mid + 1;
    if (stack.timeBounds) {
      const b = stack.timeBounds[i]!;
      start = dayNumber(b[0]);
      end = dayNumber(b[1]);
      if (!Number.isFinite(start) || !Number.isFinite(end) || !(end > start))
        throw new DatasetsCalendarError(
          `${which}.timeBounds[${i}] = ${JSON.stringify(b)} is not an ordered pair of ISO dates`,
          { field: `${which}.timeBounds` },
        );
    }
    if (i > 0 && mid < dayNumber(stack.times[i - 1]!))
      throw new DatasetsCalendarError(
        `${which}.times is not in time order at index ${i} (${stack.times[i - 1]} then ${stack.times[i]})`,
        { field: `${which}.times` },
      );
    out.push({ start, end });
  }
  return out;
}

function allNaN(data: Float32Array, offset: number, size: number): boolean {
  for (let k = 0; k < size; k++) if (Number.isFinite(data[offset + k]!)) return false;
  return true;
}

function gridText(s: { shape: readonly number[]; bounds: readonly number[]; crs: string }): string {
  return `${s.crs} [${s.shape.join('×')}] bounds [${s.bounds.join(', ')}]`;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v !== 'object') return typeof v;
  const o = v as { shape?: unknown };
  return Array.isArray(o.shape) ? `an object of shape [${o.shape.join(', ')}]` : 'an object without a valid shape';
}
