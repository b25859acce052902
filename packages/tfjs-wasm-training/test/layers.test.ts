// The layers of conv nets (SEUNet, Pix2Pix, DCAE, ConvLSTM) train on wasm: gradients against cpu; MaxPoolGrad fix.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { onBackend, relativeError, useWasmTrainingKernels, values } from './helpers.js';

describe('WASM training of tfjs-layers models', () => {
  useWasmTrainingKernels();

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
});
