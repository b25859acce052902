/**
 * Typed errors of @twsa/models. Each carries a literal `name`, the fields that explain it and `cause`.
 * Test them with {@link isModelsError} (by name, so duplicate installs still match) rather than `instanceof`.
 */

/** Names of every error this package throws. */
export const MODELS_ERROR_NAMES = [
  'ModelsError',
  'ModelsArgumentError',
  'ModelsShapeError',
  'ModelsNanError',
  'ModelsCheckpointError',
  'ModelsIoError',
] as const;
/** One of {@link MODELS_ERROR_NAMES}. */
export type ModelsErrorName = (typeof MODELS_ERROR_NAMES)[number];

/** Base class of every @twsa/models error. */
export class ModelsError extends Error {
  override readonly name: ModelsErrorName = 'ModelsError';
  /** The argument, option or field involved, when there is one. */
  readonly field?: string;
  /** The file or directory involved, when there is one. */
  readonly file?: string;
  constructor(message: string, options?: { cause?: unknown; field?: string; file?: string }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    if (options?.field !== undefined) this.field = options.field;
    if (options?.file !== undefined) this.file = options.file;
  }
}

/**
 * An argument or option is invalid (unknown preset, unknown option key, out-of-range value).
 * Names the argument and the function, as tfjs does.
 */
export class ModelsArgumentError extends ModelsError {
  override readonly name = 'ModelsArgumentError' as const;
  readonly argument: string;
  readonly functionName: string;
  constructor(argument: string, functionName: string, expected: string, actual: string, options?: { cause?: unknown }) {
    super(`Argument '${argument}' passed to '${functionName}' must be ${expected}, but got ${actual}`, {
      ...options,
      field: argument,
    });
    this.argument = argument;
    this.functionName = functionName;
  }
}

/** An array's shape does not fit the model or the other arrays. */
export class ModelsShapeError extends ModelsError {
  override readonly name = 'ModelsShapeError' as const;
  readonly argument: string;
  readonly functionName: string;
  /** Expected shape; `-1` marks a free dimension (the batch). */
  readonly expected: readonly number[];
  readonly actual: readonly number[];
  constructor(
    argument: string,
    functionName: string,
    expected: readonly number[],
    actual: readonly number[],
    hint?: string,
    options?: { cause?: unknown },
  ) {
    super(
      `Shape of '${argument}' passed to '${functionName}' must be [${expected.map((v) => (v < 0 ? 'n' : String(v))).join(', ')}], but got [${actual.join(', ')}]${hint ? `; ${hint}` : ''}`,
      { ...options, field: argument },
    );
    this.argument = argument;
    this.functionName = functionName;
    this.expected = expected;
    this.actual = actual;
  }
}

/** An input or target holds NaN (or ±Infinity) where no mask excuses it. */
export class ModelsNanError extends ModelsError {
  override readonly name = 'ModelsNanError' as const;
  readonly argument: string;
  readonly functionName: string;
  /** Flat index of the first non-finite value. */
  readonly index: number;
  /** Number of non-finite values that are not excused by the mask. */
  readonly count: number;
  constructor(argument: string, functionName: string, index: number, count: number, masked: boolean) {
    super(
      `'${argument}' passed to '${functionName}' holds ${count} non-finite value(s) (first at flat index ${index})` +
        (masked
          ? ' on pixels the mask marks as valid; fix the data or set those pixels to 0 in the mask'
          : '; pass a mask (1 = valid pixel) so masked pixels are ignored, or fill the gaps first'),
      { field: argument },
    );
    this.argument = argument;
    this.functionName = functionName;
    this.index = index;
    this.count = count;
  }
}

/** A checkpoint directory is missing, corrupt, or does not fit the model being trained. */
export class ModelsCheckpointError extends ModelsError {
  override readonly name = 'ModelsCheckpointError' as const;
}

/** Reading or writing a saved model failed. */
export class ModelsIoError extends ModelsError {
  override readonly name = 'ModelsIoError' as const;
}

/**
 * True when `err` is a @twsa/models error, optionally of one given name.
 * @example
 * ```ts
 * let caught: unknown;
 * try { buildSeUnet({ preset: "huge" as never }); } catch (e) { caught = e; }
 * isModelsError(caught, "ModelsArgumentError"); // => true
 * ```
 */
export function isModelsError<N extends ModelsErrorName>(err: unknown, name?: N): err is ModelsError & { name: N } {
  if (!(err instanceof Error)) return false;
  const n = err.name as ModelsErrorName;
  return name === undefined ? (MODELS_ERROR_NAMES as readonly string[]).includes(n) : n === name;
}
