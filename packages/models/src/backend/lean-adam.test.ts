import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { useTestBackend } from '../../test/backend.js';
import '@tensorflow/tfjs-layers'; // registers the gradients
import { isBackendModuleError } from './errors.js';
import { createAdam, LeanAdamOptimizer } from './lean-adam.js';
import { nativeFusedActive } from './native-fused.js';

function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Trains a tiny regression with `optimizer` for `steps`; returns the final weights and losses. */
function train(optimizer: tf.Optimizer, steps: number, prefix: string): { weights: Float32Array[]; losses: number[] } {
  const w = tf.variable(tf.tensor2d(values(12, 1), [4, 3]), true, `${prefix}/w`);
  const b = tf.variable(tf.tensor1d(values(3, 2)), true, `${prefix}/b`);
  const frozen = tf.variable(tf.tensor1d(values(3, 3)), false, `${prefix}/frozen`);
  const x = tf.tensor2d(values(20, 4), [5, 4]);
  const y = tf.tensor2d(values(15, 5), [5, 3]);
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const cost = optimizer.minimize(
      () => tf.mean(tf.square(tf.sub(tf.add(tf.add(tf.matMul(x, w), b), frozen), y))) as tf.Scalar,
      true,
      [w, b],
    );
    losses.push(cost!.dataSync()[0]!);
    cost!.dispose();
  }
  const weights = [w.dataSync().slice() as Float32Array, b.dataSync().slice() as Float32Array];
  tf.dispose([w, b, frozen, x, y]);
  return { weights, losses };
}

describe('createAdam (memory-lean Adam)', () => {
  beforeAll(async () => {
    await useTestBackend();
  });

  it('gives bit-identical weights and losses to tf.train.adam (native engine: ResourceApplyAdam, to 1e-5)', () => {
    const stock = tf.train.adam(0.01, 0.8, 0.99, 1e-6);
    const lean = createAdam({ learningRate: 0.01, beta1: 0.8, beta2: 0.99, epsilon: 1e-6 });
    const a = train(stock, 7, 'stock');
    const b = train(lean, 7, 'lean');
    if (nativeFusedActive()) {
      // The native engine's update is TensorFlow's fused op (backend/native-fused.ts): equal up to rounding.
      b.losses.forEach((l, i) => expect(Math.abs(l - a.losses[i]!)).toBeLessThanOrEqual(1e-5 * Math.abs(a.losses[i]!)));
      b.weights.forEach((w, i) =>
        w.forEach((v, j) => expect(Math.abs(v - a.weights[i]![j]!)).toBeLessThanOrEqual(1e-5)),
      );
    } else {
      expect(b.losses).toEqual(a.losses);
      expect(b.weights).toEqual(a.weights);
    }
    expect(b.losses[6]!).toBeLessThan(b.losses[0]!);
    stock.dispose();
    lean.dispose();
  });

  it('does not leak tensors across steps and disposes its state', () => {
    const optimizer = createAdam({ learningRate: 0.05 });
    const w = tf.variable(tf.tensor1d([1, 2, 3]), true, 'leak/w');
    const step = () => {
      optimizer.minimize(() => tf.sum(tf.square(w)) as tf.Scalar, false, [w]);
    };
    step(); // creates m and v
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    const grads = tf.variableGrads(() => tf.sum(tf.square(w)) as tf.Scalar, [w]);
    optimizer.applyGradients(grads.grads);
    expect(grads.grads['leak/w']!.isDisposed).toBe(false); // applyGradients leaves the caller's tensors alone
    tf.dispose([grads.value, ...Object.values(grads.grads)]);
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
    w.dispose();
    expect(tf.memory().numTensors).toBe(before - 5); // w, m, v, accBeta1, accBeta2
  });

  it('round-trips its state through getWeights/setWeights like tf.train.adam (checkpoint resume)', async () => {
    const first = createAdam({ learningRate: 0.02 });
    const w = tf.variable(tf.tensor1d([0.5, -1, 2]), true, 'resume/w');
    const loss = () => tf.sum(tf.square(tf.sub(w, tf.tensor1d([1, 1, 1])))) as tf.Scalar;
    for (let i = 0; i < 3; i++) first.minimize(loss, false, [w]);
    const saved = await first.getWeights();
    expect(saved.map((s) => s.name)).toEqual(['iter', 'resume/w/m', 'resume/w/v']);
    const snapshot = saved.map((s) => ({ name: s.name, tensor: tf.clone(s.tensor) }));
    const wAt3 = w.dataSync().slice();
    for (let i = 0; i < 2; i++) first.minimize(loss, false, [w]);
    const continued = w.dataSync().slice();

    w.assign(tf.tensor1d(wAt3));
    const resumed = createAdam({ learningRate: 0.02 });
    await resumed.setWeights(snapshot);
    // tf.AdamOptimizer.setWeights restores m, v and the iteration count; accBeta1/2 are restored from it as β^iter.
    for (let i = 0; i < 2; i++) resumed.minimize(loss, false, [w]);
    const after = w.dataSync();
    for (let i = 0; i < 3; i++) expect(after[i]).toBeCloseTo(continued[i]!, 6);
    first.dispose();
    resumed.dispose();
    w.dispose();
  });

  it('is a tf.AdamOptimizer with class name Adam', () => {
    const optimizer = createAdam();
    expect(optimizer).toBeInstanceOf(LeanAdamOptimizer);
    expect(optimizer).toBeInstanceOf(tf.AdamOptimizer);
    expect(optimizer.getClassName()).toBe('Adam');
    expect(optimizer.getConfig()).toMatchObject({ learningRate: 0.001, beta1: 0.9, beta2: 0.999 });
    optimizer.dispose();
  });

  it.each([
    [{ learningRate: 0 }, 'learningRate'],
    [{ learningRate: Number.NaN }, 'learningRate'],
    [{ beta1: 1 }, 'beta1'],
    [{ beta2: -0.1 }, 'beta2'],
    [{ epsilon: 0 }, 'epsilon'],
    [{ lr: 0.1 }, 'lr'],
  ] as const)('rejects %j with an OptimizerOptionError naming %s', (options, option) => {
    let error: unknown;
    try {
      createAdam(options as never);
    } catch (e) {
      error = e;
    }
    expect(isBackendModuleError(error, 'OptimizerOptionError')).toBe(true);
    expect((error as { option: string }).option).toBe(option);
    expect((error as Error).message).toMatch(/^createAdam: option/);
  });
});
