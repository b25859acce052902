import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { useTestBackend } from '../test/backend.js';
import type * as tfl from '@tensorflow/tfjs-layers';
import { buildSeUnet } from './se-unet.js';
import { buildDcae } from './dcae.js';
import { buildPix2Pix } from './pix2pix.js';
import { buildConvLstm } from './conv-lstm.js';
import { predict } from './predict.js';
import { trainConvLstm } from './train/conv-lstm.js';
import type { EpochEvent, TrainResult } from './train/options.js';
import { trainPix2Pix } from './train/pix2pix.js';
import { trainSupervised } from './train/supervised.js';
import { isModelsError } from './errors.js';
import { toyPairs, toyWindows, weightsOf } from '../test/helpers.js';

beforeAll(async () => {
  await useTestBackend();
});

// Very small models and grids: the cpu backend's Conv2DBackpropFilter is a scalar loop, so anything bigger is slow.
const S = 8;
const tinySeUnet = (seed = 1): tfl.LayersModel =>
  buildSeUnet({ preset: 'tiny', inputShape: [S, S], filters: [2, 4, 4], seed });
const tinyDcae = (seed = 1): tfl.LayersModel =>
  buildDcae({ preset: 'tiny', inputShape: [S, S], decoderFilters: [4, 4], decoderStrides: [2, 4], seed });
const tinyPix2Pix = (seed = 1) => buildPix2Pix({ preset: 'tiny', inputShape: [S, S], seed });
const tinyConvLstm = (seed = 1): tfl.LayersModel =>
  buildConvLstm({ preset: 'tiny', inputShape: [6, 6], filters: [2, 2], timeSteps: 3, seed });

async function expectTypedError(
  run: () => Promise<unknown>,
  name: Parameters<typeof isModelsError>[1],
  message: RegExp,
): Promise<void> {
  let error: unknown;
  try {
    await run();
  } catch (e) {
    error = e;
  }
  expect(error).toBeDefined();
  expect(isModelsError(error, name)).toBe(true);
  expect((error as Error).message).toMatch(message);
}

describe('no tensor leaks: tf.memory().numTensors is constant across epochs and back to the start after training', () => {
  const cases: [
    string,
    () => { models: tfl.LayersModel[]; run: (onEpoch: (e: EpochEvent) => void) => Promise<TrainResult> },
  ][] = [
    [
      'trainSupervised (SEUNet)',
      () => {
        const m = tinySeUnet();
        const d = toyPairs(4, S, S);
        return {
          models: [m],
          run: (onEpoch) =>
            trainSupervised(m, { ...d, validation: d }, { profile: 'tiny', batchSize: 2, epochs: 3, onEpoch }),
        };
      },
    ],
    [
      'trainSupervised (DCAE)',
      () => {
        const m = tinyDcae();
        const d = toyPairs(6, S, S);
        return {
          models: [m],
          run: (onEpoch) =>
            trainSupervised(m, { ...d, validation: d }, { profile: 'tiny', batchSize: 3, epochs: 3, onEpoch }),
        };
      },
    ],
    [
      'trainPix2Pix',
      () => {
        const p = tinyPix2Pix();
        const d = toyPairs(2, S, S);
        return {
          models: [p.generator, p.discriminator],
          run: (onEpoch) =>
            trainPix2Pix(p, { ...d, validation: d }, { profile: 'tiny', batchSize: 2, epochs: 3, onEpoch }),
        };
      },
    ],
    [
      'trainConvLstm',
      () => {
        const m = tinyConvLstm();
        const d = toyWindows(2, 3, 6, 6);
        return {
          models: [m],
          run: (onEpoch) =>
            trainConvLstm(
              m,
              { ...d, validation: d },
              { profile: 'tiny', batchSize: 2, epochs: 3, onEpoch, mode: 'hindcast' },
            ),
        };
      },
    ],
  ];
  it.each(cases)('%s', async (_name, setup) => {
    const { models, run } = setup();
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const result = await run(() => counts.push(tf.memory().numTensors));
    expect(result.history).toHaveLength(3);
    expect(counts).toHaveLength(3);
    expect(new Set(counts).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
    for (const e of result.history) {
      expect(Number.isFinite(e.loss)).toBe(true);
      expect(Number.isFinite(e.valLoss!)).toBe(true);
      expect(e.samplesPerSecond).toBeGreaterThan(0);
      expect(e.seconds).toBeGreaterThan(0);
    }
    models.forEach((m) => m.dispose());
  });
});

describe('trainSupervised', () => {
  it('learns the toy mapping: the training loss falls', async () => {
    const m = tinyDcae(2);
    const d = toyPairs(8, S, S, 3);
    const r = await trainSupervised(m, d, { profile: 'tiny', batchSize: 4, epochs: 6, learningRate: 0.01 });
    expect(r.history[5]!.loss).toBeLessThan(r.history[0]!.loss);
    expect(r.monitor).toBe('loss');
    m.dispose();
  });

  it('same seed → identical weights; another shuffling seed → different weights', async () => {
    const d = toyPairs(6, S, S, 4);
    const runs: Float32Array[][] = [];
    for (const seed of [5, 5, 6]) {
      const m = tinyDcae(1);
      await trainSupervised(m, d, { profile: 'tiny', batchSize: 2, epochs: 2, seed, restoreBest: false });
      runs.push(weightsOf(m));
      m.dispose();
    }
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).not.toEqual(runs[0]);
  });

  it('early stopping with patience restores the best epoch weights', async () => {
    const m = tinyDcae(3);
    const d = toyPairs(4, S, S, 5);
    const snapshots: Float32Array[][] = [];
    // minDelta so large that only the first epoch counts as an improvement.
    const r = await trainSupervised(
      m,
      { ...d, validation: d },
      {
        profile: 'tiny',
        batchSize: 2,
        epochs: 6,
        patience: 2,
        minDelta: 1e9,
        onEpoch: () => snapshots.push(weightsOf(m)),
      },
    );
    expect(r.history).toHaveLength(3);
    expect(r.stoppedEarly).toBe(true);
    expect(r.bestEpoch).toBe(1);
    expect(r.restoredBest).toBe(true);
    expect(weightsOf(m)).toEqual(snapshots[0]);
    expect(weightsOf(m)).not.toEqual(snapshots[2]);
    m.dispose();
  });

  it('an AbortSignal stops after the current step', async () => {
    const m = tinyDcae(4);
    const d = toyPairs(4, S, S, 6);
    const controller = new AbortController();
    const r = await trainSupervised(m, d, {
      profile: 'tiny',
      batchSize: 2,
      epochs: 5,
      onEpoch: (e) => {
        if (e.epoch === 2) controller.abort();
      },
      signal: controller.signal,
    });
    expect(r.aborted).toBe(true);
    expect(r.epochs).toBe(2);
    m.dispose();
  });

  it('the masked loss ignores masked pixels, which may hold NaN', async () => {
    const d = toyPairs(4, S, S, 7);
    const mask = { data: new Float32Array(S * S).fill(1), shape: [S, S] };
    for (let c = 0; c < S; c++) mask.data[c] = 0; // first row is "ocean"
    const poisoned = {
      inputs: { ...d.inputs, data: d.inputs.data.slice() },
      targets: { ...d.targets, data: d.targets.data.slice() },
    };
    for (let s = 0; s < 4; s++)
      for (let c = 0; c < S; c++) {
        poisoned.inputs.data[s * S * S + c] = Number.NaN;
        poisoned.targets.data[s * S * S + c] = s % 2 ? Number.NaN : 1e6;
      }
    const zeroed = {
      inputs: { ...d.inputs, data: d.inputs.data.slice() },
      targets: { ...d.targets, data: d.targets.data.slice() },
    };
    for (let s = 0; s < 4; s++) for (let c = 0; c < S; c++) zeroed.inputs.data[s * S * S + c] = 0;
    const a = tinyDcae(5);
    const b = tinyDcae(5);
    const ra = await trainSupervised(a, { ...poisoned, mask }, { profile: 'tiny', batchSize: 2, epochs: 2 });
    const rb = await trainSupervised(b, { ...zeroed, mask }, { profile: 'tiny', batchSize: 2, epochs: 2 });
    expect(ra.history.map((e) => e.loss)).toEqual(rb.history.map((e) => e.loss));
    expect(Number.isFinite(ra.history[1]!.loss)).toBe(true);
    const out = await predict(a, poisoned.inputs, { mask });
    expect(out.shape).toEqual([4, S, S]);
    expect(Number.isNaN(out.data[0]!)).toBe(true);
    expect(Number.isFinite(out.data[S]!)).toBe(true);
    a.dispose();
    b.dispose();
  });

  it('refuses NaN without a mask, and NaN on valid pixels, naming the argument', async () => {
    const m = tinyDcae();
    const d = toyPairs(2, S, S);
    const bad = { ...d, inputs: { ...d.inputs, data: d.inputs.data.slice() } };
    bad.inputs.data[37] = Number.NaN;
    await expectTypedError(
      () => trainSupervised(m, bad, { profile: 'tiny', epochs: 1 }),
      'ModelsNanError',
      /'data\.inputs'.*first at flat index 37.*pass a mask/,
    );
    const mask = { data: new Float32Array(S * S).fill(1), shape: [S, S] };
    await expectTypedError(
      () => trainSupervised(m, { ...bad, mask }, { profile: 'tiny', epochs: 1 }),
      'ModelsNanError',
      /mask marks as valid/,
    );
    const badTarget = { ...d, targets: { ...d.targets, data: d.targets.data.slice() } };
    badTarget.targets.data[3] = Number.POSITIVE_INFINITY;
    await expectTypedError(
      () => trainSupervised(m, badTarget, { profile: 'tiny', epochs: 1 }),
      'ModelsNanError',
      /'data\.targets'/,
    );
    m.dispose();
  });

  it('wrong shapes and options are typed errors naming the argument', async () => {
    const m = tinyDcae();
    const wrong = toyPairs(2, 20, 20);
    await expectTypedError(
      () => trainSupervised(m, wrong, { profile: 'tiny', epochs: 1 }),
      'ModelsShapeError',
      /'data\.inputs'.*\[n, 8, 8\].*\[2, 20, 20\]/,
    );
    const d = toyPairs(2, S, S);
    await expectTypedError(
      () => trainSupervised(m, { inputs: d.inputs, targets: toyPairs(3, S, S).targets }, { epochs: 1 }),
      'ModelsShapeError',
      /'data\.targets'/,
    );
    await expectTypedError(
      () => trainSupervised(m, { ...d, mask: { data: new Float32Array(4), shape: [2, 2] } }, { epochs: 1 }),
      'ModelsShapeError',
      /'data\.mask'/,
    );
    await expectTypedError(
      () => trainSupervised(m, d, { epochs: 1, learningrate: 1 } as never),
      'ModelsArgumentError',
      /options\.learningrate/,
    );
    await expectTypedError(
      () => trainSupervised(m, d, { profile: 'gpu' as never }),
      'ModelsArgumentError',
      /options\.profile/,
    );
    await expectTypedError(() => trainSupervised(m, d, { batchSize: 0 }), 'ModelsArgumentError', /options\.batchSize/);
    await expectTypedError(() => predict(m, wrong.inputs), 'ModelsShapeError', /'inputs'/);
    m.dispose();
  });
});

describe('trainPix2Pix', () => {
  it('trains G and D with separate optimizers, reports D and adversarial losses, and is seeded (dropout included)', async () => {
    const d = toyPairs(2, S, S, 8);
    const finals: Float32Array[][] = [];
    let result: TrainResult | undefined;
    for (let i = 0; i < 2; i++) {
      const p = tinyPix2Pix(3);
      const g0 = weightsOf(p.generator);
      const d0 = weightsOf(p.discriminator);
      result = await trainPix2Pix(p, d, { profile: 'tiny', batchSize: 2, epochs: 2, seed: 9, lambda: 50 });
      expect(weightsOf(p.generator)).not.toEqual(g0);
      expect(weightsOf(p.discriminator)).not.toEqual(d0);
      finals.push([...weightsOf(p.generator), ...weightsOf(p.discriminator)]);
      p.generator.dispose();
      p.discriminator.dispose();
    }
    expect(finals[1]).toEqual(finals[0]);
    const extra = result!.history[0]!.extra!;
    expect(extra['discriminatorLoss']).toBeGreaterThan(0);
    expect(extra['adversarialLoss']).toBeGreaterThan(0);
    await expectTypedError(
      () => trainPix2Pix(tinyPix2Pix(), d, { lambda: -1 }),
      'ModelsArgumentError',
      /options\.lambda/,
    );
  });
});

describe('trainConvLstm', () => {
  it('hindcast mode feeds windows in reverse: a model trained on reversed data in forecast mode matches exactly', async () => {
    const w = toyWindows(2, 3, 6, 6, 9);
    const reversed = new Float32Array(w.inputs.data.length);
    const frame = 36;
    for (let s = 0; s < 2; s++)
      for (let t = 0; t < 3; t++)
        reversed.set(w.inputs.data.subarray((s * 3 + t) * frame, (s * 3 + t + 1) * frame), (s * 3 + (2 - t)) * frame);
    const a = tinyConvLstm(2);
    const b = tinyConvLstm(2);
    await trainConvLstm(a, w, { profile: 'tiny', batchSize: 2, epochs: 1, mode: 'hindcast' });
    await trainConvLstm(
      b,
      { inputs: { data: reversed, shape: w.inputs.shape }, targets: w.targets },
      { profile: 'tiny', batchSize: 2, epochs: 1, mode: 'forecast' },
    );
    expect(weightsOf(a)).toEqual(weightsOf(b));
    const pa = await predict(a, w.inputs, { mode: 'hindcast' });
    const pb = await predict(b, { data: reversed, shape: w.inputs.shape });
    expect(pa.data).toEqual(pb.data);
    await expectTypedError(
      () => trainConvLstm(a, w, { mode: 'nowcast' as never }),
      'ModelsArgumentError',
      /options\.mode/,
    );
    await expectTypedError(
      () => trainConvLstm(a, toyWindows(2, 4, 6, 6), { epochs: 1 }),
      'ModelsShapeError',
      /'windows\.inputs'/,
    );
    a.dispose();
    b.dispose();
  });
});
