/**
 * @module @twsa/metrics
 *
 * Masked, NaN-safe skill scores for terrestrial water storage anomalies, with no runtime dependencies:
 * Pearson CC, RMSE, NSE, KGE, bias and MAE (each with the count of valid pairs and a `reason` when undefined),
 * per-pixel maps, area-weighted domain-mean series, the Table 1 summary of Yu et al. (2021), Sen's slope with
 * Mann–Kendall significance, and seasonal amplitude/phase. Inputs are plain arrays and `{ data, shape }` stacks
 * (a `GridStack` of `@twsa/grid` fits as is).
 *
 * ```ts
 * import { pearson, rmse, table1Summary } from "@twsa/metrics";
 * pearson([1, 2, 3], [1, 2, 4]).value; // => 0.9819805060619659
 * rmse([1, 2, NaN], [1, 3, 4]); // => { value: 0.7071067811865476, count: 2 }
 * ```
 */
export type { NumericArray, MaskArray, FrameStack, UndefinedReason, MetricResult } from './types.js';
export type { MetricsErrorName } from './errors.js';
export {
  METRICS_ERROR_NAMES,
  MetricsError,
  MetricsArgumentError,
  MetricsShapeError,
  isMetricsError,
} from './errors.js';
export type { ScoreOptions, KgeOptions, KgeResult, SeriesScores } from './scores.js';
export { pearson, rmse, nse, kge, bias, mae, scoreSeries } from './scores.js';
export type { PerPixelMetricsOptions, PerPixelMetricsResult } from './maps.js';
export { perPixelMetrics } from './maps.js';
export type { AreaWeightedMeanOptions, AreaWeightedMeanResult } from './area.js';
export { areaWeightedMean } from './area.js';
export type { Table1Options, Table1Summary } from './table1.js';
export { table1Summary, TABLE1_DEFINITION } from './table1.js';
export type { TimeAxis } from './time.js';
export { decimalYear } from './time.js';
export type {
  TrendOptions,
  MannKendallResult,
  SenSlopeResult,
  TrendResult,
  TrendMapOptions,
  TrendMapResult,
} from './trend.js';
export { mannKendall, senSlope, trendTest, trendMap } from './trend.js';
export type {
  AnnualHarmonicOptions,
  AnnualHarmonicResult,
  AnnualHarmonicMapOptions,
  AnnualHarmonicMapResult,
  RemoveSeasonalCycleOptions,
  RemoveSeasonalCycleResult,
} from './seasonal.js';
export { annualHarmonic, annualHarmonicMap, removeSeasonalCycle } from './seasonal.js';
