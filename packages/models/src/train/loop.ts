/**
 * The epoch loop shared by every trainer: seeded shuffling, validation, early stopping, best-weight restore,
 * checkpoint save/resume, per-epoch events and abort signals.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ModelsCheckpointError } from '../errors.js';
import { createRng, type Rng } from '@twsa/grid';
import { loadCheckpoint, saveCheckpoint, type CheckpointState } from '../checkpoint.js';
import { gather, sizeOf, type Prepared, type TrainingData } from './data.js';
import { maskedMse } from './losses.js';
import type { EpochEvent, Resolved, TrainResult } from './options.js';

export function trainableVariables(model: tfl.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/** Gives every Dropout layer of `model` a fresh seed so its masks are reproducible. */
export function seedDropout(model: tfl.LayersModel, rng: Rng): void {
  for (const layer of model.layers) {
    if (layer.getClassName() === 'Dropout') (layer as unknown as { seed?: number }).seed = rng.nextUint32();
  }
}

async function snapshot(model: tfl.LayersModel): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const w of model.weights) out.push(new Float32Array((await w.read().data()) as Float32Array));
  return out;
}

function restore(model: tfl.LayersModel, weights: Float32Array[]): void {
  const tensors = model.weights.map((w, i) => tf.tensor(weights[i]!, w.shape as number[], 'float32'));
  model.setWeights(tensors);
  tf.dispose(tensors);
}

export interface LoopSpec {
  fn: string;
  models: Record<string, tfl.LayersModel>;
  optimizers: Record<string, tf.Optimizer>;
  n: number;
  /** One optimizer step on the samples `indices`; returns the step's losses (key `loss` required). */
  step: (indices: number[], rng: Rng) => Promise<Record<string, number>>;
  /** Validation loss, or null without validation data. */
  validate: (() => Promise<number>) | null;
  options: Resolved;
}

export async function runLoop(spec: LoopSpec): Promise<TrainResult> {
  const { options: o, models, optimizers, fn } = spec;
  const rng = createRng(o.seed);
  const monitor: 'valLoss' | 'loss' = spec.validate ? 'valLoss' : 'loss';
  let history: EpochEvent[] = [];
  let bestLoss = Infinity;
  let bestEpoch = 0;
  let wait = 0;
  let best: Record<string, Float32Array[]> | null = null;
  let startEpoch = 0;
  const settings = {
    fn,
    batchSize: o.batchSize,
    learningRate: o.learningRate,
    seed: o.seed,
    shuffle: o.shuffle,
    n: spec.n,
  };

  if (o.checkpointDir && o.resume) {
    const loaded = await loadCheckpoint(o.checkpointDir, { models, optimizers });
    if (loaded) {
      const before = loaded.state.extra?.['settings'] as Record<string, unknown> | undefined;
      if (before && (before['fn'] !== fn || before['n'] !== spec.n)) {
        throw new ModelsCheckpointError(
          `Checkpoint in ${o.checkpointDir} was written by ${String(before['fn'])} on ${String(before['n'])} samples; this run is ${fn} on ${spec.n}`,
          { file: o.checkpointDir },
        );
      }
      if (before && JSON.stringify(before) !== JSON.stringify(settings)) {
        o.log?.({
          level: 'warn',
          message: `resuming with different settings than the checkpoint: ${JSON.stringify(before)} → ${JSON.stringify(settings)}`,
        });
      }
      startEpoch = loaded.state.epoch;
      rng.state = loaded.state.rngState;
      bestLoss = loaded.state.bestLoss;
      bestEpoch = loaded.state.bestEpoch;
      wait = loaded.state.wait;
      history = loaded.state.history as unknown as EpochEvent[];
      best = loaded.best;
      o.log?.({
        level: 'info',
        message: `resumed from ${o.checkpointDir} after epoch ${startEpoch}`,
        epoch: startEpoch,
      });
    }
  }

  let aborted = false;
  let stoppedEarly = o.patience !== null && wait >= o.patience;
  for (let epoch = startEpoch + 1; epoch <= o.epochs && !stoppedEarly; epoch++) {
    const t0 = performance.now();
    const order = o.shuffle ? rng.permutation(spec.n) : Array.from({ length: spec.n }, (_, i) => i);
    const sums: Record<string, number> = {};
    let seen = 0;
    for (let start = 0; start < spec.n; start += o.batchSize) {
      if (o.signal?.aborted) {
        aborted = true;
        break;
      }
      const indices = order.slice(start, start + o.batchSize);
      const losses = await spec.step(indices, rng);
      for (const [k, v] of Object.entries(losses)) sums[k] = (sums[k] ?? 0) + v * indices.length;
      seen += indices.length;
    }
    if (aborted) {
      o.log?.({
        level: 'info',
        message: `aborted during epoch ${epoch} after ${seen} samples; the last checkpoint is epoch ${epoch - 1}`,
        epoch,
      });
      break;
    }
    const trainSeconds = (performance.now() - t0) / 1000;
    const loss = sums['loss']! / seen;
    if (!Number.isFinite(loss))
      o.log?.({ level: 'warn', message: `training loss is ${loss} at epoch ${epoch}; lower the learning rate`, epoch });
    const valLoss = spec.validate ? await spec.validate() : undefined;
    const monitored = monitor === 'valLoss' ? valLoss! : loss;
    const improved = monitored < bestLoss - o.minDelta;
    if (improved) {
      bestLoss = monitored;
      bestEpoch = epoch;
      wait = 0;
      if (o.restoreBest) {
        best = {};
        for (const [name, model] of Object.entries(models)) best[name] = await snapshot(model);
      }
    } else {
      wait += 1;
    }
    const extraEntries = Object.entries(sums)
      .filter(([k]) => k !== 'loss')
      .map(([k, v]) => [k, v / seen] as const);
    const event: EpochEvent = {
      epoch,
      epochs: o.epochs,
      loss,
      ...(valLoss !== undefined ? { valLoss } : {}),
      seconds: (performance.now() - t0) / 1000,
      samplesPerSecond: seen / Math.max(trainSeconds, 1e-9),
      improved,
      ...(extraEntries.length ? { extra: Object.fromEntries(extraEntries) } : {}),
    };
    history.push(event);
    if (o.patience !== null && wait >= o.patience) stoppedEarly = true;
    if (o.checkpointDir) {
      const state: CheckpointState = {
        epoch,
        rngState: rng.state,
        bestLoss,
        bestEpoch,
        wait,
        history: history as unknown as Record<string, unknown>[],
        extra: { settings },
      };
      await saveCheckpoint(o.checkpointDir, state, { models, optimizers, best });
    }
    o.log?.({
      level: 'info',
      message: `epoch ${epoch}/${o.epochs} loss ${loss.toPrecision(4)}${valLoss !== undefined ? ` valLoss ${valLoss.toPrecision(4)}` : ''} ${event.seconds.toFixed(1)} s`,
      epoch,
    });
    o.onEpoch?.(event);
    if (stoppedEarly)
      o.log?.({
        level: 'info',
        message: `early stop after epoch ${epoch}: no improvement for ${wait} epochs (best epoch ${bestEpoch})`,
        epoch,
      });
  }
  let restoredBest = false;
  if (!aborted && o.restoreBest && best && history.length > 0 && bestEpoch !== history[history.length - 1]!.epoch) {
    for (const [name, model] of Object.entries(models)) if (best[name]) restore(model, best[name]!);
    restoredBest = true;
  }
  return {
    epochs: history.length,
    history,
    bestEpoch,
    bestLoss,
    monitor,
    stoppedEarly,
    aborted,
    restoredBest,
    resumedFrom: startEpoch,
  };
}

export function disposeOptimizers(optimizers: Record<string, tf.Optimizer>): void {
  for (const opt of Object.values(optimizers)) opt.dispose();
}

/** Masked MSE of `predict` over a prepared split, in batches. */
async function evaluateSplit(
  predictBatch: (x: tf.Tensor) => tf.Tensor,
  split: Prepared,
  batchSize: number,
  mask: tf.Tensor | null,
  maskCount: number,
  reverseSteps = 0,
): Promise<number> {
  const xSize = sizeOf(split.xShape);
  const ySize = sizeOf(split.yShape);
  let total = 0;
  for (let start = 0; start < split.n; start += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, split.n - start) }, (_, i) => start + i);
    const value = tf.tidy(() => {
      const x = tf.tensor(gather(split.x, xSize, idx, reverseSteps), [idx.length, ...split.xShape]);
      const y = tf.tensor(gather(split.y, ySize, idx), [idx.length, ...split.yShape]);
      return tf.mul(maskedMse(predictBatch(x), y, mask, maskCount), idx.length);
    });
    total += (await value.data())[0]!;
    value.dispose();
  }
  return total / split.n;
}

/** The `validate` of {@link runLoop}: masked MSE of `model` in inference mode over the validation split, or null. */
export function validation(
  model: tfl.LayersModel,
  data: TrainingData,
  batchSize: number,
): (() => Promise<number>) | null {
  const val = data.val;
  if (!val) return null;
  return () =>
    evaluateSplit(
      (x) => model.apply(x, { training: false }) as tf.Tensor,
      val,
      Math.max(batchSize, 8),
      data.maskT,
      data.count,
      data.reverseSteps,
    );
}

/**
 * The `step` of a one-model trainer: seeds the model's dropout from the loop's RNG, then one `optimizer`
 * step minimising the masked MSE of the batch in training mode.
 */
export function maskedMseStep(model: tfl.LayersModel, optimizer: tf.Optimizer, data: TrainingData): LoopSpec['step'] {
  const vars = trainableVariables(model);
  return async (idx, rng) => {
    seedDropout(model, rng);
    const [x, y] = data.batch(idx);
    const cost = optimizer.minimize(
      () => maskedMse(model.apply(x, { training: true }) as tf.Tensor, y, data.maskT, data.count),
      true,
      vars,
    );
    tf.dispose([x, y]);
    const loss = (await cost!.data())[0]!;
    cost!.dispose();
    return { loss };
  };
}

/**
 * The whole run of a one-model trainer (SEUNet, DCAE, ConvLSTM): {@link runLoop} with {@link maskedMseStep}
 * and {@link validation}; frees the optimizer and the prepared data afterwards.
 */
export async function trainOneModel(
  fn: string,
  model: tfl.LayersModel,
  prepared: TrainingData,
  o: Resolved,
): Promise<TrainResult> {
  const optimizers = { model: o.createOptimizer(o.learningRate) };
  try {
    return await runLoop({
      fn,
      models: { model },
      optimizers,
      n: prepared.train.n,
      options: o,
      step: maskedMseStep(model, optimizers.model, prepared),
      validate: validation(model, prepared, o.batchSize),
    });
  } finally {
    disposeOptimizers(optimizers);
    prepared.dispose();
  }
}
