/** Test helpers for @twsa/metrics. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** JSON `null` (NaN in the generator) back to NaN. */
export function nums(values: readonly (number | null)[]): number[] {
  return values.map((v) => (v === null ? Number.NaN : v));
}

/** A number or null (NaN). */
export function num(v: number | null | undefined): number {
  return v === null || v === undefined ? Number.NaN : v;
}

/** Reads test/fixtures/<name>. */
export function readFixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8')) as T;
}

/**
 * Asserts |actual − expected| ≤ tol · max(1, |expected|) (NaN matches NaN only). On failure names the label,
 * the index, Δ and the tolerance.
 */
export function expectClose(
  actual: ArrayLike<number> | number,
  expected: ArrayLike<number> | number,
  tol = 1e-6,
  label = 'value',
): void {
  const a = typeof actual === 'number' ? [actual] : Array.from(actual);
  const e = typeof expected === 'number' ? [expected] : Array.from(expected);
  if (a.length !== e.length) throw new Error(`${label}: length ${a.length} != expected ${e.length}`);
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!,
      y = e[i]!;
    if (Number.isNaN(y) || Number.isNaN(x)) {
      if (Number.isNaN(x) !== Number.isNaN(y)) throw new Error(`${label}[${i}]: got ${x}, expected ${y}`);
      continue;
    }
    const d = Math.abs(x - y);
    if (!(d <= tol * Math.max(1, Math.abs(y))))
      throw new Error(`${label}[${i}]: got ${x}, expected ${y} (Δ ${d} > tol ${tol} × max(1, |expected|))`);
  }
}
