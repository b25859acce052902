/** Shared helpers of the builders: preset resolution, option checks and seeded initializers. */
import * as tfl from '@tensorflow/tfjs-layers';
import { ModelsArgumentError } from '../errors.js';
import { PRESET_NAMES, type InitializerMode, type PresetName } from '../model-config.js';

/** Throws when `value` is not a plain object or holds a key outside `allowed`. */
export function checkKeys(value: unknown, allowed: readonly string[], argument: string, fn: string): void {
  if (value === undefined) return;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ModelsArgumentError(
      argument,
      fn,
      'an object',
      value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value,
    );
  }
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new ModelsArgumentError(
        `${argument}.${key}`,
        fn,
        `one of the known options (${allowed.join(', ')})`,
        `unknown option '${key}'`,
      );
    }
  }
}

/** Returns the preset name, throwing a typed error for unknown ones. */
export function checkPreset(preset: unknown, fn: string, argument = 'config.preset'): PresetName {
  const p = preset ?? 'cpu';
  if (typeof p !== 'string' || !(PRESET_NAMES as readonly string[]).includes(p)) {
    throw new ModelsArgumentError(
      argument,
      fn,
      `one of ${PRESET_NAMES.map((n) => `'${n}'`).join(', ')}`,
      JSON.stringify(p),
    );
  }
  return p as PresetName;
}

export function checkPositiveInt(value: unknown, argument: string, fn: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new ModelsArgumentError(argument, fn, 'a positive integer', JSON.stringify(value));
  }
  return value;
}

export function checkIntList(value: unknown, argument: string, fn: string, minLength = 1): number[] {
  if (!Array.isArray(value) || value.length < minLength) {
    throw new ModelsArgumentError(
      argument,
      fn,
      `an array of at least ${minLength} positive integer(s)`,
      JSON.stringify(value),
    );
  }
  value.forEach((v, i) => checkPositiveInt(v, `${argument}[${i}]`, fn));
  return value as number[];
}

export function checkInputShape(value: unknown, argument: string, fn: string, divisor: number): [number, number] {
  if (!Array.isArray(value) || value.length !== 2)
    throw new ModelsArgumentError(argument, fn, '[rows, cols]', JSON.stringify(value));
  const [r, c] = value.map((v, i) => checkPositiveInt(v, `${argument}[${i}]`, fn)) as [number, number];
  if (r % divisor !== 0 || c % divisor !== 0) {
    throw new ModelsArgumentError(
      argument,
      fn,
      `rows and cols divisible by ${divisor} (the number of stride-2 levels requires it)`,
      JSON.stringify(value),
    );
  }
  return [r, c];
}

export function checkInitializer(value: unknown, fn: string): InitializerMode {
  const v = value ?? 'glorotUniform';
  if (v !== 'glorotUniform' && v !== 'zeros')
    throw new ModelsArgumentError('config.initializer', fn, "'glorotUniform' or 'zeros'", JSON.stringify(v));
  return v;
}

export function checkSeed(value: unknown, fn: string, argument = 'config.seed'): number {
  const v = value ?? 0;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw new ModelsArgumentError(argument, fn, 'an integer in [0, 2^32)', JSON.stringify(v));
  }
  return v;
}

/** Hands out one kernel initializer per layer, each with its own seed derived from the model seed. */
export class KernelInitializers {
  private count = 0;
  constructor(
    private readonly seed: number,
    private readonly mode: InitializerMode,
  ) {}
  next(): ReturnType<typeof tfl.initializers.zeros> {
    this.count += 1;
    if (this.mode === 'zeros') return tfl.initializers.zeros();
    // Distinct, reproducible seed per layer (Knuth multiplicative hash of the model seed and the layer index).
    const s = (Math.imul(this.seed + 1, 2654435761) ^ Math.imul(this.count, 40503)) >>> 0;
    return tfl.initializers.glorotUniform({ seed: s });
  }
}

export const BASE_KEYS = ['preset', 'seed', 'initializer', 'name'] as const;
