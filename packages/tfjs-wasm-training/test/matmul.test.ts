// BatchMatMul with transposes, _FusedMatMul and Transpose against cpu.
import * as tf from '@tensorflow/tfjs-core';
import { onBackend, relativeError, useWasmTrainingKernels, values } from './helpers.js';

describe('WASM matmul and transpose kernels', () => {
  useWasmTrainingKernels();

  it.each([
    [false, true, [2, 5, 7], [2, 4, 7]],
    [true, false, [2, 7, 5], [2, 7, 4]],
    [true, true, [2, 7, 5], [2, 4, 7]],
    [false, true, [3, 1000], [4, 1000]], // dx of a wide Dense: computed as (B·Aᵀ)ᵀ
    [true, false, [1000, 3], [1000, 6]],
    [true, true, [1, 6, 2], [3, 6]], // broadcast batch
  ] as const)('BatchMatMul transposeA=%s transposeB=%s matches cpu', async (ta, tb, aShape, bShape) => {
    const run = () =>
      tf.tidy(() => {
        const a = tf.tensor(
          values(
            (aShape as readonly number[]).reduce((p, q) => p * q, 1),
            3,
          ),
          [...aShape],
        );
        const b = tf.tensor(
          values(
            (bShape as readonly number[]).reduce((p, q) => p * q, 1),
            4,
          ),
          [...bShape],
        );
        return tf.matMul(a, b, ta, tb).dataSync() as Float32Array;
      });
    const ref = await onBackend('cpu', run);
    const got = await onBackend('wasm', run);
    expect(relativeError(ref, got)).toBeLessThan(1e-5);
  });

  it.each(['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu', 'prelu'] as const)(
    'fused matMul + bias + %s (Dense layers) and its gradients match cpu',
    async (activation) => {
      const run = () =>
        tf.tidy(() => {
          const a = tf.tensor2d(values(3 * 40, 61), [3, 40]);
          const b = tf.tensor2d(values(40 * 5, 62), [40, 5]);
          const bias = tf.tensor1d(values(5, 63));
          const alpha = tf.tensor1d(values(5, 64));
          const r = tf.tensor2d(values(15, 65), [3, 5]);
          const f = (p: tf.Tensor, q: tf.Tensor, c: tf.Tensor) =>
            tf.fused.matMul({
              a: p as tf.Tensor2D,
              b: q as tf.Tensor2D,
              bias: c,
              activation,
              ...(activation === 'prelu' ? { preluActivationWeights: alpha } : {}),
              leakyreluAlpha: 0.3,
            });
          const y = f(a, b, bias);
          const grads = tf.grads((p: tf.Tensor, q: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(f(p, q, c), r)))([
            a,
            b,
            bias,
          ]);
          const yT = tf.fused.matMul({
            a: tf.transpose(a),
            b: tf.transpose(b),
            transposeA: true,
            transposeB: true,
            bias,
            activation: activation === 'prelu' ? 'relu' : activation,
          });
          return [y, ...grads, yT].map((t) => t.dataSync() as Float32Array);
        });
      const ref = await onBackend('cpu', run);
      const got = await onBackend('wasm', run);
      ref.forEach((r, i) => expect(relativeError(r, got[i]!)).toBeLessThan(1e-5));
    },
  );

  it('Transpose of the last two axes (heap) and other permutations (stock) match cpu', async () => {
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor3d(values(2 * 37 * 45, 71), [2, 37, 45]);
        return [tf.transpose(x, [0, 2, 1]), tf.transpose(x, [2, 0, 1]), tf.transpose(tf.reshape(x, [74, 45]))].map(
          (t) => ({ shape: t.shape, data: Array.from(t.dataSync()) }),
        );
      });
    const ref = await onBackend('cpu', run);
    const got = await onBackend('wasm', run);
    expect(got).toEqual(ref);
  });
});
