// Tile against cpu.
import * as tf from '@tensorflow/tfjs-core';
import { onBackend, useWasmTrainingKernels, values } from './helpers.js';

describe('WASM Tile', () => {
  useWasmTrainingKernels();

  it.each([
    [[4], [3], 'float32'],
    [[2, 3, 1, 4], [1, 2, 5, 3], 'float32'],
    [[1, 1, 1, 16], [8, 6, 6, 1], 'float32'],
    [[3, 2], [2, 2], 'int32'],
    [[2, 2], [3, 1], 'bool'],
    [[2, 0, 3], [2, 2, 2], 'float32'],
  ] as const)('Tile %j × %j (%s) matches cpu', async (shape, reps, dtype) => {
    const run = () =>
      tf.tidy(() => {
        const n = (shape as readonly number[]).reduce((p, q) => p * q, 1);
        const x =
          dtype === 'bool'
            ? tf.greater(tf.tensor(values(n, 51), [...shape]), 0)
            : tf.cast(tf.mul(tf.tensor(values(n, 51), [...shape]), 10), dtype);
        const y = tf.tile(x, [...reps]);
        return { shape: y.shape, data: Array.from(y.dataSync()) };
      });
    const ref = await onBackend('cpu', run);
    const got = await onBackend('wasm', run);
    expect(got).toEqual(ref);
  });
});
