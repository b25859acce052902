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

/**
 * Median of the first `n` entries of `values` (reorders that part in place). NaN when n = 0. Values must not be NaN.
 * Uses quickselect (Hoare partition, median-of-three pivot): O(n) expected, far faster than a full sort for the
 * n(n−1)/2 pairwise slopes of Sen's estimator.
 */
export function medianInPlace(values: Float64Array, n: number): number {
  if (n === 0) return Number.NaN;
  const h = n >> 1;
  const upper = selectInPlace(values, n, h);
  if (n % 2 === 1) return upper;
  // After selection every entry below index h is <= values[h]: the lower middle is their maximum.
  let lower = values[0]!;
  for (let i = 1; i < h; i++) if (values[i]! > lower) lower = values[i]!;
  return (lower + upper) / 2;
}

/** Rearranges values[0..n) so that values[k] is the k-th smallest, smaller ones before it and larger after; returns it. */
function selectInPlace(a: Float64Array, n: number, k: number): number {
  let lo = 0,
    hi = n - 1;
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    // Median of three as pivot, moved to a[lo].
    if (a[mid]! < a[lo]!) swap(a, mid, lo);
    if (a[hi]! < a[lo]!) swap(a, hi, lo);
    if (a[hi]! < a[mid]!) swap(a, hi, mid);
    swap(a, lo, mid);
    const pivot = a[lo]!;
    let i = lo,
      j = hi + 1;
    for (;;) {
      do i++;
      while (i <= hi && a[i]! < pivot);
      do j--;
      while (a[j]! > pivot);
      if (i >= j) break;
      swap(a, i, j);
    }
    swap(a, lo, j);
    if (j === k) return a[k]!;
    if (j > k) hi = j - 1;
    else lo = j + 1;
  }
  return a[k]!;
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}
