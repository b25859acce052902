// native lane: yes
// The fused native kernels (native-fused.ts) against tfjs' own ops: the package's Conv2D and BatchNormalization
// layers and createAdam on the native engine, with and without the fused kernels, and against the cpu backend;
// forward, gradients, moving statistics, Adam state and checkpoint resume, no leaked tensors, fewer ops per step. Skipped, with the
// reason, when tfjs-node cannot be loaded; under TWSA_BACKEND=tensorflow (the native lane) it must load. The
// serialization checks need no native engine and always run.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { BatchNormLayer, Conv2dLayer, DenseLayer, batchNormalization, conv2d, dense } from '../layers.js';
import { buildSeUnet } from '../se-unet.js';
import { createAdam } from './lean-adam.js';
import { loadCheckpoint, saveCheckpoint } from '../checkpoint.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  NATIVE_FUSED_KERNELS,
  nativeFusedActive,
  registerNativeFusedKernels,
  unregisterNativeFusedKernels,
} from './native-fused.js';
import { loadNative } from '../../test/backend.js';
import { noise, relativeError } from '../../test/helpers.js';

const native = await loadNative();
if (!native.ok) console.warn(`skipped: fused native kernel tests: ${native.reason}`);

/** Relative tolerance (max |Δ| / max |reference|) of the fused path against tfjs' ops on the same engine. */
const SAME_ENGINE = 1e-5;
/** ... and against the cpu backend (different kernels, float32 summation order). */
const CPU = 1e-4;

const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
const tensor = (shape: number[], seed: number, scale = 1): tf.Tensor =>
  tf.tidy(() => tf.mul(tf.tensor(noise(size(shape), seed), shape), scale));

interface Run {
  /** Training-mode output, then the gradients of Σ(y² · r) w.r.t. the input and every trainable weight. */
  readonly values: Float32Array[];
  /** Every weight after the run (non-trainable ones too: BatchNorm's moving statistics). */
  readonly weights: Float32Array[];
}

/** Builds a layer, sets `weights` (when given), runs one training-mode forward + backward, reads everything. */
function runLayer(
  make: () => tfl.layers.Layer,
  xShape: number[],
  weights?: Float32Array[],
  training = true,
): Run & { initial: Float32Array[] } {
  return tf.tidy(() => {
    const layer = make();
    const x = tensor(xShape, 7, 2);
    layer.apply(x); // builds (inference: the moving statistics stay put)
    if (weights) layer.setWeights(layer.weights.map((w, i) => tf.tensor(weights[i]!, w.shape as number[])));
    const initial = layer.getWeights().map((w) => Float32Array.from(w.dataSync()));
    const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const y0 = layer.apply(x, { training }) as tf.Tensor;
    const r = tensor(y0.shape, 9);
    const loss = (input: tf.Tensor): tf.Scalar =>
      tf.sum(tf.mul(tf.square(layer.apply(input, { training }) as tf.Tensor), r)) as tf.Scalar;
    const dx = tf.grad(loss)(x);
    const { grads } = tf.variableGrads(() => loss(x), vars);
    const values = [y0, dx, ...vars.map((v) => grads[v.name]!)].map((t) => Float32Array.from(t.dataSync()));
    const after = layer.getWeights().map((w) => Float32Array.from(w.dataSync()));
    layer.dispose();
    return { values, weights: after, initial };
  });
}

function expectClose(reference: Run, actual: Run, tolerance: number): void {
  expect(actual.values.length).toBe(reference.values.length);
  reference.values.forEach((v, i) => {
    const e = relativeError(v, actual.values[i]!);
    if (!(e <= tolerance)) throw new Error(`value ${i}: relative error ${e.toExponential(2)} > ${tolerance}`);
  });
  reference.weights.forEach((w, i) => {
    const e = relativeError(w, actual.weights[i]!);
    if (!(e <= tolerance)) throw new Error(`weight ${i}: relative error ${e.toExponential(2)} > ${tolerance}`);
  });
}

/** Counts the kernels of `f` that ran under each name. */
async function kernelNames(f: () => void): Promise<Map<string, number>> {
  const info = await tf.profile(f);
  const out = new Map<string, number>();
  for (const k of info.kernels) out.set(k.name, (out.get(k.name) ?? 0) + 1);
  return out;
}

describe('serialization (any backend): the fused layers are tfjs-layers Conv2D / BatchNormalization on disk', () => {
  it('model.json names the stock classes, weights and parameter counts are unchanged, loading gives the fused layers', async () => {
    const ours = buildSeUnet({ preset: 'tiny', inputShape: [16, 16], seed: 3 });
    const json = ours.toJSON(null, false) as unknown as { config: { layers: { class_name: string }[] } };
    const classes = new Set(json.config.layers.map((l) => l.class_name));
    expect(classes.has('Conv2D')).toBe(true);
    expect(classes.has('BatchNormalization')).toBe(true);
    expect([...classes].some((c) => c.startsWith('Twsa'))).toBe(false);
    const bns = ours.layers.filter((l) => l instanceof BatchNormLayer);
    expect(bns.length).toBeGreaterThan(0);
    expect(bns[0]!.weights.map((w) => w.originalName.split('/').pop())).toEqual([
      'gamma',
      'beta',
      'moving_mean',
      'moving_variance',
    ]);
    expect(bns[0]!.trainableWeights.length).toBe(2);
    const loaded = await tfl.models.modelFromJSON(json as unknown as Parameters<typeof tfl.models.modelFromJSON>[0]);
    expect(loaded.countParams()).toBe(ours.countParams());
    expect(loaded.layers.filter((l) => l instanceof BatchNormLayer).length).toBe(bns.length);
    expect(loaded.layers.filter((l) => l instanceof Conv2dLayer).length).toBe(
      ours.layers.filter((l) => l instanceof Conv2dLayer).length,
    );
    expect(classes.has('Dense')).toBe(true);
    expect(loaded.layers.filter((l) => l instanceof DenseLayer).length).toBe(
      ours.layers.filter((l) => l instanceof DenseLayer).length,
    );
    loaded.dispose();
    ours.dispose();
  });

  it('on the cpu backend the layers are the stock ones exactly (no fused kernel involved)', async () => {
    await tf.setBackend('cpu');
    expect(nativeFusedActive()).toBe(false);
    const args = { filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', biasInitializer: 'randomNormal' };
    const a = runLayer(() => conv2d(args as Parameters<typeof conv2d>[0]), [2, 5, 5, 2]);
    const b = runLayer(() => tfl.layers.conv2d(args as Parameters<typeof conv2d>[0]), [2, 5, 5, 2], a.initial);
    expectClose(a, b, 0);
    const bnA = runLayer(() => batchNormalization({ gammaInitializer: 'randomNormal' }), [3, 4, 4, 2]);
    const bnB = runLayer(() => tfl.layers.batchNormalization({}), [3, 4, 4, 2], bnA.initial);
    expectClose(bnA, bnB, 0);
  });
});

(native.ok ? describe : describe.skip)(
  `fused native kernels (TensorFlow ${native.ok ? native.tensorflow : '—'})`,
  () => {
    beforeAll(async () => {
      registerNativeFusedKernels();
      await tf.setBackend('tensorflow');
    });
    afterAll(async () => {
      unregisterNativeFusedKernels();
      await tf.setBackend('cpu');
    });

    /** The same layer run with the fused kernels, then with tfjs' own ops on native, then on cpu. */
    async function threeWays(make: () => tfl.layers.Layer, xShape: number[], training = true) {
      await tf.setBackend('tensorflow');
      expect(nativeFusedActive()).toBe(true);
      const fused = runLayer(make, xShape, undefined, training);
      unregisterNativeFusedKernels();
      let stock: Run;
      try {
        stock = runLayer(make, xShape, fused.initial, training);
      } finally {
        registerNativeFusedKernels();
      }
      await tf.setBackend('cpu');
      const cpu = runLayer(make, xShape, fused.initial, training);
      await tf.setBackend('tensorflow');
      return { fused, stock, cpu };
    }

    const convCases = (['relu', 'linear', 'tanh', 'sigmoid', 'elu'] as const).flatMap((activation) =>
      (
        [
          [1, 'same'],
          [2, 'same'],
          [2, 'valid'],
        ] as const
      ).map(([strides, padding]) => ({ activation, strides, padding })),
    );
    it.each(convCases)(
      'Conv2D $activation, stride $strides, $padding: forward and gradients (input, kernel, bias) equal tfjs ops',
      async ({ activation, strides, padding }) => {
        const make = (): tfl.layers.Layer =>
          conv2d({ filters: 4, kernelSize: 3, strides, padding, activation, biasInitializer: 'randomNormal' });
        const { fused, stock, cpu } = await threeWays(make, [2, 7, 7, 3]);
        expectClose(stock, fused, SAME_ENGINE);
        expectClose(cpu, fused, CPU);
      },
    );

    it.each(['relu', 'sigmoid', 'linear', 'tanh'] as const)(
      'Dense %s: forward and gradients (input, kernel, bias) equal tfjs ops',
      async (activation) => {
        const make = (): tfl.layers.Layer => dense({ units: 5, activation, biasInitializer: 'randomNormal' });
        const { fused, stock, cpu } = await threeWays(make, [3, 6]);
        expectClose(stock, fused, SAME_ENGINE);
        expectClose(cpu, fused, CPU);
      },
    );

    it("tf.fused.conv2d (the FusedConv2D kernel, replaced on native) equals tfjs-node's kernel, forward and gradient", async () => {
      const x = tensor([2, 9, 9, 4], 1) as tf.Tensor4D;
      const w = tensor([3, 3, 4, 6], 2) as tf.Tensor4D;
      const b = tensor([6], 3) as tf.Tensor1D;
      const configs = [
        { activation: 'linear', bias: b, strides: 1 },
        { activation: 'relu', bias: b, strides: 2 },
        { activation: 'linear', bias: undefined, strides: 1 },
        { activation: 'sigmoid', bias: b, strides: 2 },
        { activation: 'leakyrelu', bias: b, strides: 1 }, // not taken over: tfjs-node's kernel
      ] as const;
      const outputs = (): Float32Array[] => {
        const tensors = tf.tidy(() => [
          ...configs.map((c) =>
            tf.fused.conv2d({ x, filter: w, strides: c.strides, pad: 'same', bias: c.bias, activation: c.activation }),
          ),
          tf.grad((a: tf.Tensor) =>
            tf.sum(tf.square(tf.fused.conv2d({ x: a as tf.Tensor4D, filter: w, strides: 1, pad: 'same', bias: b }))),
          )(x),
        ]);
        const out = tensors.map((t) => Float32Array.from(t.dataSync()));
        tf.dispose(tensors);
        return out;
      };
      const names = await kernelNames(() => {
        tf.tidy(() => {
          tf.fused.conv2d({ x, filter: w, strides: 1, pad: 'same', bias: b, activation: 'relu' });
        });
      });
      expect(names.has('Add')).toBe(false);
      expect(names.has('Relu')).toBe(false);
      const ours = outputs();
      unregisterNativeFusedKernels();
      let stock: Float32Array[];
      try {
        stock = outputs();
      } finally {
        registerNativeFusedKernels();
      }
      ours.forEach((o, i) => expect(relativeError(stock[i]!, o)).toBeLessThanOrEqual(SAME_ENGINE));
      tf.dispose([x, w, b]);
    });

    it('Conv2D uses one fused kernel forward and one backward; without a bias it falls back to tfjs', async () => {
      const layer = conv2d({ filters: 2, kernelSize: 3, padding: 'same', activation: 'relu' });
      const noBias = conv2d({ filters: 2, kernelSize: 3, padding: 'same', activation: 'relu', useBias: false });
      const x = tensor([1, 5, 5, 2], 3);
      layer.apply(x);
      noBias.apply(x);
      const vars = [...layer.trainableWeights, ...noBias.trainableWeights].map((w) => w.read() as tf.Variable);
      const names = await kernelNames(() => {
        const { value, grads } = tf.variableGrads(
          () =>
            tf.add(
              tf.sum(layer.apply(x, { training: true }) as tf.Tensor),
              tf.sum(noBias.apply(x, { training: true }) as tf.Tensor),
            ) as tf.Scalar,
          vars,
        );
        tf.dispose([value, ...Object.values(grads)]);
      });
      expect(names.get(NATIVE_FUSED_KERNELS.conv)).toBe(1);
      expect(names.get(NATIVE_FUSED_KERNELS.convGrad)).toBe(1);
      expect(names.get('Conv2D')).toBe(1);
      tf.dispose(x);
      layer.dispose();
      noBias.dispose();
    });

    it.each([
      { shape: [4, 6, 6, 3], what: 'rank 4' },
      { shape: [1, 5, 5, 2], what: 'batch 1' },
      { shape: [6, 5], what: 'rank 2 (Dense features)' },
      { shape: [2, 64, 64, 9], what: 'rank 4 above 2¹⁶ elements (FusedBatchNormV3 itself)' },
    ])(
      'BatchNormalization training, $what: output, gradients (x, γ, β) and moving statistics equal tfjs ops',
      async ({ shape }) => {
        const make = (): tfl.layers.Layer =>
          batchNormalization({ gammaInitializer: 'randomNormal', betaInitializer: 'randomNormal', momentum: 0.9 });
        const { fused, stock, cpu } = await threeWays(make, shape);
        expectClose(stock, fused, SAME_ENGINE);
        expectClose(cpu, fused, CPU);
        // The moving statistics moved (three training-mode calls), as with the stock layer.
        expect(relativeError(fused.initial[3]!, fused.weights[3]!)).toBeGreaterThan(0.01);
      },
    );

    it('BatchNormalization inference is the stock layer exactly', async () => {
      const make = (): tfl.layers.Layer =>
        batchNormalization({ movingMeanInitializer: 'randomNormal', movingVarianceInitializer: 'ones' });
      const { fused, stock } = await threeWays(make, [3, 4, 4, 2], false);
      expectClose(stock, fused, 0);
    });

    it('BatchNormalization training is one forward and one backward kernel and leaks no tensor', async () => {
      const layer = batchNormalization();
      const x = tensor([2, 4, 4, 3], 5);
      layer.apply(x);
      const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
      const step = (): void => {
        const { value, grads } = tf.variableGrads(
          () => tf.sum(tf.square(layer.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar,
          vars,
        );
        tf.dispose([value, ...Object.values(grads)]);
      };
      step();
      const before = tf.memory().numTensors;
      const names = await kernelNames(step);
      expect(tf.memory().numTensors).toBe(before);
      expect(names.get(NATIVE_FUSED_KERNELS.batchNorm)).toBe(1);
      expect(names.get(NATIVE_FUSED_KERNELS.batchNormGrad)).toBe(1);
      expect(names.has('FusedBatchNorm')).toBe(false);
      tf.dispose(x);
      layer.dispose();
    });

    it('createAdam on native (ResourceApplyAdam): tf.train.adam to 1e-5 over 20 steps, same state names and values', async () => {
      const make = (tag: string): tf.Variable[] => [
        tf.variable(tensor([7, 5], 1), true, `adam_${tag}_a`),
        tf.variable(tensor([3], 2), true, `adam_${tag}_b`),
      ];
      const [ours, stock] = [make('ours'), make('stock')];
      const target = tensor([7, 5], 3);
      const loss = (v: tf.Variable[]) => (): tf.Scalar =>
        tf.add(tf.sum(tf.square(tf.sub(v[0]!, target))), tf.sum(tf.square(v[1]!))) as tf.Scalar;
      const lean = createAdam({ learningRate: 0.01, beta1: 0.8 });
      const reference = tf.train.adam(0.01, 0.8);
      for (let i = 0; i < 20; i++) {
        lean.minimize(loss(ours), false, ours);
        reference.minimize(loss(stock), false, stock);
      }
      ours.forEach((v, i) =>
        expect(relativeError(stock[i]!.dataSync(), v.dataSync())).toBeLessThanOrEqual(SAME_ENGINE),
      );
      // The state getWeights gives (what checkpoints save) is the same state.
      const [a, b] = [await lean.getWeights(), await reference.getWeights()];
      expect(a.map((w) => w.name.replace('ours', 'x'))).toEqual(b.map((w) => w.name.replace('stock', 'x')));
      expect(a[0]!.tensor.dataSync()[0]).toBe(20);
      a.slice(1).forEach((w, i) =>
        expect(relativeError(b[i + 1]!.tensor.dataSync(), w.tensor.dataSync())).toBeLessThanOrEqual(1e-4),
      );
      // A variable set from outside is picked up: both continue from the same values and state.
      ours.forEach((v, i) => v.assign(stock[i]!));
      await lean.setWeights(b.map((w) => ({ name: w.name.replace('stock', 'ours'), tensor: w.tensor })));
      const resumedStock = tf.train.adam(0.01, 0.8);
      await resumedStock.setWeights(b);
      lean.minimize(loss(ours), false, ours);
      resumedStock.minimize(loss(stock), false, stock);
      ours.forEach((v, i) => expect(relativeError(stock[i]!.dataSync(), v.dataSync())).toBeLessThanOrEqual(1e-6));
      const before = tf.memory().numTensors;
      lean.minimize(loss(ours), false, ours);
      expect(tf.memory().numTensors).toBe(before);
      for (const o of [lean, reference, resumedStock]) o.dispose();
      tf.dispose([...ours, ...stock, target]);
    });

    it('createAdam on native: a checkpoint saved mid-run resumes bit-identically', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'twsa-native-adam-'));
      const build = (): tfl.LayersModel => {
        const input = tfl.input({ shape: [4] });
        const out = dense({ units: 3, activation: 'tanh', kernelInitializer: 'glorotUniform' }).apply(input);
        return tfl.model({ inputs: input, outputs: out as tfl.SymbolicTensor });
      };
      const x = tensor([5, 4], 1);
      const y = tensor([5, 3], 2, 0.5);
      const train = (model: tfl.LayersModel, optimizer: tf.Optimizer, steps: number): void => {
        const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
        for (let i = 0; i < steps; i++)
          optimizer.minimize(
            () => tf.mean(tf.squaredDifference(model.apply(x, { training: true }) as tf.Tensor, y)) as tf.Scalar,
            false,
            vars,
          );
      };
      try {
        const model = build();
        const optimizer = createAdam({ learningRate: 0.05 });
        train(model, optimizer, 3);
        const state = { epoch: 3, rngState: 1, bestLoss: Infinity, bestEpoch: 0, wait: 0, history: [] };
        await saveCheckpoint(dir, state, { models: { m: model }, optimizers: { o: optimizer } });
        const resumed = build();
        const resumedOptimizer = createAdam({ learningRate: 0.05 });
        expect(
          await loadCheckpoint(dir, { models: { m: resumed }, optimizers: { o: resumedOptimizer } }),
        ).not.toBeNull();
        train(model, optimizer, 2);
        train(resumed, resumedOptimizer, 2);
        model.weights.forEach((w, i) =>
          expect(Array.from(resumed.weights[i]!.read().dataSync())).toEqual(Array.from(w.read().dataSync())),
        );
        for (const o of [optimizer, resumedOptimizer]) o.dispose();
        model.dispose();
        resumed.dispose();
      } finally {
        tf.dispose([x, y]);
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('a SEUNet training step runs far fewer kernels with the fused kernels, and leaks nothing', async () => {
      const model = buildSeUnet({ preset: 'tiny', inputShape: [16, 16], seed: 3 });
      const x = tensor([2, 16, 16, 1], 1);
      const y = tensor([2, 16, 16, 1], 2, 0.5);
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const optimizer = createAdam();
      const step = (): void => {
        tf.tidy(() => {
          optimizer.minimize(
            () => tf.mean(tf.squaredDifference(model.apply(x, { training: true }) as tf.Tensor, y)) as tf.Scalar,
            false,
            vars,
          );
        });
      };
      step();
      const before = tf.memory().numTensors;
      const count = async (): Promise<number> => [...(await kernelNames(step)).values()].reduce((a, b) => a + b, 0);
      const fused = await count();
      expect(tf.memory().numTensors).toBe(before);
      unregisterNativeFusedKernels();
      let stock: number;
      try {
        stock = await count();
      } finally {
        registerNativeFusedKernels();
      }
      expect(fused).toBeLessThan(0.4 * stock);
      optimizer.dispose();
      model.dispose();
      tf.dispose([x, y]);
    });
  },
);
