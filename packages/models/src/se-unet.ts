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
import { batchNormalization, conv2d, dense } from './layers.js';

type SymbolicTensor = tfl.SymbolicTensor;

/** Configuration of {@link buildSeUnet}; every field except `preset` overrides the preset's value. */
export interface SeUnetConfig extends BaseModelConfig {
  /** `[rows, cols]` of the input grid; both divisible by `2^(filters.length - 1)`. Default `[48, 48]`. */
  readonly inputShape?: readonly [rows: number, cols: number];
  /** Input channels (1 = the LSM TWSA field). Default 1. */
  readonly inputChannels?: number;
  /** Filters per level, from the top of the U down to the bottleneck. paper `[16, 32, 64, 128, 256]`, cpu `[8, 16, 32, 64, 128]`, tiny `[4, 8, 16]`. */
  readonly filters?: readonly number[];
  /** Squeeze-and-excitation ratio r of each encoder block (Dense units = ⌊C / r⌋). paper `[4, 8, 8, 16, 16]`. */
  readonly encoderSeRatios?: readonly number[];
  /** SE ratio of each decoder block, from the bottom up (length `filters.length - 1`). paper `[16, 8, 4, 2]`. */
  readonly decoderSeRatios?: readonly number[];
}

const KEYS = [...BASE_KEYS, 'inputShape', 'inputChannels', 'filters', 'encoderSeRatios', 'decoderSeRatios'] as const;

/** Preset values of {@link buildSeUnet}. */
export const SE_UNET_PRESETS = {
  paper: { filters: [16, 32, 64, 128, 256], encoderSeRatios: [4, 8, 8, 16, 16], decoderSeRatios: [16, 8, 4, 2] },
  cpu: { filters: [8, 16, 32, 64, 128], encoderSeRatios: [2, 4, 4, 8, 8], decoderSeRatios: [8, 4, 2, 2] },
  tiny: { filters: [4, 8, 16], encoderSeRatios: [2, 2, 4], decoderSeRatios: [4, 2] },
} as const;

/**
 * Builds the squeeze-and-excitation U-Net (SEUNet) of Yu et al. (2021): LSM TWSA → GRACE-like TWSA.
 *
 * ## Method
 * The `SEUnet` of BBuf/Keras-Semantic-Segmentation with one input channel and a tanh regression head.
 * Each encoder level is `2 × [Conv 3×3 relu + BatchNorm]` followed by an SE module
 * (`GAP → Dense(⌊C/r⌋, relu) → Dense(C, sigmoid) → scale`) and 2×2 max-pooling; each decoder level is
 * `UpSampling 2× → Conv 2×2 + BN`, concatenated after the skip, then `2 × [Conv 3×3 + BN]` and SE; the head is
 * `Conv 3×3 (1 filter) + BN + tanh`. The `'paper'` preset has 1,964,093 parameters (3,426 non-trainable),
 * as in Table 1.
 *
 * **Input shape:** `[batch, rows, cols, inputChannels]` (default `[batch, 48, 48, 1]`), scaled to about [-1, 1].
 *
 * **Output shape:** `[batch, rows, cols, 1]`, in (-1, 1) (tanh).
 *
 * @param config - see {@link SeUnetConfig}; default preset `'cpu'`.
 * @returns an uncompiled `tf.LayersModel`; the caller owns it (`model.dispose()`).
 * @throws {@link ModelsArgumentError} for an unknown preset or option, or inconsistent values.
 * @example
 * ```ts
 * const model = buildSeUnet({ preset: "paper", initializer: "zeros" });
 * model.countParams(); // => 1964093
 * model.dispose();
 * ```
 */
export function buildSeUnet(config: SeUnetConfig = {}): tfl.LayersModel {
  const fn = 'buildSeUnet';
  checkKeys(config, KEYS, 'config', fn);
  const preset = checkPreset(config.preset, fn);
  const p = SE_UNET_PRESETS[preset];
  const filters = checkIntList(config.filters ?? p.filters, 'config.filters', fn, 2);
  const levels = filters.length;
  const encRatios = checkIntList(config.encoderSeRatios ?? p.encoderSeRatios, 'config.encoderSeRatios', fn);
  const decRatios = checkIntList(config.decoderSeRatios ?? p.decoderSeRatios, 'config.decoderSeRatios', fn);
  if (encRatios.length !== levels)
    throw new ModelsArgumentError(
      'config.encoderSeRatios',
      fn,
      `${levels} ratios (one per level)`,
      `${encRatios.length}`,
    );
  if (decRatios.length !== levels - 1)
    throw new ModelsArgumentError(
      'config.decoderSeRatios',
      fn,
      `${levels - 1} ratios (one per decoder level)`,
      `${decRatios.length}`,
    );
  const [rows, cols] = checkInputShape(config.inputShape ?? [48, 48], 'config.inputShape', fn, 2 ** (levels - 1));
  const channels = checkPositiveInt(config.inputChannels ?? 1, 'config.inputChannels', fn);
  const init = new KernelInitializers(checkSeed(config.seed, fn), checkInitializer(config.initializer, fn));
  filters.forEach((f, i) => {
    const r = i < levels ? encRatios[i]! : 1;
    if (Math.floor(f / r) < 1)
      throw new ModelsArgumentError(`config.encoderSeRatios[${i}]`, fn, `at most filters[${i}] = ${f}`, String(r));
  });

  const cbr = (x: SymbolicTensor, f: number, k = 3): SymbolicTensor => {
    const y = conv2d({
      filters: f,
      kernelSize: k,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init.next(),
    }).apply(x) as SymbolicTensor;
    return batchNormalization().apply(y) as SymbolicTensor;
  };
  const se = (x: SymbolicTensor, ratio: number, c: number): SymbolicTensor => {
    let s = tfl.layers.globalAveragePooling2d({}).apply(x) as SymbolicTensor;
    s = dense({ units: Math.floor(c / ratio), activation: 'relu', kernelInitializer: init.next() }).apply(
      s,
    ) as SymbolicTensor;
    s = dense({ units: c, activation: 'sigmoid', kernelInitializer: init.next() }).apply(s) as SymbolicTensor;
    s = tfl.layers.reshape({ targetShape: [1, 1, c] }).apply(s) as SymbolicTensor;
    return tfl.layers.multiply().apply([x, s]) as SymbolicTensor;
  };

  const input = tfl.input({ shape: [rows, cols, channels], name: 'lsm' });
  const skips: SymbolicTensor[] = [];
  let x: SymbolicTensor = input;
  for (let i = 0; i < levels; i++) {
    x = se(cbr(cbr(x, filters[i]!), filters[i]!), encRatios[i]!, filters[i]!);
    if (i < levels - 1) {
      skips.push(x);
      x = tfl.layers.maxPooling2d({ poolSize: 2 }).apply(x) as SymbolicTensor;
    }
  }
  for (let j = levels - 2; j >= 0; j--) {
    const f = filters[j]!;
    const ratio = decRatios[levels - 2 - j]!;
    if (Math.floor(f / ratio) < 1)
      throw new ModelsArgumentError(`config.decoderSeRatios[${levels - 2 - j}]`, fn, `at most ${f}`, String(ratio));
    const up = cbr(tfl.layers.upSampling2d({ size: [2, 2] }).apply(x) as SymbolicTensor, f, 2);
    x = tfl.layers.concatenate({ axis: 3 }).apply([skips[j]!, up]) as SymbolicTensor;
    x = se(cbr(cbr(x, f), f), ratio, f);
  }
  x = conv2d({ filters: 1, kernelSize: 3, padding: 'same', kernelInitializer: init.next() }).apply(x) as SymbolicTensor;
  x = batchNormalization().apply(x) as SymbolicTensor;
  x = tfl.layers.activation({ activation: 'tanh' }).apply(x) as SymbolicTensor;
  return tfl.model({ inputs: input, outputs: x, name: config.name ?? `seunet_${preset}` });
}
