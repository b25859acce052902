/**
 * A user's land-surface-model output (daily or monthly GeoTIFF series, or GLDAS-style NetCDF) as TWSA anomalies in
 * mm on the paper's grid, one frame per requested time window.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import {
  CANADA_LCC_110KM,
  PAPER_BASELINE,
  anomalies,
  applyRemap,
  canadaMask,
  createStack,
  gridInfo,
  openNetcdf,
  rasterizePolygons,
  readGeoTiff,
  remapWeights,
  streamWindowMeans,
  transformer,
  isGeographic,
  unitScale,
  normalizeUnits,
  geotiffFrames,
  type DailyFrame,
  type DatedFile,
  type Grid,
  type GridArray,
  type GridSpec,
  type GridStack,
  type NetcdfHandle,
  type PolygonalGeoJson,
  type RemapWeights,
  type TimeBounds,
  type TimeWindow,
} from '@twsa/grid';
import { DatasetsArgumentError, DatasetsEmptyError, DatasetsMismatchError } from './errors.js';
import { isYearMonth, monthIndex, monthKey } from '@twsa/grid';

/** Options of {@link prepareLsm}. */
export interface PrepareLsmOptions {
  /** The windows to produce, in any order (e.g. GRACE windows from @twsa/grid `graceMonths` plus `thirtyDayWindows`). */
  readonly windows: readonly TimeWindow[];
  /** Target grid. Default `CANADA_LCC_110KM` (48×48, 112 km, EPSG:3978). */
  readonly target?: GridSpec;
  /**
   * NetCDF variables to sum per frame. Default: every variable with a time dimension and water-storage units
   * (kg m-2, mm, cm, m), e.g. GLDAS `SWE` + `Canint`.
   */
  readonly variables?: readonly string[];
  /** Units of GeoTIFFs that do not record them (GDAL band unit). Default: the file's own units (required then). */
  readonly units?: string;
  /** Anomaly baseline `[from, to]` months, inclusive. Default `["2002-04", "2016-12"]` (PAPER_BASELINE). */
  readonly baseline?: readonly [from: string, to: string];
  /**
   * What to do when no frame falls in the baseline: `"error"` (default) throws a DatasetsEmptyError; `"period"`
   * removes the mean over all produced frames instead and records it in `attributes.baseline_note`.
   */
  readonly baselineFallback?: 'error' | 'period';
  /** Minimum valid days per pixel in a window (daily series). Default 1. */
  readonly minDays?: number;
  /**
   * Region the LSM is clipped to at its own resolution, before the regrid: source cells whose centres fall outside
   * it become NaN, so a target cell on the border averages only the source cells inside (no US or ocean values
   * leak into it). `"canada"` (default): Canada's landmass (@twsa/grid `canadaMask`, Natural Earth 50m); a
   * polygonal GeoJSON in lon/lat: that region; `"none"`: no clip (every valid source cell counts).
   */
  readonly clip?: 'canada' | 'none' | PolygonalGeoJson;
  /** Progress messages (libraries are silent otherwise). */
  readonly log?: (message: string) => void;
}

/** Result of {@link prepareLsm}. */
export interface PreparedLsm {
  /**
   * LSM TWSA anomalies in mm on the target grid, one frame per window that received data, in time order, with
   * `timeBounds` = the windows, `labels` = their ids and provenance attributes.
   */
  readonly lsm: GridStack;
  /** The input files, in the order read. */
  readonly files: readonly string[];
  /** NetCDF variables summed (empty for GeoTIFF series). */
  readonly variables: readonly string[];
  /** `"daily"` or `"monthly"`. */
  readonly step: 'daily' | 'monthly';
  /** Ids of the requested windows that received no data (left out of `lsm`). */
  readonly emptyWindows: readonly string[];
}

const RASTER_EXT = new Set(['.tif', '.tiff', '.nc', '.nc4']);
const TIFF_EXT = new Set(['.tif', '.tiff']);
const DAY_MS = 86_400_000;

/** Directories expanded to their .tif/.tiff/.nc/.nc4 files (sorted by name); files kept as given. */
function expand(paths: readonly string[], fn: string): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch (cause) {
      throw new DatasetsArgumentError(
        'paths',
        fn,
        'existing files or directories',
        `'${p}' (${(cause as Error).message})`,
        { cause },
      );
    }
    if (st.isDirectory()) {
      const found = readdirSync(p)
        .filter((n) => RASTER_EXT.has(extname(n).toLowerCase()))
        .sort()
        .map((n) => join(p, n));
      if (found.length === 0)
        throw new DatasetsEmptyError(`${fn}: no .tif/.tiff/.nc/.nc4 file in the directory '${p}'`, { field: 'paths' });
      out.push(...found);
    } else out.push(p);
  }
  if (out.length === 0) throw new DatasetsEmptyError(`${fn}: no LSM file given`, { field: 'paths' });
  return out;
}

/** Date of a GeoTIFF from its name: YYYYMMDD (daily), YYYY-MM-DD (daily), YYYYMM or YYYY-MM (monthly). */
function dateOfName(path: string, fn: string): { step: 'daily' | 'monthly'; time: string } {
  const name = basename(path).replace(/\.[^.]+$/, '');
  const valid = (y: number, m: number, d: number): boolean =>
    m >= 1 && m <= 12 && d >= 1 && d <= new Date(Date.UTC(y, m, 0)).getUTCDate() && y >= 1800 && y <= 2200;
  const pad = (n: number): string => String(n).padStart(2, '0');
  const daily = /(?<!\d)(\d{4})-?(\d{2})-?(\d{2})(?!\d)/.exec(name);
  if (daily) {
    const [y, m, d] = [Number(daily[1]), Number(daily[2]), Number(daily[3])];
    if (valid(y, m, d)) return { step: 'daily', time: `${y}-${pad(m)}-${pad(d)}` };
  }
  const monthly = /(?<!\d)(\d{4})-?(\d{2})(?!\d)/.exec(name);
  if (monthly) {
    const [y, m] = [Number(monthly[1]), Number(monthly[2])];
    if (valid(y, m, 1)) return { step: 'monthly', time: `${y}-${pad(m)}-01` };
  }
  throw new DatasetsArgumentError(
    'paths',
    fn,
    'GeoTIFF names holding their date (YYYYMMDD or YYYY-MM-DD for daily, YYYYMM or YYYY-MM for monthly files)',
    `'${path}'`,
  );
}

const dayOf = (iso: string): number => Math.floor(Date.parse(iso.length === 10 ? `${iso}T00:00:00Z` : iso) / DAY_MS);
const isoOfDay = (d: number): string => new Date(d * DAY_MS).toISOString().slice(0, 10);
/** Calendar month of a window's mid-point. */
const midMonth = (w: TimeWindow): string => isoOfDay(Math.floor((dayOf(w.start) + dayOf(w.end)) / 2)).slice(0, 7);

/** Lon/lat envelope of a target grid (edges sampled, padded by 2°), so NetCDF readers skip far-away source cells. */
function lonLatEnvelope(target: GridSpec): [number, number, number, number] {
  const [w, s, e, n] = target.bounds;
  if (isGeographic(target.crs)) return [w, s, e, n];
  const f = transformer(target.crs, 'EPSG:4326');
  const xs: number[] = [];
  const ys: number[] = [];
  for (let k = 0; k <= 64; k++) {
    const x = w + ((e - w) * k) / 64;
    const y = s + ((n - s) * k) / 64;
    for (const [px, py] of [f(x, s), f(x, n), f(w, y), f(e, y)])
      if (Number.isFinite(px) && Number.isFinite(py)) {
        xs.push(px);
        ys.push(py);
      }
  }
  const west = Math.max(-180, Math.min(...xs) - 2);
  const east = Math.min(180, Math.max(...xs) + 2);
  const south = Math.max(-90, Math.min(...ys) - 2);
  const north = Math.min(90, Math.max(...ys) + 2);
  return east > west && north > south ? [west, south, east, north] : [-180, -90, 180, 90];
}

/** One NetCDF file opened once per variable. */
interface NetcdfSource {
  readonly path: string;
  readonly handles: NetcdfHandle[];
  readonly scales: number[];
}

/**
 * A user's LSM as TWSA anomalies (mm) on the paper's grid, one frame per window.
 *
 * ## Method
 * 1. Files: directories are expanded to their `.tif`/`.tiff`/`.nc`/`.nc4` files, sorted by name.
 * 2. GeoTIFF series: the date comes from each file name. `YYYYMMDD` (or `YYYY-MM-DD`): daily files, streamed in date
 *    order through @twsa/grid `streamWindowMeans` (one accumulator per open window; the series is never held in
 *    memory). `YYYYMM` (or `YYYY-MM`): monthly files, one frame per month; a window takes the frame of the calendar
 *    month of its mid-point.
 * 3. NetCDF (GLDAS): the variables in `variables` (default: those with a time dimension and water-storage units)
 *    are converted to mm and summed per frame (NaN where any of them is missing). A median time step of ≥ 28 days
 *    makes the file monthly (assigned by the window's mid-point month as above), otherwise daily (streamed).
 * 4. Units: every frame is converted to mm (`unitScale`: m × 1000, cm × 10, kg m-2 × 1).
 * 5. Clip (default `clip: "canada"`): the source cells whose centres lie outside Canada (@twsa/grid `canadaMask` on
 *    the source grid with one sample per cell, i.e. the centre) are set to NaN, so the regrid averages Canadian land
 *    only. The mask is computed once, with the weights; `attributes.lsm_clip` records it.
 * 6. Regrid: conservative `remapWeights(source, target)` computed once and applied to each window mean
 *    (`applyRemap`, NaN renormalised over the valid overlap: a border cell is the mean of its Canadian source cells,
 *    a cell with none is NaN).
 * 7. Anomalies: `anomalies` with the baseline `[from-01, month after to)`. Windows that received no frame are left
 *    out (listed in `emptyWindows`).
 *
 * @param paths A file, a directory, or several of them.
 * @param options See {@link PrepareLsmOptions}; `windows` is required.
 * @returns A {@link PreparedLsm}.
 * @throws {@link DatasetsArgumentError} for a missing file, a GeoTIFF name without a date, a NetCDF without a storage
 *   variable, an unreadable file (the message names it) or a malformed option.
 * @throws {@link DatasetsMismatchError} when the files are on different grids or mix daily and monthly steps.
 * @throws {@link DatasetsEmptyError} when no file is found, no window receives data, or (with
 *   `baselineFallback: "error"`) no frame falls in the baseline.
 * @example
 * ```ts
 * const { grace } = await prepareGrace("../shared/data/real/grace_jpl_rl06v03_land/jpl_rl06v03_lnd_northamerica_1deg_200204-201912.nc");
 * const { lsm } = await prepareLsm("../shared/data/real/gldas_vic_partial_sample", { windows: graceMonths(grace), baselineFallback: "period" });
 * lsm.shape; // => [9, 48, 48] (GLDAS 2002-04..2002-12 on the GRACE windows of those months)
 * ```
 */
export async function prepareLsm(paths: string | readonly string[], options: PrepareLsmOptions): Promise<PreparedLsm> {
  const fn = 'prepareLsm';
  const list = typeof paths === 'string' ? [paths] : paths;
  if (!Array.isArray(list) || !list.every((p) => typeof p === 'string'))
    throw new DatasetsArgumentError('paths', fn, 'a path or an array of paths', typeof paths);
  if (!options || !Array.isArray(options.windows) || options.windows.length === 0)
    throw new DatasetsArgumentError(
      'options.windows',
      fn,
      'a non-empty array of { id, start, end } windows',
      JSON.stringify(options?.windows),
    );
  const target = options.target ?? CANADA_LCC_110KM;
  const baseline = options.baseline ?? [
    PAPER_BASELINE[0].slice(0, 7),
    monthKey(monthIndex(PAPER_BASELINE[1].slice(0, 7)) - 1),
  ];
  for (const [name, v] of [
    ['options.baseline[0]', baseline[0]],
    ['options.baseline[1]', baseline[1]],
  ] as const) {
    if (!isYearMonth(v)) throw new DatasetsArgumentError(name, fn, 'a "YYYY-MM" month', JSON.stringify(v));
  }
  const fallback = options.baselineFallback ?? 'error';
  const clip = options.clip ?? 'canada';
  if (
    clip !== 'canada' &&
    clip !== 'none' &&
    (typeof clip !== 'object' ||
      clip === null ||
      !['Polygon', 'MultiPolygon', 'Feature', 'FeatureCollection'].includes(
        (clip as { type?: unknown }).type as string,
      ))
  ) {
    throw new DatasetsArgumentError(
      'options.clip',
      fn,
      '"canada", "none" or a polygonal GeoJSON (Polygon, MultiPolygon, Feature, FeatureCollection) in lon/lat',
      JSON.stringify(clip)?.slice(0, 80) ?? String(clip),
    );
  }
  if (fallback !== 'error' && fallback !== 'period')
    throw new DatasetsArgumentError('options.baselineFallback', fn, '"error" or "period"', JSON.stringify(fallback));
  for (const [k, w] of options.windows.entries()) {
    if (
      !w ||
      typeof w.id !== 'string' ||
      !Number.isFinite(dayOf(w.start ?? '')) ||
      !(dayOf(w.end ?? '') > dayOf(w.start))
    )
      throw new DatasetsArgumentError(
        `options.windows[${k}]`,
        fn,
        'a window { id, start, end } with ISO dates, end after start',
        JSON.stringify(w),
      );
  }
  // Windows in time order (by start, then end).
  const windows = [...options.windows].sort((a, b) => dayOf(a.start) - dayOf(b.start) || dayOf(a.end) - dayOf(b.end));
  const files = expand(list, fn);
  const tiffs = files.filter((f) => TIFF_EXT.has(extname(f).toLowerCase()));
  const ncs = files.filter((f) => !TIFF_EXT.has(extname(f).toLowerCase()));
  if (tiffs.length > 0 && ncs.length > 0)
    throw new DatasetsMismatchError(
      `${fn}: mixed GeoTIFF and NetCDF inputs (${tiffs[0]}, ${ncs[0]}); give one series`,
      { field: 'paths' },
    );

  const tsize = target.shape[0] * target.shape[1];
  const frames: (Float32Array | null)[] = windows.map(() => null);
  let weights: RemapWeights | null = null;
  let sourceSpec: GridSpec | null = null;
  /** 1 where a source cell's centre is inside the clip region; null without a clip. */
  let inside: Float32Array | null = null;
  let clipText = 'none (every valid source cell counts)';
  const regrid = (grid: Grid, where: string): Float32Array => {
    if (!sourceSpec) {
      sourceSpec = { shape: [grid.shape[0], grid.shape[1]], bounds: grid.bounds, crs: grid.crs };
      weights = remapWeights(sourceSpec, target, { method: 'conservative' });
      if (clip !== 'none') {
        inside = (
          clip === 'canada'
            ? canadaMask(sourceSpec, { subsamples: 1 })
            : rasterizePolygons(clip, sourceSpec, { subsamples: 1 })
        ).data;
        let kept = 0;
        for (let i = 0; i < inside.length; i++) if (inside[i]! > 0) kept++;
        clipText = `${clip === 'canada' ? 'Canada (Natural Earth 50m landmass)' : 'the given polygon(s)'} at the source resolution: ${kept} of ${inside.length} source cells have their centre inside; the others are NaN before the regrid`;
        options.log?.(`LSM clip: ${clipText}`);
      }
    } else if (
      grid.crs !== sourceSpec.crs ||
      grid.shape[0] !== sourceSpec.shape[0] ||
      grid.shape[1] !== sourceSpec.shape[1] ||
      grid.bounds.some((v, i) => Math.abs(v - sourceSpec!.bounds[i]!) > 1e-6)
    ) {
      throw new DatasetsMismatchError(
        `${fn}: ${where} is on ${grid.crs} ${grid.shape.join('×')} [${grid.bounds.join(', ')}], the first file on ${sourceSpec.crs} ${sourceSpec.shape.join('×')} [${sourceSpec.bounds.join(', ')}]`,
        { field: 'paths' },
      );
    }
    if (inside) {
      const mask = inside as Float32Array;
      const clipped = new Float32Array(grid.data.length);
      for (let i = 0; i < clipped.length; i++) {
        const v = grid.data[i]!;
        clipped[i] = mask[i]! > 0 && v === v && v !== grid.nodata ? v : Number.NaN;
      }
      grid = { ...grid, data: clipped, nodata: Number.NaN };
    }
    return applyRemap(weights!, grid).data as Float32Array;
  };
  const read = async <T>(path: string, f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (cause) {
      if (cause instanceof DatasetsMismatchError || cause instanceof DatasetsArgumentError) throw cause;
      throw new DatasetsArgumentError('paths', fn, 'readable LSM files', `'${path}' (${(cause as Error).message})`, {
        cause,
      });
    }
  };
  const toMm = (units: string | undefined, path: string, field: string): number => {
    try {
      return unitScale(units, 'mm', { file: path, field });
    } catch (cause) {
      throw new DatasetsArgumentError(
        `${field}`,
        fn,
        'water-storage units (m, cm, mm, kg m-2); pass options.units for GeoTIFFs without a unit',
        `'${units ?? '(none)'}' in '${path}'`,
        { cause },
      );
    }
  };
  const scaled = (g: Grid<GridArray>, k: number): Grid => {
    if (k === 1 && g.data instanceof Float32Array) return g as Grid;
    const d = new Float32Array(g.data.length);
    for (let i = 0; i < d.length; i++) {
      const v = g.data[i]!;
      d[i] = v === g.nodata ? Number.NaN : v * k;
    }
    return { ...g, data: d, nodata: Number.NaN };
  };
  let step: 'daily' | 'monthly';
  let variables: string[] = [];
  const streamDaily = async (source: AsyncIterable<DailyFrame>): Promise<void> => {
    for await (const m of streamWindowMeans(
      source,
      windows,
      options.minDays !== undefined ? { minDays: options.minDays } : {},
    )) {
      if (m.days > 0) frames[m.index] = regrid(m.grid, `window ${m.window.id}`);
    }
  };
  const assignMonthly = (byMonth: Map<string, () => Promise<Grid>>): Promise<void> =>
    (async () => {
      for (const [k, w] of windows.entries()) {
        const get = byMonth.get(midMonth(w));
        if (get) frames[k] = regrid(await get(), `the frame of ${midMonth(w)}`);
      }
    })();

  if (tiffs.length > 0) {
    const dated = tiffs.map((path) => ({ path, ...dateOfName(path, fn) }));
    const steps = new Set(dated.map((d) => d.step));
    if (steps.size > 1)
      throw new DatasetsMismatchError(
        `${fn}: the GeoTIFF names mix daily (YYYYMMDD) and monthly (YYYYMM) dates, e.g. ${dated.find((d) => d.step === 'daily')!.path} and ${dated.find((d) => d.step === 'monthly')!.path}`,
        { field: 'paths' },
      );
    step = dated[0]!.step;
    dated.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
    const unitOf = async (path: string): Promise<number> => {
      const g = await read(path, () => readGeoTiff(path));
      return toMm(options.units ?? g.units, path, 'units');
    };
    if (step === 'daily') {
      const files: DatedFile[] = dated.map((d) => ({ time: d.time, path: d.path }));
      const k = await unitOf(files[0]!.path);
      async function* frames(): AsyncGenerator<DailyFrame> {
        const it = geotiffFrames(files);
        let i = 0;
        while (true) {
          const r = await read(files[Math.min(i, files.length - 1)]!.path, () => it.next());
          if (r.done) return;
          i++;
          yield { time: r.value.time, grid: scaled(r.value.grid, k) };
        }
      }
      await streamDaily(frames());
    } else {
      const byMonth = new Map<string, () => Promise<Grid>>();
      for (const d of dated) {
        const ym = d.time.slice(0, 7);
        if (byMonth.has(ym))
          throw new DatasetsMismatchError(`${fn}: two monthly GeoTIFFs for ${ym} (${d.path})`, { field: 'paths' });
        byMonth.set(ym, async () => {
          const g = await read(d.path, () => readGeoTiff(d.path));
          return scaled(g, toMm(options.units ?? g.units, d.path, 'units'));
        });
      }
      await assignMonthly(byMonth);
    }
  } else {
    const sources: NetcdfSource[] = [];
    const envelope = lonLatEnvelope(target);
    try {
      for (const path of ncs) {
        const info = await read(path, () => gridInfo(path, { stats: false }));
        const timeDim = info.variables.find((v) => v.name === 'time')?.dims[0] ?? 'time';
        const chosen =
          options.variables ??
          info.variables
            .filter(
              (v) =>
                v.dims.length >= 3 &&
                v.dims.includes(timeDim) &&
                v.units !== undefined &&
                normalizeUnits(v.units) !== undefined,
            )
            .map((v) => v.name);
        if (chosen.length === 0)
          throw new DatasetsArgumentError(
            'options.variables',
            fn,
            'NetCDF files holding a water-storage variable (units kg m-2, mm, cm or m, with a time dimension)',
            `'${path}' (variables: ${info.variables.map((v) => `${v.name} [${v.units ?? 'no units'}]`).join(', ')})`,
          );
        if (variables.length === 0) variables = [...chosen];
        else if (chosen.join(',') !== variables.join(','))
          throw new DatasetsMismatchError(
            `${fn}: '${path}' holds the storage variables ${chosen.join(', ')}, the first file ${variables.join(', ')}`,
            { field: 'options.variables' },
          );
        const src: NetcdfSource = { path, handles: [], scales: [] };
        sources.push(src);
        for (const v of chosen) {
          if (!info.variables.some((x) => x.name === v))
            throw new DatasetsArgumentError(
              'options.variables',
              fn,
              `variables present in '${path}' (${info.variables.map((x) => x.name).join(', ')})`,
              v,
            );
          const h = await read(path, () => openNetcdf(path, { variable: v, bbox: envelope }));
          src.handles.push(h);
          src.scales.push(toMm(h.units, path, `${v}.units`));
          if (h.times.length === 0 || h.times[0] === '')
            throw new DatasetsArgumentError(
              'options.variables',
              fn,
              'variables with a time dimension',
              `${v} in '${path}'`,
            );
        }
      }
      const all = sources.flatMap((s) => s.handles[0]!.times.map((time, t) => ({ s, t, time })));
      all.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
      const steps = all
        .slice(1)
        .map((f, i) => dayOf(f.time) - dayOf(all[i]!.time))
        .sort((a, b) => a - b);
      step = steps.length > 0 && steps[Math.floor(steps.length / 2)]! >= 28 ? 'monthly' : 'daily';
      const sumFrame = (s: NetcdfSource, t: number): Grid => {
        const grids = s.handles.map((h) => h.readFrame(t));
        const g0 = grids[0]!;
        const out = new Float32Array(g0.data.length);
        for (let i = 0; i < out.length; i++) {
          let sum = 0;
          for (let v = 0; v < grids.length; v++) {
            const g = grids[v]!;
            const x = g.data[i]!;
            if (x !== x || x === g.nodata) {
              sum = Number.NaN;
              break;
            }
            sum += x * s.scales[v]!;
          }
          out[i] = sum;
        }
        return { data: out, shape: g0.shape, bounds: g0.bounds, crs: g0.crs, nodata: Number.NaN, units: 'mm' };
      };
      if (step === 'daily') {
        await streamDaily(
          (async function* () {
            for (const f of all) yield { time: f.time, grid: await read(f.s.path, async () => sumFrame(f.s, f.t)) };
          })(),
        );
      } else {
        const byMonth = new Map<string, () => Promise<Grid>>();
        for (const f of all) byMonth.set(f.time.slice(0, 7), () => read(f.s.path, async () => sumFrame(f.s, f.t)));
        await assignMonthly(byMonth);
      }
    } finally {
      for (const s of sources) for (const h of s.handles) h.close();
    }
  }

  const kept = windows.flatMap((_w, k) => (frames[k] ? [k] : []));
  const emptyWindows = windows.flatMap((w, k) => (frames[k] ? [] : [w.id]));
  if (kept.length === 0) {
    throw new DatasetsEmptyError(
      `${fn}: none of the ${windows.length} windows (${windows[0]!.start}..${windows[windows.length - 1]!.end}) receives LSM data from ${files.length} file(s) (${files[0]}${files.length > 1 ? ', …' : ''})`,
      { field: 'options.windows' },
    );
  }
  const data = new Float32Array(kept.length * tsize);
  kept.forEach((k, i) => data.set(frames[k]!, i * tsize));
  const keptWindows = kept.map((k) => windows[k]!);
  const stack = createStack(data, {
    shape: [kept.length, target.shape[0], target.shape[1]],
    bounds: target.bounds,
    crs: target.crs,
    units: 'mm',
    times: keptWindows.map((w) => isoOfDay(Math.floor((dayOf(w.start) + dayOf(w.end)) / 2))),
    timeBounds: keptWindows.map((w) => [w.start, w.end] as TimeBounds),
    labels: keptWindows.map((w) => w.id),
  });
  const window: [string, string] = [`${baseline[0]}-01`, `${monthKey(monthIndex(baseline[1]) + 1)}-01`];
  let result: GridStack;
  let baselineText = `${baseline[0]}..${baseline[1]}`;
  let note: string | undefined;
  const period = `${stack.times[0]!.slice(0, 7)}..${stack.times[stack.times.length - 1]!.slice(0, 7)}`;
  try {
    result = anomalies(stack, { baseline: window });
    const used = Number(result.attributes?.baseline_frames ?? 0);
    const months = monthIndex(baseline[1]) - monthIndex(baseline[0]) + 1;
    if (used < 0.9 * months) {
      note = `the LSM covers only ${used} frame(s) of the ${months}-month baseline ${baseline[0]}..${baseline[1]}: its anomalies are taken against the mean of those frames`;
      options.log?.(note);
    }
  } catch (cause) {
    if (fallback === 'error') {
      throw new DatasetsEmptyError(
        `${fn}: the LSM (${period}, ${files.length} file(s): ${files[0]}${files.length > 1 ? ', …' : ''}) does not cover the anomaly baseline ${baseline[0]}..${baseline[1]}; give LSM files covering it, set options.baseline to months the LSM covers, or options.baselineFallback "period"`,
        { field: 'options.baseline', cause },
      );
    }
    const own: [string, string] = [
      keptWindows[0]!.start,
      isoOfDay(dayOf(keptWindows[keptWindows.length - 1]!.end) + 1),
    ];
    result = anomalies(stack, { baseline: own });
    baselineText = `${period} (the LSM's own period)`;
    note = `the LSM does not cover the baseline ${baseline[0]}..${baseline[1]}: anomalies are taken against the mean of its own ${kept.length} frame(s) (${period}), not the GRACE baseline`;
    options.log?.(note);
  }
  options.log?.(`LSM: ${files.length} file(s), ${step}, ${kept.length} of ${windows.length} window(s) with data`);
  return {
    lsm: {
      ...result,
      units: 'mm',
      attributes: {
        ...(result.attributes ?? {}),
        source: 'user LSM',
        lsm_source: files.join(', '),
        lsm_variables: variables.length > 0 ? `${variables.join(' + ')} (summed)` : 'GeoTIFF band 1',
        lsm_step: step,
        processing: `@twsa/datasets prepareLsm: ${step === 'daily' ? 'daily frames → streamWindowMeans' : 'monthly frames → window of the mid-point month'}${variables.length > 1 ? ` (sum of ${variables.join(' + ')}, NaN where any is missing)` : ''} → mm → ${clip === 'none' ? '' : 'clip to the region at the source resolution → '}conservative remap (weights computed once) to ${target.crs} ${target.shape.join('×')} → anomalies vs ${baselineText}`,
        baseline: baselineText,
        lsm_clip: clipText,
        ...(note ? { baseline_note: note } : {}),
        units: 'mm',
      },
    },
    files,
    variables,
    step: step!,
    emptyWindows,
  };
}
