/**
 * The hindcast stage: the chosen model reconstructs GRACE-like TWSA from the LSM months before GRACE, written as
 * a CF NetCDF stack, optional monthly GeoTIFFs and a nationwide series into `<run>/hindcast/`.
 */
import { join } from 'node:path';
import { monthRange, type GridStack } from '@twsa/grid';
import type { PipelineConfig } from '../config.js';
import { InputError } from '../errors.js';
import { writeArray } from '../internal/store.js';
import { frameKinds, framesBetween, predictWithModel, timeAxisAttributes, writePeriodFiles } from '../period.js';
import type { RunRecord } from '../pipeline.js';
import type { Engine, PreparedData } from '../seam.js';

/** The warning every output of a twin experiment (an LSM emulated from GRACE) carries. */
export const TWIN_NOTE =
  'TWIN EXPERIMENT: the LSM input is emulated from GRACE itself, so these scores measure how well the models invert the emulator, not a real land-surface model.';

/** Why the hindcast cannot run on this data (no LSM frame in hindcast.start..end), or null when it can. */
export function hindcastGap(data: PreparedData, config: PipelineConfig): string | null {
  const { start, end } = config.hindcast;
  const lsm = data.hindcastLsm;
  if (!lsm || lsm.times.length === 0)
    return `the data source (${data.description}) has no LSM before GRACE; give LSM files covering ${start}..${end} or set hindcast.enabled false`;
  if (!lsm.times.some((t) => t.slice(0, 7) >= start && t.slice(0, 7) <= end)) {
    return `the LSM covers ${lsm.times[0]!.slice(0, 7)}..${lsm.times[lsm.times.length - 1]!.slice(0, 7)}, nothing in the hindcast period ${start}..${end}`;
  }
  return null;
}

/**
 * The LSM frames of the hindcast period (`hindcast.start..end`), as the hindcast feeds them to the model; null when
 * the data have none (see {@link hindcastGap}). The seed ensemble's members use it too.
 */
export function hindcastInput(data: PreparedData, config: PipelineConfig): GridStack | null {
  if (!data.hindcastLsm) return null;
  const input = framesBetween(data.hindcastLsm, config.hindcast.start, config.hindcast.end);
  return input.shape[0] === 0 ? null : input;
}

export async function hindcastStage(
  work: string,
  data: PreparedData,
  config: PipelineConfig,
  engine: Engine,
  record: RunRecord,
): Promise<void> {
  const gap = hindcastGap(data, config);
  if (gap !== null) throw new InputError(`hindcast: ${gap}`);
  const input = hindcastInput(data, config)!;
  const name = config.hindcast.model;
  const predicted = await predictWithModel(work, data, input, name, config, engine, 'hindcast');
  const months = input.times.map((t) => t.slice(0, 7));
  const kinds = frameKinds(input, new Set(data.records.map((r) => r.id)));
  const missingMonths = monthRange(config.hindcast.start, config.hindcast.end).filter((m) => !months.includes(m));
  const attributes: Record<string, string | number> = {
    title: `GRACE-like TWSA hindcast ${months[0]}..${months[months.length - 1]} by ${name}`,
    source: data.description,
    model: name,
    model_preset: config.models.preset,
    twin_experiment: data.twinExperiment ? 'yes' : 'no',
    software: `@twsa/reconstruct ${record.versions['@twsa/reconstruct'] ?? ''}`.trim(),
    git_commit: record.gitCommit ?? 'unknown',
    seed: config.seed,
    backend: record.backend ?? 'unknown',
    created: new Date().toISOString(),
    units: 'mm',
    crs: input.crs,
    hindcast_steps: config.hindcast.steps,
    references: 'Yu et al. (2021), Int. J. Appl. Earth Obs. Geoinf. 102, 102404',
    ...(missingMonths.length ? { months_without_frame: missingMonths.join(' ') } : {}),
    ...(data.twinExperiment ? { warning: TWIN_NOTE } : {}),
  };
  const dir = join(work, 'hindcast');
  const comments = [
    `# nationwide (area-weighted Canada mean) TWSA hindcast in mm by ${name}; source: ${data.description}; git ${record.gitCommit ?? 'unknown'}; seed ${config.seed}${data.twinExperiment ? ' [TWIN EXPERIMENT]' : ''}`,
    `# time axis: ${timeAxisAttributes(kinds).time_axis_note}`,
  ];
  if (missingMonths.length) comments.push(`# months with no LSM frame (not filled): ${missingMonths.join(' ')}`);
  const stack = await writePeriodFiles({
    dir,
    netcdf: `twsa_hindcast_${name}_${months[0]}_${months[months.length - 1]}.nc`,
    model: name,
    input,
    predicted,
    mask: data.mask,
    kinds,
    attributes,
    geotiffs: config.hindcast.geotiffs,
    csvComments: comments,
    column: 'hindcast_mm',
  });
  writeArray(dir, 'hindcast', stack);
}
