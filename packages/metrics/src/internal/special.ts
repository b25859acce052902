/** Special functions used by the significance tests. Not exported from the package. */

const INV_SQRT_PI = 1 / Math.sqrt(Math.PI);

/**
 * Complementary error function erfc(x), relative error ~1e-14 over the range that matters for p-values.
 * For |x| < 2.5 it uses the all-positive series erf(x) = 2/√π e^{−x²} Σ 2ⁿ x^{2n+1} / (1·3·…·(2n+1));
 * beyond, the continued fraction erfc(x) = e^{−x²}/√π · 1/(x + ½/(x + 1/(x + 3/2/(x + …)))) evaluated backwards.
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 2.5) {
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (2 * x * x) / (2 * n + 1);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    return 1 - 2 * INV_SQRT_PI * Math.exp(-x * x) * sum;
  }
  if (x > 27) return 0;
  let f = x;
  for (let k = 80; k >= 1; k--) f = x + k / 2 / f;
  return (INV_SQRT_PI * Math.exp(-x * x)) / f;
}

/** Two-sided p-value of a standard normal statistic: 2·(1 − Φ(|z|)) = erfc(|z|/√2). */
export function twoSidedNormalP(z: number): number {
  return erfc(Math.abs(z) / Math.SQRT2);
}

/** Median of the first `n` entries of `values` (sorts that part in place). NaN when n = 0. */
export function medianInPlace(values: Float64Array, n: number): number {
  if (n === 0) return Number.NaN;
  const v = values.subarray(0, n).sort();
  const h = n >> 1;
  return n % 2 === 1 ? v[h]! : (v[h - 1]! + v[h]!) / 2;
}
