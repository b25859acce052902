/**
 * The hindcast stage: the chosen model reconstructs GRACE-like TWSA from the LSM months before GRACE, written as
 * a CF NetCDF stack, optional monthly GeoTIFFs and a nationwide series into `<run>/hindcast/`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Grid, GridStack } from '@twsa/grid';
import type { PipelineConfig } from '../config.js';
import { InputError, StageOrderError } from '../errors.js';
import { writeArray } from '../internal/store.js';
import { writeHindcastGeoTiff, writeHindcastNetcdf } from '../outputs.js';
import type { RunRecord } from '../pipeline.js';
import { writeFileAtomic } from '../run-folder.js';
import { csvNumber as fmt, domainMean } from '../scores.js';
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
  const lsm = data.hindcastLsm;
  if (!lsm) return null;
  const keep = lsm.times.flatMap((t, i) =>
    t.slice(0, 7) >= config.hindcast.start && t.slice(0, 7) <= config.hindcast.end ? [i] : [],
  );
  if (keep.length === 0) return null;
  const size = lsm.shape[1] * lsm.shape[2];
  const sub = new Float32Array(keep.length * size);
  keep.forEach((t, k) => sub.set(lsm.data.subarray(t * size, (t + 1) * size), k * size));
  const input: GridStack = {
    ...lsm,
    data: sub,
    shape: [keep.length, lsm.shape[1], lsm.shape[2]],
    times: keep.map((t) => lsm.times[t]!),
    ...(lsm.timeBounds ? { timeBounds: keep.map((t) => lsm.timeBounds![t]!) } : {}),
  };
  delete (input as { labels?: unknown }).labels;
  return input;
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
  const lsm = data.hindcastLsm!;
  const input = hindcastInput(data, config)!;
  const sub = input.data;
  const size = lsm.shape[1] * lsm.shape[2];
  const name = config.hindcast.model;
  const modelDir = join(work, 'models', name);
  if (!existsSync(join(modelDir, 'info.json')))
    throw new StageOrderError('hindcast', `models/${name} (the train stage)`);
  const model = await engine.load(name, modelDir, config);
  let predicted: Float32Array;
  try {
    predicted = await model.predict(input, { data });
  } finally {
    model.dispose();
  }
  const months = input.times.map((t) => t.slice(0, 7));
  // Frame ids: the month, with a/b/… when two LSM windows fall in one calendar month (as GRACE ids do).
  const ids = months.map((m, i) =>
    months.filter((x) => x === m).length > 1
      ? `${m}${String.fromCharCode(97 + months.slice(0, i).filter((x) => x === m).length)}`
      : m,
  );
  const wanted = monthList(config.hindcast.start, config.hindcast.end);
  const missingMonths = wanted.filter((m) => !months.includes(m));
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
    crs: lsm.crs,
    references: 'Yu et al. (2021), Int. J. Appl. Earth Obs. Geoinf. 102, 102404',
    ...(data.twinExperiment ? { warning: TWIN_NOTE } : {}),
  };
  const dir = join(work, 'hindcast');
  const stack: GridStack = { ...input, data: predicted, units: 'mm', attributes };
  writeArray(dir, 'hindcast', stack);
  await writeHindcastNetcdf(
    stack,
    join(dir, `twsa_hindcast_${name}_${months[0]}_${months[months.length - 1]}.nc`),
    attributes,
  );
  if (config.hindcast.geotiffs) {
    for (const [k, m] of ids.entries()) {
      const grid: Grid = {
        data: predicted.slice(k * size, (k + 1) * size),
        shape: [lsm.shape[1], lsm.shape[2]],
        bounds: lsm.bounds,
        crs: lsm.crs,
        nodata: Number.NaN,
        units: 'mm',
      };
      await writeHindcastGeoTiff(grid, join(dir, 'geotiff', `twsa_${name}_${m}.tif`), {
        ...attributes,
        month: months[k]!,
        window: input.timeBounds ? input.timeBounds[k]!.join('/') : months[k]!,
      });
    }
  }
  const mean = domainMean(predicted, input, data.mask);
  const lsmMean = domainMean(sub, input, data.mask);
  const lines = [
    `# nationwide (area-weighted Canada mean) TWSA hindcast in mm by ${name}; source: ${data.description}; git ${record.gitCommit ?? 'unknown'}; seed ${config.seed}${data.twinExperiment ? ' [TWIN EXPERIMENT]' : ''}`,
  ];
  if (missingMonths.length) lines.push(`# months with no LSM frame (not filled): ${missingMonths.join(' ')}`);
  lines.push('frame,year_month,window_start,window_end,hindcast_mm,lsm_mm');
  ids.forEach((id, i) =>
    lines.push(
      `${id},${months[i]},${input.timeBounds ? input.timeBounds[i]!.join(',') : ','},${fmt(mean[i]!)},${fmt(lsmMean[i]!)}`,
    ),
  );
  writeFileAtomic(join(dir, 'nationwide_series.csv'), lines.join('\n') + '\n');
}

function monthList(start: string, end: string): string[] {
  const out: string[] = [];
  let [y, m] = start.split('-').map(Number) as [number, number];
  const [ey, em] = end.split('-').map(Number) as [number, number];
  while (y < ey || (y === ey && m <= em)) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}
