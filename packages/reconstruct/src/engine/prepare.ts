/**
 * Data preparation for the tfjs engine, with `@twsa/datasets`: the embedded synthetic scenario, real GRACE with an
 * LSM emulated from it (a twin experiment), or real GRACE with a user's LSM files, paired record by record.
 */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  assertPlausible,
  graceMonths,
  monthIndex,
  monthKey,
  monthRange,
  thirtyDayWindows,
  type Grid,
  type GridStack,
  type TimeWindow,
} from '@twsa/grid';
import {
  prepareGrace,
  prepareLsm,
  isDatasetsError,
  emulateLsm,
  pairMonthly,
  paperSplit,
  syntheticScenario,
  GRACE_JPL_RL06_WINDOWS,
  type PairedSamples,
  type SplitLabel,
} from '@twsa/datasets';
import type { PipelineConfig } from '../config.js';
import { InputError } from '../errors.js';
import type { PeriodData, PreparedData } from '../seam.js';

function fromPairs(
  pairs: PairedSamples,
  description: string,
  twin: boolean,
  hindcastLsm: GridStack | null,
): PreparedData {
  return {
    grace: pairs.grace,
    lsm: pairs.lsm,
    records: pairs.records.map((r) => ({ id: r.id, yearMonth: r.yearMonth })),
    splits: pairs.splits,
    months: pairs.months,
    missingMonths: pairs.missingMonths,
    mask: pairs.mask,
    hindcastLsm,
    description,
    twinExperiment: twin,
    attributes: { ...pairs.attributes, ...(twin ? { twin_experiment: 'yes: the LSM is emulated from GRACE' } : {}) },
  };
}

/** The emulator's windows outside GRACE's solutions for the configured hindcast steps. */
export const outsideGraceOf = (config: PipelineConfig): '30-day' | 'calendar-month' =>
  config.hindcast.steps === 'paper-30day' ? '30-day' : 'calendar-month';

/**
 * One window per calendar month `from..to` (inclusive): `[first day, first day of the next month)`, id `"YYYY-MM"`.
 */
export function calendarMonthWindows(from: string, to: string): TimeWindow[] {
  return monthRange(from, to).map((m) => ({
    id: m,
    start: `${m}-01`,
    end: `${monthKey(monthIndex(m) + 1)}-01`,
  }));
}

/** The emulator's fine factor for a profile: the faithful 22 for the paper profile, 2 otherwise (same months). */
const emulatorFineFactor = (config: PipelineConfig): number => (config.profile === 'paper' ? 22 : 2);

/**
 * The LSM and GRACE of `from..to` for `twsa predict`, made as the run made its data: the synthetic scenario
 * extended to `to`, or the LSM re-emulated from the whole GRACE record (`data.start..max(to, data.end)`) with
 * calendar months outside GRACE's windows, or the run's LSM files re-read onto GRACE's windows and calendar months
 * (with the run's GRACE windows too, so their anomaly baseline is the run's).
 */
export async function periodData(
  config: PipelineConfig,
  period: { readonly from: string; readonly to: string },
): Promise<PeriodData> {
  const { from, to } = period;
  const start = from < config.data.start ? from : config.data.start;
  const end = to > config.data.end ? to : config.data.end;
  let grace: GridStack;
  let lsm: GridStack;
  let note: string;
  // The run's GRACE files, read again through `end` with the run's plausibility setting.
  const runGrace = async (): Promise<GridStack> =>
    (
      await prepareGrace(config.data.grace.length === 1 ? config.data.grace[0]! : config.data.grace, {
        start: config.data.start,
        end,
        acceptImplausible: config.data.acceptImplausible ?? false,
        acceptHint: 'the run was made with data.acceptImplausible false; remake it with --accept-implausible',
      })
    ).grace;
  if (config.data.grace.length === 0) {
    const last = GRACE_JPL_RL06_WINDOWS[GRACE_JPL_RL06_WINDOWS.length - 1]!.yearMonth;
    if (end > last)
      throw new InputError(
        `predict: the synthetic scenario follows the JPL RL06 calendar, which ends ${last}; choose --to ${last} or earlier`,
      );
    const scenario = await syntheticScenario({
      seed: config.seed,
      end,
      emulator: { outsideGrace: 'calendar-month', start },
    });
    grace = scenario.grace;
    lsm = scenario.lsm;
    note = `the synthetic scenario (seed ${config.seed}) regenerated through ${end}, its LSM emulated from the synthetic GRACE-like truth with calendar months outside the GRACE windows — a twin experiment`;
  } else if (config.data.lsm === 'emulate') {
    for (const f of config.data.grace)
      if (!existsSync(f)) throw new InputError(`predict: the run's GRACE file '${f}' does not exist`, { file: f });
    grace = await runGrace();
    lsm = await emulateLsm(grace, {
      seed: config.seed,
      fineFactor: emulatorFineFactor(config),
      start,
      end,
      outsideGrace: 'calendar-month',
    });
    const lastGrace = grace.times[grace.times.length - 1]!.slice(0, 7);
    note = `the LSM re-emulated (seed ${config.seed}) from the whole GRACE record ${config.data.start}..${lastGrace} (the emulator's fit now includes the months after ${config.data.end}; the models were trained on ${config.data.start}..${config.data.end} only), calendar months outside GRACE's windows${to > lastGrace ? `; after ${lastGrace} the emulated LSM carries no GRACE information (a random continuation)` : ''} — a twin experiment`;
  } else {
    const files = config.data.lsm;
    for (const f of [...config.data.grace, ...files])
      if (!existsSync(f)) throw new InputError(`predict: the run's input '${f}' does not exist`, { file: f });
    grace = await runGrace();
    // The run's GRACE windows (so the LSM baseline is the run's), GRACE's windows in the period, and a calendar
    // month for every month of the period without a GRACE record.
    const graceWindows = graceMonths(grace);
    const withRecord = new Set(graceWindows.map((w) => w.yearMonth));
    const windows: TimeWindow[] = [
      ...graceWindows
        .filter((w) => w.yearMonth <= config.data.end || (w.yearMonth >= from && w.yearMonth <= to))
        .map((w) => ({ id: w.id, start: w.start, end: w.end })),
      ...calendarMonthWindows(from, to).filter((w) => !withRecord.has(w.id)),
    ];
    let read: Awaited<ReturnType<typeof prepareLsm>>;
    try {
      read = await prepareLsm(files.length === 1 ? files[0]! : files, {
        windows,
        baselineFallback: 'period',
        clip: config.data.lsmClip ?? 'canada',
      });
    } catch (error) {
      if (isDatasetsError(error, 'DatasetsEmptyError'))
        throw new InputError(`predict: the run's LSM files have nothing in ${from}..${to}: ${error.message}`, {
          file: files[0]!,
        });
      throw error;
    }
    lsm = read.lsm;
    note = `the run's LSM files (${read.files.length} file(s)) re-read onto GRACE's windows and calendar months, anomalies against the run's baseline`;
  }
  const ids = graceMonths(grace).map((w) => w.id);
  const keep = grace.times.flatMap((t, i) => (t.slice(0, 7) >= from && t.slice(0, 7) <= to ? [i] : []));
  const size = grace.shape[1] * grace.shape[2];
  const data = new Float32Array(keep.length * size);
  keep.forEach((t, k) => data.set(grace.data.subarray(t * size, (t + 1) * size), k * size));
  const periodGrace: GridStack | null = keep.length
    ? {
        ...grace,
        data,
        shape: [keep.length, grace.shape[1], grace.shape[2]],
        times: keep.map((t) => grace.times[t]!),
        ...(grace.timeBounds ? { timeBounds: keep.map((t) => grace.timeBounds![t]!) } : {}),
        labels: keep.map((t) => ids[t]!),
      }
    : null;
  const lsmKeep = lsm.times.flatMap((t, i) => (t.slice(0, 7) >= from && t.slice(0, 7) <= to ? [i] : []));
  const lsmData = new Float32Array(lsmKeep.length * size);
  lsmKeep.forEach((t, k) => lsmData.set(lsm.data.subarray(t * size, (t + 1) * size), k * size));
  return {
    lsm: {
      ...lsm,
      data: lsmData,
      shape: [lsmKeep.length, lsm.shape[1], lsm.shape[2]],
      times: lsmKeep.map((t) => lsm.times[t]!),
      ...(lsm.timeBounds ? { timeBounds: lsmKeep.map((t) => lsm.timeBounds![t]!) } : {}),
      ...(lsm.labels ? { labels: lsmKeep.map((t) => lsm.labels![t]!) } : {}),
    },
    grace: periodGrace,
    graceIds: keep.map((t) => ids[t]!),
    note,
  };
}

export async function prepare(
  config: PipelineConfig,
  options: { readonly log?: (message: string) => void },
): Promise<PreparedData> {
  const n = config.data.testRecords;
  const pairOptions = {
    start: config.data.start,
    end: config.data.end,
    split: (records: readonly unknown[]): SplitLabel[] => paperSplit(records.length, { testHead: n, testTail: n }),
  };
  if (config.data.grace.length === 0) {
    options.log?.('synthetic scenario: generating a GRACE-like truth and its emulated LSM');
    const scenario = await syntheticScenario({
      seed: config.seed,
      end: config.data.end,
      emulator: { outsideGrace: outsideGraceOf(config) },
    });
    const pairs = pairMonthly(scenario.grace, scenario.lsm, { ...pairOptions, mask: scenario.mask });
    return fromPairs(
      pairs,
      `embedded synthetic scenario (seed ${config.seed}): a synthetic GRACE-like truth and an LSM emulated from it — a twin experiment, not real data`,
      true,
      scenario.lsm,
    );
  }
  for (const f of config.data.grace)
    if (!existsSync(f)) throw new InputError(`--grace: '${f}' does not exist`, { file: f });
  options.log?.(`reading GRACE: ${config.data.grace.length} file(s)`);
  const prepared = await prepareGrace(config.data.grace.length === 1 ? config.data.grace[0]! : config.data.grace, {
    start: config.data.start,
    end: config.data.end,
    acceptImplausible: config.data.acceptImplausible ?? false,
    acceptHint: 'pass --accept-implausible (data.acceptImplausible: true) if the values are intended',
  });
  const grace = prepared.grace;
  const graceSource = config.data.grace.length === 1 ? config.data.grace[0]! : config.data.grace.join(', ');
  if (config.data.lsm === 'emulate') {
    const fineFactor = emulatorFineFactor(config);
    options.log?.(`emulating the LSM from GRACE (seed ${config.seed}, fine factor ${fineFactor}): a twin experiment`);
    const lsm = await emulateLsmNamingFile(graceSource, grace, {
      seed: config.seed,
      fineFactor,
      start:
        config.hindcast.enabled && config.hindcast.start < config.data.start
          ? config.hindcast.start
          : config.data.start,
      end: config.data.end,
      outsideGrace: outsideGraceOf(config),
    });
    const pairs = pairMonthly(grace, lsm, { ...pairOptions, mask: prepared.mask });
    const source = config.data.grace.length === 1 ? config.data.grace[0]! : `${config.data.grace.length} granules`;
    return fromPairs(
      pairs,
      `real GRACE JPL RL06 v03 land (${source}) + an LSM emulated from it (seed ${config.seed}) — a twin experiment, not EALCO`,
      true,
      lsm,
    );
  }
  return prepareUserLsm(config, options, prepared, config.data.lsm);
}

/** {@link emulateLsm}, whose "not enough records" error is rethrown naming the GRACE file(s) and the cause. */
async function emulateLsmNamingFile(
  source: string,
  grace: GridStack,
  options: Parameters<typeof emulateLsm>[1],
): Promise<GridStack> {
  try {
    return await emulateLsm(grace, options);
  } catch (error) {
    if (isDatasetsError(error, 'DatasetsEmptyError'))
      throw new InputError(
        `--grace: ${source} has ${grace.shape[0]} record(s) in ${grace.times[0]?.slice(0, 7) ?? '?'}..${grace.times[grace.shape[0] - 1]?.slice(0, 7) ?? '?'}, too few valid values per cell to emulate an LSM from it (${error.message}); give a longer GRACE record`,
        { file: source, cause: error },
      );
    throw error;
  }
}

/**
 * Real GRACE + a user's LSM (GeoTIFF series or GLDAS NetCDF): the LSM is aggregated onto the GRACE solution windows
 * (and, for a hindcast starting before data.start, onto the calendar months before the first GRACE record, or
 * consecutive 30-day windows with hindcast.steps "paper-30day"),
 * regridded and turned into anomalies by @twsa/datasets prepareLsm, then paired record by record over the GRACE
 * months the LSM covers.
 */
async function prepareUserLsm(
  config: PipelineConfig,
  options: { readonly log?: (message: string) => void },
  prepared: { grace: GridStack; mask: Grid },
  files: readonly string[],
): Promise<PreparedData> {
  for (const f of files) if (!existsSync(f)) throw new InputError(`--lsm: '${f}' does not exist`, { file: f });
  const grace = prepared.grace;
  const graceWindows = graceMonths(grace);
  const windows: TimeWindow[] = graceWindows.map((w) => ({ id: w.id, start: w.start, end: w.end }));
  const hindcastFirst = config.hindcast.enabled && config.hindcast.start < config.data.start;
  const firstStart = graceWindows.reduce((a, w) => (w.start < a ? w.start : a), graceWindows[0]!.start).slice(0, 10);
  if (hindcastFirst && `${config.hindcast.start}-01` < firstStart) {
    if (config.hindcast.steps === 'paper-30day')
      windows.push(...thirtyDayWindows(`${config.hindcast.start}-01`, firstStart));
    else {
      const firstMonth = graceWindows.reduce((a, w) => (w.yearMonth < a ? w.yearMonth : a), graceWindows[0]!.yearMonth);
      windows.push(...calendarMonthWindows(config.hindcast.start, firstMonth).filter((w) => w.id < firstMonth));
    }
  }
  options.log?.(`reading the LSM: ${files.length} path(s) onto ${windows.length} windows`);
  let preparedLsm: Awaited<ReturnType<typeof prepareLsm>>;
  try {
    preparedLsm = await prepareLsm(files.length === 1 ? files[0]! : files, {
      windows,
      baselineFallback: 'period',
      clip: config.data.lsmClip ?? 'canada',
      acceptImplausible: config.data.acceptImplausible ?? false,
      acceptHint: 'pass --accept-implausible (data.acceptImplausible: true) if the values are intended',
      ...(options.log ? { log: options.log } : {}),
    });
  } catch (error) {
    if (isDatasetsError(error, 'DatasetsEmptyError') && error.field === 'options.windows') {
      throw new InputError(
        `--lsm: the LSM has no overlap with the GRACE records in ${config.data.start}..${config.data.end}${hindcastFirst ? ` nor with the hindcast period from ${config.hindcast.start}` : ''}: ${error.message}`,
        { file: files[0]! },
      );
    }
    throw error;
  }
  const { lsm, files: read, variables } = preparedLsm;
  // An infinite LSM value survives the window means and the regrid as ±Infinity (or NaN): refuse it here, naming the
  // files (a window the LSM does not cover is NaN by design, so empty frames are not a finding here).
  if (!config.data.acceptImplausible)
    assertPlausible(lsm, {
      file: read.length <= 3 ? read.join(', ') : `${read.length} LSM files in ${dirname(read[0]!)}`,
      variable: variables.length > 0 ? variables.join(' + ') : 'the LSM water storage',
      maxAbsMetres: null,
      accept: ['empty-frames'],
      acceptHint: 'pass --accept-implausible (data.acceptImplausible: true) if the values are intended',
    });
  const covered = new Set(lsm.labels ?? []);
  const months = graceWindows
    .filter((w) => covered.has(w.id) && w.yearMonth >= config.data.start && w.yearMonth <= config.data.end)
    .map((w) => w.yearMonth)
    .sort();
  const lsmPeriod = `${lsm.times[0]?.slice(0, 7)}..${lsm.times[lsm.times.length - 1]?.slice(0, 7)}`;
  if (months.length === 0) {
    throw new InputError(
      `--lsm: the LSM (${lsmPeriod}, ${read.length} file(s)) has no overlap with the GRACE records in ${config.data.start}..${config.data.end}; give LSM files covering part of the GRACE period`,
      { file: read[0]! },
    );
  }
  const start = months[0]!;
  const end = months[months.length - 1]!;
  const count = graceWindows.filter((w) => w.yearMonth >= start && w.yearMonth <= end).length;
  let n = config.data.testRecords;
  let splitNote: string | undefined;
  if (count <= 2 * n) {
    const m = Math.max(1, Math.floor(count / 4));
    if (count <= 2 * m)
      throw new InputError(
        `--lsm: the LSM overlaps only ${count} GRACE record(s) (${start}..${end}); at least 3 are needed for a train/test split`,
        { file: read[0]! },
      );
    splitNote = `the LSM overlaps ${count} GRACE records (${start}..${end}), not more than 2 × data.testRecords (${n}): ${m} + ${m} test records used instead`;
    options.log?.(`warning: ${splitNote}`);
    n = m;
  }
  if (start !== config.data.start || end !== config.data.end)
    options.log?.(`pairing over the GRACE months the LSM covers: ${start}..${end}`);
  let pairs: PairedSamples;
  try {
    pairs = pairMonthly(grace, lsm, {
      start,
      end,
      mask: prepared.mask,
      split: (records: readonly unknown[]): SplitLabel[] => paperSplit(records.length, { testHead: n, testTail: n }),
    });
  } catch (error) {
    if (isDatasetsError(error, 'DatasetsOverlapError'))
      throw new InputError(
        `--lsm: the LSM (${lsmPeriod}) has no overlap with the GRACE records in ${start}..${end}: ${error.message}`,
        { file: read[0]! },
      );
    throw error;
  }
  const source = config.data.grace.length === 1 ? config.data.grace[0]! : `${config.data.grace.length} granules`;
  const lsmText = read.length <= 3 ? read.join(', ') : `${read.length} files in ${dirname(read[0]!)}`;
  const clipped = (config.data.lsmClip ?? 'canada') === 'canada';
  const out = fromPairs(
    pairs,
    `real GRACE JPL RL06 v03 land (${source}) + user LSM (files ${lsmText}${variables.length > 0 ? `; ${variables.join(' + ')} summed` : ''}; ${clipped ? 'clipped to Canada at its own resolution' : 'not clipped to Canada'})`,
    false,
    lsm,
  );
  const clipNote = `LSM clip (data.lsmClip "${clipped ? 'canada' : 'none'}"): ${String(lsm.attributes?.lsm_clip ?? (clipped ? 'Canada' : 'none'))}`;
  return {
    ...out,
    attributes: {
      ...out.attributes,
      lsm_clip_note: clipNote,
      ...(splitNote ? { split_note: splitNote } : {}),
      ...(lsm.attributes?.baseline_note ? { lsm_baseline_note: String(lsm.attributes.baseline_note) } : {}),
    },
  };
}
