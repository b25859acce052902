/**
 * Data preparation for the tfjs engine, with `@twsa/datasets`: the embedded synthetic scenario, real GRACE with an
 * LSM emulated from it (a twin experiment), or real GRACE with a user's LSM files, paired record by record.
 */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { graceMonths, thirtyDayWindows, type Grid, type GridStack, type TimeWindow } from '@twsa/grid';
import {
  prepareGrace,
  prepareLsm,
  isDatasetsError,
  emulateLsm,
  pairMonthly,
  paperSplit,
  syntheticScenario,
  type PairedSamples,
  type SplitLabel,
} from '@twsa/datasets';
import type { PipelineConfig } from '../config.js';
import { InputError } from '../errors.js';
import type { PreparedData } from '../seam.js';

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
    const scenario = await syntheticScenario({ seed: config.seed, end: config.data.end });
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
  });
  const grace = prepared.grace;
  if (config.data.lsm === 'emulate') {
    const fineFactor = config.profile === 'paper' ? 22 : 2;
    options.log?.(`emulating the LSM from GRACE (seed ${config.seed}, fine factor ${fineFactor}): a twin experiment`);
    const lsm = await emulateLsm(grace, {
      seed: config.seed,
      fineFactor,
      start:
        config.hindcast.enabled && config.hindcast.start < config.data.start
          ? config.hindcast.start
          : config.data.start,
      end: config.data.end,
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

/**
 * Real GRACE + a user's LSM (GeoTIFF series or GLDAS NetCDF): the LSM is aggregated onto the GRACE solution windows
 * (and, for a hindcast starting before data.start, onto consecutive 30-day windows before the first GRACE record),
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
  if (hindcastFirst && `${config.hindcast.start}-01` < firstStart)
    windows.push(...thirtyDayWindows(`${config.hindcast.start}-01`, firstStart));
  options.log?.(`reading the LSM: ${files.length} path(s) onto ${windows.length} windows`);
  let preparedLsm: Awaited<ReturnType<typeof prepareLsm>>;
  try {
    preparedLsm = await prepareLsm(files.length === 1 ? files[0]! : files, {
      windows,
      baselineFallback: 'period',
      clip: config.data.lsmClip ?? 'canada',
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
