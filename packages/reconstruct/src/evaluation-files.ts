/**
 * The evaluate stage's files for GIS tools: per-pixel skill maps and the test-month predictions as GeoTIFFs
 * (EPSG:3978, mm or unitless, with the run's provenance as metadata) and one CF NetCDF per run holding them all
 * (2-D lat/lon auxiliary coordinates, the observed GRACE of the test records, each model's predictions and maps).
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeGeoTiff, writeNetcdf, type Grid, type GridStack, type NetcdfExtraVariable } from '@twsa/grid';
import { timeAxisAttributes } from './period.js';
import { framesOf, type PreparedData } from './seam.js';

/** One per-pixel skill map of one row of Table 1 (a model, or the LSM baseline). */
export interface SkillMap {
  /** Row key: `lsm` or a model name. */
  readonly key: string;
  /** Score name, e.g. `cc`, `rmse`, `nse`, `kge` (deseasonalised ones with a `_deseasonalised` suffix). */
  readonly metric: string;
  /** `mm` for RMSE, `1` for the dimensionless scores. */
  readonly units: string;
  readonly longName: string;
  /** `rows * cols` values, NaN outside land or where undefined. */
  readonly data: Float32Array;
  /** A caveat written beside the map (`comment` attribute / metadata). */
  readonly comment?: string;
}

/** The caveat of KGE on anomalies. */
export const KGE_ANOMALY_NOTE =
  "KGE's bias ratio divides by the observed mean, which is near 0 for anomalies: large negative values there say little";

/** How {@link skillMaps} names and describes maps of a transformed series (e.g. deseasonalised). */
export interface SkillMapVariant {
  /** Appended to the metric name, e.g. `_deseasonalised` (`cc_deseasonalised`). */
  readonly suffix: string;
  /** Appended to the long name, e.g. `of the deseasonalised series`. */
  readonly description: string;
}

/** Deseasonalised skill: each pixel's mean annual cycle (fitted on the training records) removed first. */
export const DESEASONALISED: SkillMapVariant = {
  suffix: '_deseasonalised',
  description: 'of the deseasonalised series (mean annual cycle fitted on the training records removed)',
};

/** The four skill maps (cc, rmse, nse, kge) of one Table-1 row from per-pixel scores. */
export function skillMaps(
  key: string,
  pp: {
    readonly cc: Float32Array;
    readonly rmseMm: Float32Array;
    readonly nse: Float32Array;
    readonly kge: Float32Array;
  },
  variant?: SkillMapVariant,
): SkillMap[] {
  const metric = (m: string): string => `${m}${variant?.suffix ?? ''}`;
  const long = (l: string): string => (variant ? `${l} ${variant.description}` : l);
  return [
    { key, metric: metric('cc'), units: '1', longName: long('Pearson correlation coefficient'), data: pp.cc },
    { key, metric: metric('rmse'), units: 'mm', longName: long('root-mean-square error'), data: pp.rmseMm },
    { key, metric: metric('nse'), units: '1', longName: long('Nash-Sutcliffe efficiency'), data: pp.nse },
    {
      key,
      metric: metric('kge'),
      units: '1',
      longName: long('Kling-Gupta efficiency (2009)'),
      data: pp.kge,
      comment: KGE_ANOMALY_NOTE,
    },
  ];
}

/** A model's prediction of every prepared record (laid out like `data.grace`). */
export interface RecordPrediction {
  readonly model: string;
  readonly data: Float32Array;
}

/** Names of the files {@link writeEvaluationFiles} wrote, relative to the evaluation directory. */
export interface EvaluationFiles {
  readonly netcdf: string;
  readonly skillGeoTiffs: readonly string[];
  readonly predictionGeoTiffs: readonly string[];
}

/**
 * Writes `geotiff/skill/<key>_<metric>.tif`, `geotiff/predictions/<model>/twsa_<model>_<record>.tif` (test records
 * only) and `twsa_evaluation.nc` into `dir`.
 */
export async function writeEvaluationFiles(
  dir: string,
  data: PreparedData,
  maps: readonly SkillMap[],
  predictions: readonly RecordPrediction[],
  attributes: Readonly<Record<string, string | number>>,
): Promise<EvaluationFiles> {
  const test = framesOf(data, 'test');
  const [, rows, cols] = data.grace.shape;
  const size = rows * cols;
  const spec = { shape: [rows, cols] as const, bounds: data.grace.bounds, crs: data.grace.crs, nodata: Number.NaN };
  const skillGeoTiffs = (
    await writeEvaluationGrids(join(dir, 'geotiff', 'skill'), data.grace, maps, {
      ...attributes,
      content_scope: `the ${test.length} test records`,
    })
  ).map((f) => join('geotiff', 'skill', f));
  const testFrames = (values: Float32Array): Float32Array => {
    const out = new Float32Array(test.length * size);
    test.forEach((t, k) => out.set(values.subarray(t * size, (t + 1) * size), k * size));
    return out;
  };
  const predictionGeoTiffs: string[] = [];
  for (const p of predictions) {
    for (const t of test) {
      const id = data.records[t]!.id;
      const file = join('geotiff', 'predictions', p.model, `twsa_${p.model}_${id}.tif`);
      await writeTiff(
        join(dir, file),
        { ...spec, data: p.data.slice(t * size, (t + 1) * size), units: 'mm' },
        {
          ...attributes,
          content: `${p.model} reconstruction of GRACE-like TWSA (mm), test record ${id}`,
          model: p.model,
          record: id,
          month: data.records[t]!.yearMonth,
          window: data.grace.timeBounds?.[t]?.join('/') ?? data.grace.times[t]!,
          units: 'mm',
        },
      );
      predictionGeoTiffs.push(file);
    }
  }
  const observed: GridStack = {
    ...data.grace,
    data: testFrames(data.grace.data),
    shape: [test.length, rows, cols],
    times: test.map((t) => data.grace.times[t]!),
    ...(data.grace.timeBounds ? { timeBounds: test.map((t) => data.grace.timeBounds![t]!) } : {}),
    labels: test.map((t) => data.records[t]!.id),
    units: 'mm',
  };
  const extra: NetcdfExtraVariable[] = [
    ...predictions.map((p): NetcdfExtraVariable => ({
      name: `twsa_${p.model}`,
      dims: 'stack',
      data: testFrames(p.data),
      units: 'mm',
      longName: `${p.model} reconstruction of GRACE-like TWSA at the test records`,
    })),
    ...maps.map((m): NetcdfExtraVariable => ({
      name: `${m.metric}_${m.key}`,
      dims: 'grid',
      data: m.data,
      units: m.units,
      longName: `${m.longName} of ${m.key} against GRACE over the test records`,
    })),
  ];
  const netcdf = 'twsa_evaluation.nc';
  await writeNetcdf(join(dir, netcdf), observed, {
    overwrite: true,
    variable: 'twsa_grace',
    longName: 'GRACE terrestrial water storage anomaly at the test records',
    units: 'mm',
    title: 'twsa evaluation: GRACE, model predictions and per-pixel skill maps over the test records',
    producer: '@twsa/reconstruct evaluate',
    attributes: {
      ...attributes,
      ...timeAxisAttributes(test.map(() => 'grace-window' as const)),
      test_records: observed.labels!.join(' '),
      skill_metrics: 'Pearson CC, RMSE (mm), NSE and KGE (2009) per pixel over the test records (@twsa/metrics)',
    },
    latLon: true,
    extraVariables: extra,
  });
  return { netcdf, skillGeoTiffs, predictionGeoTiffs };
}

/**
 * Writes each skill map as `<dir>/<key>_<metric>.tif` (Float32, EPSG of `like`, units as metadata and band unit)
 * and returns the file names.
 */
export async function writeEvaluationGrids(
  dir: string,
  like: GridStack,
  maps: readonly SkillMap[],
  attributes: Readonly<Record<string, string | number>>,
): Promise<string[]> {
  const [, rows, cols] = like.shape;
  const { content_scope: scope, ...common } = attributes;
  const files: string[] = [];
  for (const m of maps) {
    const file = `${m.key}_${m.metric}.tif`;
    await writeTiff(
      join(dir, file),
      { shape: [rows, cols], bounds: like.bounds, crs: like.crs, nodata: Number.NaN, data: m.data, units: m.units },
      {
        ...common,
        content: `${m.longName} of ${m.key} against GRACE over ${scope ?? 'the scored records'}`,
        row: m.key,
        metric: m.metric,
        units: m.units,
        ...(m.comment ? { comment: m.comment } : {}),
      },
    );
    files.push(file);
  }
  return files;
}

async function writeTiff(file: string, grid: Grid, metadata: Readonly<Record<string, string | number>>): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  await writeGeoTiff(file, grid, { overwrite: true, metadata, ...(grid.units ? { units: grid.units } : {}) });
}
