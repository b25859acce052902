/**
 * Typed errors of @twsa/datasets. Each carries a literal `name`, the fields that explain it and `cause`.
 * Test them with {@link isDatasetsError} (by name, so duplicate installs still match) rather than `instanceof`.
 */

/** Names of every error this package throws. */
export const DATASETS_ERROR_NAMES = [
  'DatasetsError',
  'DatasetsArgumentError',
  'DatasetsMismatchError',
  'DatasetsCalendarError',
  'DatasetsOverlapError',
  'DatasetsEmptyError',
] as const;
/** One of {@link DATASETS_ERROR_NAMES}. */
export type DatasetsErrorName = (typeof DATASETS_ERROR_NAMES)[number];

/** Base class of every @twsa/datasets error. */
export class DatasetsError extends Error {
  override readonly name: DatasetsErrorName = 'DatasetsError';
  /** The field, argument or input involved, when there is one (e.g. `"grace"`, `"lsm.timeBounds"`). */
  readonly field?: string;
  /** The file involved, when there is one. */
  readonly file?: string;
  constructor(message: string, options?: { cause?: unknown; field?: string; file?: string }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    if (options?.field !== undefined) this.field = options.field;
    if (options?.file !== undefined) this.file = options.file;
  }
}

/** A function argument is invalid; names the argument and the function (as tfjs does). */
export class DatasetsArgumentError extends DatasetsError {
  override readonly name = 'DatasetsArgumentError' as const;
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

/** Two stacks that must share one grid (CRS, shape, bounds) or one unit do not. */
export class DatasetsMismatchError extends DatasetsError {
  override readonly name = 'DatasetsMismatchError' as const;
}

/** A time axis is unusable: times or time bounds missing, unordered, malformed, or two calendars disagree. */
export class DatasetsCalendarError extends DatasetsError {
  override readonly name = 'DatasetsCalendarError' as const;
}

/** The GRACE and LSM periods (or a requested period) do not overlap. */
export class DatasetsOverlapError extends DatasetsError {
  override readonly name = 'DatasetsOverlapError' as const;
}

/** A frame, mask or split holds no valid value where one is required (e.g. an all-NaN frame). */
export class DatasetsEmptyError extends DatasetsError {
  override readonly name = 'DatasetsEmptyError' as const;
}

/**
 * True when `err` is a @twsa/datasets error, optionally of one given name.
 * @example
 * ```ts
 * isDatasetsError(new DatasetsEmptyError("frame 3 is all NaN"), "DatasetsEmptyError"); // => true
 * isDatasetsError(new Error("x")); // => false
 * ```
 */
export function isDatasetsError<N extends DatasetsErrorName>(
  err: unknown,
  name?: N,
): err is DatasetsError & { name: N } {
  if (!(err instanceof Error)) return false;
  const n = err.name as DatasetsErrorName;
  return name === undefined ? (DATASETS_ERROR_NAMES as readonly string[]).includes(n) : n === name;
}
