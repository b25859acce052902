/**
 * The default {@link Toolkit}: the real `@twsa` packages bound to the pipeline's contract.
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
import type { Toolkit } from './toolkit.js';

const timeMaskOf = (length: number, frames: readonly number[]): Uint8Array => {
  const m = new Uint8Array(length);
  for (const f of frames) m[f] = 1;
  return m;
};

/** Cell weights for nationwide means: the land fraction of each cell (the 112 km LCC cells are near equal-area). */
const weightsOf = (mask: Grid): Float32Array =>
  Float32Array.from(mask.data, (v) => (Number.isFinite(v) && v > 0 ? v : 0));

type MetricsPart = 'table1' | 'table1Definition' | 'perPixel' | 'domainMean' | 'trend' | 'deseasonalise';

/** The scoring half of the default toolkit, bound to `@twsa/metrics`. */
export const METRICS_TOOLKIT: Pick<Toolkit, MetricsPart> = Object.freeze({
  table1Definition: `Yu et al. Table 1 per @twsa/metrics: ${TABLE1_DEFINITION}`,
  table1(predicted: Float32Array, observed: GridStack, mask: Grid, frames: readonly number[]) {
    const s = table1Summary(
      { data: predicted, shape: observed.shape },
      { data: observed.data, shape: observed.shape },
      { mask: mask.data, weights: weightsOf(mask), timeMask: timeMaskOf(observed.shape[0], frames) },
    );
    return {
      rmseMm: s.perPixel.rmse,
      cc: s.perPixel.cc,
      seriesRmseMm: s.domainMean.rmse.value,
      seriesCc: s.domainMean.cc.value,
      frames: s.counts.months,
    };
  },
  perPixel(predicted: Float32Array, observed: GridStack, mask: Grid, frames: readonly number[]) {
    const r = perPixelMetrics(
      { data: predicted, shape: observed.shape },
      { data: observed.data, shape: observed.shape },
      { mask: mask.data, timeMask: timeMaskOf(observed.shape[0], frames) },
    );
    return { cc: r.cc, rmseMm: r.rmse };
  },
  domainMean(values: Float32Array, like: GridStack, mask: Grid) {
    return areaWeightedMean({ data: values, shape: like.shape }, weightsOf(mask), { mask: mask.data }).mean;
  },
  trend(stack: GridStack, mask: Grid) {
    return trendMap(
      { data: stack.data, shape: stack.shape },
      { mask: mask.data, times: stack.times.map((t) => decimalYear(t)) },
    ).slope;
  },
  deseasonalise(values: Float32Array, like: GridStack, mask: Grid, fitFrames: readonly number[]) {
    return removeSeasonalCycle(
      { data: values, shape: like.shape },
      {
        times: like.times.map((t) => decimalYear(t)),
        mask: Float32Array.from(mask.data, (v) => (Number.isFinite(v) && v > 0 ? 1 : 0)),
        fitMask: timeMaskOf(like.shape[0], fitFrames),
      },
    ).data;
  },
});

/**
 * Binds the `@twsa` packages into a {@link Toolkit}.
 * @throws {@link DependencyMissingError} (from the returned functions) when an installed sibling package lacks a function.
 */
export async function defaultToolkit(): Promise<Toolkit> {
  const { DATA_MODEL_TOOLKIT } = await import('./real-toolkit.js');
  return { ...METRICS_TOOLKIT, ...DATA_MODEL_TOOLKIT };
}
