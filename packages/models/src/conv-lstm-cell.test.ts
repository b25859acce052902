import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { buildConvLstm } from './conv-lstm.js';
import { ConvLstm2dLayer } from './layers.js';
import { isModelsError } from './errors.js';
import { createAdam } from './backend/lean-adam.js';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels } from '@twsa/tfjs-wasm-training';
import { noise, relativeError } from '../test/helpers.js';

// The small configuration of the comparison: 2 layers (6 and 4 filters), 3×3 kernels, 8×8 frames, 5 steps, batch 2.
const CONFIG = { filters: [6, 4], kernelSize: 3, inputShape: [8, 8] as [number, number], timeSteps: 5, seed: 3 };
const X_SHAPE = [2, 5, 8, 8, 1];
const Y_SHAPE = [2, 8, 8, 1];

interface ModelGradients {
  prediction: Float32Array;
  loss: number;
  /** Variable name → gradient. */
  grads: Map<string, Float32Array>;
}

/** Forward (training mode) and the gradients of an MSE loss for every trainable variable, on the current backend. */
function modelGradients(recompute: boolean | 'full'): ModelGradients {
  const model = buildConvLstm({ ...CONFIG, recompute });
  const x = tf.tensor(noise(2 * 5 * 64, 5), X_SHAPE);
  const y = tf.mul(tf.tensor(noise(2 * 64, 6), Y_SHAPE), 0.5);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  // Variable names get a per-process suffix (kernel_3, kernel_4, …); key the gradients by the layer's own name.
  const names = model.trainableWeights.map((w) => w.originalName);
  let prediction = new Float32Array();
  const { value, grads } = tf.variableGrads(() => {
    const p = model.apply(x, { training: true }) as tf.Tensor;
    prediction = Float32Array.from(p.dataSync());
    return tf.mean(tf.squaredDifference(p, y)) as tf.Scalar;
  }, vars);
  const out: ModelGradients = {
    prediction,
    loss: value.dataSync()[0]!,
    grads: new Map(vars.map((v, i) => [names[i]!, Float32Array.from(grads[v.name]!.dataSync())])),
  };
  tf.dispose([x, y, value, ...Object.values(grads)]);
  model.dispose();
  return out;
}

function expectGradientsClose(reference: ModelGradients, actual: ModelGradients, tolerance: number): void {
  expect([...actual.grads.keys()]).toEqual([...reference.grads.keys()]);
  // Every ConvLSTM kernel and bias (encoder and forecaster), BatchNorm and the prediction conv.
  expect(reference.grads.size).toBe(16);
  for (const [name, g] of reference.grads) {
    const error = relativeError(g, actual.grads.get(name)!);
    if (!(error <= tolerance)) throw new Error(`${name}: relative error ${error.toExponential(2)} > ${tolerance}`);
  }
}

/** Gradients of a loss over all three outputs of one layer with initial states, for x, h0, c0, kernel and bias. */
function layerGradients(recompute: boolean | 'full'): Float32Array[] {
  const layer = new ConvLstm2dLayer({
    filters: 3,
    kernelSize: 3,
    returnSequences: true,
    returnState: true,
    recompute,
    kernelInitializer: tfl.initializers.glorotUniform({ seed: 9 }),
  });
  const tensors = tf.tidy(() => {
    const x = tf.tensor(noise(2 * 4 * 6 * 6 * 2, 11), [2, 4, 6, 6, 2]);
    const h0 = tf.tensor(noise(2 * 6 * 6 * 3, 12), [2, 6, 6, 3]);
    const c0 = tf.tensor(noise(2 * 6 * 6 * 3, 13), [2, 6, 6, 3]);
    const weights = tf.tensor(noise(2 * 4 * 6 * 6 * 3, 14), [2, 4, 6, 6, 3]);
    const f = (xs: tf.Tensor, h: tf.Tensor, c: tf.Tensor): tf.Scalar => {
      const [seq, hT, cT] = layer.apply([xs, h, c]) as tf.Tensor[];
      return tf.add(
        tf.sum(tf.mul(seq!, weights)),
        tf.add(tf.sum(tf.square(hT!)), tf.sum(tf.mul(cT!, 0.3))),
      ) as tf.Scalar;
    };
    const inputGrads = tf.grads(f)([x, h0, c0]); // also builds the layer
    const [kernel, bias] = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const { grads } = tf.variableGrads(() => f(x, h0, c0), [kernel!, bias!]);
    return [...inputGrads, grads[kernel!.name]!, grads[bias!.name]!];
  });
  const out = tensors.map((g) => Float32Array.from(g.dataSync()));
  tf.dispose(tensors);
  layer.dispose();
  return out;
}

describe("ConvLSTM recomputing backward (recompute: true and 'full')", () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('gives the same forward and, to 1e-4 relative, the same gradients as autodiff on cpu (2 layers, 6/4 filters, 3×3, 8×8, 5 steps)', () => {
    const unrolled = modelGradients(false);
    for (const mode of [true, 'full'] as const) {
      const recomputed = modelGradients(mode);
      expect(Array.from(recomputed.prediction)).toEqual(Array.from(unrolled.prediction));
      expect(recomputed.loss).toBe(unrolled.loss);
      expectGradientsClose(unrolled, recomputed, 1e-4);
    }
  });

  it('differentiates x, h0, c0, kernel and bias of one layer through the sequence, h and c outputs like autodiff', () => {
    const unrolled = layerGradients(false);
    for (const mode of [true, 'full'] as const) {
      const recomputed = layerGradients(mode);
      expect(recomputed.map((g) => g.length)).toEqual([2 * 4 * 36 * 2, 2 * 36 * 3, 2 * 36 * 3, 3 * 3 * 5 * 12, 12]);
      unrolled.forEach((g, i) => {
        expect(Math.max(...g.map(Math.abs))).toBeGreaterThan(1e-3);
        expect(relativeError(g, recomputed[i]!)).toBeLessThanOrEqual(1e-4);
      });
    }
  });

  it.each([[true], ['full']] as const)(
    'leaks no tensor in an optimizer step or in inference (recompute: %s)',
    (recompute) => {
      const model = buildConvLstm({
        filters: [3, 2],
        kernelSize: 3,
        inputShape: [6, 6],
        timeSteps: 3,
        seed: 2,
        recompute,
      });
      const x = tf.tensor(noise(2 * 3 * 36, 5), [2, 3, 6, 6, 1]);
      const y = tf.tensor(noise(2 * 36, 6), [2, 6, 6, 1]);
      const optimizer = createAdam({ learningRate: 1e-3 });
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const stepOnce = (): void => {
        const cost = optimizer.minimize(
          () => tf.mean(tf.squaredDifference(model.apply(x, { training: true }) as tf.Tensor, y)) as tf.Scalar,
          true,
          vars,
        );
        cost?.dispose();
      };
      stepOnce(); // creates the optimizer's moment variables
      const before = tf.memory().numTensors;
      stepOnce();
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose(model.predict(x) as tf.Tensor);
      expect(tf.memory().numTensors).toBe(before);
      optimizer.dispose();
      model.dispose();
      tf.dispose([x, y]);
    },
  );

  it('is a builder and layer option that serialises', () => {
    const layer = new ConvLstm2dLayer({ filters: 2, kernelSize: 3 });
    expect(layer.recompute).toBe(true);
    expect(layer.getConfig()['recompute']).toBe(true);
    const off = ConvLstm2dLayer.fromConfig(ConvLstm2dLayer, {
      ...new ConvLstm2dLayer({ filters: 2, kernelSize: 3, recompute: false }).getConfig(),
    }) as ConvLstm2dLayer;
    expect(off.recompute).toBe(false);
    const full = ConvLstm2dLayer.fromConfig(ConvLstm2dLayer, {
      ...new ConvLstm2dLayer({ filters: 2, kernelSize: 3, recompute: 'full' }).getConfig(),
    }) as ConvLstm2dLayer;
    expect(full.recompute).toBe('full');
    const model = buildConvLstm({ preset: 'tiny', recompute: false });
    expect((model.getLayer('encoder_convlstm1') as ConvLstm2dLayer).recompute).toBe(false);
    model.dispose();
    let error: unknown;
    try {
      buildConvLstm({ recompute: 'yes' as never });
    } catch (e) {
      error = e;
    }
    expect(isModelsError(error, 'ModelsArgumentError')).toBe(true);
    expect(String(error)).toMatch(/config\.recompute/);
  });
});

describe('ConvLSTM recomputing backward on wasm', () => {
  let cpuReference: ModelGradients;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    cpuReference = modelGradients(false);
    registerWasmTrainingKernels();
    await tf.setBackend('wasm');
    await tf.ready();
  });
  afterAll(async () => {
    unregisterWasmTrainingKernels();
    await tf.setBackend('cpu');
  });

  it('matches the cpu backend and the wasm autodiff path to 1e-4 relative', () => {
    const unrolled = modelGradients(false);
    for (const mode of [true, 'full'] as const) {
      const recomputed = modelGradients(mode);
      expect(Array.from(recomputed.prediction)).toEqual(Array.from(unrolled.prediction));
      expect(relativeError(cpuReference.prediction, recomputed.prediction)).toBeLessThanOrEqual(1e-4);
      expectGradientsClose(unrolled, recomputed, 1e-4);
      expectGradientsClose(cpuReference, recomputed, 1e-4);
    }
  });
});
