/** The configuration vocabulary every model builder shares: preset names, initializer modes, base options. */

/** Names of the presets every builder knows. */
export const PRESET_NAMES = ['paper', 'cpu', 'tiny'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/** How kernels are initialised: seeded Glorot-uniform (trainable) or zeros (fast, for counting parameters). */
export type InitializerMode = 'glorotUniform' | 'zeros';

/** Common fields of every builder config. */
export interface BaseModelConfig {
  /** Preset to start from: `'paper'` (Table 1 of Yu et al. 2021), `'cpu'` (small, trains in minutes on 2 cores) or `'tiny'` (tests). Default `'cpu'`. */
  readonly preset?: PresetName;
  /** Seed of the kernel initializers: same seed → same initial weights. Default 0. */
  readonly seed?: number;
  /** `'glorotUniform'` (default) or `'zeros'` (fast; for counting parameters only). */
  readonly initializer?: InitializerMode;
  /** Model name. */
  readonly name?: string;
}
