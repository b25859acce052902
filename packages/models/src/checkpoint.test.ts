import '@tensorflow/tfjs-backend-cpu';
import { useTestBackend } from '../test/backend.js';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSeUnet } from './se-unet.js';
import { buildPix2Pix } from './pix2pix.js';
import type { TrainResult } from './train/options.js';
import { trainPix2Pix } from './train/pix2pix.js';
import { trainSupervised } from './train/supervised.js';
import { loadCheckpoint } from './checkpoint.js';
import { isModelsError } from './errors.js';
import { toyPairs, weightsOf } from '../test/helpers.js';

let dir: string;
beforeAll(async () => {
  await useTestBackend();
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'twsa-ckpt-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** An AbortSignal that reports aborted after `steps` reads: simulates a kill in the middle of an epoch. */
function killAfter(steps: number): AbortSignal {
  let reads = 0;
  return {
    get aborted() {
      return ++reads > steps;
    },
  } as unknown as AbortSignal;
}

const model = () => buildSeUnet({ preset: 'tiny', inputShape: [8, 8], filters: [2, 4, 4], seed: 11 });

describe('checkpoint and resume', () => {
  it('a run killed mid-epoch and resumed ends with weights identical to an uninterrupted run', async () => {
    const d = toyPairs(4, 8, 8, 21);
    const v = toyPairs(2, 8, 8, 22);
    const options = { profile: 'tiny' as const, batchSize: 2, epochs: 3, seed: 3, learningRate: 0.02 };

    const reference = model();
    const full = await trainSupervised(reference, { ...d, validation: v }, options);

    // 2 steps per epoch: killed after 2 epochs and 1 step of the third.
    const first = model();
    const killed = await trainSupervised(
      first,
      { ...d, validation: v },
      { ...options, checkpointDir: dir, signal: killAfter(5) },
    );
    expect(killed.aborted).toBe(true);
    expect(killed.epochs).toBe(2);
    first.dispose();
    expect(readdirSync(dir).sort()).toEqual(['checkpoint.json', 'weights-e00002.bin']);

    const second = model(); // a fresh process would rebuild the model the same way
    const resumed: TrainResult = await trainSupervised(
      second,
      { ...d, validation: v },
      { ...options, checkpointDir: dir },
    );
    expect(resumed.resumedFrom).toBe(2);
    expect(resumed.epochs).toBe(3);
    expect(resumed.history.map((e) => e.loss)).toEqual(full.history.map((e) => e.loss));
    expect(resumed.history.map((e) => e.valLoss)).toEqual(full.history.map((e) => e.valLoss));
    expect(resumed.bestEpoch).toBe(full.bestEpoch);
    expect(weightsOf(second)).toEqual(weightsOf(reference));
    reference.dispose();
    second.dispose();
  });

  it('resumes a Pix2Pix run (two models, two optimizers, dropout RNG) exactly', async () => {
    const d = toyPairs(2, 8, 8, 23);
    const options = { profile: 'tiny' as const, batchSize: 1, epochs: 3, seed: 4 };
    const ref = buildPix2Pix({ preset: 'tiny', inputShape: [8, 8], seed: 2 });
    await trainPix2Pix(ref, d, options);
    const a = buildPix2Pix({ preset: 'tiny', inputShape: [8, 8], seed: 2 });
    const r1 = await trainPix2Pix(a, d, { ...options, checkpointDir: dir, signal: killAfter(3) });
    expect(r1.epochs).toBe(1);
    const b = buildPix2Pix({ preset: 'tiny', inputShape: [8, 8], seed: 2 });
    await trainPix2Pix(b, d, { ...options, checkpointDir: dir });
    expect(weightsOf(b.generator)).toEqual(weightsOf(ref.generator));
    expect(weightsOf(b.discriminator)).toEqual(weightsOf(ref.discriminator));
    for (const p of [ref, a, b]) {
      p.generator.dispose();
      p.discriminator.dispose();
    }
  });

  it('resume: false starts over; a finished run resumed does no more epochs', async () => {
    const d = toyPairs(2, 8, 8, 24);
    const m = model();
    await trainSupervised(m, d, { profile: 'tiny', epochs: 2, checkpointDir: dir });
    const again = await trainSupervised(m, d, { profile: 'tiny', epochs: 2, checkpointDir: dir });
    expect(again.resumedFrom).toBe(2);
    expect(again.history).toHaveLength(2);
    const fresh = await trainSupervised(m, d, { profile: 'tiny', epochs: 1, checkpointDir: dir, resume: false });
    expect(fresh.resumedFrom).toBe(0);
    expect(fresh.history).toHaveLength(1);
    m.dispose();
  });

  it('refuses a checkpoint of another architecture or a corrupt one, with typed errors', async () => {
    const d = toyPairs(2, 8, 8, 25);
    const m = model();
    await trainSupervised(m, d, { profile: 'tiny', epochs: 1, checkpointDir: dir });
    const other = buildSeUnet({ preset: 'tiny', inputShape: [8, 8], filters: [2, 4, 8], seed: 1 });
    let error: unknown;
    try {
      await trainSupervised(other, d, { profile: 'tiny', epochs: 2, checkpointDir: dir });
    } catch (e) {
      error = e;
    }
    expect(isModelsError(error, 'ModelsCheckpointError')).toBe(true);
    expect((error as Error).message).toMatch(/shape/);
    writeFileSync(join(dir, 'checkpoint.json'), '{ not json');
    await expect(loadCheckpoint(dir, { models: { model: m }, optimizers: {} })).rejects.toMatchObject({
      name: 'ModelsCheckpointError',
    });
    expect(await loadCheckpoint(join(dir, 'missing'), { models: {}, optimizers: {} })).toBeNull();
    m.dispose();
    other.dispose();
  });
});
