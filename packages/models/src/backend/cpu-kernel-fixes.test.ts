// The corrected cpu ResizeNearestNeighborGrad against a hand-computed gradient (no native engine needed; with it,
// backend/native.test.ts also compares against TensorFlow).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-layers registers tfjs-core's gradients.
import '@tensorflow/tfjs-layers';
import { registerCpuKernelFixes, unregisterCpuKernelFixes } from './cpu-kernel-fixes.js';
import { initBackend } from './init-backend.js';
import { noise, relativeError } from '../../test/helpers.js';

/** d/dx of sum(upsample2x(x) · w): each input pixel collects the 2×2 block of w it was copied to. */
function handGradient(w: Float32Array, [n, h, wd, c]: readonly number[]): Float32Array {
  const out = new Float32Array(n! * h! * wd! * c!);
  for (let b = 0; b < n!; b++)
    for (let r = 0; r < h!; r++)
      for (let q = 0; q < wd!; q++)
        for (let d = 0; d < c!; d++) {
          let s = 0;
          for (const dr of [0, 1])
            for (const dq of [0, 1]) s += w[((b * 2 * h! + 2 * r + dr) * 2 * wd! + 2 * q + dq) * c! + d]!;
          out[((b * h! + r) * wd! + q) * c! + d] = s;
        }
  return out;
}

function cpuGradient(shape: [number, number, number, number]): { got: Float32Array; want: Float32Array } {
  return tf.tidy(() => {
    const x = tf.tensor4d(
      noise(
        shape.reduce((a, b) => a * b, 1),
        3,
      ),
      shape,
    );
    const wValues = noise(shape[0] * 4 * shape[1] * shape[2] * shape[3], 4);
    const w = tf.tensor4d(wValues, [shape[0], 2 * shape[1], 2 * shape[2], shape[3]]);
    const g = tf.grad((a: tf.Tensor) =>
      tf.sum(tf.mul(tf.image.resizeNearestNeighbor(a as tf.Tensor4D, [2 * shape[1], 2 * shape[2]]), w)),
    )(x);
    return { got: Float32Array.from(g.dataSync()), want: handGradient(wValues, shape) };
  });
}

describe('cpu kernel fixes', () => {
  afterAll(() => {
    registerCpuKernelFixes();
  });

  it('stock cpu ResizeNearestNeighborGrad is wrong from the second batch item on; the fix is exact', async () => {
    await tf.setBackend('cpu');
    unregisterCpuKernelFixes();
    const stock = cpuGradient([3, 4, 5, 2]);
    expect(relativeError(stock.want.subarray(0, 40), stock.got.subarray(0, 40))).toBe(0);
    expect(relativeError(stock.want, stock.got)).toBeGreaterThan(0.1);
    expect(registerCpuKernelFixes()).toEqual(['ResizeNearestNeighborGrad']);
    expect(registerCpuKernelFixes()).toEqual(['ResizeNearestNeighborGrad']); // idempotent
    const fixed = cpuGradient([3, 4, 5, 2]);
    expect(relativeError(fixed.want, fixed.got)).toBeLessThanOrEqual(1e-6);
  });

  it("initBackend({ backend: 'cpu' }) registers the fix", async () => {
    unregisterCpuKernelFixes();
    await initBackend({ backend: 'cpu' });
    const { want, got } = cpuGradient([2, 3, 3, 1]);
    expect(relativeError(want, got)).toBeLessThanOrEqual(1e-6);
    expect(unregisterCpuKernelFixes()).toBe(true);
    expect(unregisterCpuKernelFixes()).toBe(false);
  });
});
