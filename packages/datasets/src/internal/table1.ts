/**
 * Interim Table-1 metrics (Yu et al. 2021): per-pixel Pearson CC and RMSE over a set of frames, averaged over land
 * pixels, plus the same metrics of the domain-mean series. Internal; to be replaced by @twsa/metrics' table1Summary.
 */

/** Result of {@link table1Local}. */
export interface Table1Local {
  /** Mean over land pixels of the per-pixel CC (pixels where CC is defined). */
  readonly cc: number;
  /** Mean over land pixels of the per-pixel RMSE. */
  readonly rmse: number;
  /** Land pixels used (finite RMSE). */
  readonly pixels: number;
  /** Pixels whose CC was undefined (constant series or fewer than 3 pairs). */
  readonly pixelsWithoutCc: number;
  /** CC of the mask-weighted domain-mean series. */
  readonly domainCc: number;
  /** RMSE of the mask-weighted domain-mean series. */
  readonly domainRmse: number;
  /** Frames used. */
  readonly frames: number;
}

/**
 * Per-pixel CC/RMSE between `predicted` and `observed` (`[frames, size]` flat) over `frames`, averaged over pixels
 * with `weights[k] >= threshold`; NaN pairs are skipped pixel by pixel.
 */
export function table1Local(predicted: ArrayLike<number>, observed: ArrayLike<number>, size: number, frames: readonly number[], weights: ArrayLike<number>, threshold: number): Table1Local {
  let ccSum = 0, ccCount = 0, rmseSum = 0, rmseCount = 0, noCc = 0;
  for (let k = 0; k < size; k++) {
    if (!(weights[k]! >= threshold) || !(weights[k]! > 0)) continue;
    let n = 0, sp = 0, so = 0, spp = 0, soo = 0, spo = 0, se = 0;
    for (const t of frames) {
      const p = predicted[t * size + k]!;
      const o = observed[t * size + k]!;
      if (!Number.isFinite(p) || !Number.isFinite(o)) continue;
      n++; sp += p; so += o; spp += p * p; soo += o * o; spo += p * o; se += (p - o) * (p - o);
    }
    if (n === 0) continue;
    rmseSum += Math.sqrt(se / n); rmseCount++;
    const cov = spo - (sp * so) / n;
    const vp = spp - (sp * sp) / n;
    const vo = soo - (so * so) / n;
    if (n >= 3 && vp > 0 && vo > 0) { ccSum += cov / Math.sqrt(vp * vo); ccCount++; } else noCc++;
  }
  // Domain-mean series, weighted by the land fraction over pixels valid on both sides.
  const sp: number[] = [];
  const so: number[] = [];
  for (const t of frames) {
    let a = 0, b = 0, w = 0;
    for (let k = 0; k < size; k++) {
      const wk = weights[k]!;
      if (!(wk >= threshold) || !(wk > 0)) continue;
      const p = predicted[t * size + k]!;
      const o = observed[t * size + k]!;
      if (!Number.isFinite(p) || !Number.isFinite(o)) continue;
      a += wk * p; b += wk * o; w += wk;
    }
    if (w > 0) { sp.push(a / w); so.push(b / w); }
  }
  return {
    cc: ccCount ? ccSum / ccCount : Number.NaN,
    rmse: rmseCount ? rmseSum / rmseCount : Number.NaN,
    pixels: rmseCount,
    pixelsWithoutCc: noCc,
    domainCc: pearson(sp, so),
    domainRmse: sp.length ? Math.sqrt(sp.reduce((s, p, i) => s + (p - so[i]!) ** 2, 0) / sp.length) : Number.NaN,
    frames: frames.length,
  };
}

function pearson(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  if (n < 3) return Number.NaN;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let c = 0, va = 0, vb = 0;
  for (let i = 0; i < n; i++) { c += (a[i]! - ma) * (b[i]! - mb); va += (a[i]! - ma) ** 2; vb += (b[i]! - mb) ** 2; }
  return va > 0 && vb > 0 ? c / Math.sqrt(va * vb) : Number.NaN;
}
