/**
 * Float64 kernels behind every score: gather the valid pairs of a (possibly strided) series, then two-pass
 * moments. Not exported from the package.
 */
import type { MetricResult, NumericArray, UndefinedReason } from '../types.js';

/**
 * Copies the valid pairs of `pred[start + k * stride]`, `obs[...]` for `k < length` into `pOut`/`oOut`
 * and returns how many there are. A pair is valid when both values are finite, `elementMask[index]` (when given)
 * is 1 and `stepMask[k]` (when given) is 1.
 */
export function gatherPairs(
  pred: NumericArray,
  obs: NumericArray,
  start: number,
  stride: number,
  length: number,
  elementMask: Uint8Array | null,
  stepMask: Uint8Array | null,
  pOut: Float64Array,
  oOut: Float64Array,
): number {
  let n = 0;
  for (let k = 0, idx = start; k < length; k++, idx += stride) {
    if (stepMask !== null && stepMask[k] === 0) continue;
    if (elementMask !== null && elementMask[idx] === 0) continue;
    const p = pred[idx]!;
    const o = obs[idx]!;
    if (!Number.isFinite(p) || !Number.isFinite(o)) continue;
    pOut[n] = p;
    oOut[n] = o;
    n++;
  }
  return n;
}

/** Sums over `n` gathered pairs, accumulated in float64 (two passes: means, then centred sums). */
export interface PairStats {
  readonly n: number;
  readonly meanP: number;
  readonly meanO: number;
  /** Σ (p − p̄)². */
  readonly spp: number;
  /** Σ (o − ō)². */
  readonly soo: number;
  /** Σ (p − p̄)(o − ō). */
  readonly spo: number;
  /** Σ (p − o)². */
  readonly sse: number;
  /** Σ |p − o|. */
  readonly sae: number;
  /** All gathered `p` are identical (exact comparison; avoids round-off in `spp`). */
  readonly constantP: boolean;
  readonly constantO: boolean;
}

/** Computes {@link PairStats} of the first `n` entries of `p` and `o`. */
export function pairStats(p: Float64Array, o: Float64Array, n: number): PairStats {
  let sp = 0,
    so = 0;
  let constantP = true,
    constantO = true;
  for (let i = 0; i < n; i++) {
    sp += p[i]!;
    so += o[i]!;
    if (p[i] !== p[0]) constantP = false;
    if (o[i] !== o[0]) constantO = false;
  }
  const meanP = n > 0 ? sp / n : Number.NaN;
  const meanO = n > 0 ? so / n : Number.NaN;
  let spp = 0,
    soo = 0,
    spo = 0,
    sse = 0,
    sae = 0;
  for (let i = 0; i < n; i++) {
    const dp = p[i]! - meanP;
    const dO = o[i]! - meanO;
    spp += dp * dp;
    soo += dO * dO;
    spo += dp * dO;
    const e = p[i]! - o[i]!;
    sse += e * e;
    sae += Math.abs(e);
  }
  // Zero variance: all values equal (exact test, immune to round-off in the mean) or a spread below float64
  // resolution (the centred sum underflows to 0). Either way the correlation-type scores are undefined.
  if (constantP || !(spp > 0)) {
    spp = 0;
    constantP = n > 0;
  }
  if (constantO || !(soo > 0)) {
    soo = 0;
    constantO = n > 0;
  }
  return { n, meanP, meanO, spp, soo, spo, sse, sae, constantP, constantO };
}

/** `{ value: NaN, count, reason }`. */
export function undefinedResult(count: number, reason: UndefinedReason): MetricResult {
  return { value: Number.NaN, count, reason };
}

function constantReason(s: PairStats): UndefinedReason | null {
  if (s.constantP && s.constantO) return 'constant series (pred and obs)';
  if (s.constantO) return 'constant series (obs)';
  if (s.constantP) return 'constant series (pred)';
  return null;
}

/** Pearson's r from stats; clamped to [−1, 1] against round-off. */
export function pearsonFrom(s: PairStats): MetricResult {
  if (s.n === 0) return undefinedResult(0, 'no valid pairs');
  if (s.n < 2) return undefinedResult(s.n, 'fewer than 2 valid pairs');
  const c = constantReason(s);
  if (c !== null) return undefinedResult(s.n, c);
  const product = s.spp * s.soo;
  // Split the root only when the product under- or overflows.
  const r =
    s.spo / (product > 0 && Number.isFinite(product) ? Math.sqrt(product) : Math.sqrt(s.spp) * Math.sqrt(s.soo));
  return { value: Math.max(-1, Math.min(1, r)), count: s.n };
}

/** √(Σ(p − o)² / n). */
export function rmseFrom(s: PairStats): MetricResult {
  if (s.n === 0) return undefinedResult(0, 'no valid pairs');
  return { value: Math.sqrt(s.sse / s.n), count: s.n };
}

/** Σ|p − o| / n. */
export function maeFrom(s: PairStats): MetricResult {
  if (s.n === 0) return undefinedResult(0, 'no valid pairs');
  return { value: s.sae / s.n, count: s.n };
}

/** mean(p − o) = p̄ − ō. */
export function biasFrom(s: PairStats): MetricResult {
  if (s.n === 0) return undefinedResult(0, 'no valid pairs');
  return { value: s.meanP - s.meanO, count: s.n };
}

/** 1 − Σ(p − o)² / Σ(o − ō)². */
export function nseFrom(s: PairStats): MetricResult {
  if (s.n === 0) return undefinedResult(0, 'no valid pairs');
  if (s.n < 2) return undefinedResult(s.n, 'fewer than 2 valid pairs');
  if (s.constantO)
    return undefinedResult(s.n, s.constantP ? 'constant series (pred and obs)' : 'constant series (obs)');
  return { value: 1 - s.sse / s.soo, count: s.n };
}

/** KGE components and value; see `kge` in scores.ts for the formulas. */
export interface KgeParts {
  readonly value: number;
  readonly count: number;
  readonly reason?: UndefinedReason;
  readonly r: number;
  readonly alpha: number;
  readonly beta: number;
}

/** Kling–Gupta efficiency (2009, or 2012 with the CV ratio as variability term). */
export function kgeFrom(s: PairStats, variant: '2009' | '2012'): KgeParts {
  const nan = Number.NaN;
  if (s.n === 0) return { value: nan, count: 0, reason: 'no valid pairs', r: nan, alpha: nan, beta: nan };
  const rr = pearsonFrom(s);
  const r = rr.value;
  const sdRatio = s.constantO ? nan : Math.sqrt(s.spp / s.soo);
  const beta = s.meanO === 0 ? nan : s.meanP / s.meanO;
  const alpha = variant === '2009' ? sdRatio : beta === 0 ? nan : sdRatio / beta;
  if (rr.reason !== undefined) return { value: nan, count: s.n, reason: rr.reason, r, alpha, beta };
  if (s.meanO === 0) return { value: nan, count: s.n, reason: 'observed mean is zero', r, alpha, beta };
  if (!Number.isFinite(alpha)) return { value: nan, count: s.n, reason: 'predicted mean is zero', r, alpha, beta };
  const value = 1 - Math.sqrt((r - 1) ** 2 + (alpha - 1) ** 2 + (beta - 1) ** 2);
  return { value, count: s.n, r, alpha, beta };
}
