import * as tfl from '@tensorflow/tfjs-layers';
import {
  BASE_KEYS,
  KernelInitializers,
  checkInitializer,
  checkInputShape,
  checkIntList,
  checkKeys,
  checkPositiveInt,
  checkPreset,
  checkSeed,
} from './internal/config.js';
import type { BaseModelConfig } from './model-config.js';
import { ModelsArgumentError } from './errors.js';
import { ResizeLayer, batchNormalization, conv2d } from './layers.js';

type SymbolicTensor = tfl.SymbolicTensor;

/** Configuration of {@link buildPix2Pix}; every field except `preset` overrides the preset's value. */
export interface Pix2PixConfig extends BaseModelConfig {
  /** `[rows, cols]` of the input and output grids. Default `[48, 48]`. */
  readonly inputShape?: readonly [rows: number, cols: number];
  /**
   * Side of the square maps both networks work on: inputs are resized (bilinear) to `workingSize²` on the way in
   * and the generator's output back to `inputShape` on the way out; `null` works at the input size
   * (which must then be divisible by `2^(generatorFilters.length + 1)`). paper 256, cpu and tiny `null`.
   */
  readonly workingSize?: number | null;
  /** Filters of the generator's encoder levels e1…eN (stride 2 each); the decoder mirrors them. paper `[64, 128, 256, 512, 512, 512, 512]`, cpu `[16, 32, 64]`, tiny `[4, 8]`. */
  readonly generatorFilters?: readonly number[];
  /** Filters of the generator's bottleneck conv (stride 2, ReLU, no BN). paper 512, cpu 64, tiny 8. */
  readonly bottleneckFilters?: number;
  /** Number of the first decoder blocks with Dropout. paper 3, cpu 1, tiny 1. */
  readonly dropoutBlocks?: number;
  /** Dropout rate of those blocks. Default 0.5. */
  readonly dropoutRate?: number;
  /** Filters of the discriminator's stride-2 levels. paper `[64, 128, 256, 512]`, cpu `[16, 32, 64]`, tiny `[4, 8]`. */
  readonly discriminatorFilters?: readonly number[];
  /** Filters of the discriminator's stride-1 conv before the 1-filter patch output. paper 512, cpu 64, tiny 8. */
  readonly discriminatorFinalFilters?: number;
  /** Kernel size of every conv. Default 3 (the paper's count needs 3×3). */
  readonly kernelSize?: number;
  /**
   * How the generator's decoder (and its output layer) doubles the resolution. `"resize"` (default): a bilinear ×2
   * resize followed by a `same` k×k conv ("resize-convolution", Odena et al. 2016). `"transpose"`: the tutorial's
   * stride-2 k×k ConvTranspose; with k = 3 the kernel does not divide by the stride, so even and odd output cells
   * receive 4, 2 or 1 kernel taps — a fixed 2×2 checkerboard, repeated at every level, which shows as a lattice of
   * cells in the maps. Both hold `k²·Cin·F + F` parameters, so the counts are the same.
   */
  readonly decoderUpsampling?: 'resize' | 'transpose';
}

const KEYS = [
  ...BASE_KEYS,
  'inputShape',
  'workingSize',
  'generatorFilters',
  'bottleneckFilters',
  'dropoutBlocks',
  'dropoutRate',
  'discriminatorFilters',
  'discriminatorFinalFilters',
  'kernelSize',
  'decoderUpsampling',
] as const;

/** Preset values of {@link buildPix2Pix}. */
export const PIX2PIX_PRESETS = {
  paper: {
    workingSize: 256,
    generatorFilters: [64, 128, 256, 512, 512, 512, 512],
    bottleneckFilters: 512,
    dropoutBlocks: 3,
    discriminatorFilters: [64, 128, 256, 512],
    discriminatorFinalFilters: 512,
  },
  cpu: {
    workingSize: null,
    generatorFilters: [16, 32, 64],
    bottleneckFilters: 64,
    dropoutBlocks: 1,
    discriminatorFilters: [16, 32, 64],
    discriminatorFinalFilters: 64,
  },
  tiny: {
    workingSize: null,
    generatorFilters: [4, 8],
    bottleneckFilters: 8,
    dropoutBlocks: 1,
    discriminatorFilters: [4, 8],
    discriminatorFinalFilters: 8,
  },
} as const;

/** The two networks of a Pix2Pix conditional GAN. */
export interface Pix2PixModels {
  /** U-Net generator: LSM → GRACE-like TWSA. */
  readonly generator: tfl.LayersModel;
  /** PatchGAN discriminator on (LSM, TWSA) pairs. */
  readonly discriminator: tfl.LayersModel;
}

/**
 * Builds the Pix2Pix conditional GAN of Yu et al. (2021): a U-Net generator and a PatchGAN discriminator.
 *
 * ## Method
 * The machinelearningmastery Keras pix2pix with 3×3 kernels and one channel in and out. Generator: encoder
 * blocks `Conv stride 2 → BN (not on e1) → LeakyReLU 0.2`, a bottleneck `Conv stride 2 → ReLU`, decoder blocks
 * `up ×2 → BN → Dropout (first dropoutBlocks) → concat skip → ReLU`, and an `up ×2 (1 filter) → tanh` output,
 * where "up ×2" is a bilinear resize + k×k conv by default (`decoderUpsampling`; the tutorial's stride-2 3×3
 * ConvTranspose leaves a checkerboard). Discriminator: `concat(lsm, twsa)` →
 * stride-2 `Conv → BN (not on the first) → LeakyReLU`, a stride-1 `Conv → BN → LeakyReLU`, and a 1-filter
 * stride-1 conv with sigmoid giving one real/fake probability per patch. The `'paper'` preset has
 * G 30,624,065 + D 3,920,449 = 34,544,514 parameters (Table 1) and works at 256×256, resizing the 48×48 maps
 * bilinearly on the way in and out (resize layers add no parameters).
 *
 * **Input shape:** generator `[batch, rows, cols, 1]`; discriminator `[[batch, rows, cols, 1], [batch, rows, cols, 1]]` (LSM, TWSA).
 *
 * **Output shape:** generator `[batch, rows, cols, 1]` in (-1, 1); discriminator `[batch, p, p, 1]` patch probabilities.
 *
 * @param config - see {@link Pix2PixConfig}; default preset `'cpu'`.
 * @returns `{ generator, discriminator }`, uncompiled; the caller disposes both.
 * @throws {@link ModelsArgumentError} for an unknown preset or option, or sizes the U-Net cannot take.
 * @example
 * ```ts
 * const { generator, discriminator } = buildPix2Pix({ preset: "tiny" });
 * generator.outputs[0].shape; // => [null, 48, 48, 1]
 * generator.dispose(); discriminator.dispose();
 * ```
 */
export function buildPix2Pix(config: Pix2PixConfig = {}): Pix2PixModels {
  const fn = 'buildPix2Pix';
  checkKeys(config, KEYS, 'config', fn);
  const preset = checkPreset(config.preset, fn);
  const p = PIX2PIX_PRESETS[preset];
  const gFilters = checkIntList(config.generatorFilters ?? p.generatorFilters, 'config.generatorFilters', fn);
  const bottleneck = checkPositiveInt(config.bottleneckFilters ?? p.bottleneckFilters, 'config.bottleneckFilters', fn);
  const dFilters = checkIntList(
    config.discriminatorFilters ?? p.discriminatorFilters,
    'config.discriminatorFilters',
    fn,
  );
  const dFinal = checkPositiveInt(
    config.discriminatorFinalFilters ?? p.discriminatorFinalFilters,
    'config.discriminatorFinalFilters',
    fn,
  );
  const k = checkPositiveInt(config.kernelSize ?? 3, 'config.kernelSize', fn);
  const dropoutBlocks = config.dropoutBlocks ?? p.dropoutBlocks;
  if (!Number.isInteger(dropoutBlocks) || dropoutBlocks < 0 || dropoutBlocks > gFilters.length) {
    throw new ModelsArgumentError(
      'config.dropoutBlocks',
      fn,
      `an integer in [0, ${gFilters.length}]`,
      JSON.stringify(dropoutBlocks),
    );
  }
  const rate = config.dropoutRate ?? 0.5;
  if (typeof rate !== 'number' || !(rate >= 0 && rate < 1))
    throw new ModelsArgumentError('config.dropoutRate', fn, 'a number in [0, 1)', JSON.stringify(rate));
  const workingSize = config.workingSize === undefined ? p.workingSize : config.workingSize;
  const divisor = 2 ** (gFilters.length + 1);
  const [rows, cols] = checkInputShape(
    config.inputShape ?? [48, 48],
    'config.inputShape',
    fn,
    workingSize === null ? divisor : 1,
  );
  if (workingSize !== null) {
    checkPositiveInt(workingSize, 'config.workingSize', fn);
    if (workingSize % divisor !== 0)
      throw new ModelsArgumentError(
        'config.workingSize',
        fn,
        `a multiple of ${divisor} (2^(levels))`,
        String(workingSize),
      );
  }
  const seed = checkSeed(config.seed, fn);
  const initMode = checkInitializer(config.initializer, fn);
  const name = config.name ?? `pix2pix_${preset}`;
  const upsampling = config.decoderUpsampling ?? 'resize';
  if (upsampling !== 'resize' && upsampling !== 'transpose')
    throw new ModelsArgumentError(
      'config.decoderUpsampling',
      fn,
      '"resize" or "transpose"',
      JSON.stringify(upsampling),
    );

  // ---- generator
  const gInit = new KernelInitializers(seed, initMode);
  const conv = (x: SymbolicTensor, f: number, strides: number, kernelInitializer = gInit.next()): SymbolicTensor =>
    conv2d({ filters: f, kernelSize: k, strides, padding: 'same', kernelInitializer }).apply(x) as SymbolicTensor;
  // Doubles the resolution: bilinear ×2 + conv, or a stride-2 ConvTranspose (same parameter count).
  const up = (t: SymbolicTensor, f: number): SymbolicTensor => {
    if (upsampling === 'transpose')
      return tfl.layers
        .conv2dTranspose({ filters: f, kernelSize: k, strides: 2, padding: 'same', kernelInitializer: gInit.next() })
        .apply(t) as SymbolicTensor;
    const [h, w] = [t.shape[1]!, t.shape[2]!];
    const resized = new ResizeLayer({ height: 2 * h, width: 2 * w }).apply(t) as SymbolicTensor;
    return conv(resized, f, 1);
  };
  const lsm = tfl.input({ shape: [rows, cols, 1], name: 'lsm' });
  let x: SymbolicTensor =
    workingSize !== null
      ? (new ResizeLayer({ height: workingSize, width: workingSize }).apply(lsm) as SymbolicTensor)
      : lsm;
  const skips: SymbolicTensor[] = [];
  gFilters.forEach((f, i) => {
    x = conv(x, f, 2);
    if (i > 0) x = batchNormalization().apply(x) as SymbolicTensor;
    x = tfl.layers.leakyReLU({ alpha: 0.2 }).apply(x) as SymbolicTensor;
    skips.push(x);
  });
  x = conv(x, bottleneck, 2);
  x = tfl.layers.activation({ activation: 'relu' }).apply(x) as SymbolicTensor;
  for (let j = gFilters.length - 1, block = 0; j >= 0; j--, block++) {
    x = up(x, gFilters[j]!);
    x = batchNormalization().apply(x) as SymbolicTensor;
    if (block < dropoutBlocks && rate > 0) x = tfl.layers.dropout({ rate }).apply(x) as SymbolicTensor;
    x = tfl.layers.concatenate().apply([x, skips[j]!]) as SymbolicTensor;
    x = tfl.layers.activation({ activation: 'relu' }).apply(x) as SymbolicTensor;
  }
  x = up(x, 1);
  x = tfl.layers.activation({ activation: 'tanh' }).apply(x) as SymbolicTensor;
  if (workingSize !== null) x = new ResizeLayer({ height: rows, width: cols }).apply(x) as SymbolicTensor;
  const generator = tfl.model({ inputs: lsm, outputs: x, name: `${name}_generator` });

  // ---- discriminator
  const dInit = new KernelInitializers((seed + 0x9e3779b9) >>> 0, initMode);
  const src = tfl.input({ shape: [rows, cols, 1], name: 'lsm' });
  const tgt = tfl.input({ shape: [rows, cols, 1], name: 'twsa' });
  let d = tfl.layers.concatenate().apply([src, tgt]) as SymbolicTensor;
  if (workingSize !== null) d = new ResizeLayer({ height: workingSize, width: workingSize }).apply(d) as SymbolicTensor;
  dFilters.forEach((f, i) => {
    d = conv(d, f, 2, dInit.next());
    if (i > 0) d = batchNormalization().apply(d) as SymbolicTensor;
    d = tfl.layers.leakyReLU({ alpha: 0.2 }).apply(d) as SymbolicTensor;
  });
  d = conv(d, dFinal, 1, dInit.next());
  d = batchNormalization().apply(d) as SymbolicTensor;
  d = tfl.layers.leakyReLU({ alpha: 0.2 }).apply(d) as SymbolicTensor;
  d = conv(d, 1, 1, dInit.next());
  d = tfl.layers.activation({ activation: 'sigmoid' }).apply(d) as SymbolicTensor;
  const discriminator = tfl.model({ inputs: [src, tgt], outputs: d, name: `${name}_discriminator` });
  return { generator, discriminator };
}
