/**
 * The LSM emulator: a TWIN EXPERIMENT stand-in for the EALCO land-surface model of Yu et al. (2021), whose output
 * is not public. From GRACE TWSA it makes an LSM-like daily field at fine resolution for 1979–2016 and passes it
 * through the same path as a real LSM (daily → window means → upscaling → baseline removal). It is not EALCO and
 * not any physical model; every stack it produces says so in `attributes.lsm_source`.
 */
import {
  anomalies,
  cellCenter,
  cellSize,
  createGrid,
  createStack,
  graceMonths,
  isStack,
  streamWindowMeans,
  thirtyDayWindows,
  transformer,
  upscale,
} from '@twsa/grid';
import type { Grid, GridSpec, GridStack, TimeBounds } from '@twsa/grid';
import { DatasetsArgumentError, DatasetsCalendarError, DatasetsEmptyError } from './errors.js';
import { createRandom, randomSmoothField, smoothField } from './internal/random.js';
import type { Random } from './internal/random.js';
import { dayNumber, dayIsoDate, isYearMonth, monthIndex, monthKey, monthStartDay, yearMonthOf } from '@twsa/grid';
import { decimalYear } from './internal/time.js';

/**
 * Parameters of the LSM emulator. Every field is optional; the defaults ({@link EMULATOR_DEFAULTS}) are calibrated
 * so that, against real JPL RL06 v03 GRACE on CANADA_LCC_110KM, the Table-1 metrics on the paper's 40 test months
 * land near the paper's EALCO row (RMSE 105 mm, CC 0.89); see the package README for the calibration run.
 */
export interface EmulateLsmOptions {
  /** Seed of every random field and series. Default `0`. */
  readonly seed?: number;
  /**
   * Fine-grid refinement: the daily field is made on cells of `cellSize / fineFactor` (112 km / 22 ≈ 5.1 km is the
   * faithful setting) and upscaled back by area mean. Default `22`. Coarser factors give the same monthly result to
   * float rounding (the fine field is mean-preserving by construction) and run far faster; tests use 1–3.
   */
  readonly fineFactor?: number;
  /** First month `"YYYY-MM"` of the emulated record. Default `"1979-01"`. */
  readonly start?: string;
  /** Last month `"YYYY-MM"` of the emulated record, inclusive. Default `"2016-12"`. */
  readonly end?: string;
  /** Median factor on the GRACE seasonal cycle (LSMs carry more storage variability than filtered, unscaled GRACE). Default `2.2`. */
  readonly amplitudeScale?: number;
  /** Log-standard deviation of the smooth regional amplitude factor field (damping < 1 < inflation around the median). Default `0.2`. */
  readonly amplitudeSpread?: number;
  /** Mean phase shift of the seasonal cycle in days (positive = LSM later than GRACE). Default `0`. */
  readonly phaseShiftDays?: number;
  /** Standard deviation of the smooth regional phase-shift field in days. Default `5`. */
  readonly phaseSpreadDays?: number;
  /** Correlation length (Gaussian σ) of the amplitude, phase and bias fields in km. Default `600`. */
  readonly parameterLengthKm?: number;
  /** Factor on GRACE's interannual (non-seasonal, detrended) variability. Default `1.0`. */
  readonly interannualScale?: number;
  /**
   * Fraction of GRACE's per-pixel linear trend kept outside `glacierRegions` (hydrological trends an LSM driven by
   * observed forcing partly reproduces). Inside `glacierRegions` the trend is always removed entirely: LSMs have no
   * glacier dynamics, so icefield loss is absent. Default `1` (see the README: with no trend anywhere the test-split CC is
   * about 0.67, far below the paper's 0.89, because the test months sit at both ends of the record).
   */
  readonly trendRetained?: number;
  /**
   * Lon/lat boxes `[west, south, east, north]` (degrees) of glaciated regions where the LSM lacks GRACE's trend.
   * Default {@link GLACIER_REGIONS}: the Yukon/St Elias icefields and the Canadian Arctic Archipelago with Baffin Island.
   */
  readonly glacierRegions?: readonly (readonly [number, number, number, number])[];
  /** Standard deviation of the smooth static bias field in mm (present in the daily field; removed by the baseline). Default `30`. */
  readonly biasStd?: number;
  /** Standard deviation of the spatially correlated daily error field in mm. Default `12`. */
  readonly noiseStd?: number;
  /** Correlation length (Gaussian σ) of the daily error field in km. Default `300`. */
  readonly noiseLengthKm?: number;
  /** e-folding time of the daily error field's AR(1) memory in days. Default `90`. */
  readonly noiseTimescaleDays?: number;
  /** Lag-1 (monthly) autocorrelation of the interannual anomalies generated outside the GRACE era. Default `0.8`. */
  readonly interannualLag1?: number;
  /** Correlation length (Gaussian σ) of those anomaly fields in km. Default `500`. */
  readonly interannualLengthKm?: number;
  /** Baseline `[from, to]` months removed from the monthly output. Default `["2002-04", "2016-12"]`. */
  readonly baseline?: readonly [from: string, to: string];
  /** Minimum finite GRACE records for a pixel to be emulated (others are NaN). Default `24`. */
  readonly minRecords?: number;
  /** Progress callback (libraries are silent). Receives `{ type: "progress", day, days }` about 20 times per run. */
  readonly log?: (event: { readonly type: 'progress'; readonly day: number; readonly days: number }) => void;
}

/**
 * Glaciated regions of Canada where GRACE shows ice-mass loss that LSMs do not model, as lon/lat boxes
 * `[west, south, east, north]`: St Elias / Yukon coast icefields; Queen Elizabeth Islands, Devon and northern
 * Ellesmere icecaps; Baffin and Bylot islands.
 */
export const GLACIER_REGIONS: readonly (readonly [number, number, number, number])[] = Object.freeze([
  Object.freeze([-141, 59.5, -134, 62] as const),
  Object.freeze([-95, 75, -60, 83.5] as const),
  Object.freeze([-75, 66, -62, 72] as const),
]);

/** Defaults of {@link EmulateLsmOptions} (the calibrated parameter set). */
export const EMULATOR_DEFAULTS = Object.freeze({
  seed: 0,
  fineFactor: 22,
  start: '1979-01',
  end: '2016-12',
  amplitudeScale: 2.2,
  amplitudeSpread: 0.2,
  phaseShiftDays: 0,
  phaseSpreadDays: 5,
  parameterLengthKm: 600,
  interannualScale: 1.0,
  trendRetained: 1,
  glacierRegions: GLACIER_REGIONS,
  biasStd: 30,
  noiseStd: 12,
  noiseLengthKm: 300,
  noiseTimescaleDays: 90,
  interannualLag1: 0.8,
  interannualLengthKm: 500,
  baseline: Object.freeze(['2002-04', '2016-12']) as readonly [string, string],
  minRecords: 24,
});

type Resolved = Omit<typeof EMULATOR_DEFAULTS, 'baseline'> & {
  readonly baseline: readonly [string, string];
  readonly log?: EmulateLsmOptions['log'];
};

/** One output window of the emulator: a GRACE solution window or, where GRACE has no record, a 30-day window. */
export interface EmulatorWindow {
  /** Id: the GRACE record id (`"2012-01"`, `"2012-01a"`), the start date `"YYYY-MM-DD"` of a consecutive 30-day window, or `"YYYY-MM"` for a month GRACE misses. */
  readonly id: string;
  /** First day (inclusive) and day after the last day (exclusive), `"YYYY-MM-DD"`. */
  readonly bounds: TimeBounds;
  /** Nominal time: the GRACE record time, or the window mid-point. */
  readonly time: string;
  /** `"grace"` for a GRACE solution window, `"30-day"` for a 30-day window (before or after the GRACE record, or a month it misses). */
  readonly kind: 'grace' | '30-day';
}

/** One emulated day on the fine grid (a @twsa/grid `DailyFrame`). */
export interface LsmDay {
  /** `"YYYY-MM-DD"`. */
  readonly time: string;
  /** Fine-grid field in mm (NaN outside the land pixels). */
  readonly grid: Grid;
}

/** The lazily generated daily emulator output, see {@link emulateLsmDaily}. */
export interface EmulatedLsmDaily {
  /** The fine grid (`cellSize / fineFactor`) the days are on. */
  readonly fine: GridSpec;
  /** The coarse grid of the input GRACE stack. */
  readonly coarse: GridSpec;
  /** First day (inclusive) and end day (exclusive) of the generated series. */
  readonly period: TimeBounds;
  /** Output windows, sorted by start: GRACE windows in the GRACE era, 30-day windows elsewhere. */
  readonly windows: readonly EmulatorWindow[];
  /** Provenance attributes (twin experiment, seed, parameters). */
  readonly attributes: Readonly<Record<string, string | number>>;
  /**
   * The days, generated on demand in time order. Each iteration restarts from the seed, so the series is identical
   * on every pass. With `reuse: true` one buffer is overwritten each day (copy what you keep).
   */
  readonly days: (options?: { readonly reuse?: boolean }) => AsyncIterable<LsmDay>;
}

const OMEGA = 2 * Math.PI;
// Bound once: inside Jest's vm context every global lookup in a hot loop is slow.
const NAN = Number.NaN;
/** Keyframe spacing of the daily error field (see dailyGenerator). */
const NOISE_STEP_DAYS = 5;
const DAYS_PER_YEAR = 365.2425;

/**
 * Makes the emulator's LSM-like DAILY field on a fine grid, lazily (TWIN EXPERIMENT — not EALCO).
 *
 * ## Method
 * Per coarse pixel p, GRACE (every record with a finite value, whatever `start..end`) is fitted by least squares:
 * `G(t) = a + b (t − t̄) + Σ_{k=1,2} [c_k cos(2πkt) + s_k sin(2πkt)] + r(t)` (t in decimal years).
 * The daily LSM value on day d (t = its decimal year) is
 * `L(p, d) = a + A(p) · [ρ(p) b (clamp(t, t₁, t₂) − t̄) + S_p(t − Δ(p)) + interannualScale · R(p, d)] + B(p) + E(p, d)`,
 * with t₁, t₂ the first and last GRACE record mid-points: the retained trend is held at its end values outside the
 * GRACE era instead of being extrapolated (a 1979 hindcast would otherwise inherit 25 years of extrapolated trend):
 * - `A = amplitudeScale · exp(amplitudeSpread · z₁)` is a regional gain on the storage variability (damping < 1 <
 *   inflation around the median; unscaled, 300 km-filtered GRACE carries less variability than an LSM) and
 *   `Δ = (phaseShiftDays + phaseSpreadDays · z₂) / 365.2425` years shifts the fitted annual + semi-annual cycle S_p;
 *   z₁, z₂ are smooth unit Gaussian fields (σ = `parameterLengthKm`) standardised over the emulated pixels;
 * - `ρ(p) = 0` inside `glacierRegions` (the LSM lacks GRACE's icefield loss: no glacier dynamics) and
 *   `trendRetained` elsewhere;
 * - `R` interpolates GRACE's residuals r linearly in time between record mid-points in the GRACE era; before the
 *   first record (and after the last) it continues as a monthly AR(1) chain anchored on the first (last) residual:
 *   `x_{m∓1} = φ x_m + √(1 − φ²) σ_r(p) ζ_m`, φ = `interannualLag1`, ζ_m smooth unit fields (σ = `interannualLengthKm`),
 *   σ_r the pixel's residual standard deviation: climatology plus seeded interannual anomalies;
 * - `B = biasStd · z₃` is a static smooth bias (removed later by the baseline); `E` is a smooth field
 *   (σ = `noiseLengthKm`) of standard deviation `noiseStd` with AR(1) memory `exp(−Δt / noiseTimescaleDays)`, stepped
 *   every 5 days and interpolated linearly between steps: spatially correlated errors.
 * The coarse daily field is carried to the fine grid by NaN-aware bilinear interpolation plus a per-cell correction
 * that makes every block of `fineFactor²` fine cells average exactly to its coarse value.
 *
 * @param grace Monthly GRACE TWSA on a projected grid (e.g. {@link prepareGrace} output), with `timeBounds`.
 * @param options See {@link EmulateLsmOptions}.
 * @returns An {@link EmulatedLsmDaily} whose `days()` yields one fine {@link Grid} per day.
 * @throws {@link DatasetsArgumentError} when `grace` is not a stack or an option is out of range.
 * @throws {@link DatasetsCalendarError} when GRACE has no `timeBounds` or its times are malformed.
 * @throws {@link DatasetsEmptyError} when GRACE has no record or no pixel has `minRecords` finite values.
 * @example
 * ```ts
 * const daily = emulateLsmDaily(grace, { fineFactor: 22, seed: 1 });
 * daily.fine.shape; // => [1056, 1056]  (≈ 5.1 km cells)
 * for await (const day of daily.days()) { ... } // 1979-01-01 .. 2016-12-31
 * ```
 */
export function emulateLsmDaily(grace: GridStack, options: EmulateLsmOptions = {}): EmulatedLsmDaily {
  const o = resolveOptions(options, 'emulateLsmDaily');
  const model = buildModel(grace, o);
  const { fine, coarse, windows, firstDay, lastDay, attributes } = model;
  return {
    fine,
    coarse,
    period: [dayIsoDate(firstDay), dayIsoDate(lastDay)],
    windows,
    attributes,
    days: (iterationOptions = {}) => ({
      [Symbol.asyncIterator]: async function* () {
        const generator = dailyGenerator(model, o);
        const size = fine.shape[0] * fine.shape[1];
        let buffer = new Float32Array(size);
        for (let day = firstDay; day < lastDay; day++) {
          if (!iterationOptions.reuse) buffer = new Float32Array(size);
          generator.fill(day, buffer);
          yield { time: dayIsoDate(day), grid: createGrid(buffer, { ...fine, units: 'mm' }) };
        }
      },
    }),
  };
}

/**
 * The emulator's LSM TWSA as a monthly stack on the GRACE grid, through the same path as a real LSM
 * (TWIN EXPERIMENT — not EALCO).
 *
 * ## Method
 * The daily fine field of {@link emulateLsmDaily} is streamed day by day through @twsa/grid `streamWindowMeans` into
 * window means (consecutive 30-day windows from `start` to the first GRACE record, @twsa/grid `thirtyDayWindows`;
 * each GRACE solution window; a 30-day window centred on mid-month for months GRACE does not cover; 30-day windows
 * again after the last record), each window mean is upscaled to the coarse grid by @twsa/grid `upscale`
 * (area mean over `fineFactor × fineFactor` blocks), and @twsa/grid `anomalies` removes the per-pixel mean over the
 * `baseline` months. Frame labels are the window ids, so
 * `pairMonthly(grace, lsm)` matches GRACE records to their own windows.
 *
 * @param grace Monthly GRACE TWSA (mm) with `timeBounds`, e.g. from {@link prepareGrace}.
 * @param options See {@link EmulateLsmOptions}.
 * @returns A GridStack `[windows, rows, cols]` in mm, 1979-01..2016-12 by default, whose `attributes.lsm_source`
 * names the twin experiment, the seed and the fine factor.
 * @throws Same errors as {@link emulateLsmDaily}.
 * @example
 * ```ts
 * const lsm = await emulateLsm(grace, { seed: 1, fineFactor: 2 });
 * lsm.attributes.lsm_source; // => "twsa LSM emulator (twin experiment), seed 1 — not EALCO"
 * pairMonthly(grace, lsm).records.length; // => 158 on JPL RL06 v03 2002-04..2016-12
 * ```
 */
export async function emulateLsm(grace: GridStack, options: EmulateLsmOptions = {}): Promise<GridStack> {
  const o = resolveOptions(options, 'emulateLsm');
  const daily = emulateLsmDaily(grace, options);
  const { windows, fine, coarse } = daily;
  const [rows, cols] = coarse.shape;
  const size = rows * cols;
  const frames = new Float32Array(windows.length * size);
  const first = dayNumber(daily.period[0]);
  const total = dayNumber(daily.period[1]) - first;
  const every = Math.max(1, Math.floor(total / 20));
  const log = o.log;
  async function* withProgress(): AsyncGenerator<LsmDay> {
    let i = 0;
    for await (const day of daily.days({ reuse: true })) {
      if (log && i % every === 0) log({ type: 'progress', day: i, days: total });
      i++;
      yield day;
    }
  }
  // The same path as a real LSM: @twsa/grid streamWindowMeans (daily → window means) then upscale (area mean).
  const timeWindows = windows.map((w) => ({ id: w.id, start: w.bounds[0], end: w.bounds[1] }));
  for await (const mean of streamWindowMeans(withProgress(), timeWindows)) {
    const coarseMean = upscale(mean.grid, { factor: o.fineFactor });
    frames.set(coarseMean.data, mean.index * size);
  }
  const stack = createStack(frames, {
    shape: [windows.length, rows, cols],
    bounds: coarse.bounds,
    crs: coarse.crs,
    units: 'mm',
    times: windows.map((w) => w.time),
    timeBounds: windows.map((w) => w.bounds),
    labels: windows.map((w) => w.id),
  });
  const baseline: [string, string] = [
    `${o.baseline[0]}-01`,
    dayIsoDate(monthStartDay(monthKey(monthIndex(o.baseline[1]) + 1))),
  ];
  let result: GridStack;
  try {
    result = anomalies(stack, { baseline });
  } catch (cause) {
    throw new DatasetsArgumentError(
      'options.baseline',
      'emulateLsm',
      `months overlapping the emulated period ${o.start}..${o.end}`,
      o.baseline.join('..'),
      { cause },
    );
  }
  return {
    ...result,
    attributes: {
      ...daily.attributes,
      processing: `daily ${fine.shape.join('×')} fine field → @twsa/grid streamWindowMeans (GRACE windows; 30-day windows elsewhere) → upscale ×${o.fineFactor} (area mean) → anomalies vs [${baseline[0]}, ${baseline[1]}) (${result.attributes?.baseline_frames ?? '?'} frames)`,
      baseline: `${o.baseline[0]}..${o.baseline[1]}`,
      units: 'mm',
    },
  };
}

function resolveOptions(options: EmulateLsmOptions, fn: string): Resolved {
  const o = {
    ...EMULATOR_DEFAULTS,
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
  } as Resolved;
  const check = (name: keyof EmulateLsmOptions, ok: boolean, expected: string): void => {
    if (!ok)
      throw new DatasetsArgumentError(
        `options.${name}`,
        fn,
        expected,
        JSON.stringify((o as Record<string, unknown>)[name]),
      );
  };
  check('seed', Number.isFinite(o.seed), 'a finite number');
  check(
    'fineFactor',
    Number.isInteger(o.fineFactor) && o.fineFactor >= 1 && o.fineFactor <= 64,
    'an integer in [1, 64]',
  );
  check('start', isYearMonth(o.start), 'a "YYYY-MM" month');
  check('end', isYearMonth(o.end) && o.end >= o.start, 'a "YYYY-MM" month not before options.start');
  for (const k of [
    'amplitudeScale',
    'parameterLengthKm',
    'noiseLengthKm',
    'noiseTimescaleDays',
    'interannualLengthKm',
  ] as const)
    check(k, Number.isFinite(o[k]) && o[k] > 0, 'a finite number > 0');
  for (const k of ['amplitudeSpread', 'phaseSpreadDays', 'interannualScale', 'biasStd', 'noiseStd'] as const)
    check(k, Number.isFinite(o[k]) && o[k] >= 0, 'a finite number ≥ 0');
  check(
    'phaseShiftDays',
    Number.isFinite(o.phaseShiftDays) && Math.abs(o.phaseShiftDays) <= 183,
    'a number of days in [-183, 183]',
  );
  check(
    'trendRetained',
    Number.isFinite(o.trendRetained) && o.trendRetained >= 0 && o.trendRetained <= 1,
    'a fraction in [0, 1]',
  );
  check(
    'interannualLag1',
    Number.isFinite(o.interannualLag1) && o.interannualLag1 >= 0 && o.interannualLag1 < 1,
    'a number in [0, 1)',
  );
  check(
    'glacierRegions',
    Array.isArray(o.glacierRegions) &&
      o.glacierRegions.every(
        (b) => Array.isArray(b) && b.length === 4 && b.every(Number.isFinite) && b[2] > b[0] && b[3] > b[1],
      ),
    'an array of [west, south, east, north] lon/lat boxes',
  );
  check('minRecords', Number.isInteger(o.minRecords) && o.minRecords >= 6, 'an integer ≥ 6');
  check(
    'baseline',
    Array.isArray(o.baseline) &&
      o.baseline.length === 2 &&
      isYearMonth(o.baseline[0]) &&
      isYearMonth(o.baseline[1]) &&
      o.baseline[0] <= o.baseline[1],
    'two ordered "YYYY-MM" months',
  );
  if (o.log !== undefined && typeof o.log !== 'function')
    throw new DatasetsArgumentError('options.log', fn, 'a function', typeof o.log);
  return o;
}

interface Model {
  readonly coarse: GridSpec;
  readonly fine: GridSpec;
  readonly windows: EmulatorWindow[];
  readonly firstDay: number;
  readonly lastDay: number;
  readonly attributes: Record<string, string | number>;
  /** Per pixel: mean a, retained trend (per year), t̄; seasonal coefficients c1 s1 c2 s2 already scaled by A. */
  readonly valid: Uint8Array;
  readonly mean: Float64Array;
  readonly trend: Float64Array;
  readonly tMean: number;
  /** First and last GRACE record mid-points (decimal years): the trend term is clamped to them. */
  readonly tFirst: number;
  readonly tLast: number;
  readonly seasonal: Float64Array; // [size * 4]
  readonly phase: Float64Array; // years
  readonly bias: Float64Array;
  /** Interannual nodes: day numbers and fields (already × interannualScale). */
  readonly nodeDays: Float64Array;
  readonly nodes: Float64Array[];
}

function buildModel(grace: GridStack, o: Resolved): Model {
  const fn = 'emulateLsmDaily';
  if (!isStack(grace)) throw new DatasetsArgumentError('grace', fn, 'a GridStack [time, rows, cols]', typeof grace);
  if (!grace.timeBounds)
    throw new DatasetsCalendarError(
      'The GRACE stack has no timeBounds: the emulator aggregates onto the GRACE solution windows',
      { field: 'grace.timeBounds' },
    );
  const [nt, rows, cols] = grace.shape;
  const size = rows * cols;
  const coarse: GridSpec = { shape: [rows, cols], bounds: grace.bounds, crs: grace.crs };
  const fine: GridSpec = { shape: [rows * o.fineFactor, cols * o.fineFactor], bounds: grace.bounds, crs: grace.crs };

  // GRACE records inside start..end, in time order.
  const recs: { index: number; ym: string; mid: number; start: number; end: number }[] = [];
  for (let t = 0; t < nt; t++) {
    const mid = dayNumber(grace.times[t]!);
    const [s, e] = grace.timeBounds[t]!;
    const start = dayNumber(s);
    const end = dayNumber(e);
    if (!Number.isFinite(mid) || !Number.isFinite(start) || !Number.isFinite(end) || !(end > start)) {
      throw new DatasetsCalendarError(
        `grace.times/timeBounds[${t}] (${grace.times[t]}, ${JSON.stringify(grace.timeBounds[t])}) is not a valid window`,
        { field: 'grace.timeBounds' },
      );
    }
    const ym = yearMonthOf(grace.times[t]!);
    recs.push({ index: t, ym, mid, start, end });
  }
  if (recs.length === 0) throw new DatasetsEmptyError('The GRACE stack has no record', { field: 'grace' });
  recs.sort((a, b) => a.mid - b.mid);
  // Every record is used to fit the model; the output windows cover start..end only.
  const periodStart = monthStartDay(o.start);
  const periodEnd = monthStartDay(monthKey(monthIndex(o.end) + 1));

  // Windows: the GRACE windows (ids from @twsa/grid graceMonths: "2012-01a"/"2012-01b" for doubled months); before
  // the first and after the last record consecutive 30-day windows (@twsa/grid thirtyDayWindows, ids = start dates);
  // for months inside the GRACE era without a record a 30-day window centred on mid-month (id "YYYY-MM").
  const ids = graceMonths(grace);
  const recMonths = new Set(recs.map((r) => r.ym));
  const windows: (EmulatorWindow & { s: number; e: number })[] = recs
    .filter((r) => r.ym >= o.start && r.ym <= o.end)
    .map((r) => ({
      id: ids[r.index]!.id,
      bounds: [dayIsoDate(r.start), dayIsoDate(r.end)] as TimeBounds,
      time: grace.times[r.index]!,
      kind: 'grace' as const,
      s: r.start,
      e: r.end,
    }));
  const thirty = (from: number, to: number): void => {
    if (to - from < 30) return;
    for (const w of thirtyDayWindows(dayIsoDate(from), dayIsoDate(to))) {
      const s0 = dayNumber(w.start);
      windows.push({
        id: w.id,
        bounds: [w.start, w.end],
        time: dayIsoDate(s0 + 15),
        kind: '30-day',
        s: s0,
        e: s0 + 30,
      });
    }
  };
  const firstRec = recs[0]!;
  const lastRec = recs[recs.length - 1]!;
  thirty(periodStart, Math.min(firstRec.start, periodEnd));
  thirty(Math.max(lastRec.end, periodStart), periodEnd);
  for (
    let m = Math.max(monthIndex(firstRec.ym) + 1, monthIndex(o.start));
    m < Math.min(monthIndex(lastRec.ym), monthIndex(o.end) + 1);
    m++
  ) {
    const ym = monthKey(m);
    if (recMonths.has(ym)) continue;
    const first = monthStartDay(ym);
    const next = monthStartDay(monthKey(m + 1));
    const mid = first + Math.floor((next - first) / 2);
    windows.push({
      id: ym,
      bounds: [dayIsoDate(mid - 15), dayIsoDate(mid + 15)],
      time: dayIsoDate(mid),
      kind: '30-day',
      s: mid - 15,
      e: mid + 15,
    });
  }
  if (windows.length === 0)
    throw new DatasetsArgumentError(
      'options.end',
      'emulateLsmDaily',
      `a period ${o.start}..${o.end} holding at least one 30-day or GRACE window`,
      o.end,
    );
  windows.sort((a, b) => a.s - b.s || a.e - b.e);
  const firstDay = windows[0]!.s;
  const lastDay = Math.max(...windows.map((w) => w.e));

  // Per-pixel least-squares fit of mean, trend and two harmonics.
  const tRec = recs.map((r) => decimalYear(r.mid));
  const tMean = tRec.reduce((s, v) => s + v, 0) / tRec.length;
  const tFirst = Math.min(...tRec);
  const tLast = Math.max(...tRec);
  const valid = new Uint8Array(size);
  const mean = new Float64Array(size);
  const trend = new Float64Array(size);
  const seasonalRaw = new Float64Array(size * 4);
  const residuals: Float64Array[] = recs.map(() => new Float64Array(size).fill(Number.NaN));
  const residualStd = new Float64Array(size);
  const basis = (t: number): number[] => [
    1,
    t - tMean,
    Math.cos(OMEGA * t),
    Math.sin(OMEGA * t),
    Math.cos(2 * OMEGA * t),
    Math.sin(2 * OMEGA * t),
  ];
  const bases = tRec.map(basis);
  for (let k = 0; k < size; k++) {
    const ata = new Float64Array(36);
    const atb = new Float64Array(6);
    let count = 0;
    recs.forEach((r, i) => {
      const v = grace.data[r.index * size + k]!;
      if (!Number.isFinite(v)) return;
      count++;
      const x = bases[i]!;
      for (let a = 0; a < 6; a++) {
        atb[a] += x[a]! * v;
        for (let b = 0; b < 6; b++) ata[a * 6 + b] += x[a]! * x[b]!;
      }
    });
    if (count < o.minRecords) continue;
    const beta = solve6(ata, atb);
    if (!beta) continue;
    valid[k] = 1;
    mean[k] = beta[0]!;
    trend[k] = beta[1]!;
    for (let j = 0; j < 4; j++) seasonalRaw[k * 4 + j] = beta[2 + j]!;
    let ss = 0;
    recs.forEach((r, i) => {
      const v = grace.data[r.index * size + k]!;
      if (!Number.isFinite(v)) return;
      const x = bases[i]!;
      let fit = 0;
      for (let a = 0; a < 6; a++) fit += x[a]! * beta[a]!;
      residuals[i]![k] = v - fit;
      ss += (v - fit) ** 2;
    });
    residualStd[k] = Math.sqrt(ss / count);
    // Fill residual gaps of this pixel by linear interpolation over records (edges: nearest).
    fillGaps(residuals, k);
  }
  if (!valid.some((v) => v === 1))
    throw new DatasetsEmptyError(
      `No pixel of the GRACE stack has ${o.minRecords} finite records (options.minRecords)`,
      { field: 'grace.data' },
    );

  // Random parameter fields, in a fixed order from the seed.
  const random = createRandom(o.seed);
  const cellKm = cellSize(coarse)[0] / 1000;
  const projected = !/4326/.test(coarse.crs);
  const cells = (km: number): number => (projected ? km / cellKm : km / 111);
  // Parameter fields are standardised over the emulated pixels (mean 0, sd 1) so that `amplitudeScale` is exactly
  // the geometric-mean gain and `phaseShiftDays` the mean shift for every seed.
  const z1 = standardise(randomSmoothField(rows, cols, cells(o.parameterLengthKm), random), valid);
  const z2 = standardise(randomSmoothField(rows, cols, cells(o.parameterLengthKm), random), valid);
  const z3 = standardise(randomSmoothField(rows, cols, cells(o.parameterLengthKm), random), valid);
  const toLonLat = transformer(coarse.crs, 'EPSG:4326');
  let glacierPixels = 0;
  for (let k = 0; k < size; k++) {
    const [lon, lat] = toLonLat(...cellCenter(coarse, Math.floor(k / cols), k % cols));
    const glacier = o.glacierRegions.some((b) => lon >= b[0] && lon <= b[2] && lat >= b[1] && lat <= b[3]);
    if (glacier && valid[k]) glacierPixels++;
    trend[k] = (glacier ? 0 : o.trendRetained) * trend[k]!;
  }
  const seasonal = new Float64Array(size * 4);
  const gain = new Float64Array(size);
  const phase = new Float64Array(size);
  const bias = new Float64Array(size);
  for (let k = 0; k < size; k++) {
    const amplitude = o.amplitudeScale * Math.exp(o.amplitudeSpread * z1[k]!);
    gain[k] = amplitude;
    trend[k] = amplitude * trend[k]!;
    for (let j = 0; j < 4; j++) seasonal[k * 4 + j] = amplitude * seasonalRaw[k * 4 + j]!;
    phase[k] = (o.phaseShiftDays + o.phaseSpreadDays * z2[k]!) / DAYS_PER_YEAR;
    bias[k] = o.biasStd * z3[k]!;
  }

  // Interannual nodes: AR(1) chains before the first and after the last record, GRACE residuals between.
  const nodeList: { day: number; field: Float64Array }[] = recs.map((r, i) => ({ day: r.mid, field: residuals[i]! }));
  const phi = o.interannualLag1;
  const innovation = Math.sqrt(1 - phi * phi);
  const chain = (anchor: Float64Array, months: string[]): { day: number; field: Float64Array }[] => {
    const out: { day: number; field: Float64Array }[] = [];
    let previous = anchor;
    for (const ym of months) {
      const zeta = randomSmoothField(rows, cols, cells(o.interannualLengthKm), random);
      const field = new Float64Array(size);
      for (let k = 0; k < size; k++)
        field[k] = valid[k] ? phi * previous[k]! + innovation * residualStd[k]! * zeta[k]! : Number.NaN;
      out.push({ day: monthStartDay(ym) + 14, field });
      previous = field;
    }
    return out;
  };
  const firstRecMonth = monthIndex(yearMonthOf(dayIsoDate(recs[0]!.mid)));
  const lastRecMonth = monthIndex(yearMonthOf(dayIsoDate(recs[recs.length - 1]!.mid)));
  const before: string[] = [];
  for (let m = firstRecMonth - 1; m >= monthIndex(yearMonthOf(dayIsoDate(firstDay))) - 1; m--) before.push(monthKey(m));
  const after: string[] = [];
  for (let m = lastRecMonth + 1; m <= monthIndex(yearMonthOf(dayIsoDate(lastDay))) + 1; m++) after.push(monthKey(m));
  const pre = chain(residuals[0]!, before).reverse();
  const post = chain(residuals[residuals.length - 1]!, after);
  const all = [
    ...pre.filter((n) => n.day < recs[0]!.mid),
    ...nodeList,
    ...post.filter((n) => n.day > recs[recs.length - 1]!.mid),
  ];
  const nodeDays = Float64Array.from(all, (n) => n.day);
  const nodes = all.map((n) => {
    const f = new Float64Array(size);
    for (let k = 0; k < size; k++) f[k] = o.interannualScale * gain[k]! * n.field[k]!;
    return f;
  });

  const parameters = Object.fromEntries(
    Object.entries(o).filter(([k, v]) => k !== 'log' && k !== 'seed' && typeof v !== 'function'),
  );
  const attributes: Record<string, string | number> = {
    lsm_source: `twsa LSM emulator (twin experiment), seed ${o.seed} — not EALCO`,
    twin_experiment:
      'LSM-like field derived from GRACE itself (detrended, perturbed seasonality, correlated errors, bias); NOT a land-surface model',
    emulator_seed: o.seed,
    fine_factor: o.fineFactor,
    fine_resolution_km: Number((cellKm / o.fineFactor).toFixed(3)),
    emulator_parameters: JSON.stringify(parameters),
    emulator_period: `${o.start}..${o.end}`,
    grace_records_used: recs.length,
    glacier_pixels_without_trend: glacierPixels,
  };
  return {
    coarse,
    fine,
    windows: windows.map(({ id, bounds, time, kind }) => ({ id, bounds, time, kind })),
    firstDay,
    lastDay,
    attributes,
    valid,
    mean,
    trend,
    tMean,
    tFirst,
    tLast,
    seasonal,
    phase,
    bias,
    nodeDays,
    nodes,
  };
}

/** The stateful day-by-day generator (noise memory) over one pass. */
function dailyGenerator(model: Model, o: Resolved): { fill: (day: number, out: Float32Array) => void } {
  const { coarse, valid, mean, trend, tMean, tFirst, tLast, seasonal, phase, bias, nodeDays, nodes } = model;
  const [rows, cols] = coarse.shape;
  const size = rows * cols;
  const f = o.fineFactor;
  // The noise stream gets its own seed offset so parameter fields and noise do not share draws.
  const random: Random = createRandom(o.seed * 7919 + 104729);
  const cellKm = cellSize(coarse)[0] / 1000;
  const sigma = /4326/.test(coarse.crs) ? o.noiseLengthKm / 111 : o.noiseLengthKm / cellKm;
  const smoother = smoothField(rows, cols, sigma);
  const white = new Float64Array(smoother.paddedSize);
  const draws = new Float64Array(smoother.paddedSize);
  random.fillNormal(white);
  // The error field's AR(1) memory is stepped every NOISE_STEP_DAYS days (keyframes) and interpolated linearly
  // between keyframes: with e-folding times of weeks to months this changes nothing visible and is 5× cheaper.
  const rho = Math.exp(-NOISE_STEP_DAYS / o.noiseTimescaleDays);
  const innovation = Math.sqrt(1 - rho * rho);
  let noiseA = new Float64Array(size);
  let noiseB = new Float64Array(size);
  const field = new Float64Array(size);
  const noiseStd = o.noiseStd;
  const interp = fineInterpolation(coarse, f, valid);
  // Seasonal cycle shifted by Δ_k, rewritten on cos/sin of 2πt and 4πt: c cos(ω(t−Δ)) + s sin(ω(t−Δ)) =
  // (c cos ωΔ − s sin ωΔ) cos ωt + (c sin ωΔ + s cos ωΔ) sin ωt, and the same with 2ω.
  const rotated = new Float64Array(size * 4);
  for (let k = 0; k < size; k++) {
    for (let h = 1; h <= 2; h++) {
      const c = seasonal[4 * k + 2 * (h - 1)]!;
      const s = seasonal[4 * k + 2 * (h - 1) + 1]!;
      const a = h * OMEGA * phase[k]!;
      rotated[4 * k + 2 * (h - 1)] = c * Math.cos(a) - s * Math.sin(a);
      rotated[4 * k + 2 * (h - 1) + 1] = c * Math.sin(a) + s * Math.cos(a);
    }
  }
  const correction = new Float64Array(size);
  let node = 0;
  let lastDay = Number.NEGATIVE_INFINITY;
  const origin = model.firstDay;
  let keyB = origin; // day of keyframe B; keyframe A is NOISE_STEP_DAYS earlier
  smoother.apply(white, noiseB);
  const stepKey = (): void => {
    const swap = noiseA;
    noiseA = noiseB;
    noiseB = swap;
    random.fillNormal(draws);
    for (let i = 0; i < white.length; i++) white[i] = rho * white[i]! + innovation * draws[i]!;
    smoother.apply(white, noiseB);
    keyB += NOISE_STEP_DAYS;
  };
  stepKey();
  return {
    fill(day, out) {
      if (day <= lastDay || day < origin)
        throw new DatasetsArgumentError(
          'day',
          'emulateLsmDaily',
          'increasing days from the first window start',
          String(day),
        );
      lastDay = day;
      while (day >= keyB) stepKey();
      const u = 1 - (keyB - day) / NOISE_STEP_DAYS; // weight of keyframe B
      const t = decimalYear(day + 0.5);
      const tTrend = Math.min(tLast, Math.max(tFirst, t)) - tMean;
      while (node < nodeDays.length - 2 && nodeDays[node + 1]! <= day) node++;
      const d0 = nodeDays[node]!;
      const d1 = nodeDays[Math.min(node + 1, nodeDays.length - 1)]!;
      const w = d1 > d0 ? Math.min(1, Math.max(0, (day + 0.5 - d0) / (d1 - d0))) : 0;
      const n0 = nodes[node]!;
      const n1 = nodes[Math.min(node + 1, nodes.length - 1)]!;
      const c1 = Math.cos(OMEGA * t);
      const s1 = Math.sin(OMEGA * t);
      const c2 = c1 * c1 - s1 * s1;
      const s2 = 2 * s1 * c1;
      for (let k = 0; k < size; k++) {
        if (!valid[k]) {
          field[k] = NAN;
          continue;
        }
        const cycle =
          rotated[4 * k]! * c1 + rotated[4 * k + 1]! * s1 + rotated[4 * k + 2]! * c2 + rotated[4 * k + 3]! * s2;
        const interannual = (1 - w) * n0[k]! + w * n1[k]!;
        field[k] =
          mean[k]! +
          trend[k]! * tTrend +
          cycle +
          interannual +
          bias[k]! +
          noiseStd * ((1 - u) * noiseA[k]! + u * noiseB[k]!);
      }
      interp.toFine(field, correction, out);
    },
  };
}

/**
 * Mean-preserving interpolation from the coarse grid to a grid `f` times finer: NaN-aware bilinear weights plus a
 * per-coarse-cell correction so each block of f² fine cells averages to its coarse value.
 */
function fineInterpolation(
  coarse: GridSpec,
  f: number,
  valid: Uint8Array,
): { toFine: (field: Float64Array, correction: Float64Array, out: Float32Array) => void } {
  const [rows, cols] = coarse.shape;
  const fr = rows * f;
  const fc = cols * f;
  const nf = fr * fc;
  const idx = new Int32Array(nf * 4).fill(-1);
  const wts = new Float32Array(nf * 4);
  const parent = new Int32Array(nf);
  // Block operator B: per coarse cell, weights on its 3 × 3 neighbourhood.
  const block = new Float64Array(rows * cols * 9);
  for (let I = 0; I < fr; I++) {
    const y = (I + 0.5) / f - 0.5;
    const r0 = Math.floor(y);
    const fy = y - r0;
    for (let J = 0; J < fc; J++) {
      const i = I * fc + J;
      const pr = Math.floor(I / f);
      const pc = Math.floor(J / f);
      const p = pr * cols + pc;
      parent[i] = valid[p] ? p : -1;
      if (!valid[p]) continue;
      const x = (J + 0.5) / f - 0.5;
      const c0 = Math.floor(x);
      const fx = x - c0;
      const cand: [number, number, number][] = [
        [r0, c0, (1 - fy) * (1 - fx)],
        [r0, c0 + 1, (1 - fy) * fx],
        [r0 + 1, c0, fy * (1 - fx)],
        [r0 + 1, c0 + 1, fy * fx],
      ];
      let total = 0;
      for (const [r, c, w] of cand)
        if (r >= 0 && r < rows && c >= 0 && c < cols && valid[r * cols + c] && w > 0) total += w;
      let j = 0;
      for (const [r, c, w] of cand) {
        if (r >= 0 && r < rows && c >= 0 && c < cols && valid[r * cols + c] && w > 0) {
          const q = r * cols + c;
          const weight = total > 0 ? w / total : 0;
          idx[i * 4 + j] = q;
          wts[i * 4 + j] = weight;
          block[p * 9 + (r - pr + 1) * 3 + (c - pc + 1)] += weight / (f * f);
          j++;
        }
      }
      if (j === 0) {
        idx[i * 4] = p;
        wts[i * 4] = 1;
        block[p * 9 + 4] += 1 / (f * f);
      }
    }
  }
  return {
    toFine(field, correction, out) {
      for (let p = 0; p < rows * cols; p++) {
        if (!valid[p]) {
          correction[p] = 0;
          continue;
        }
        const pr = Math.floor(p / cols);
        const pc = p - pr * cols;
        let s = 0;
        for (let dr = -1; dr <= 1; dr++)
          for (let dc = -1; dc <= 1; dc++) {
            const w = block[p * 9 + (dr + 1) * 3 + dc + 1]!;
            if (w !== 0) s += w * field[(pr + dr) * cols + pc + dc]!;
          }
        correction[p] = field[p]! - s;
      }
      for (let i = 0; i < nf; i++) {
        const p = parent[i]!;
        if (p < 0) {
          out[i] = NAN;
          continue;
        }
        let v = correction[p]!;
        for (let j = 0; j < 4; j++) {
          const q = idx[i * 4 + j]!;
          if (q >= 0) v += wts[i * 4 + j]! * field[q]!;
        }
        out[i] = v;
      }
    },
  };
}

/** Rescales `z` to mean 0 and standard deviation 1 over the pixels where `valid` is 1 (in place). */
function standardise(z: Float64Array, valid: Uint8Array): Float64Array {
  let n = 0,
    sum = 0,
    sq = 0;
  for (let k = 0; k < z.length; k++)
    if (valid[k]) {
      n++;
      sum += z[k]!;
      sq += z[k]! * z[k]!;
    }
  const mean = n ? sum / n : 0;
  const sd = n > 1 ? Math.sqrt(Math.max(sq / n - mean * mean, 0)) : 0;
  for (let k = 0; k < z.length; k++) z[k] = sd > 0 ? (z[k]! - mean) / sd : 0;
  return z;
}

/** Solves the 6 × 6 system by Gaussian elimination with partial pivoting; undefined when singular. */
function solve6(a: Float64Array, b: Float64Array): Float64Array | undefined {
  const n = 6;
  const m = Float64Array.from(a);
  const x = Float64Array.from(b);
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r * n + col]!) > Math.abs(m[piv * n + col]!)) piv = r;
    if (Math.abs(m[piv * n + col]!) < 1e-9) return undefined;
    if (piv !== col) {
      for (let c = 0; c < n; c++) {
        const t = m[col * n + c]!;
        m[col * n + c] = m[piv * n + c]!;
        m[piv * n + c] = t;
      }
      const t = x[col]!;
      x[col] = x[piv]!;
      x[piv] = t;
    }
    for (let r = col + 1; r < n; r++) {
      const factor = m[r * n + col]! / m[col * n + col]!;
      for (let c = col; c < n; c++) m[r * n + c] -= factor * m[col * n + c]!;
      x[r] -= factor * x[col]!;
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = x[r]!;
    for (let c = r + 1; c < n; c++) s -= m[r * n + c]! * x[c]!;
    x[r] = s / m[r * n + r]!;
  }
  return x;
}

/** Fills NaN entries of pixel k across the record fields by linear interpolation in record order (nearest at the ends). */
function fillGaps(fields: Float64Array[], k: number): void {
  const n = fields.length;
  let prev = -1;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(fields[i]![k]!)) continue;
    if (prev === -1) for (let j = 0; j < i; j++) fields[j]![k] = fields[i]![k]!;
    else
      for (let j = prev + 1; j < i; j++)
        fields[j]![k] = fields[prev]![k]! + ((fields[i]![k]! - fields[prev]![k]!) * (j - prev)) / (i - prev);
    prev = i;
  }
  if (prev >= 0) for (let j = prev + 1; j < n; j++) fields[j]![k] = fields[prev]![k]!;
}
