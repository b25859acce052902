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
import { ResizeLayer, batchNormalization, conv2d, dense } from './layers.js';

type SymbolicTensor = tfl.SymbolicTensor;

/** Configuration of {@link buildDcae}; every field except `preset` overrides the preset's value. */
export interface DcaeConfig extends BaseModelConfig {
  /** `[rows, cols]`; square, equal to the product of `decoderStrides`. Default `[48, 48]`. */
  readonly inputShape?: readonly [rows: number, cols: number];
  /** Filters of the encoder's 3×3 relu convs. paper `[64, 128, 256]`, cpu `[16, 32, 32]`, tiny `[4, 8]`. */
  readonly convFilters?: readonly number[];
  /** Stride of each encoder conv. paper `[1, 1, 1]` (the only way to reach 76 M parameters), cpu `[2, 2, 2]`, tiny `[2, 2]`. */
  readonly convStrides?: readonly number[];
  /** Units of the first dense layer (the latent code). paper 128, cpu 128, tiny 16. */
  readonly latentUnits?: number;
  /** Units of the second dense layer, reshaped to `[1, 1, fcUnits]`. paper 128, cpu 128, tiny 16. */
  readonly fcUnits?: number;
  /** BatchNorm after the latent dense layer. Default true. */
  readonly latentBatchNorm?: boolean;
  /** Filters of the 3×3 ConvTranspose decoder layers (tanh + BN each). paper `[128, 64, 32]`, cpu `[64, 32, 16]`, tiny `[8, 4, 4]`. */
  readonly decoderFilters?: readonly number[];
  /**
   * Upsampling factor of each decoder layer; their product must equal the grid side. Default `[3, 4, 4]`
   * (1 → 3 → 12 → 48) with `decoderUpsampling: "resize"`, `[4, 4, 3]` (1 → 4 → 16 → 48) with `"transpose"`.
   */
  readonly decoderStrides?: readonly number[];
  /**
   * How the decoder upsamples. `"resize"` (default): the first layer is a 3×3 ConvTranspose of stride ≤ 3 from the
   * 1×1 code (1×1 → 3×3 by default, so the whole kernel lands and every cell is driven by the code; a larger first
   * factor is reached by a bilinear resize), each later one a bilinear resize by its factor followed by a 3×3
   * `same` conv ("resize-convolution", Odena et al. 2016). `"transpose"`:
   * 3×3 `same` ConvTranspose layers with the factors as strides; a stride above the kernel (4 > 3) leaves every
   * fourth row and column driven by the bias alone, which shows as seams in the maps. Both have the same
   * parameter count (a 3×3 ConvTranspose and a 3×3 conv both hold `9·Cin·F + F`).
   */
  readonly decoderUpsampling?: 'resize' | 'transpose';
  /** Kernel of the 1-filter tanh output layer. Default 3. */
  readonly outputKernel?: number;
  /**
   * Add the input map to the decoder's tanh output (the network learns the correction of the LSM, not the whole
   * map through its 128-unit code). No parameters. paper `false`; cpu `true`; tiny `false`. Without it the cpu
   * preset fits its training maps only after ~150 epochs (per-pixel train CC 0.81 at 40, 0.96 at 150) and still
   * damps the test maps, whose trend lies outside the training years (per-pixel test CC 0.87 against the LSM's 0.90).
   */
  readonly residual?: boolean;
}

const KEYS = [
  ...BASE_KEYS,
  'inputShape',
  'convFilters',
  'convStrides',
  'latentUnits',
  'fcUnits',
  'latentBatchNorm',
  'decoderFilters',
  'decoderStrides',
  'decoderUpsampling',
  'outputKernel',
  'residual',
] as const;

/** Preset values of {@link buildDcae}. */
export const DCAE_PRESETS = {
  paper: {
    convFilters: [64, 128, 256],
    convStrides: [1, 1, 1],
    latentUnits: 128,
    fcUnits: 128,
    decoderFilters: [128, 64, 32],
    residual: false,
  },
  cpu: {
    convFilters: [16, 32, 32],
    convStrides: [2, 2, 2],
    latentUnits: 128,
    fcUnits: 128,
    decoderFilters: [64, 32, 16],
    residual: true,
  },
  tiny: {
    convFilters: [4, 8],
    convStrides: [2, 2],
    latentUnits: 16,
    fcUnits: 16,
    decoderFilters: [8, 4, 4],
    residual: false,
  },
} as const;

/**
 * Builds the deep convolutional autoencoder (DCAE) of Yu et al. (2021): LSM TWSA → GRACE-like TWSA.
 *
 * ## Method
 * Encoder: 3×3 `same` relu convs (stride 1 in the paper preset, so the maps stay 48×48) → Flatten →
 * Dense(latentUnits, relu) → BN → Dense(fcUnits, relu) (the paper's "128×128 latent" is this weight matrix) →
 * Reshape `[1, 1, fcUnits]`. Decoder: three 3×3 layers with tanh + BN from 1×1 up to 48×48 — by default a `valid`
 * ConvTranspose to 3×3, then bilinear ×4 + conv twice (`decoderUpsampling`; the paper does not give its strides,
 * and stride-4 3×3 ConvTranspose layers leave seams) — then a 1-filter tanh ConvTranspose; with `residual` (cpu
 * preset) the input map is added to it, so the code carries the LSM's correction. The `'paper'` preset has 76,125,313 parameters (Table 1;
 * 75.5 M of them in the first dense layer), of which 704 are non-trainable. The `'cpu'` preset uses
 * stride-2 encoder convs so the dense bottleneck is small (≈0.3 M parameters in all).
 *
 * **Input shape:** `[batch, rows, cols, 1]` (default `[batch, 48, 48, 1]`).
 *
 * **Output shape:** `[batch, rows, cols, 1]`, in (-1, 1).
 *
 * @param config - see {@link DcaeConfig}; default preset `'cpu'`.
 * @returns an uncompiled `tf.LayersModel`; dispose it when done (the paper one holds 300 MB of weights).
 * @throws {@link ModelsArgumentError} for an unknown preset or option, or decoder strides that do not reach the grid size.
 * @example
 * ```ts
 * const model = buildDcae({ preset: "tiny" });
 * model.outputs[0].shape; // => [null, 48, 48, 1]
 * model.dispose();
 * ```
 */
export function buildDcae(config: DcaeConfig = {}): tfl.LayersModel {
  const fn = 'buildDcae';
  checkKeys(config, KEYS, 'config', fn);
  const preset = checkPreset(config.preset, fn);
  const p = DCAE_PRESETS[preset];
  const convFilters = checkIntList(config.convFilters ?? p.convFilters, 'config.convFilters', fn);
  const convStrides = checkIntList(config.convStrides ?? p.convStrides, 'config.convStrides', fn);
  if (convStrides.length !== convFilters.length)
    throw new ModelsArgumentError(
      'config.convStrides',
      fn,
      `${convFilters.length} strides (one per conv)`,
      String(convStrides.length),
    );
  const latent = checkPositiveInt(config.latentUnits ?? p.latentUnits, 'config.latentUnits', fn);
  const fc = checkPositiveInt(config.fcUnits ?? p.fcUnits, 'config.fcUnits', fn);
  const decFilters = checkIntList(config.decoderFilters ?? p.decoderFilters, 'config.decoderFilters', fn);
  const upsampling = config.decoderUpsampling ?? 'resize';
  if (upsampling !== 'resize' && upsampling !== 'transpose')
    throw new ModelsArgumentError(
      'config.decoderUpsampling',
      fn,
      '"resize" or "transpose"',
      JSON.stringify(upsampling),
    );
  const decStrides = checkIntList(
    config.decoderStrides ?? (upsampling === 'resize' ? [3, 4, 4] : [4, 4, 3]),
    'config.decoderStrides',
    fn,
  );
  if (decStrides.length !== decFilters.length)
    throw new ModelsArgumentError(
      'config.decoderStrides',
      fn,
      `${decFilters.length} strides (one per decoder layer)`,
      String(decStrides.length),
    );
  const outK = checkPositiveInt(config.outputKernel ?? 3, 'config.outputKernel', fn);
  const [rows, cols] = checkInputShape(config.inputShape ?? [48, 48], 'config.inputShape', fn, 1);
  const side = decStrides.reduce((a, b) => a * b, 1);
  if (rows !== side || cols !== side) {
    throw new ModelsArgumentError(
      'config.decoderStrides',
      fn,
      `strides whose product equals the grid side (${rows}×${cols} needs a square grid)`,
      `[${decStrides.join(', ')}] (product ${side})`,
    );
  }
  if (config.latentBatchNorm !== undefined && typeof config.latentBatchNorm !== 'boolean') {
    throw new ModelsArgumentError('config.latentBatchNorm', fn, 'a boolean', JSON.stringify(config.latentBatchNorm));
  }
  const init = new KernelInitializers(checkSeed(config.seed, fn), checkInitializer(config.initializer, fn));
  const residual = config.residual ?? p.residual;
  if (typeof residual !== 'boolean')
    throw new ModelsArgumentError('config.residual', fn, 'a boolean', JSON.stringify(residual));

  const input = tfl.input({ shape: [rows, cols, 1], name: 'lsm' });
  let x: SymbolicTensor = input;
  convFilters.forEach((f, i) => {
    x = conv2d({
      filters: f,
      kernelSize: 3,
      strides: convStrides[i]!,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init.next(),
    }).apply(x) as SymbolicTensor;
  });
  x = tfl.layers.flatten().apply(x) as SymbolicTensor;
  x = dense({ units: latent, activation: 'relu', kernelInitializer: init.next() }).apply(x) as SymbolicTensor;
  if (config.latentBatchNorm ?? true) x = batchNormalization().apply(x) as SymbolicTensor;
  x = dense({ units: fc, activation: 'relu', kernelInitializer: init.next() }).apply(x) as SymbolicTensor;
  x = tfl.layers.reshape({ targetShape: [1, 1, fc] }).apply(x) as SymbolicTensor;
  let size = 1;
  decFilters.forEach((f, i) => {
    const factor = decStrides[i]!;
    if (upsampling === 'transpose') {
      x = tfl.layers
        .conv2dTranspose({
          filters: f,
          kernelSize: 3,
          strides: factor,
          padding: 'same',
          activation: 'tanh',
          kernelInitializer: init.next(),
        })
        .apply(x) as SymbolicTensor;
    } else if (i === 0) {
      // From the 1×1 code: a 3×3 ConvTranspose whose kernel covers all of its output (stride ≤ 3; 'valid' at 3 gives
      // exactly 3×3), resized up when the factor is larger.
      const stride = Math.min(factor, 3);
      x = tfl.layers
        .conv2dTranspose({
          filters: f,
          kernelSize: 3,
          strides: stride,
          padding: stride === 3 ? 'valid' : 'same',
          activation: 'tanh',
          kernelInitializer: init.next(),
        })
        .apply(x) as SymbolicTensor;
      if (factor > stride) x = new ResizeLayer({ height: factor, width: factor }).apply(x) as SymbolicTensor;
    } else {
      if (factor > 1) x = new ResizeLayer({ height: size * factor, width: size * factor }).apply(x) as SymbolicTensor;
      x = conv2d({
        filters: f,
        kernelSize: 3,
        padding: 'same',
        activation: 'tanh',
        kernelInitializer: init.next(),
      }).apply(x) as SymbolicTensor;
    }
    size *= factor;
    x = batchNormalization().apply(x) as SymbolicTensor;
  });
  x = tfl.layers
    .conv2dTranspose({
      filters: 1,
      kernelSize: outK,
      padding: 'same',
      activation: 'tanh',
      kernelInitializer: init.next(),
    })
    .apply(x) as SymbolicTensor;
  if (residual) x = tfl.layers.add({ name: 'lsm_plus_correction' }).apply([input, x]) as SymbolicTensor;
  return tfl.model({ inputs: input, outputs: x, name: config.name ?? `dcae_${preset}` });
}
