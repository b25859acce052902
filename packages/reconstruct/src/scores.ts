/**
 * The scores the pipeline reports, from `@twsa/metrics`: Table 1 over the test frames, per-pixel maps, the
 * nationwide (area-weighted) series and trend maps. Predictions share the layout of the observed stack.
 */
import type { Grid, GridStack } from '@twsa/grid';
import {
  table1Summary,
  perPixelMetrics,
  areaWeightedMean,
  trendMap,
  removeSeasonalCycle,
  TABLE1_DEFINITION,
  decimalYear,
} from '@twsa/metrics';

const timeMaskOf = (length: number, frames: readonly number[]): Uint8Array => {
  const m = new Uint8Array(length);
  for (const f of frames) m[f] = 1;
  return m;
};

/** Cell weights for nationwide means: the land fraction of each cell (the 112 km LCC cells are near equal-area). */
const weightsOf = (mask: Grid): Float32Array =>
  Float32Array.from(mask.data, (v) => (Number.isFinite(v) && v > 0 ? v : 0));

/** Table-1 scores of one prediction over some frames. */
export interface Table1Scores {
  readonly rmseMm: number;
  readonly cc: number;
  readonly seriesRmseMm: number;
  readonly seriesCc: number;
  readonly frames: number;
}

/** The sentence that defines the nationwide RMSE and CC of {@link table1Scores}. */
export const TABLE1_SCORES_DEFINITION = `Yu et al. Table 1 per @twsa/metrics: ${TABLE1_DEFINITION}`;

/** Table-1 scores of `predicted` (laid out like `observed`) against `observed` over the given frames. */
export function table1Scores(
  predicted: Float32Array,
  observed: GridStack,
  mask: Grid,
  frames: readonly number[],
): Table1Scores {
  const s = table1Summary({ data: predicted, shape: observed.shape }, observed, {
    mask: mask.data,
    weights: weightsOf(mask),
    timeMask: timeMaskOf(observed.shape[0], frames),
  });
  return {
    rmseMm: s.perPixel.rmse,
    cc: s.perPixel.cc,
    seriesRmseMm: s.domainMean.rmse.value,
    seriesCc: s.domainMean.cc.value,
    frames: s.counts.months,
  };
}

/** Per-pixel CC and RMSE (mm) over the given frames; NaN outside the mask. */
export function perPixelScores(
  predicted: Float32Array,
  observed: GridStack,
  mask: Grid,
  frames: readonly number[],
): { readonly cc: Float32Array; readonly rmseMm: Float32Array } {
  const r = perPixelMetrics({ data: predicted, shape: observed.shape }, observed, {
    mask: mask.data,
    timeMask: timeMaskOf(observed.shape[0], frames),
  });
  return { cc: r.cc, rmseMm: r.rmse };
}

/** Area-weighted mean over land of every frame of `values` (laid out like `like`), in mm; NaN for an empty frame. */
export function domainMean(values: Float32Array, like: GridStack, mask: Grid): Float64Array {
  return areaWeightedMean({ data: values, shape: like.shape }, weightsOf(mask), { mask: mask.data }).mean;
}

/** Per-pixel linear trend (mm/year) of a stack; NaN outside the mask. */
export function trendOf(stack: GridStack, mask: Grid): Float32Array {
  return trendMap(stack, { mask: mask.data, times: stack.times.map((t) => decimalYear(t)) }).slope;
}

/**
 * `values` (laid out like `like`, mm) minus each pixel's mean annual cycle, fitted on `fitFrames` only (the training
 * records, so no test month enters the fit); NaN outside the mask ({@link removeSeasonalCycle} of `@twsa/metrics`).
 */
export function deseasonalise(
  values: Float32Array,
  like: GridStack,
  mask: Grid,
  fitFrames: readonly number[],
): Float32Array {
  return removeSeasonalCycle(
    { data: values, shape: like.shape },
    {
      times: like.times.map((t) => decimalYear(t)),
      mask: Float32Array.from(mask.data, (v) => (Number.isFinite(v) && v > 0 ? 1 : 0)),
      fitMask: timeMaskOf(like.shape[0], fitFrames),
    },
  ).data;
}

/** A value for a CSV cell: 3 decimals, empty for NaN. */
export const csvNumber = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : '');
