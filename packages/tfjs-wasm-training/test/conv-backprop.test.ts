// Conv2D (explicit same padding), Conv2DBackpropInput and Conv2DBackpropFilter (both methods) against cpu.
import * as tf from '@tensorflow/tfjs-core';
import { isWasmKernelError, registerWasmTrainingKernels, unregisterWasmTrainingKernels } from '../src/index.js';
import { onBackend, relativeError, useWasmTrainingKernels, values, withKernels } from './helpers.js';

type Case = {
  batch: number;
  size: [number, number];
  inC: number;
  outC: number;
  k: number;
  stride: number;
  pad: 'same' | 'valid';
};

function convGradients(
  c: Case,
  seed: number,
): { y: Float32Array; dx: Float32Array; dw: Float32Array; transposed: Float32Array } {
  return tf.tidy(() => {
    const xShape: [number, number, number, number] = [c.batch, c.size[0], c.size[1], c.inC];
    const wShape: [number, number, number, number] = [c.k, c.k, c.inC, c.outC];
    const x = tf.tensor4d(
      values(
        xShape.reduce((a, b) => a * b),
        seed,
      ),
      xShape,
    );
    const w = tf.tensor4d(
      values(
        wShape.reduce((a, b) => a * b),
        seed + 1,
      ),
      wShape,
    );
    const y0 = tf.conv2d(x, w, c.stride, c.pad);
    const r = tf.tensor(values(y0.size, seed + 2), y0.shape);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad), r)),
    )([x, w]);
    // conv2dTranspose's forward is the Conv2DBackpropInput kernel (Pix2Pix and DCAE decoders).
    const transposed = tf.conv2dTranspose(r as tf.Tensor4D, w, xShape, c.stride, c.pad);
    return {
      y: y0.dataSync() as Float32Array,
      dx: dx!.dataSync() as Float32Array,
      dw: dw!.dataSync() as Float32Array,
      transposed: transposed.dataSync() as Float32Array,
    };
  });
}

const CASES: Case[] = [
  { batch: 1, size: [7, 7], inC: 3, outC: 4, k: 3, stride: 1, pad: 'same' },
  { batch: 8, size: [9, 8], inC: 2, outC: 5, k: 3, stride: 2, pad: 'same' },
  { batch: 2, size: [10, 10], inC: 4, outC: 3, k: 5, stride: 1, pad: 'valid' },
  { batch: 3, size: [11, 9], inC: 3, outC: 2, k: 1, stride: 2, pad: 'valid' },
  { batch: 1, size: [8, 8], inC: 6, outC: 7, k: 5, stride: 2, pad: 'same' },
  { batch: 2, size: [6, 7], inC: 3, outC: 4, k: 3, stride: 2, pad: 'valid' },
  { batch: 8, size: [8, 8], inC: 16, outC: 8, k: 3, stride: 1, pad: 'same' },
  { batch: 1, size: [5, 5], inC: 2, outC: 3, k: 1, stride: 1, pad: 'same' },
  { batch: 8, size: [6, 6], inC: 5, outC: 4, k: 5, stride: 1, pad: 'same' },
  { batch: 1, size: [4, 4], inC: 32, outC: 16, k: 3, stride: 2, pad: 'same' },
  // stride > kernel: the DCAE decoder with decoderUpsampling 'transpose' (1 → 4 → 16 → 48 with strides 4, 4, 3); stock wasm 'same' conv is wrong here
  { batch: 2, size: [8, 8], inC: 2, outC: 4, k: 3, stride: 4, pad: 'same' },
  { batch: 1, size: [12, 12], inC: 3, outC: 2, k: 3, stride: 3, pad: 'same' },
  { batch: 1, size: [16, 16], inC: 4, outC: 3, k: 3, stride: 4, pad: 'same' },
];

describe('WASM convolution kernels', () => {
  useWasmTrainingKernels();

  it.each(
    CASES.map(
      (c, i) => [`${c.batch}×${c.size.join('×')}×${c.inC}→${c.outC} k${c.k} s${c.stride} ${c.pad}`, c, i] as const,
    ),
  )('conv2d forward, dx, dW and conv2dTranspose match the cpu backend to 1e-4 relative: %s', async (_label, c, i) => {
    const ref = await onBackend('cpu', () => convGradients(c, 100 + i));
    const before = (await onBackend('wasm', () => tf.memory().numTensors)) as number;
    const got = convGradients(c, 100 + i);
    expect(tf.memory().numTensors).toBe(before);
    expect(relativeError(ref.y, got.y)).toBeLessThan(1e-4);
    expect(relativeError(ref.dx, got.dx)).toBeLessThan(1e-4);
    expect(relativeError(ref.dw, got.dw)).toBeLessThan(1e-4);
    expect(relativeError(ref.transposed, got.transposed)).toBeLessThan(1e-4);
  });

  it('process large batches in chunks with the same result', async () => {
    const c: Case = { batch: 5, size: [6, 5], inC: 3, outC: 4, k: 3, stride: 2, pad: 'same' };
    const c1: Case = { ...c, stride: 1 };
    const ref = await onBackend('cpu', () => [convGradients(c, 7), convGradients(c1, 8)]);
    await tf.setBackend('wasm');
    unregisterWasmTrainingKernels();
    registerWasmTrainingKernels({ scratchElements: 50 }); // forces one sample per chunk
    try {
      const got = [convGradients(c, 7), convGradients(c1, 8)];
      for (let j = 0; j < 2; j++) {
        expect(relativeError(ref[j]!.dw, got[j]!.dw)).toBeLessThan(1e-4);
        expect(relativeError(ref[j]!.dx, got[j]!.dx)).toBeLessThan(1e-4);
      }
    } finally {
      unregisterWasmTrainingKernels();
      registerWasmTrainingKernels();
    }
  });

  // Conv2DBackpropFilter by shifted slices (stride 1): every stride-1 case above, the grid split into several column
  // chunks (64 Ki / outC grid points each) with boundaries inside a sample, samples chunked by the scratch bound,
  // asymmetric and explicit padding, and 'auto' on grids that pick each method.
  const SLICE_CASES: (Case & {
    explicit?: [[number, number], [number, number], [number, number], [number, number]];
  })[] = [
    ...CASES.filter((c) => c.stride === 1),
    { batch: 5, size: [13, 11], inC: 1, outC: 64, k: 2, stride: 1, pad: 'same' }, // 5·14·12 = 840 grid points, 1024 per chunk: one chunk
    { batch: 7, size: [13, 11], inC: 1, outC: 64, k: 2, stride: 1, pad: 'same' }, // 1176 grid points: 1024 + 152
    { batch: 4, size: [13, 11], inC: 1, outC: 128, k: 3, stride: 1, pad: 'valid' }, // 4·13·11 = 572 grid points: 512 + 60, boundary inside sample 4
    { batch: 2, size: [7, 10], inC: 6, outC: 5, k: 2, stride: 1, pad: 'same' }, // pad top/left 0, bottom/right 1
    { batch: 2, size: [6, 5], inC: 4, outC: 3, k: 4, stride: 1, pad: 'same' }, // even kernel: pad 1 before, 2 after
    {
      batch: 3,
      size: [7, 6],
      inC: 4,
      outC: 3,
      k: 3,
      stride: 1,
      pad: 'valid',
      explicit: [
        [0, 0],
        [2, 0],
        [0, 3],
        [0, 0],
      ],
    },
  ];

  const filterGradient = (
    c: Case & { explicit?: [[number, number], [number, number], [number, number], [number, number]] },
    seed: number,
  ): Float32Array =>
    tf.tidy(() => {
      const xShape: [number, number, number, number] = [c.batch, c.size[0], c.size[1], c.inC];
      const wShape: [number, number, number, number] = [c.k, c.k, c.inC, c.outC];
      const x = tf.tensor4d(
        values(
          xShape.reduce((a, b) => a * b),
          seed,
        ),
        xShape,
      );
      const w = tf.tensor4d(
        values(
          wShape.reduce((a, b) => a * b),
          seed + 1,
        ),
        wShape,
      );
      const pad = c.explicit ?? c.pad;
      const r = tf.tensor(values(tf.conv2d(x, w, c.stride, pad).size, seed + 2), tf.conv2d(x, w, c.stride, pad).shape);
      return tf
        .grad((b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, b as tf.Tensor4D, c.stride, pad), r)))(w)
        .dataSync() as Float32Array;
    });

  it.each(
    SLICE_CASES.map(
      (c, i) =>
        [
          `${c.batch}×${c.size.join('×')}×${c.inC}→${c.outC} k${c.k} ${c.explicit ? JSON.stringify(c.explicit) : c.pad}`,
          c,
          i,
        ] as const,
    ),
  )(
    'dW by shifted slices matches cpu to 1e-4 relative, whole batch and one sample per chunk: %s',
    async (_label, c, i) => {
      const ref = await onBackend('cpu', () => filterGradient(c, 300 + i));
      for (const scratchElements of [undefined, 1]) {
        const got = await withKernels(
          { filterGradient: 'shifted-slices', ...(scratchElements === undefined ? {} : { scratchElements }) },
          () => {
            // No engine tensor and no heap buffer of the backend (scratch, dy chunks, GEMM outputs) may outlive the call.
            const buffers = (): number => tf.backend().numDataIds();
            const before = [tf.memory().numTensors, buffers()];
            const result = filterGradient(c, 300 + i);
            expect([tf.memory().numTensors, buffers()]).toEqual(before);
            return result;
          },
        );
        expect(relativeError(ref, got)).toBeLessThan(1e-4);
      }
    },
  );

  it("'auto' and 'im2col' dW match cpu on grids that pick either method; a bad filterGradient is a typed error", async () => {
    const cases: Case[] = [
      { batch: 3, size: [16, 16], inC: 8, outC: 6, k: 3, stride: 1, pad: 'same' }, // (18·18)/(16·16) = 1.27: slices
      { batch: 3, size: [6, 6], inC: 8, outC: 6, k: 3, stride: 1, pad: 'same' }, // 1.78: im2col
      { batch: 3, size: [16, 16], inC: 2, outC: 6, k: 3, stride: 1, pad: 'same' }, // 2 input channels: im2col
      { batch: 1, size: [16, 16], inC: 8, outC: 6, k: 3, stride: 1, pad: 'same' }, // 324 grid points < 512: im2col
      { batch: 3, size: [16, 16], inC: 4, outC: 130, k: 3, stride: 1, pad: 'same' }, // 130 output channels: im2col
    ];
    for (const [j, c] of cases.entries()) {
      const ref = await onBackend('cpu', () => filterGradient(c, 400 + j));
      for (const method of ['auto', 'im2col'] as const) {
        const got = await withKernels({ filterGradient: method }, () => filterGradient(c, 400 + j));
        expect(relativeError(ref, got)).toBeLessThan(1e-4);
      }
    }
    let caught: unknown;
    try {
      await withKernels({ filterGradient: 'fft' as unknown as 'auto' }, () => undefined);
    } catch (error) {
      caught = error;
    }
    expect(isWasmKernelError(caught)).toBe(true);
    expect((caught as Error).message).toMatch(/filterGradient/);
  });
});
