/**
 * What the training-time estimate measures on the tfjs engine: one timed optimizer step per model, the FLOPs of a
 * model, the backend's convolution throughput and its memory ceiling.
 */
import { totalmem } from 'node:os';
import { trainConvLstm, trainPix2Pix, trainSupervised, type EpochEvent } from '@twsa/models';
import type { ModelName, PipelineConfig } from '../config.js';
import type { TrainingProbe, TrainingProbeOptions } from '../seam.js';
import { buildModel } from './train.js';

/** tfjs-core, the instance @twsa/models registered its backend with (a peer of both packages). */
const tfCore = (): Promise<typeof import('@tensorflow/tfjs-core')> => import('@tensorflow/tfjs-core');

export async function probeTrainingStep(
  name: ModelName,
  config: PipelineConfig,
  options: TrainingProbeOptions = {},
): Promise<TrainingProbe> {
  const tf = await tfCore();
  const frames =
    name === 'convlstm'
      ? Math.max(1, Math.min(config.models.sequenceLength, options.sequenceLength ?? config.models.sequenceLength))
      : undefined;
  const probeConfig =
    frames !== undefined ? { ...config, models: { ...config.models, sequenceLength: frames } } : config;
  const warmup = options.warmupSteps ?? 1;
  const { model, discriminator } = await buildModel(name, probeConfig);
  try {
    // One epoch per step (batch samples each): the last epoch's wall time is the timed step; restoreBest off so no
    // weight snapshot is taken after it.
    const batch = config.train.batchSize;
    const frame = 48 * 48;
    const wave = (len: number): Float32Array => Float32Array.from({ length: len }, (_, i) => Math.sin(i * 0.37) * 0.5);
    const seconds: number[] = [];
    const trainOptions = {
      learningRate: config.train.learningRate,
      batchSize: batch,
      epochs: warmup + 1,
      patience: null,
      restoreBest: false,
      seed: config.seed,
      shuffle: false,
      onEpoch: (e: EpochEvent) => {
        seconds.push(e.seconds);
      },
    };
    const targets = { data: wave(batch * frame), shape: [batch, 48, 48] };
    const baselineBytes = tf.memory().numBytes;
    const profile = await tf.profile(async () => {
      if (name === 'convlstm')
        await trainConvLstm(
          model,
          { inputs: { data: wave(batch * frames! * frame), shape: [batch, frames!, 48, 48] }, targets },
          trainOptions,
        );
      else if (name === 'pix2pix')
        await trainPix2Pix(
          { generator: model, discriminator: discriminator! },
          { inputs: { data: wave(batch * frame), shape: [batch, 48, 48] }, targets },
          trainOptions,
        );
      else
        await trainSupervised(
          model,
          { inputs: { data: wave(batch * frame), shape: [batch, 48, 48] }, targets },
          trainOptions,
        );
    });
    return {
      secondsPerStep: seconds[seconds.length - 1]!,
      ...(frames !== undefined ? { sequenceLength: frames } : {}),
      peakBytes: profile.peakBytes,
      baselineBytes,
    };
  } finally {
    model.dispose();
    discriminator?.dispose();
  }
}

/** What the FLOP count needs of a tfjs-layers layer (public fields, typed loosely across layer classes). */
interface LayerLike {
  getClassName(): string;
  readonly layers?: readonly LayerLike[];
  readonly weights: readonly { readonly name: string; readonly shape: readonly (number | null)[] }[];
  readonly inboundNodes: readonly { readonly inputShapes: unknown; readonly outputShapes: unknown }[];
}
const firstShape = (s: unknown): number[] =>
  (Array.isArray(s) && Array.isArray(s[0]) ? s[0] : (s as number[])).map((d) => d ?? 1);

/**
 * Forward FLOPs (2 × multiply–adds) of one sample through a model: every call of a layer with a kernel (conv,
 * transposed conv, dense, ConvLSTM cell per time step); element-wise layers are not counted.
 */
function forwardFlops(model: LayerLike): number {
  let flops = 0;
  const visit = (layer: LayerLike): void => {
    if (layer.layers) {
      for (const l of layer.layers) visit(l);
      return;
    }
    const kernel = layer.weights.find((w) => /kernel/.test(w.name));
    if (!kernel) return;
    const k = kernel.shape.map((d) => d ?? 1);
    const size = k.reduce((a, b) => a * b, 1);
    const cls = layer.getClassName();
    for (const node of layer.inboundNodes) {
      const input = firstShape(node.inputShapes);
      const output = firstShape(node.outputShapes);
      if (k.length === 4 && cls === 'TwsaConvLstm2D') {
        const [steps, rows, cols] = input.length === 5 ? [input[1]!, input[2]!, input[3]!] : [1, input[1]!, input[2]!];
        flops += 2 * size * rows * cols * steps;
      } else if (k.length === 4) {
        const spatial = cls === 'Conv2DTranspose' ? input : output;
        flops += 2 * size * spatial[1]! * spatial[2]!;
      } else if (k.length === 2) {
        flops += 2 * size * output.slice(1, -1).reduce((a, b) => a * b, 1);
      }
    }
  };
  visit(model);
  return flops;
}

export async function trainingFlops(name: ModelName, config: PipelineConfig): Promise<number> {
  const { model, discriminator } = await buildModel(name, config);
  try {
    const g = forwardFlops(model as unknown as LayerLike);
    // Pix2Pix step: D step = G forward + D forward/backward on a real and a fake pair; G step = G forward/backward
    // through D forward/backward: ≈ 4 G + 9 D forward passes. Others: forward + backward ≈ 3 forward.
    return discriminator ? 4 * g + 9 * forwardFlops(discriminator as unknown as LayerLike) : 3 * g;
  } finally {
    model.dispose();
    discriminator?.dispose();
  }
}

export async function measureFlopsPerSecond(): Promise<number> {
  const tf = await tfCore();
  const x = tf.randomNormal([1, 48, 48, 64], 0, 1, 'float32', 1);
  const w = tf.randomNormal([3, 3, 64, 64], 0, 0.1, 'float32', 2);
  const gradients = tf.grads((a: import('@tensorflow/tfjs-core').Tensor, b: import('@tensorflow/tfjs-core').Tensor) =>
    tf.sum(
      tf.conv2d(
        a as import('@tensorflow/tfjs-core').Tensor4D,
        b as import('@tensorflow/tfjs-core').Tensor4D,
        1,
        'same',
      ),
    ),
  );
  const once = (): void => {
    const out = gradients([x, w]);
    for (const t of out) t.dataSync();
    tf.dispose(out);
  };
  try {
    once();
    const reps = 3;
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) once();
    const seconds = (performance.now() - t0) / 1000;
    return (reps * 3 * 2 * 48 * 48 * 3 * 3 * 64 * 64) / seconds; // forward + input gradient + filter gradient
  } finally {
    tf.dispose([x, w]);
  }
}

export async function memoryLimit(): Promise<{ bytes: number; description: string } | null> {
  const tf = await tfCore();
  if (tf.getBackend() === 'wasm')
    return { bytes: 4 * 2 ** 30, description: "the wasm backend's heap (wasm32: 4 GiB at most)" };
  return { bytes: totalmem(), description: `this machine's memory (${(totalmem() / 2 ** 30).toFixed(0)} GiB)` };
}
