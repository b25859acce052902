import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { useTestBackend } from '../test/backend.js';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildConvLstm } from './conv-lstm.js';
import { buildPix2Pix } from './pix2pix.js';
import { buildSeUnet } from './se-unet.js';
import { loadModel, saveModel } from './io.js';
import { isModelsError } from './errors.js';

let dir: string;
beforeAll(async () => {
  await useTestBackend();
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'twsa-io-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function roundTrip(model: tfl.LayersModel, input: tf.Tensor): Promise<void> {
  await saveModel(model, dir);
  const loaded = await loadModel(dir);
  const a = model.predict(input) as tf.Tensor;
  const b = loaded.predict(input) as tf.Tensor;
  expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
  expect(loaded.countParams()).toBe(model.countParams());
  tf.dispose([a, b]);
  loaded.dispose();
}

describe('saveModel / loadModel', () => {
  it('SEUNet: model.json + weights.bin, same predictions after loading', async () => {
    const m = buildSeUnet({ preset: 'tiny', inputShape: [8, 8], seed: 5 });
    const x = tf.randomNormal([2, 8, 8, 1], 0, 1, 'float32', 2);
    await roundTrip(m, x);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0].paths).toEqual(['./weights.bin']);
    expect(readFileSync(join(dir, 'weights.bin')).byteLength).toBe(4 * m.countParams());
    m.dispose();
    x.dispose();
  });

  it('ConvLSTM and the Pix2Pix paper-style resize layers (custom layers) round-trip', async () => {
    const c = buildConvLstm({ preset: 'tiny', inputShape: [6, 6], timeSteps: 3, seed: 6 });
    const xs = tf.randomNormal([1, 3, 6, 6, 1], 0, 1, 'float32', 3);
    await roundTrip(c, xs);
    const { generator, discriminator } = buildPix2Pix({ preset: 'tiny', inputShape: [6, 6], workingSize: 8, seed: 7 });
    const xg = tf.randomNormal([1, 6, 6, 1], 0, 1, 'float32', 4);
    await roundTrip(generator, xg);
    [c, generator, discriminator].forEach((m) => m.dispose());
    tf.dispose([xs, xg]);
  });

  it('plain tf.loadLayersModel reads the directory given an IO handler (tf.io.fromMemory)', async () => {
    const m = buildConvLstm({ preset: 'tiny', inputShape: [6, 6], timeSteps: 2, seed: 8 });
    await saveModel(m, dir);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const bin = readFileSync(join(dir, 'weights.bin'));
    const weightData = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
    const loaded = await tfl.loadLayersModel(
      tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData }),
    );
    const x = tf.randomNormal([1, 2, 6, 6, 1], 0, 1, 'float32', 5);
    const a = m.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, a, b]);
    m.dispose();
    loaded.dispose();
  });

  it('missing or inconsistent files are ModelsIoError naming the file', async () => {
    await expect(loadModel(join(dir, 'nothing'))).rejects.toMatchObject({
      name: 'ModelsIoError',
      message: expect.stringMatching(/model\.json/),
    });
    const m = buildSeUnet({ preset: 'tiny', inputShape: [8, 8] });
    await saveModel(m, dir);
    writeFileSync(join(dir, 'weights.bin'), new Uint8Array(12));
    let error: unknown;
    try {
      await loadModel(dir);
    } catch (e) {
      error = e;
    }
    expect(isModelsError(error, 'ModelsIoError')).toBe(true);
    expect((error as Error).message).toMatch(/12 bytes/);
    m.dispose();
  });
});
