/**
 * Predicting a period with a trained model: the time axis of the frames (calendar months, the paper's 30-day
 * windows, GRACE's own solution windows), the model call, and the files other tools read (one CF NetCDF stack,
 * one GeoTIFF per frame, the nationwide series). The hindcast stage and `twsa predict` share them.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Grid, GridStack, NetcdfExtraVariable } from '@twsa/grid';
import type { ModelName, PipelineConfig } from './config.js';
import { StageOrderError } from './errors.js';
import { writeHindcastGeoTiff, writeHindcastNetcdf } from './outputs.js';
import { writeFileAtomic } from './run-folder.js';
import { csvNumber as fmt, domainMean } from './scores.js';
import type { Engine, PreparedData } from './seam.js';

/** What one predicted frame stands for. */
export type FrameKind = 'calendar-month' | '30-day' | 'grace-window' | 'window';

const DAY_MS = 86_400_000;

/**
 * The kind of each frame of a stack: a GRACE solution window when its label is one of `graceIds`, a 30-day window
 * when its label is a start date (`thirtyDayWindows` ids), else a calendar month when its bounds run from the first
 * of a month to the first of the next, else a 30-day window by its span, else another window.
 */
export function frameKinds(stack: GridStack, graceIds: ReadonlySet<string>): FrameKind[] {
  return stack.times.map((_, i) => {
    const label = stack.labels?.[i];
    if (label !== undefined && graceIds.has(label)) return 'grace-window';
    const b = stack.timeBounds?.[i];
    // Consecutive 30-day windows are labelled with their start date; one may span a 30-day calendar month exactly.
    if (label !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(label) && b) return '30-day';
    if (!b) return 'window';
    const [s, e] = [b[0].slice(0, 10), b[1].slice(0, 10)];
    if (s.endsWith('-01') && e.endsWith('-01')) {
      const [y, m] = s.split('-').map(Number) as [number, number];
      const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
      if (e === next) return 'calendar-month';
    }
    return Math.round((Date.parse(e) - Date.parse(s)) / DAY_MS) === 30 ? '30-day' : 'window';
  });
}

const KIND_TEXT: Record<FrameKind, string> = {
  'calendar-month': 'calendar-month: one frame per calendar month, time at mid-month, time_bnds spanning the month',
  '30-day':
    'paper-30day: consecutive 30-day windows, as Yu et al. (2021) resampled pre-GRACE EALCO (a calendar month may hold two frames or none)',
  'grace-window': "GRACE era: GRACE's own solution windows (time_bnds = the solution window; a month may hold two)",
  window: 'other windows of the LSM input (see time and time_bnds)',
};

/**
 * Global attributes saying which time axis a file holds: `time_axis` (`calendar-month`, `paper-30day`,
 * `grace-solution-windows` or `mixed`) and `time_axis_note`, a sentence per kind with its frame count.
 * @example
 * ```ts
 * timeAxisAttributes(["30-day", "30-day"]).time_axis; // => "paper-30day"
 * timeAxisAttributes(["calendar-month", "grace-window"]).time_axis; // => "mixed"
 * ```
 */
export function timeAxisAttributes(kinds: readonly FrameKind[]): Record<string, string> {
  const counts = new Map<FrameKind, number>();
  for (const k of kinds) counts.set(k, (counts.get(k) ?? 0) + 1);
  const names: Record<FrameKind, string> = {
    'calendar-month': 'calendar-month',
    '30-day': 'paper-30day',
    'grace-window': 'grace-solution-windows',
    window: 'windows',
  };
  const only = counts.size === 1 ? [...counts.keys()][0]! : null;
  return {
    time_axis: only ? names[only] : 'mixed',
    time_axis_note: [...counts].map(([k, n]) => (only ? KIND_TEXT[k] : `${n} frame(s) ${KIND_TEXT[k]}`)).join('; '),
  };
}

/** Frame ids: the month, with a/b/… when two frames fall in one calendar month (as GRACE ids do). */
export function frameIds(times: readonly string[]): string[] {
  const months = times.map((t) => t.slice(0, 7));
  return months.map((m, i) =>
    months.filter((x) => x === m).length > 1
      ? `${m}${String.fromCharCode(97 + months.slice(0, i).filter((x) => x === m).length)}`
      : m,
  );
}

/** The frames of `stack` whose month lies in `from..to`, as a new stack (labels, bounds and attributes kept). */
export function framesBetween(stack: GridStack, from: string, to: string): GridStack {
  const keep = stack.times.flatMap((t, i) => (t.slice(0, 7) >= from && t.slice(0, 7) <= to ? [i] : []));
  const size = stack.shape[1] * stack.shape[2];
  const data = new Float32Array(keep.length * size);
  keep.forEach((t, k) => data.set(stack.data.subarray(t * size, (t + 1) * size), k * size));
  return {
    ...stack,
    data,
    shape: [keep.length, stack.shape[1], stack.shape[2]],
    times: keep.map((t) => stack.times[t]!),
    ...(stack.timeBounds ? { timeBounds: keep.map((t) => stack.timeBounds![t]!) } : {}),
    ...(stack.labels ? { labels: keep.map((t) => stack.labels![t]!) } : {}),
  };
}

/**
 * Runs the trained `model` of a run folder on an LSM stack (mm) and returns the GRACE-like TWSA (mm), laid out
 * like `lsm`.
 * @throws {@link StageOrderError} when the model has not been trained in this run.
 */
export async function predictWithModel(
  work: string,
  data: PreparedData,
  lsm: GridStack,
  model: ModelName,
  config: PipelineConfig,
  engine: Engine,
  stage: string,
): Promise<Float32Array> {
  const modelDir = join(work, 'models', model);
  if (!existsSync(join(modelDir, 'info.json'))) throw new StageOrderError(stage, `models/${model} (the train stage)`);
  const trained = await engine.load(model, modelDir, config);
  try {
    return await trained.predict(lsm, { data });
  } finally {
    trained.dispose();
  }
}

/** What {@link writePeriodFiles} writes. */
export interface PeriodFiles {
  /** Directory to write into. */
  readonly dir: string;
  /** File name of the NetCDF stack (in `dir`). */
  readonly netcdf: string;
  readonly model: ModelName;
  /** The LSM input frames. */
  readonly input: GridStack;
  /** The predicted values, laid out like `input`. */
  readonly predicted: Float32Array;
  /** Land fraction on the grid (for the nationwide mean). */
  readonly mask: Grid;
  readonly kinds: readonly FrameKind[];
  /** Global attributes of every file (the time-axis attributes are added). */
  readonly attributes: Readonly<Record<string, string | number>>;
  /** Write one GeoTIFF per frame into `dir/geotiff/`. */
  readonly geotiffs: boolean;
  /** First comment line(s) of the nationwide series CSV. */
  readonly csvComments: readonly string[];
  /** Name of the predicted column of the CSV (e.g. `hindcast_mm`). */
  readonly column: string;
  /** Extra columns of the CSV, one value per frame. */
  readonly extraColumns?: Readonly<Record<string, readonly string[]>>;
  /** More variables of the NetCDF file (e.g. GRACE at the scored frames, skill maps). */
  readonly extraVariables?: readonly NetcdfExtraVariable[];
}

/**
 * Writes a predicted period: a CF NetCDF stack (variable `twsa`, mm, 2-D lat/lon, per-frame `window_kind`), one
 * GeoTIFF per frame (`geotiff/twsa_<model>_<frame id>.tif`) and `nationwide_series.csv` (area-weighted mean of the
 * prediction and of the LSM input). Returns the stack written.
 */
export async function writePeriodFiles(p: PeriodFiles): Promise<GridStack> {
  const { input, predicted } = p;
  const ids = frameIds(input.times);
  const months = input.times.map((t) => t.slice(0, 7));
  const attributes = { ...p.attributes, ...timeAxisAttributes(p.kinds) };
  const stack: GridStack & { frameVariables: Record<string, readonly string[]> } = {
    ...input,
    data: predicted,
    units: 'mm',
    attributes,
    labels: ids,
    frameVariables: { window_kind: p.kinds },
  };
  await writeHindcastNetcdf(stack, join(p.dir, p.netcdf), attributes, p.extraVariables ?? []);
  const [, rows, cols] = input.shape;
  const size = rows * cols;
  if (p.geotiffs) {
    for (const [k, id] of ids.entries()) {
      const grid: Grid = {
        data: predicted.slice(k * size, (k + 1) * size),
        shape: [rows, cols],
        bounds: input.bounds,
        crs: input.crs,
        nodata: Number.NaN,
        units: 'mm',
      };
      await writeHindcastGeoTiff(grid, join(p.dir, 'geotiff', `twsa_${p.model}_${id}.tif`), {
        ...attributes,
        month: months[k]!,
        window: input.timeBounds ? input.timeBounds[k]!.join('/') : months[k]!,
        window_kind: p.kinds[k]!,
      });
    }
  }
  const mean = domainMean(predicted, input, p.mask);
  const lsmMean = domainMean(input.data, input, p.mask);
  const extra = Object.entries(p.extraColumns ?? {});
  const lines = [...p.csvComments];
  lines.push(
    [
      'frame',
      'year_month',
      'window_start',
      'window_end',
      'window_kind',
      p.column,
      'lsm_mm',
      ...extra.map(([c]) => c),
    ].join(','),
  );
  ids.forEach((id, i) =>
    lines.push(
      [
        id,
        months[i],
        input.timeBounds ? input.timeBounds[i]!.join(',') : ',',
        p.kinds[i],
        fmt(mean[i]!),
        fmt(lsmMean[i]!),
        ...extra.map(([, v]) => v[i] ?? ''),
      ].join(','),
    ),
  );
  writeFileAtomic(join(p.dir, 'nationwide_series.csv'), lines.join('\n') + '\n');
  return stack;
}
