// The native engine (@tensorflow/tfjs-node, built by `npm run setup:native`, with the fused kernels of
// native-fused.ts as initBackend registers them) against the JS backends: each builder's training-mode forward
// and the gradients of an MSE loss for every trainable weight, and the two JS-backend gradient bugs (the cpu one
// fixed by backend/cpu-kernel-fixes.ts), with native as the numerical reference. Skipped, with the reason, when
// tfjs-node cannot be loaded; under TWSA_BACKEND=tensorflow (the native lane) it must load.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import type * as tfl from '@tensorflow/tfjs-layers';
import { buildSeUnet } from '../se-unet.js';
import { buildDcae } from '../dcae.js';
import { buildPix2Pix } from '../pix2pix.js';
import { buildConvLstm } from '../conv-lstm.js';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels } from '@twsa/tfjs-wasm-training';
import { registerCpuKernelFixes, unregisterCpuKernelFixes } from './cpu-kernel-fixes.js';
import { registerNativeFusedKernels, unregisterNativeFusedKernels } from './native-fused.js';
import { loadNative } from '../../test/backend.js';
import { noise, relativeError } from '../../test/helpers.js';

const native = await loadNative();
if (!native.ok) console.warn(`skipped: native engine tests: ${native.reason}`);

/** Relative tolerances (max |Δ| / max |reference|, {@link relativeError}) against the native reference. */
const FORWARD_TOLERANCE = 1e-4;
const GRADIENT_TOLERANCE = 1e-3;

interface ForwardAndGradients {
  readonly prediction: Float32Array;
  /** Position and weight name → gradient. */
  readonly grads: Map<string, Float32Array>;
}

interface Case {
  readonly name: string;
  readonly build: () => tfl.LayersModel;
  readonly x: number[];
  readonly y: number[];
}

const CASES: readonly Case[] = [
  {
    name: 'SEUNet tiny 16×16',
    build: () => buildSeUnet({ preset: 'tiny', inputShape: [16, 16], seed: 3 }),
    x: [2, 16, 16, 1],
    y: [2, 16, 16, 1],
  },
  {
    name: 'DCAE tiny 12×12 (bilinear decoder)',
    build: () => buildDcae({ preset: 'tiny', inputShape: [12, 12], decoderStrides: [3, 2, 2], seed: 4 }),
    x: [2, 12, 12, 1],
    y: [2, 12, 12, 1],
  },
  {
    name: 'Pix2Pix tiny generator 16×16 resized to 32×32',
    build: () => {
      const gan = buildPix2Pix({ preset: 'tiny', inputShape: [16, 16], workingSize: 32, dropoutRate: 0, seed: 5 });
      gan.discriminator.dispose();
      return gan.generator;
    },
    x: [2, 16, 16, 1],
    y: [2, 16, 16, 1],
  },
  {
    name: 'ConvLSTM tiny 8×8, 4 steps',
    build: () => buildConvLstm({ preset: 'tiny', inputShape: [8, 8], timeSteps: 4, seed: 6 }),
    x: [2, 4, 8, 8, 1],
    y: [2, 8, 8, 1],
  },
];

/** Training-mode forward and MSE gradients of a freshly built (seeded, so identical) model on the current backend. */
function forwardAndGradients(c: Case): ForwardAndGradients {
  const model = c.build();
  const size = (s: number[]): number => s.reduce((a, b) => a * b, 1);
  const x = tf.tensor(noise(size(c.x), 11), c.x);
  const y = tf.tidy(() => tf.mul(tf.tensor(noise(size(c.y), 12), c.y), 0.5));
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  // Keyed by position and the weight name without the per-process layer counters (conv2d_Conv2D14/kernel).
  const names = model.trainableWeights.map((w, i) => `${i} ${w.originalName.replace(/\d+\//g, '/')}`);
  let prediction = new Float32Array();
  const { value, grads } = tf.variableGrads(() => {
    const p = model.apply(x, { training: true }) as tf.Tensor;
    prediction = Float32Array.from(p.dataSync());
    return tf.mean(tf.squaredDifference(p, y)) as tf.Scalar;
  }, vars);
  const out = {
    prediction,
    grads: new Map(vars.map((v, i) => [names[i]!, Float32Array.from(grads[v.name]!.dataSync())])),
  };
  tf.dispose([x, y, value, ...Object.values(grads)]);
  model.dispose();
  return out;
}

/**
 * The weight whose gradient differs most from the reference: max |Δ| over max |reference| of that weight, the
 * scale floored at 1e-3 of the largest gradient of the model (a conv bias followed by BatchNorm has a gradient
 * that is zero up to round-off, where a plain relative error only compares noise).
 */
function worstGradient(reference: ForwardAndGradients, actual: ForwardAndGradients): { name: string; error: number } {
  expect([...actual.grads.keys()]).toEqual([...reference.grads.keys()]);
  const maxAbs = (a: Float32Array): number => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const floor = 1e-3 * Math.max(...[...reference.grads.values()].map(maxAbs));
  let worst = { name: '', error: 0 };
  for (const [name, g] of reference.grads) {
    const other = actual.grads.get(name)!;
    let diff = 0;
    for (let i = 0; i < g.length; i++) diff = Math.max(diff, Math.abs(g[i]! - other[i]!));
    const error = diff / Math.max(maxAbs(g), floor);
    if (!(error <= worst.error)) worst = { name, error };
  }
  return worst;
}

/**
 * Runs `f` twice on backend `name` and returns the second result; the second run must leave no tensor behind (the
 * first may create the scalars tfjs-layers caches for the process).
 */
async function onBackend<T>(name: string, f: () => T): Promise<T> {
  await tf.setBackend(name);
  await tf.ready();
  expect(tf.getBackend()).toBe(name);
  f();
  const before = tf.memory().numTensors;
  const out = f();
  expect(tf.memory().numTensors).toBe(before);
  return out;
}

(native.ok ? describe : describe.skip)(
  `native TensorFlow engine (${native.ok ? native.tensorflow : 'unavailable'})`,
  () => {
    beforeAll(() => {
      registerWasmTrainingKernels();
      registerCpuKernelFixes();
      // The native reference runs the builders as initBackend sets them up: with the fused conv/BatchNorm kernels.
      registerNativeFusedKernels();
    });
    afterAll(async () => {
      unregisterWasmTrainingKernels();
      unregisterCpuKernelFixes();
      unregisterNativeFusedKernels();
      await tf.setBackend('cpu');
    });

    describe.each(CASES)('$name, batch 2: forward and every gradient', (c) => {
      let reference: ForwardAndGradients;
      beforeAll(async () => {
        reference = await onBackend('tensorflow', () => forwardAndGradients(c));
      });
      it(`wasm equals native (forward ${FORWARD_TOLERANCE}, gradients ${GRADIENT_TOLERANCE} relative)`, async () => {
        const wasm = await onBackend('wasm', () => forwardAndGradients(c));
        expect(relativeError(reference.prediction, wasm.prediction)).toBeLessThanOrEqual(FORWARD_TOLERANCE);
        const worst = worstGradient(reference, wasm);
        if (!(worst.error <= GRADIENT_TOLERANCE))
          throw new Error(`${worst.name}: relative error ${worst.error.toExponential(2)}`);
      });
      it('cpu (with registerCpuKernelFixes, as initBackend sets it up) equals native', async () => {
        const cpu = await onBackend('cpu', () => forwardAndGradients(c));
        expect(relativeError(reference.prediction, cpu.prediction)).toBeLessThanOrEqual(FORWARD_TOLERANCE);
        const worst = worstGradient(reference, cpu);
        if (!(worst.error <= GRADIENT_TOLERANCE))
          throw new Error(`${worst.name}: relative error ${worst.error.toExponential(2)}`);
        if (c.name.startsWith('SEUNet')) {
          // The stock cpu kernel gets SEUNet's gradients wrong at batch 2 (its UpSampling2D).
          unregisterCpuKernelFixes();
          try {
            const stock = await onBackend('cpu', () => forwardAndGradients(c));
            expect(worstGradient(reference, stock).error).toBeGreaterThan(0.05);
          } finally {
            registerCpuKernelFixes();
          }
        }
      });
    });

    describe('JS-backend gradient bugs, native as the reference', () => {
      /** d/dx of sum(f(x) · w) for a fixed random w, on one backend. */
      function inputGradient(
        f: (x: tf.Tensor4D) => tf.Tensor4D,
        shape: [number, number, number, number],
      ): Float32Array {
        return tf.tidy(() => {
          const x = tf.tensor4d(
            noise(
              shape.reduce((a, b) => a * b, 1),
              3,
            ),
            shape,
          );
          const fx = f(x);
          const w = tf.tensor(noise(fx.size, 4), fx.shape);
          return Float32Array.from(
            tf
              .grad((a: tf.Tensor) => tf.sum(tf.mul(f(a as tf.Tensor4D), w)))(x)
              .dataSync(),
          );
        });
      }
      async function compare(f: (x: tf.Tensor4D) => tf.Tensor4D, shape: [number, number, number, number]) {
        const ref = await onBackend('tensorflow', () => inputGradient(f, shape));
        const cpu = await onBackend('cpu', () => inputGradient(f, shape));
        const wasm = await onBackend('wasm', () => inputGradient(f, shape));
        return { cpu: relativeError(ref, cpu), wasm: relativeError(ref, wasm) };
      }
      const upsample = (x: tf.Tensor4D): tf.Tensor4D =>
        tf.image.resizeNearestNeighbor(x, [x.shape[1] * 2, x.shape[2] * 2]);

      it('resizeNearestNeighbor ×2 (UpSampling2D, used by SEUNet): stock cpu is wrong from the second batch item on; the fixed cpu kernel and wasm are right', async () => {
        unregisterCpuKernelFixes();
        try {
          const one = await compare(upsample, [1, 4, 4, 3]);
          expect(one.cpu).toBeLessThanOrEqual(1e-6);
          expect(one.wasm).toBeLessThanOrEqual(1e-6);
          const two = await compare(upsample, [2, 4, 4, 3]);
          expect(two.cpu).toBeGreaterThan(0.1);
          expect(two.wasm).toBeLessThanOrEqual(1e-6);
        } finally {
          registerCpuKernelFixes();
        }
        for (const shape of [
          [2, 4, 4, 3],
          [3, 5, 3, 2],
        ] as const) {
          expect((await compare(upsample, [...shape])).cpu).toBeLessThanOrEqual(1e-6);
          const aligned = await compare((x) => tf.image.resizeNearestNeighbor(x, [9, 7], true), [...shape]);
          expect(aligned.cpu).toBeLessThanOrEqual(1e-6);
        }
      });

      it("avgPool with 'same' padding (not used by any builder): cpu and wasm are wrong at the borders, right with 'valid'", async () => {
        const same = await compare((x) => tf.avgPool(x, 3, 1, 'same'), [2, 5, 5, 2]);
        expect(same.cpu).toBeGreaterThan(0.1);
        expect(same.wasm).toBeGreaterThan(0.1);
        const valid = await compare((x) => tf.avgPool(x, 2, 2, 'valid'), [2, 6, 6, 2]);
        expect(valid.cpu).toBeLessThanOrEqual(1e-6);
        expect(valid.wasm).toBeLessThanOrEqual(1e-6);
      });

      it('resizeBilinear (DCAE decoder, Pix2Pix resize layers) agrees on every backend', async () => {
        const r = await compare((x) => tf.image.resizeBilinear(x, [12, 12]), [2, 3, 3, 2]);
        expect(r.cpu).toBeLessThanOrEqual(1e-5);
        expect(r.wasm).toBeLessThanOrEqual(1e-5);
      });
    });
  },
);
