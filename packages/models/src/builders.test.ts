import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { useTestBackend } from '../test/backend.js';
import type * as tfl from '@tensorflow/tfjs-layers';
import { buildSeUnet } from './se-unet.js';
import { buildPix2Pix } from './pix2pix.js';
import { buildDcae } from './dcae.js';
import { buildConvLstm } from './conv-lstm.js';
import { describeModels, PAPER_PARAMETER_COUNTS } from './describe.js';
import { isModelsError } from './errors.js';
import { weightsOf } from '../test/helpers.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel, saveModel } from './io.js';

beforeAll(async () => {
  await useTestBackend();
});

function nonTrainable(m: tfl.LayersModel): number {
  return m.nonTrainableWeights.reduce((a, w) => a + w.shape.reduce<number>((x, y) => x * (y ?? 1), 1), 0);
}

describe('paper preset reproduces Table 1 of Yu et al. (2021) exactly', () => {
  it('SEUNet 1,964,093 (3,426 non-trainable)', () => {
    const m = buildSeUnet({ preset: 'paper', initializer: 'zeros' });
    try {
      expect(m.countParams()).toBe(1_964_093);
      expect(nonTrainable(m)).toBe(3_426);
      expect(m.outputs[0]!.shape).toEqual([null, 48, 48, 1]);
    } finally {
      m.dispose();
    }
  });
  it('Pix2Pix 34,544,514 = G 30,624,065 + D 3,920,449, at 48×48 through 256×256', () => {
    const { generator, discriminator } = buildPix2Pix({ preset: 'paper', initializer: 'zeros' });
    try {
      expect(generator.countParams()).toBe(30_624_065);
      expect(discriminator.countParams()).toBe(3_920_449);
      expect(generator.countParams() + discriminator.countParams()).toBe(PAPER_PARAMETER_COUNTS.pix2pix);
      expect(nonTrainable(generator)).toBe(9_856);
      expect(nonTrainable(discriminator)).toBe(2_816);
      expect(generator.outputs[0]!.shape).toEqual([null, 48, 48, 1]);
      expect(discriminator.outputs[0]!.shape).toEqual([null, 16, 16, 1]);
    } finally {
      generator.dispose();
      discriminator.dispose();
    }
    // The tutorial's stride-2 ConvTranspose decoder has the same count.
    const t = buildPix2Pix({ preset: 'paper', initializer: 'zeros', decoderUpsampling: 'transpose' });
    try {
      expect(t.generator.countParams()).toBe(30_624_065);
      expect(nonTrainable(t.generator)).toBe(9_856);
    } finally {
      t.generator.dispose();
      t.discriminator.dispose();
    }
  });
  it.each(['resize', 'transpose'] as const)(
    'DCAE 76,125,313 (704 non-trainable) with decoderUpsampling %s, disposed at once',
    (decoderUpsampling) => {
      const before = tf.memory().numTensors;
      const m = buildDcae({ preset: 'paper', initializer: 'zeros', decoderUpsampling });
      try {
        expect(m.countParams()).toBe(76_125_313);
        expect(nonTrainable(m)).toBe(704);
        expect(m.outputs[0]!.shape).toEqual([null, 48, 48, 1]);
      } finally {
        m.dispose();
      }
      expect(tf.memory().numTensors).toBe(before);
    },
  );
  it('ConvLSTM 1,858,049 (448 non-trainable); cell kernel count is 4F(k²(Cin+F)+1)', () => {
    const m = buildConvLstm({ preset: 'paper', initializer: 'zeros' });
    try {
      expect(m.countParams()).toBe(1_858_049);
      expect(nonTrainable(m)).toBe(448);
      expect(m.inputs[0]!.shape).toEqual([null, 19, 48, 48, 1]);
      expect(m.outputs[0]!.shape).toEqual([null, 48, 48, 1]);
      const e1 = m.getLayer('encoder_convlstm1');
      expect(e1.countParams()).toBe(4 * 64 * (25 * (1 + 64) + 1));
    } finally {
      m.dispose();
    }
    const plain = buildConvLstm({ preset: 'paper', initializer: 'zeros', residual: false });
    try {
      expect(plain.countParams()).toBe(1_858_049);
    } finally {
      plain.dispose();
    }
  });
  it('ConvLSTM residual: the prediction is the last input frame plus the tanh output (zero weights: persistence)', () => {
    const m = buildConvLstm({ preset: 'tiny', inputShape: [6, 6], timeSteps: 3, initializer: 'zeros' });
    const plain = buildConvLstm({
      preset: 'tiny',
      inputShape: [6, 6],
      timeSteps: 3,
      initializer: 'zeros',
      residual: false,
    });
    try {
      const x = tf.randomUniform([2, 3, 6, 6, 1], -1, 1, 'float32', 4);
      const last = tf.reshape(tf.slice(x, [0, 2, 0, 0, 0], [2, 1, 6, 6, 1]), [2, 6, 6, 1]);
      const y = m.predict(x) as tf.Tensor;
      const change = plain.predict(x) as tf.Tensor;
      expect(tf.max(tf.abs(tf.sub(y, tf.add(last, change)))).dataSync()[0]).toBeLessThan(1e-6);
      tf.dispose([x, last, y, change]);
      expect(() => buildConvLstm({ residual: 'yes' as never })).toThrow(/config\.residual/);
      // Seeded weights: the residual network starts as persistence (the change's 1×1 kernel is zero).
      const seeded = buildConvLstm({ preset: 'tiny', inputShape: [6, 6], timeSteps: 3, seed: 7 });
      const x2 = tf.randomUniform([1, 3, 6, 6, 1], -1, 1, 'float32', 5);
      const diff = tf.tidy(() =>
        tf.max(
          tf.abs(
            tf.sub(
              seeded.predict(x2) as tf.Tensor,
              tf.reshape(tf.slice(x2, [0, 2, 0, 0, 0], [1, 1, 6, 6, 1]), [1, 6, 6, 1]),
            ),
          ),
        ),
      );
      expect(diff.dataSync()[0]).toBeLessThan(1e-6);
      tf.dispose([x2, diff]);
      seeded.dispose();
    } finally {
      m.dispose();
      plain.dispose();
    }
  });
  it('ConvLSTM persistenceWeight: the untrained network is w × the last frame; same parameters; survives save/load', async () => {
    const damped = buildConvLstm({ preset: 'tiny', inputShape: [6, 6], timeSteps: 3, seed: 7, persistenceWeight: 0.6 });
    const plain = buildConvLstm({ preset: 'tiny', inputShape: [6, 6], timeSteps: 3, seed: 7 });
    const dir = mkdtempSync(join(tmpdir(), 'twsa-damped-'));
    try {
      expect(damped.countParams()).toBe(plain.countParams());
      const x = tf.randomUniform([2, 3, 6, 6, 1], -1, 1, 'float32', 9);
      const last = tf.reshape(tf.slice(x, [0, 2, 0, 0, 0], [2, 1, 6, 6, 1]), [2, 6, 6, 1]);
      const y = damped.predict(x) as tf.Tensor;
      const gap = tf.max(tf.abs(tf.sub(y, tf.mul(last, 0.6))));
      expect(gap.dataSync()[0]).toBeLessThan(1e-6);
      // Save/load on the JS backends only: under Jest, the native binding's typed arrays come from another realm,
      // and tfjs' weight encoder (an instanceof check) refuses them there; outside Jest the native engine saves.
      if (tf.getBackend() !== 'tensorflow') {
        await saveModel(damped, dir);
        const back = await loadModel(dir);
        const y2 = back.predict(x) as tf.Tensor;
        expect(tf.max(tf.abs(tf.sub(y2, y))).dataSync()[0]).toBeLessThan(1e-6);
        y2.dispose();
        back.dispose();
      }
      tf.dispose([x, last, y, gap]);
      expect(() => buildConvLstm({ persistenceWeight: 3 })).toThrow(/config\.persistenceWeight/);
      expect(() => buildConvLstm({ persistenceWeight: 0.5, residual: false })).toThrow(/without residual/);
    } finally {
      damped.dispose();
      plain.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('describeModels', () => {
  it('lists trainable/non-trainable/total with paperTotal on paper rows', () => {
    const rows = describeModels({ presets: ['paper', 'tiny'], models: ['seunet', 'convlstm'] });
    expect(rows).toHaveLength(4);
    const paper = rows.find((r) => r.name === 'seunet' && r.preset === 'paper')!;
    expect(paper).toEqual({
      name: 'seunet',
      preset: 'paper',
      trainable: 1_960_667,
      nonTrainable: 3_426,
      total: 1_964_093,
      paperTotal: 1_964_093,
    });
    const tiny = rows.find((r) => r.name === 'convlstm' && r.preset === 'tiny')!;
    expect(tiny.paperTotal).toBeUndefined();
    expect(tiny.total).toBe(tiny.trainable + tiny.nonTrainable);
  });
  it('rejects unknown presets and models by argument', () => {
    expect(() => describeModels({ presets: ['gpu' as never] })).toThrow(/options\.presets\[0\]/);
    expect(() => describeModels({ models: ['unet' as never] })).toThrow(/options\.models\[0\]/);
  });
});

describe('cpu and tiny presets', () => {
  it('cpu models are small and map 48×48 to 48×48', () => {
    const models = [buildSeUnet(), buildDcae(), buildConvLstm(), ...Object.values(buildPix2Pix())];
    try {
      for (const m of models) expect(m.countParams()).toBeLessThan(600_000);
      expect(models[0]!.outputs[0]!.shape).toEqual([null, 48, 48, 1]);
      expect(models[1]!.outputs[0]!.shape).toEqual([null, 48, 48, 1]);
      expect(models[2]!.outputs[0]!.shape).toEqual([null, 48, 48, 1]);
      expect(models[3]!.outputs[0]!.shape).toEqual([null, 48, 48, 1]);
    } finally {
      models.forEach((m) => m.dispose());
    }
  });
  it('a tiny SEUNet runs forward with values in (-1, 1)', () => {
    const m = buildSeUnet({ preset: 'tiny', inputShape: [16, 16], seed: 3 });
    const y = tf.tidy(() => m.predict(tf.randomNormal([2, 16, 16, 1], 0, 1, 'float32', 1)) as tf.Tensor);
    expect(y.shape).toEqual([2, 16, 16, 1]);
    const v = y.dataSync();
    expect(Math.max(...v)).toBeLessThan(1);
    expect(Math.min(...v)).toBeGreaterThan(-1);
    y.dispose();
    m.dispose();
  });
});

describe('seeded initializers', () => {
  it('same seed → same weights; different seed → different weights', () => {
    const a = buildDcae({ preset: 'tiny', seed: 7 });
    const b = buildDcae({ preset: 'tiny', seed: 7 });
    const c = buildDcae({ preset: 'tiny', seed: 8 });
    const [wa, wb, wc] = [weightsOf(a), weightsOf(b), weightsOf(c)];
    expect(wa).toEqual(wb);
    expect(wa[0]).not.toEqual(wc[0]);
    [a, b, c].forEach((m) => m.dispose());
  });
});

describe('bad configs are typed errors naming the argument', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['unknown preset', () => buildSeUnet({ preset: 'huge' as never }), /config\.preset.*buildSeUnet/],
    ['unknown option', () => buildDcae({ preset: 'tiny', latent: 3 } as never), /config\.latent/],
    [
      'indivisible grid',
      () => buildSeUnet({ preset: 'paper', inputShape: [50, 50] }),
      /config\.inputShape.*divisible by 16/,
    ],
    ['bad SE ratio', () => buildSeUnet({ preset: 'tiny', encoderSeRatios: [8, 2, 4] }), /encoderSeRatios\[0\]/],
    ['pix2pix levels vs size', () => buildPix2Pix({ preset: 'cpu', inputShape: [40, 40] }), /config\.inputShape/],
    ['dcae strides', () => buildDcae({ preset: 'tiny', inputShape: [32, 32] }), /config\.decoderStrides/],
    ['even ConvLSTM kernel', () => buildConvLstm({ preset: 'tiny', kernelSize: 4 }), /config\.kernelSize.*odd/],
    ['bad initializer', () => buildConvLstm({ initializer: 'ones' as never }), /config\.initializer/],
    ['bad seed', () => buildConvLstm({ seed: -1 }), /config\.seed/],
  ];
  it.each(cases)('%s', (_name, build, message) => {
    let error: unknown;
    try {
      build();
    } catch (e) {
      error = e;
    }
    expect(isModelsError(error, 'ModelsArgumentError')).toBe(true);
    expect((error as Error).message).toMatch(message);
  });
});

describe('DCAE decoder', () => {
  /** Per-row and per-column mean (over the other axis) of each output cell's variance across 8 random inputs, min / median. */
  function weakestLine(decoderUpsampling: 'resize' | 'transpose'): number {
    const m = buildDcae({ preset: 'cpu', seed: 3, decoderUpsampling, residual: false });
    try {
      return tf.tidy(() => {
        const y = m.predict(tf.randomUniform([8, 48, 48, 1], -1, 1, 'float32', 9)) as tf.Tensor;
        const v = tf.reshape(tf.moments(y, 0).variance, [48, 48]);
        const lines = [
          ...(tf.mean(v, 1).dataSync() as Float32Array),
          ...(tf.mean(v, 0).dataSync() as Float32Array),
        ].sort((a, b) => a - b);
        return lines[0]! / lines[lines.length >> 1]!;
      });
    } finally {
      m.dispose();
    }
  }
  it('residual (cpu preset) adds the input map to the decoder output; paper and tiny do not', () => {
    const m = buildDcae({ preset: 'cpu', seed: 2 });
    const plain = buildDcae({ preset: 'cpu', seed: 2, residual: false });
    try {
      expect(m.countParams()).toBe(plain.countParams());
      const x = tf.randomUniform([2, 48, 48, 1], -1, 1, 'float32', 3);
      const [y, z] = [m.predict(x) as tf.Tensor, plain.predict(x) as tf.Tensor];
      expect(tf.max(tf.abs(tf.sub(y, tf.add(x, z)))).dataSync()[0]).toBeLessThan(1e-6);
      tf.dispose([x, y, z]);
    } finally {
      m.dispose();
      plain.dispose();
    }
    const tiny = buildDcae({ preset: 'tiny' });
    expect(tiny.layers.some((l) => l.name === 'lsm_plus_correction')).toBe(false);
    tiny.dispose();
    expect(() => buildDcae({ residual: 1 as never })).toThrow(/config\.residual/);
  });
  it('drives every output row and column from the input by default (no stride-4 ConvTranspose seams)', () => {
    expect(weakestLine('resize')).toBeGreaterThan(0.05);
    // The seams that decoderUpsampling "transpose" leaves: rows/columns whose value does not depend on the input.
    expect(weakestLine('transpose')).toBeLessThan(1e-6);
  });
  it.each([[[4, 4, 3]], [[2, 2, 12]], [[1, 6, 8]]])(
    'reaches 48×48 with resize factors %j; refuses an unknown decoderUpsampling',
    (decoderStrides) => {
      const m = buildDcae({ preset: 'tiny', decoderStrides });
      expect(m.outputs[0]!.shape).toEqual([null, 48, 48, 1]);
      m.dispose();
      expect(() => buildDcae({ preset: 'tiny', decoderUpsampling: 'bicubic' as never })).toThrow(
        /config\.decoderUpsampling/,
      );
    },
  );
});

describe('Pix2Pix decoder', () => {
  /** Largest difference between the means of the four 2×2 phase classes of the output's interior, for a constant input. */
  function checkerboard(decoderUpsampling: 'resize' | 'transpose'): number {
    const { generator, discriminator } = buildPix2Pix({ preset: 'cpu', seed: 5, decoderUpsampling });
    try {
      const y = tf.tidy(() => generator.predict(tf.fill([1, 48, 48, 1], 0.3)) as tf.Tensor).dataSync();
      const sums = [0, 0, 0, 0];
      const counts = [0, 0, 0, 0];
      for (let r = 8; r < 40; r++)
        for (let c = 8; c < 40; c++) {
          const k = (r % 2) * 2 + (c % 2);
          sums[k] += y[r * 48 + c]!;
          counts[k]++;
        }
      const means = sums.map((v, k) => v / counts[k]!);
      return Math.max(...means) - Math.min(...means);
    } finally {
      generator.dispose();
      discriminator.dispose();
    }
  }
  it('leaves no 2×2 checkerboard by default; the stride-2 3×3 ConvTranspose does', () => {
    const transpose = checkerboard('transpose');
    expect(transpose).toBeGreaterThan(1e-3);
    expect(checkerboard('resize')).toBeLessThan(transpose / 100);
    expect(() => buildPix2Pix({ preset: 'tiny', decoderUpsampling: 'nearest' as never })).toThrow(
      /config\.decoderUpsampling/,
    );
  });
});
