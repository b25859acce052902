import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { useTestBackend } from '../test/backend.js';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConvLstm2dLayer, LastStepLayer, ResizeLayer, SequenceBatchNormLayer } from './layers.js';
import { buildConvLstm } from './conv-lstm.js';

beforeAll(async () => {
  await useTestBackend();
});

describe('ConvLstm2dLayer', () => {
  it('matches tfjs-layers convLstm2d (kernel split into input and recurrent parts) to 1e-5', () => {
    const [cin, F, k] = [2, 3, 3];
    const x = tf.randomNormal([2, 4, 6, 6, cin], 0, 1, 'float32', 11);
    const ours = new ConvLstm2dLayer({
      filters: F,
      kernelSize: k,
      returnSequences: true,
      kernelInitializer: tfl.initializers.glorotUniform({ seed: 5 }),
    });
    const ySeq = ours.apply(x) as tf.Tensor;
    expect(ours.countParams()).toBe(4 * F * (k * k * (cin + F) + 1));
    const [kernel, bias] = ours.getWeights();
    // Forget-gate bias starts at 1 (unit_forget_bias), the others at 0.
    expect(Array.from(bias!.dataSync())).toEqual([0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    const stock = tfl.layers.convLstm2d({
      filters: F,
      kernelSize: k,
      padding: 'same',
      returnSequences: true,
      recurrentActivation: 'hardSigmoid',
      recurrentInitializer: 'zeros',
    });
    stock.apply(x);
    const wx = tf.slice(kernel!, [0, 0, 0, 0], [k, k, cin, 4 * F]);
    const wh = tf.slice(kernel!, [0, 0, cin, 0], [k, k, F, 4 * F]);
    stock.setWeights([wx, wh, bias!]);
    const ref = stock.apply(x) as tf.Tensor;
    expect(ySeq.shape).toEqual([2, 4, 6, 6, F]);
    const diff = tf.max(tf.abs(tf.sub(ySeq, ref))).dataSync()[0]!;
    expect(diff).toBeLessThan(1e-5);
    tf.dispose([x, ySeq, ref, wx, wh]);
    ours.dispose();
    stock.dispose();
  });

  it('takes initial states as extra inputs and returns final states', () => {
    const layer = new ConvLstm2dLayer({
      filters: 2,
      kernelSize: 3,
      returnSequences: false,
      returnState: true,
      kernelInitializer: 'glorotUniform',
    });
    const x = tf.ones([1, 3, 4, 4, 1]);
    const h0 = tf.fill([1, 4, 4, 2], 0.5);
    const c0 = tf.fill([1, 4, 4, 2], -0.5);
    const [out, h, c] = layer.apply([x, h0, c0]) as tf.Tensor[];
    const [out0] = layer.apply(x) as tf.Tensor[];
    expect(out!.shape).toEqual([1, 4, 4, 2]);
    expect(Array.from(out!.dataSync())).toEqual(Array.from(h!.dataSync()));
    expect(c!.shape).toEqual([1, 4, 4, 2]);
    // Different initial states give a different output.
    expect(tf.max(tf.abs(tf.sub(out!, out0!))).dataSync()[0]).toBeGreaterThan(1e-4);
    // Symbolic initial states work (tfjs' convLstm2d cannot shape-infer them).
    const sx = tfl.input({ shape: [3, 4, 4, 1] });
    const sh = tfl.input({ shape: [4, 4, 2] });
    const sc = tfl.input({ shape: [4, 4, 2] });
    const so = new ConvLstm2dLayer({ filters: 2, kernelSize: 3, returnSequences: false }).apply([
      sx,
      sh,
      sc,
    ]) as tfl.SymbolicTensor;
    expect(so.shape).toEqual([null, 4, 4, 2]);
    tf.dispose([x, h0, c0, out!, h!, c!, out0!]);
  });
});

describe('ConvLstm2dLayer repeated calls', () => {
  it('runs each encoder layer once per training forward (tfjs-layers applies a layer once per used output)', async () => {
    const model = buildConvLstm({ filters: [3, 2], kernelSize: 3, inputShape: [6, 6], timeSteps: 4, seed: 1 });
    const x = tf.ones([1, 4, 6, 6, 1]);
    const info = await tf.profile(() => {
      tf.dispose(model.apply(x, { training: true }) as tf.Tensor);
    });
    // 2 encoder layers × 4 steps + 2 one-step forecaster layers + the 1×1 prediction conv.
    expect(info.kernels.filter((k) => k.name === 'FusedConv2D')).toHaveLength(2 * 4 + 2 + 1);
    model.dispose();
    x.dispose();
  });

  it('returns independent tensors for a repeated call and recomputes under a new gradient tape', () => {
    const layer = new ConvLstm2dLayer({
      filters: 2,
      kernelSize: 3,
      returnSequences: false,
      kernelInitializer: 'glorotUniform',
    });
    const x = tf.randomNormal([1, 3, 4, 4, 1], 0, 1, 'float32', 4);
    const first = layer.apply(x) as tf.Tensor;
    const second = layer.apply(x) as tf.Tensor;
    first.dispose();
    const kernel = layer.trainableWeights[0]!.read() as tf.Variable;
    // `second` is alive and came from the same inputs, but not from this tape: the gradient must still reach the kernel.
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.square(layer.apply(x) as tf.Tensor)) as tf.Scalar,
      [kernel],
    );
    expect(tf.max(tf.abs(grads[kernel.name]!)).dataSync()[0]).toBeGreaterThan(1e-4);
    expect(value.dataSync()[0]).toBeCloseTo(tf.sum(tf.square(second)).dataSync()[0]!, 5);
    tf.dispose([x, second, value, ...Object.values(grads)]);
    layer.dispose();
  });
});

describe('ResizeLayer and LastStepLayer', () => {
  it('resize keeps the batch axis and is differentiable', () => {
    const layer = new ResizeLayer({ height: 8, width: 8 });
    const s = layer.apply(tfl.input({ shape: [4, 4, 1] })) as tfl.SymbolicTensor;
    expect(s.shape).toEqual([null, 8, 8, 1]);
    const x = tf.ones([2, 4, 4, 1]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(layer.apply(v) as tf.Tensor))(x);
    expect(g.shape).toEqual([2, 4, 4, 1]);
    expect(tf.sum(g).dataSync()[0]).toBeCloseTo(2 * 64, 3);
    tf.dispose([x, g]);
  });
  it('last step keeps a time axis of 1', () => {
    const x = tf.tensor5d(
      Float32Array.from({ length: 2 * 3 * 1 * 1 * 1 }, (_, i) => i),
      [2, 3, 1, 1, 1],
    );
    const y = new LastStepLayer({}).apply(x) as tf.Tensor;
    expect(y.shape).toEqual([2, 1, 1, 1, 1]);
    expect(Array.from(y.dataSync())).toEqual([2, 5]);
    tf.dispose([x, y]);
  });
});

describe('SequenceBatchNormLayer', () => {
  it('normalises rank-5 inputs over every axis but the last and updates moving stats in training', () => {
    const layer = new SequenceBatchNormLayer({});
    const x = tf.add(tf.mul(tf.randomNormal([2, 3, 4, 4, 2], 0, 1, 'float32', 3), 3), 5);
    const y = layer.apply(x, { training: true }) as tf.Tensor;
    const { mean, variance } = tf.moments(y, [0, 1, 2, 3]);
    for (const v of mean.dataSync()) expect(Math.abs(v)).toBeLessThan(1e-4);
    for (const v of variance.dataSync()) expect(v).toBeCloseTo(1, 2);
    expect(layer.countParams()).toBe(8);
    expect(layer.nonTrainableWeights).toHaveLength(2);
    const movingMean = layer.getWeights()[2]!.dataSync();
    for (const v of movingMean) expect(v).toBeGreaterThan(0.03); // 0.01 · ≈5
    const inference = layer.apply(x, { training: false }) as tf.Tensor;
    expect(tf.mean(inference).dataSync()[0]).toBeGreaterThan(1); // moving stats are still near their init
    tf.dispose([x, y, mean, variance, inference]);
  });
});
