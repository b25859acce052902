/** Conditional-GAN training of Pix2Pix. */
import * as tf from '@tensorflow/tfjs-core';
import { ModelsArgumentError } from '../errors.js';
import type { Pix2PixModels } from '../pix2pix.js';
import { modelInputShape, prepareTraining } from './data.js';
import { bce, maskedMse } from './losses.js';
import { disposeOptimizers, runLoop, seedDropout, trainableVariables, validation } from './loop.js';
import { resolveOptions, type Pix2PixTrainOptions, type SupervisedData, type TrainResult } from './options.js';

/**
 * Trains a Pix2Pix conditional GAN (from {@link buildPix2Pix}) on LSM → GRACE pairs.
 *
 * ## Method
 * Per step, on one batch (x = LSM, y = GRACE): (1) the discriminator D minimises
 * `½[BCE(D(x, y), 1) + BCE(D(x, G(x)), 0)]` over D's weights (G(x) in training mode, with dropout); (2) the
 * generator G minimises `BCE(D(x, G(x)), 1) + λ·MSE_mask(G(x), y)` over G's weights, D in inference mode (the
 * Keras tutorial's frozen D). Two Adam optimizers (β₁ as tf default). The reported `loss` is the generator's MSE
 * term, `extra` holds `discriminatorLoss` and `adversarialLoss`; validation and early stopping use the
 * generator's masked MSE. Dropout masks are seeded from the loop's RNG.
 *
 * @param models - `{ generator, discriminator }`; trained in place
 * @param data - as {@link trainSupervised}
 * @param options - {@link Pix2PixTrainOptions} (`lambda`, default 100)
 * @returns the run's {@link TrainResult}
 * @throws as {@link trainSupervised}.
 */
export async function trainPix2Pix(
  models: Pix2PixModels,
  data: SupervisedData,
  options: Pix2PixTrainOptions = {},
): Promise<TrainResult> {
  const fn = 'trainPix2Pix';
  const o = resolveOptions(options, fn, ['lambda']);
  const lambda = options.lambda ?? 100;
  if (typeof lambda !== 'number' || !Number.isFinite(lambda) || lambda < 0)
    throw new ModelsArgumentError('options.lambda', fn, 'a finite number >= 0', JSON.stringify(lambda));
  if (!models || typeof models !== 'object')
    throw new ModelsArgumentError('models', fn, '{ generator, discriminator }', typeof models);
  const { generator: G, discriminator: D } = models;
  const inShape = modelInputShape(G, fn, 'models.generator');
  modelInputShape(D, fn, 'models.discriminator');
  const prepared = prepareTraining(data, 'data', inShape, fn);
  const { maskT, count } = prepared;
  const optimizers = { generator: o.createOptimizer(o.learningRate), discriminator: o.createOptimizer(o.learningRate) };
  const gVars = trainableVariables(G);
  const dVars = trainableVariables(D);
  try {
    return await runLoop({
      fn,
      models: { generator: G, discriminator: D },
      optimizers,
      n: prepared.train.n,
      options: o,
      step: async (idx, rng) => {
        seedDropout(G, rng);
        const [x, y] = prepared.batch(idx);
        const fake = tf.tidy(() => G.apply(x, { training: true }) as tf.Tensor);
        const dCost = optimizers.discriminator.minimize(
          () => {
            const real = D.apply([x, y], { training: true }) as tf.Tensor;
            const faked = D.apply([x, fake], { training: true }) as tf.Tensor;
            return tf.mul(tf.add(bce(real, 1), bce(faked, 0)), 0.5) as tf.Scalar;
          },
          true,
          dVars,
        );
        fake.dispose();
        let adversarial: tf.Scalar | null = null;
        let reconstruction: tf.Scalar | null = null;
        const gCost = optimizers.generator.minimize(
          () => {
            const out = G.apply(x, { training: true }) as tf.Tensor;
            const p = D.apply([x, out], { training: false }) as tf.Tensor;
            adversarial = tf.keep(bce(p, 1));
            reconstruction = tf.keep(maskedMse(out, y, maskT, count));
            return tf.add(adversarial, tf.mul(reconstruction, lambda)) as tf.Scalar;
          },
          true,
          gVars,
        );
        tf.dispose([x, y]);
        const [dl, al, rl] = await Promise.all([dCost!.data(), adversarial!.data(), reconstruction!.data()]);
        tf.dispose([dCost!, gCost!, adversarial!, reconstruction!]);
        return { loss: rl[0]!, discriminatorLoss: dl[0]!, adversarialLoss: al[0]! };
      },
      validate: validation(G, prepared, o.batchSize),
    });
  } finally {
    disposeOptimizers(optimizers);
    prepared.dispose();
  }
}
