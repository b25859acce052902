import type * as tfl from '@tensorflow/tfjs-layers';
import { buildConvLstm } from './conv-lstm.js';
import { buildDcae } from './dcae.js';
import { ModelsArgumentError } from './errors.js';
import { checkKeys } from './internal/config.js';
import { PRESET_NAMES, type PresetName } from './model-config.js';
import { buildPix2Pix } from './pix2pix.js';
import { buildSeUnet } from './se-unet.js';

/** Names of the models of Yu et al. (2021) this package builds. */
export const MODEL_NAMES = ['seunet', 'pix2pix', 'dcae', 'convlstm'] as const;
/** One of {@link MODEL_NAMES}. */
export type ModelName = (typeof MODEL_NAMES)[number];

/** Table 1 of Yu et al. (2021): total parameters of each model (Pix2Pix = generator + discriminator). */
export const PAPER_PARAMETER_COUNTS: Readonly<Record<ModelName, number>> = {
  seunet: 1_964_093,
  pix2pix: 34_544_514,
  dcae: 76_125_313,
  convlstm: 1_858_049,
};

/** One row of {@link describeModels}. */
export interface ModelDescription {
  readonly name: ModelName;
  readonly preset: PresetName;
  readonly trainable: number;
  readonly nonTrainable: number;
  readonly total: number;
  /** Table 1's count, on the `'paper'` rows only. */
  readonly paperTotal?: number;
}

/** Options of {@link describeModels}. */
export interface DescribeModelsOptions {
  /** Presets to describe. Default `['paper', 'cpu']`. */
  readonly presets?: readonly PresetName[];
  /** Models to describe. Default all four. */
  readonly models?: readonly ModelName[];
}

function counts(models: tfl.LayersModel[]): { trainable: number; nonTrainable: number } {
  let trainable = 0;
  let nonTrainable = 0;
  for (const m of models) {
    for (const w of m.trainableWeights) trainable += w.shape.reduce<number>((a, b) => a * (b ?? 1), 1);
    for (const w of m.nonTrainableWeights) nonTrainable += w.shape.reduce<number>((a, b) => a * (b ?? 1), 1);
  }
  return { trainable, nonTrainable };
}

/**
 * Lists the parameter counts of each model and preset (what `twsa models --json` prints).
 *
 * ## Method
 * Builds each model with zeros initializers, counts `trainableWeights` and `nonTrainableWeights` (BatchNorm moving
 * mean and variance), and disposes it at once. Pix2Pix rows count generator + discriminator. Building the paper DCAE
 * allocates its 300 MB of weights for a moment.
 *
 * @param options - see {@link DescribeModelsOptions}
 * @returns one row per (model, preset)
 * @throws {@link ModelsArgumentError} for an unknown preset or model name.
 * @example
 * ```ts
 * describeModels({ presets: ["paper"], models: ["seunet"] });
 * // => [{ name: "seunet", preset: "paper", trainable: 1960667, nonTrainable: 3426, total: 1964093, paperTotal: 1964093 }]
 * ```
 */
export function describeModels(options: DescribeModelsOptions = {}): ModelDescription[] {
  const fn = 'describeModels';
  checkKeys(options, ['presets', 'models'], 'options', fn);
  const presets = options.presets ?? ['paper', 'cpu'];
  const names = options.models ?? MODEL_NAMES;
  if (!Array.isArray(presets))
    throw new ModelsArgumentError('options.presets', fn, 'an array of preset names', typeof presets);
  if (!Array.isArray(names))
    throw new ModelsArgumentError('options.models', fn, 'an array of model names', typeof names);
  presets.forEach((p, i) => {
    if (!(PRESET_NAMES as readonly string[]).includes(p))
      throw new ModelsArgumentError(
        `options.presets[${i}]`,
        fn,
        `one of ${PRESET_NAMES.join(', ')}`,
        JSON.stringify(p),
      );
  });
  names.forEach((n, i) => {
    if (!(MODEL_NAMES as readonly string[]).includes(n))
      throw new ModelsArgumentError(`options.models[${i}]`, fn, `one of ${MODEL_NAMES.join(', ')}`, JSON.stringify(n));
  });
  const rows: ModelDescription[] = [];
  for (const name of names as readonly ModelName[]) {
    for (const preset of presets as readonly PresetName[]) {
      const built: tfl.LayersModel[] =
        name === 'seunet'
          ? [buildSeUnet({ preset, initializer: 'zeros' })]
          : name === 'dcae'
            ? [buildDcae({ preset, initializer: 'zeros' })]
            : name === 'convlstm'
              ? [buildConvLstm({ preset, initializer: 'zeros' })]
              : Object.values(buildPix2Pix({ preset, initializer: 'zeros' }));
      try {
        const { trainable, nonTrainable } = counts(built);
        rows.push({
          name,
          preset,
          trainable,
          nonTrainable,
          total: trainable + nonTrainable,
          ...(preset === 'paper' ? { paperTotal: PAPER_PARAMETER_COUNTS[name] } : {}),
        });
      } finally {
        for (const m of built) m.dispose();
      }
    }
  }
  return rows;
}
