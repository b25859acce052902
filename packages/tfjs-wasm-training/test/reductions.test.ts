// Sum and Mean over non-innermost axes against cpu.
import * as tf from '@tensorflow/tfjs-core';
import { onBackend, relativeError, useWasmTrainingKernels, values } from './helpers.js';

describe('WASM Sum and Mean', () => {
  useWasmTrainingKernels();

  it.each([
    [[2, 5, 4, 3], [0, 1, 2], false], // BatchNorm: per-channel over batch and space
    [[2, 5, 4, 17], [0, 1, 2], true], // 17 channels: two blocks of 8 and a remainder
    [[3, 6, 5, 12], [1, 2], false], // squeeze-and-excitation pooling: per sample and channel
    [[3, 6, 5, 12], [1, 2], true],
    [[4, 7, 9], [0], false],
    [[4, 7, 9], [1], true],
    [[4, 7, 9], [-2, 0], false], // negative and unordered axes
    [[4, 7, 9], [2], false], // innermost: stock kernel
    [[4, 7, 9], [1, 2], true], // innermost run: stock kernel
    [[4, 7, 9], [0, 2], false], // not contiguous: stock kernel
  ] as const)('Sum and Mean of %j over axes %j (keepDims %s) match cpu', async (shape, axis, keepDims) => {
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor(
          values(
            (shape as readonly number[]).reduce((p, q) => p * q, 1),
            81,
          ),
          [...shape],
        );
        const int = tf.cast(tf.mul(x, 50), 'int32');
        return [tf.sum(x, [...axis], keepDims), tf.mean(x, [...axis], keepDims), tf.sum(int, [...axis], keepDims)].map(
          (t) => ({ shape: t.shape, dtype: t.dtype, data: t.dataSync() }),
        );
      });
    const ref = await onBackend('cpu', run);
    const got = await onBackend('wasm', run);
    got.forEach((g, i) => {
      expect([g.shape, g.dtype]).toEqual([ref[i]!.shape, ref[i]!.dtype]);
      expect(relativeError(ref[i]!.data, g.data)).toBeLessThan(1e-6);
    });
  });
});
