import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { isBackendModuleError } from './errors.js';
import { hasWasmTrainingKernels, registerWasmTrainingKernels, unregisterWasmTrainingKernels } from './wasm-kernels.js';
import { relativeError } from '../../test/helpers.js';

/** Deterministic values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

async function onBackend<T>(name: 'cpu' | 'wasm', f: () => T): Promise<T> {
  await tf.setBackend(name);
  return f();
}

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

describe('WASM training kernels', () => {
  beforeAll(async () => {
    registerWasmTrainingKernels();
    await tf.setBackend('wasm');
    await tf.ready();
  });
  afterAll(() => {
    unregisterWasmTrainingKernels();
  });

  it('are registered once and report it', () => {
    expect(hasWasmTrainingKernels()).toBe(true);
    expect(registerWasmTrainingKernels().registered).toEqual([]);
  });

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

  const withKernels = async <T>(options: Parameters<typeof registerWasmTrainingKernels>[0], f: () => T): Promise<T> => {
    await tf.setBackend('wasm');
    unregisterWasmTrainingKernels();
    try {
      registerWasmTrainingKernels(options);
      return f();
    } finally {
      unregisterWasmTrainingKernels();
      registerWasmTrainingKernels();
    }
  };

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
    expect(isBackendModuleError(caught, 'WasmKernelError')).toBe(true);
    expect((caught as Error).message).toMatch(/filterGradient/);
  });

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

  it('train the layers the paper models use: gradients of every weight match cpu', async () => {
    // A block with each op kind of SEUNet, Pix2Pix, DCAE and the ConvLSTM cell: conv (stride 1/2), conv2dTranspose
    // (stride 2 and 4), BatchNorm, MaxPool, UpSampling2D, LeakyReLU, SE (GAP + Dense + sigmoid + multiply), concat,
    // Flatten + Dense, tanh, hard-sigmoid gates.
    const build = () => {
      const input = tfl.input({ shape: [8, 8, 2] });
      const init = { kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }), biasInitializer: 'ones' as const };
      let x = tfl.layers
        .conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', ...init })
        .apply(input) as tfl.SymbolicTensor;
      const gap = tfl.layers.globalAveragePooling2d({}).apply(x) as tfl.SymbolicTensor;
      let se = tfl.layers.dense({ units: 2, activation: 'relu', ...init }).apply(gap) as tfl.SymbolicTensor;
      se = tfl.layers.dense({ units: 4, activation: 'sigmoid', ...init }).apply(se) as tfl.SymbolicTensor;
      se = tfl.layers.reshape({ targetShape: [1, 1, 4] }).apply(se) as tfl.SymbolicTensor;
      x = tfl.layers.multiply().apply([x, se]) as tfl.SymbolicTensor;
      // BN after the SE multiply: at batch 1 a training-mode BN output has zero spatial mean per channel, so an SE
      // after it would see GAP ≈ 0 and its first Dense kernel gradient would be rounding noise.
      x = tfl.layers.batchNormalization().apply(x) as tfl.SymbolicTensor;
      const pooled = tfl.layers.maxPooling2d({ poolSize: 2 }).apply(x) as tfl.SymbolicTensor;
      let down = tfl.layers
        .conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', ...init })
        .apply(x) as tfl.SymbolicTensor;
      down = tfl.layers.leakyReLU({ alpha: 0.2 }).apply(down) as tfl.SymbolicTensor;
      let merged = tfl.layers.concatenate().apply([pooled, down]) as tfl.SymbolicTensor;
      merged = tfl.layers.activation({ activation: 'hardSigmoid' }).apply(merged) as tfl.SymbolicTensor;
      const up = tfl.layers.upSampling2d({ size: [2, 2] }).apply(merged) as tfl.SymbolicTensor;
      let up2 = tfl.layers
        .conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'tanh', ...init })
        .apply(merged) as tfl.SymbolicTensor;
      up2 = tfl.layers.concatenate().apply([up, up2]) as tfl.SymbolicTensor;
      const flat = tfl.layers.flatten().apply(down) as tfl.SymbolicTensor;
      let fc = tfl.layers.dense({ units: 16, activation: 'relu', ...init }).apply(flat) as tfl.SymbolicTensor;
      fc = tfl.layers.reshape({ targetShape: [2, 2, 4] }).apply(fc) as tfl.SymbolicTensor;
      fc = tfl.layers
        .conv2dTranspose({ filters: 2, kernelSize: 3, strides: 4, padding: 'same', activation: 'tanh', ...init })
        .apply(fc) as tfl.SymbolicTensor;
      const out = tfl.layers.concatenate().apply([up2, fc]) as tfl.SymbolicTensor;
      const head = tfl.layers
        .conv2d({ filters: 1, kernelSize: 1, activation: 'tanh', ...init })
        .apply(out) as tfl.SymbolicTensor;
      return tfl.model({ inputs: input, outputs: head });
    };
    const run = () => {
      const model = build();
      const result = tf.tidy(() => {
        // Batch 1: tfjs-backend-cpu 4.22's ResizeNearestNeighborGrad indexes dy with the image's batch stride, so
        // its UpSampling2D gradient is wrong for batch > 1 (see the resize test below); wasm's is right.
        const x = tf.tensor4d(values(8 * 8 * 2, 11), [1, 8, 8, 2]);
        const y = tf.tensor4d(values(8 * 8, 12), [1, 8, 8, 1]);
        const vars = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
        const { grads } = tf.variableGrads(
          () => tf.mean(tf.square(tf.sub(model.apply(x, { training: true }) as tf.Tensor, y))) as tf.Scalar,
          vars,
        );
        return vars.map((v) => grads[v.name]!.dataSync() as Float32Array);
      });
      model.dispose();
      return result;
    };
    const ref = await onBackend('cpu', run);
    const got = await onBackend('wasm', run);
    expect(got.length).toBe(ref.length);
    ref.forEach((r, i) => expect(relativeError(r, got[i]!)).toBeLessThan(1e-4));
  });

  it('UpSampling2D gradient (stock wasm ResizeNearestNeighborGrad) equals the 2×2 block sum of dy at batch 2', () => {
    const [grad, blockSum] = tf.tidy(() => {
      const a = tf.tensor4d(values(2 * 4 * 4 * 3, 21), [2, 4, 4, 3]);
      const r = tf.tensor4d(values(2 * 8 * 8 * 3, 22), [2, 8, 8, 3]);
      const g = tf.grad((p: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(p as tf.Tensor4D, [8, 8]), r)))(
        a,
      );
      return [g.dataSync() as Float32Array, tf.mul(tf.avgPool(r, 2, 2, 'valid'), 4).dataSync() as Float32Array];
    });
    expect(relativeError(blockSum, grad)).toBeLessThan(1e-5);
  });

  it('MaxPool gradient equals the hand-computed one (stock wasm MaxPoolGrad is wrong) at batch 2, valid and same', () => {
    for (const [size, pad] of [
      [8, 'valid'],
      [7, 'same'],
    ] as const) {
      const B = 2;
      const C = 3;
      const x = values(B * size * size * C, 31);
      const outSize = pad === 'valid' ? Math.floor(size / 2) : Math.ceil(size / 2);
      const r = values(B * outSize * outSize * C, 32);
      const expected = new Float32Array(x.length);
      for (let b = 0; b < B; b++)
        for (let i = 0; i < outSize; i++)
          for (let j = 0; j < outSize; j++)
            for (let c = 0; c < C; c++) {
              let best = -Infinity;
              let at = -1;
              for (let di = 0; di < 2; di++)
                for (let dj = 0; dj < 2; dj++) {
                  const row = 2 * i + di;
                  const col = 2 * j + dj;
                  if (row >= size || col >= size) continue;
                  const k = ((b * size + row) * size + col) * C + c;
                  if (x[k]! > best) {
                    best = x[k]!;
                    at = k;
                  }
                }
              expected[at] += r[((b * outSize + i) * outSize + j) * C + c]!;
            }
      const got = tf.tidy(
        () =>
          tf
            .grad((p: tf.Tensor) =>
              tf.sum(tf.mul(tf.maxPool(p as tf.Tensor4D, 2, 2, pad), tf.tensor4d(r, [B, outSize, outSize, C]))),
            )(tf.tensor4d(x, [B, size, size, C]))
            .dataSync() as Float32Array,
      );
      expect(relativeError(expected, got)).toBeLessThan(1e-6);
    }
  });

  it('ResizeBilinear gradient (Pix2Pix 48 ↔ 256 resizing) matches cpu', async () => {
    const run = () =>
      tf.tidy(() => {
        const up = tf.tensor4d(values(6 * 6 * 2, 41), [1, 6, 6, 2]);
        const down = tf.tensor4d(values(16 * 16 * 2, 42), [1, 16, 16, 2]);
        const g1 = tf.grad((p: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeBilinear(p as tf.Tensor4D, [16, 16]), down)))(
          up,
        );
        const g2 = tf.grad((p: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeBilinear(p as tf.Tensor4D, [6, 6]), up)))(
          down,
        );
        return [g1.dataSync() as Float32Array, g2.dataSync() as Float32Array];
      });
    const ref = await onBackend('cpu', run);
    const got = await onBackend('wasm', run);
    expect(relativeError(ref[0]!, got[0]!)).toBeLessThan(1e-4);
    expect(relativeError(ref[1]!, got[1]!)).toBeLessThan(1e-4);
  });

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

  it('reject a bad scratch size with a typed error', () => {
    let caught: unknown;
    try {
      unregisterWasmTrainingKernels();
      registerWasmTrainingKernels({ scratchElements: 0 });
    } catch (error) {
      caught = error;
    } finally {
      registerWasmTrainingKernels();
    }
    expect(isBackendModuleError(caught, 'WasmKernelError')).toBe(true);
    expect((caught as Error).message).toMatch(/scratchElements/);
  });
});
