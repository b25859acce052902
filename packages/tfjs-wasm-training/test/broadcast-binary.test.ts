// Multiply, Add, Sub, RealDiv with a broadcast operand against a float32 broadcasting loop.
import * as tf from '@tensorflow/tfjs-core';
import { relativeError, useWasmTrainingKernels, values } from './helpers.js';

describe('WASM broadcast binary kernels', () => {
  useWasmTrainingKernels();

  it.each([
    [[2, 64, 64, 8], [8]], // 65536 elements: expanded (BatchNorm scale/shift)
    [
      [1, 1, 1, 16],
      [3, 50, 30, 16],
    ], // broadcast operand first
    [
      [3, 50, 30, 16],
      [3, 1, 1, 16],
    ], // SE channel weights: per sample
    [
      [4, 1, 64, 64],
      [4, 4, 64, 64],
    ], // a middle axis
    [
      [3, 50, 30, 16],
      [50, 1, 1],
    ], // lower rank, not the last axis
    [
      [2, 64, 64, 1],
      [1, 1, 1, 7],
    ], // both sides broadcast: stock kernel
    [[2, 64, 64, 8], []], // scalar: stock kernel
    [[2, 8, 8, 8], [8]], // under 64 Ki elements: stock kernel
  ] as const)(
    'Multiply, Add, Sub and RealDiv of %j and %j equal the float32 results of a broadcasting loop',
    (aShape, bShape) => {
      // Reference: each output element from its broadcast operands, rounded to float32 as IEEE float32 arithmetic is
      // (the cpu backend does the same, but its broadcasting loop takes seconds at these sizes).
      const outShape = tf.broadcast_util.assertAndGetBroadcastShape([...aShape], [...bShape]);
      const av = values(
        (aShape as readonly number[]).reduce((p, q) => p * q, 1),
        91,
      );
      const bv = values(
        (bShape as readonly number[]).reduce((p, q) => p * q, 1),
        92,
      ).map((v) => Math.fround(v + 1.5));
      const index = (shape: readonly number[]): Int32Array => {
        const strides = shape.map((_, i) => shape.slice(i + 1).reduce((p, q) => p * q, 1));
        const offset = outShape.length - shape.length;
        const out = new Int32Array(outShape.reduce((p, q) => p * q, 1));
        const at = new Array<number>(outShape.length).fill(0);
        for (let n = 0; n < out.length; n++) {
          let k = 0;
          for (let i = 0; i < shape.length; i++) if (shape[i] !== 1) k += at[offset + i]! * strides[i]!;
          out[n] = k;
          for (let i = outShape.length - 1; i >= 0 && ++at[i]! === outShape[i]; i--) at[i] = 0;
        }
        return out;
      };
      const ia = index(aShape);
      const ib = index(bShape);
      const ops: [string, (x: number, y: number) => number][] = [
        ['mul', (x, y) => x * y],
        ['add', (x, y) => x + y],
        ['sub', (x, y) => x - y],
        ['div', (x, y) => x / y],
        ['divBA', (x, y) => y / x],
      ];
      const expected = ops.map(([, f]) => Float32Array.from(ia, (k, n) => Math.fround(f(av[k]!, bv[ib[n]!]!))));
      const before = [tf.memory().numTensors, tf.backend().numDataIds()];
      const got = tf.tidy(() => {
        const a = tf.tensor(av, [...aShape]);
        const b = tf.tensor(bv, [...bShape]);
        return [tf.mul(a, b), tf.add(a, b), tf.sub(a, b), tf.div(a, b), tf.div(b, a)].map((r) => ({
          shape: r.shape,
          data: r.dataSync() as Float32Array,
        }));
      });
      expect([tf.memory().numTensors, tf.backend().numDataIds()]).toEqual(before);
      got.forEach((g, i) => {
        expect(g.shape).toEqual(outShape);
        expect(relativeError(expected[i]!, g.data)).toBeLessThan(1e-6);
      });
    },
  );
});
