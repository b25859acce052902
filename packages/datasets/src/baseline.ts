/** The LSM-vs-GRACE baseline: the paper's Table-1 metrics of the raw LSM against GRACE on one split. */
import { DatasetsArgumentError, DatasetsEmptyError } from './errors.js';
import { table1Summary } from '@twsa/metrics';
import type { PairedSamples } from './pair.js';
import { SPLIT_LABELS } from './split.js';
import type { SplitLabel } from './split.js';

/** Options of {@link baselineMetrics}. */
export interface BaselineMetricsOptions {
  /** Split whose records are scored. Default `"test"` (the paper's 40 test months). */
  readonly split?: SplitLabel;
  /** A pixel is land when its mask fraction is ≥ this. Default `0.5`. */
  readonly maskThreshold?: number;
}

/** Result of {@link baselineMetrics}: what `twsa data baseline --json` prints. */
export interface BaselineMetricsResult {
  /** The split scored. */
  readonly split: SplitLabel;
  /** Records (months) scored. */
  readonly records: number;
  /** Table 1: mean over land pixels of the per-pixel Pearson CC over the records. */
  readonly cc: number;
  /** Table 1: mean over land pixels of the per-pixel RMSE (mm) over the records. */
  readonly rmse: number;
  /** Land pixels averaged (RMSE defined). */
  readonly pixels: number;
  /** Land pixels whose CC is undefined (constant series or fewer than 3 valid months), left out of `cc`. */
  readonly pixelsWithoutCc: number;
  /** CC of the land-fraction-weighted domain-mean series (the nationwide series). */
  readonly domainCc: number;
  /** RMSE (mm) of the domain-mean series. */
  readonly domainRmse: number;
  /** The definition, written down. */
  readonly definition: string;
  /** Where the LSM came from (the emulator says "twin experiment"). */
  readonly lsmSource: string;
}

/**
 * Table-1 metrics of the LSM against GRACE on one split (default: the paper's 40 test months).
 *
 * ## Method
 * For each land pixel k (mask ≥ `maskThreshold`), over the records t of the split with finite values on both sides:
 * `CC_k = Σ(l−l̄)(g−ḡ) / √(Σ(l−l̄)² Σ(g−ḡ)²)`, `RMSE_k = √(Σ(l−g)² / n_k)`; the table entries are the means of CC_k
 * and RMSE_k over land pixels (Yu et al. 2021, Table 1). The domain-mean series (land-fraction-weighted mean over
 * pixels valid on both sides) is scored beside it. Computed by @twsa/metrics `table1Summary`.
 *
 * @param pairs Paired samples from {@link pairMonthly}.
 * @param options See {@link BaselineMetricsOptions}.
 * @returns A {@link BaselineMetricsResult}.
 * @throws {@link DatasetsArgumentError} when `pairs` is malformed or an option is out of range.
 * @throws {@link DatasetsEmptyError} when the split has no record or no land pixel is scored.
 * @example
 * ```ts
 * const m = baselineMetrics(pairMonthly(grace, await emulateLsm(grace)));
 * // => { split: "test", records: 40, cc: ≈0.89, rmse: ≈105, ... } with the calibrated emulator on JPL RL06 v03
 * ```
 */
export function baselineMetrics(pairs: PairedSamples, options: BaselineMetricsOptions = {}): BaselineMetricsResult {
  const fn = 'baselineMetrics';
  if (
    !pairs ||
    !pairs.grace ||
    !pairs.lsm ||
    !Array.isArray(pairs.splits) ||
    pairs.splits.length !== pairs.grace.shape[0]
  ) {
    throw new DatasetsArgumentError('pairs', fn, 'a PairedSamples record from pairMonthly', typeof pairs);
  }
  const split = options.split ?? 'test';
  if (!SPLIT_LABELS.includes(split))
    throw new DatasetsArgumentError('options.split', fn, `one of ${SPLIT_LABELS.join(', ')}`, JSON.stringify(split));
  const threshold = options.maskThreshold ?? 0.5;
  if (!(threshold > 0 && threshold <= 1))
    throw new DatasetsArgumentError('options.maskThreshold', fn, 'a number in (0, 1]', String(threshold));
  const frames = pairs.splits.flatMap((s, i) => (s === split ? [i] : []));
  if (frames.length === 0)
    throw new DatasetsEmptyError(`The split '${split}' has no record`, { field: 'options.split' });
  const timeMask = Uint8Array.from(pairs.splits, (s) => (s === split ? 1 : 0));
  const m = table1Summary(pairs.lsm, pairs.grace, {
    mask: pairs.mask.data,
    weights: pairs.mask.data,
    timeMask,
    maskThreshold: threshold,
  });
  if (m.counts.pixelsWithRmse === 0)
    throw new DatasetsEmptyError(
      `No land pixel (mask ≥ ${threshold}) has valid LSM and GRACE values in the '${split}' split`,
      { field: 'pairs.mask' },
    );
  return {
    split,
    records: frames.length,
    cc: m.perPixel.cc,
    rmse: m.perPixel.rmse,
    pixels: m.counts.pixelsWithRmse,
    pixelsWithoutCc: m.counts.landPixels - m.counts.pixelsWithCc,
    domainCc: m.domainMean.cc.value,
    domainRmse: m.domainMean.rmse.value,
    definition: `${m.definition} Land: mask ≥ ${threshold}; domain weights: land fraction; months: the ${frames.length} '${split}' records.`,
    lsmSource: String(pairs.lsm.attributes?.lsm_source ?? pairs.attributes.lsm_source ?? 'unknown'),
  };
}
