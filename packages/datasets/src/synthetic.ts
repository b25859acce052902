/**
 * The embedded synthetic scenario: a GRACE-like truth on the paper's grid with GRACE's real record calendar, plus
 * the emulator's LSM, with no file needed. For examples, tests and smoke runs — not for science.
 */
import {
  CANADA_LCC_110KM,
  PAPER_BASELINE,
  anomalies,
  canadaMask,
  cellCenter,
  cellSize,
  createStack,
  transformer,
} from '@twsa/grid';
import type { Grid, GridSpec, GridStack, TimeBounds } from '@twsa/grid';
import { emulateLsm } from './emulator.js';
import type { EmulateLsmOptions } from './emulator.js';
import { DatasetsArgumentError } from './errors.js';
import { GRACE_JPL_RL06_WINDOWS } from './grace-calendar.js';
import { dayNumber, isYearMonth, monthIndex } from '@twsa/grid';
import { decimalYear } from './internal/time.js';
import { createRandom, randomSmoothField } from './internal/random.js';
import { pairMonthly } from './pair.js';
import type { PairedSamples } from './pair.js';

/** Options of {@link syntheticScenario}. Every field is optional. */
export interface SyntheticScenarioOptions {
  /** Seed of the truth and of the emulator. Default `0`. */
  readonly seed?: number;
  /** Target grid. Default `CANADA_LCC_110KM`. */
  readonly grid?: GridSpec;
  /** Last GRACE month `"YYYY-MM"` kept from the real calendar (which starts 2002-04). Default `"2016-12"` (158 records). */
  readonly end?: string;
  /** Domain-median amplitude of the annual cycle in mm. Default `70`. */
  readonly seasonalAmplitudeMm?: number;
  /** Trend at the centre of the Yukon / St Elias icefield loss in mm/yr (negative = loss). Default `-45`. */
  readonly icefieldTrendMmPerYear?: number;
  /** Trend at the centre of the Arctic islands' loss (Ellesmere/Devon; Baffin at half) in mm/yr. Default `-25`. */
  readonly arcticTrendMmPerYear?: number;
  /** Standard deviation of the monthly interannual anomalies in mm. Default `25`. */
  readonly interannualStdMm?: number;
  /** Month-to-month (lag-1) autocorrelation of the interannual anomalies. Default `0.7`. */
  readonly interannualLag1?: number;
  /** Standard deviation of the spatially correlated GRACE-like noise in mm (independent per record). Default `8`. */
  readonly noiseStdMm?: number;
  /** Emulator options for the LSM (seed defaults to `seed`, `fineFactor` to `1`, `start` to `"1979-01"`, `end` to `end`). */
  readonly emulator?: EmulateLsmOptions;
}

/** Result of {@link syntheticScenario}. */
export interface SyntheticScenario {
  /** GRACE-like truth, `[records, rows, cols]` mm anomalies vs 2002-04..2016-12, real JPL RL06 windows and ids. */
  readonly grace: GridStack;
  /** The emulator's LSM, 1979-01..`end` (30-day windows before GRACE, GRACE windows after), mm anomalies. */
  readonly lsm: GridStack;
  /** Canada land fraction on the grid (@twsa/grid canadaMask); the truth is NaN where it is 0. */
  readonly mask: Grid;
  /** `pairMonthly(grace, lsm, { mask })` with the paper split. */
  readonly pairs: PairedSamples;
  /** Provenance of the scenario (seed, parameters, fine factor of the emulator). */
  readonly attributes: Readonly<Record<string, string | number>>;
}

const DEFAULTS = {
  seed: 0,
  end: '2016-12',
  seasonalAmplitudeMm: 70,
  icefieldTrendMmPerYear: -45,
  arcticTrendMmPerYear: -25,
  interannualStdMm: 25,
  interannualLag1: 0.7,
  noiseStdMm: 8,
};

/** Centres (lon, lat), Gaussian radius (km) and share of the Arctic trend of the synthetic ice-loss regions. */
const LOSS_REGIONS = [
  { name: 'St Elias / Yukon icefields', lon: -139.5, lat: 60.5, radiusKm: 250, kind: 'icefield' as const, share: 1 },
  { name: 'Ellesmere / Devon / Axel Heiberg', lon: -82, lat: 78.5, radiusKm: 350, kind: 'arctic' as const, share: 1 },
  { name: 'Baffin Island', lon: -70, lat: 69, radiusKm: 250, kind: 'arctic' as const, share: 0.5 },
];

/**
 * A self-contained GRACE/LSM scenario on the paper's grid: seconds to build, deterministic for a seed.
 *
 * ## Method
 * For each land pixel p (Canada fraction > 0) and GRACE record window of the real JPL RL06 calendar
 * ({@link GRACE_JPL_RL06_WINDOWS}, 2002-04..`end`, with its real missing months and doubled months), at the window
 * mid-point t (decimal years):
 * `G = A(p) cos(2π (t − τ(p))) + Σ_r T_r exp(−d_r(p)² / 2R_r²) (t − 2009.5) + s(p) (t − 2009.5) + I(p, t) + ε(p, t)`
 * - `A = seasonalAmplitudeMm · exp(0.3 z₁) · (1 − 0.5 clamp((lat − 60) / 25, 0, 1))`: larger in the south;
 * - `τ` = day 85 of the year + 12 days per 10° of latitude north of 50°N + 8 z₂ days: a spring maximum
 *   (late March in the south, later in the north);
 * - regional negative trends centred on the Yukon/St Elias icefields (`icefieldTrendMmPerYear`) and the Arctic islands
 *   (`arcticTrendMmPerYear`; Baffin at half), Gaussian in distance d_r with radius R_r, plus a smooth ±2 mm/yr field s;
 * - `I`: monthly AR(1) smooth fields (σ = `interannualStdMm`, φ = `interannualLag1`, 500 km), evaluated by record month;
 * - `ε`: smooth noise (300 km, `noiseStdMm`) per record.
 * z₁, z₂ are smooth unit random fields (600 km). The stack then goes through @twsa/grid `anomalies` with the paper
 * baseline, and {@link emulateLsm} makes the LSM from it (by default `fineFactor: 1`, recorded in the attributes).
 *
 * @param options See {@link SyntheticScenarioOptions}.
 * @returns A {@link SyntheticScenario}.
 * @throws {@link DatasetsArgumentError} when an option is out of range; emulator errors for bad `emulator` options.
 * @example
 * ```ts
 * const s = await syntheticScenario({ seed: 1 });
 * s.grace.shape;                 // => [158, 48, 48]
 * s.lsm.times[0];                // => "1979-01-16"
 * s.pairs.splits.filter((l) => l === "test").length; // => 40
 * ```
 */
export async function syntheticScenario(options: SyntheticScenarioOptions = {}): Promise<SyntheticScenario> {
  const fn = 'syntheticScenario';
  const o = {
    ...DEFAULTS,
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
  } as typeof DEFAULTS & { grid?: GridSpec; emulator?: EmulateLsmOptions };
  const grid = o.grid ?? CANADA_LCC_110KM;
  if (!Number.isFinite(o.seed)) throw new DatasetsArgumentError('options.seed', fn, 'a finite number', String(o.seed));
  if (!isYearMonth(o.end) || o.end < '2003-06')
    throw new DatasetsArgumentError(
      'options.end',
      fn,
      'a "YYYY-MM" month from 2003-06 on (the paper split needs > 40 records)',
      JSON.stringify(o.end),
    );
  for (const k of ['seasonalAmplitudeMm', 'interannualStdMm', 'noiseStdMm'] as const) {
    if (!(Number.isFinite(o[k]) && o[k] >= 0))
      throw new DatasetsArgumentError(`options.${k}`, fn, 'a finite number ≥ 0', String(o[k]));
  }
  for (const k of ['icefieldTrendMmPerYear', 'arcticTrendMmPerYear'] as const) {
    if (!Number.isFinite(o[k]))
      throw new DatasetsArgumentError(`options.${k}`, fn, 'a finite number (mm/yr)', String(o[k]));
  }
  if (!(o.interannualLag1 >= 0 && o.interannualLag1 < 1))
    throw new DatasetsArgumentError('options.interannualLag1', fn, 'a number in [0, 1)', String(o.interannualLag1));

  const [rows, cols] = grid.shape;
  const size = rows * cols;
  const mask = canadaMask(grid, { subsamples: 5 });
  const random = createRandom(o.seed * 2654435761 + 17);
  const cellKm = cellSize(grid)[0] / 1000;
  const projected = !/4326/.test(grid.crs);
  const cells = (km: number): number => (projected ? km / cellKm : km / 111);
  const z1 = randomSmoothField(rows, cols, cells(600), random);
  const z2 = randomSmoothField(rows, cols, cells(600), random);
  const zs = randomSmoothField(rows, cols, cells(600), random);

  // Per-pixel parameters.
  const toLonLat = transformer(grid.crs, 'EPSG:4326');
  const toGrid = transformer('EPSG:4326', grid.crs);
  const centres = LOSS_REGIONS.map((r) => ({ ...r, xy: toGrid(r.lon, r.lat) }));
  const amplitude = new Float64Array(size);
  const peak = new Float64Array(size);
  const trend = new Float64Array(size);
  for (let k = 0; k < size; k++) {
    const r = Math.floor(k / cols);
    const c = k % cols;
    const [x, y] = cellCenter(grid, r, c);
    const [, lat] = toLonLat(x, y);
    amplitude[k] =
      o.seasonalAmplitudeMm * Math.exp(0.3 * z1[k]!) * (1 - 0.5 * Math.min(1, Math.max(0, (lat - 60) / 25)));
    peak[k] = (85 + 12 * Math.max(0, (lat - 50) / 10) + 8 * z2[k]!) / 365.2425;
    let t = 2 * zs[k]!;
    for (const region of centres) {
      const dKm = projected
        ? Math.hypot(x - region.xy[0], y - region.xy[1]) / 1000
        : 111 * Math.hypot(x - region.lon, y - region.lat);
      const peakTrend = region.kind === 'icefield' ? o.icefieldTrendMmPerYear : o.arcticTrendMmPerYear * region.share;
      t += peakTrend * Math.exp(-(dKm * dKm) / (2 * region.radiusKm * region.radiusKm));
    }
    trend[k] = t;
  }

  // Records: the real calendar up to `end`.
  const windows = GRACE_JPL_RL06_WINDOWS.filter((w) => w.yearMonth <= o.end);
  const n = windows.length;
  const data = new Float32Array(n * size);
  let interannual = new Float64Array(size);
  const phi = o.interannualLag1;
  let previousMonth = Number.NaN;
  for (let i = 0; i < n; i++) {
    const w = windows[i]!;
    const t = decimalYear(dayNumber(w.mid) + 0.5);
    const monthIdx = monthIndex(w.yearMonth);
    // Step the AR(1) anomaly once per elapsed calendar month (missing months still advance it).
    const steps = Number.isNaN(previousMonth) ? 1 : monthIdx - previousMonth;
    for (let s = 0; s < steps; s++) {
      const zeta = randomSmoothField(rows, cols, cells(500), random);
      const next = new Float64Array(size);
      const first = Number.isNaN(previousMonth) && s === 0;
      for (let k = 0; k < size; k++)
        next[k] = first ? zeta[k]! : phi * interannual[k]! + Math.sqrt(1 - phi * phi) * zeta[k]!;
      interannual = next;
    }
    previousMonth = monthIdx;
    const noise = randomSmoothField(rows, cols, cells(300), random);
    for (let k = 0; k < size; k++) {
      if (!(mask.data[k]! > 0)) {
        data[i * size + k] = Number.NaN;
        continue;
      }
      data[i * size + k] =
        amplitude[k]! * Math.cos(2 * Math.PI * (t - peak[k]!)) +
        trend[k]! * (t - 2009.5) +
        o.interannualStdMm * interannual[k]! +
        o.noiseStdMm * noise[k]!;
    }
  }
  const attributes: Record<string, string | number> = {
    source: `twsa synthetic scenario, seed ${o.seed} — synthetic GRACE-like truth, not observations`,
    calendar: 'JPL RL06 v03 GRACE record windows (embedded), real missing and doubled months',
    synthetic_parameters: JSON.stringify({
      end: o.end,
      seasonalAmplitudeMm: o.seasonalAmplitudeMm,
      icefieldTrendMmPerYear: o.icefieldTrendMmPerYear,
      arcticTrendMmPerYear: o.arcticTrendMmPerYear,
      interannualStdMm: o.interannualStdMm,
      interannualLag1: o.interannualLag1,
      noiseStdMm: o.noiseStdMm,
    }),
  };
  const truth = createStack(data, {
    shape: [n, rows, cols],
    bounds: grid.bounds,
    crs: grid.crs,
    units: 'mm',
    times: windows.map((w) => w.mid),
    timeBounds: windows.map((w): TimeBounds => [w.start, w.end]),
    attributes,
  });
  const grace = anomalies(truth, { baseline: PAPER_BASELINE });
  const emulatorOptions: EmulateLsmOptions = {
    seed: o.seed,
    fineFactor: 1,
    start: '1979-01',
    end: o.end,
    ...(o.emulator ?? {}),
  };
  const lsm = await emulateLsm(grace, emulatorOptions);
  const pairs = pairMonthly(grace, lsm, { mask });
  return {
    grace,
    lsm,
    mask,
    pairs,
    attributes: {
      ...attributes,
      emulator_fine_factor: lsm.attributes?.fine_factor ?? emulatorOptions.fineFactor!,
      lsm_source: String(lsm.attributes?.lsm_source ?? ''),
    },
  };
}
