import type { ArrayRecord } from '@twsa/grid';

/** Deterministic pseudo-random values in [-1, 1) (Park–Miller), for test data. */
export function noise(length: number, seed = 1): Float32Array {
  const a = new Float32Array(length);
  let s = seed;
  for (let i = 0; i < length; i++) {
    s = (s * 16807) % 2147483647;
    a[i] = (s / 2147483647) * 2 - 1;
  }
  return a;
}

/** A smooth, learnable LSM → GRACE toy problem: targets = 0.5 · inputs + 0.1, on `n` samples of `rows × cols`. */
export function toyPairs(
  n: number,
  rows: number,
  cols: number,
  seed = 1,
): { inputs: ArrayRecord; targets: ArrayRecord } {
  const x = noise(n * rows * cols, seed);
  const y = x.map((v) => 0.5 * v + 0.1);
  return { inputs: { data: x, shape: [n, rows, cols] }, targets: { data: y, shape: [n, rows, cols] } };
}

/** Toy windows: inputs `[n, steps, rows, cols]`, target = mean of the window's frames. */
export function toyWindows(
  n: number,
  steps: number,
  rows: number,
  cols: number,
  seed = 1,
): { inputs: ArrayRecord; targets: ArrayRecord } {
  const frame = rows * cols;
  const x = noise(n * steps * frame, seed);
  const y = new Float32Array(n * frame);
  for (let s = 0; s < n; s++)
    for (let t = 0; t < steps; t++)
      for (let i = 0; i < frame; i++) y[s * frame + i]! += x[(s * steps + t) * frame + i]! / steps;
  return { inputs: { data: x, shape: [n, steps, rows, cols] }, targets: { data: y, shape: [n, rows, cols] } };
}

/** Flattened copies of all of a model's weights. */
export function weightsOf(model: { weights: { read(): { dataSync(): ArrayLike<number> } }[] }): Float32Array[] {
  return model.weights.map((w) => Float32Array.from(w.read().dataSync()));
}

/**
 * Max |actual − reference| over max |reference| (the max difference itself when the reference is all zero): the
 * relative error that the gradient-equality bounds (1e-4 against the cpu backend) apply to.
 */
export function relativeError(reference: ArrayLike<number>, actual: ArrayLike<number>): number {
  if (actual.length !== reference.length)
    throw new Error(`relativeError: lengths differ (${reference.length} reference, ${actual.length} actual)`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < reference.length; i++) {
    diff = Math.max(diff, Math.abs(reference[i]! - actual[i]!));
    scale = Math.max(scale, Math.abs(reference[i]!));
  }
  return scale === 0 ? diff : diff / scale;
}
