/**
 * Typed errors of @twsa/grid. Each carries a literal `name`, the fields that explain it and `cause`.
 * Test them with {@link isGridError} (by name, so duplicate installs still match) rather than `instanceof`.
 */

/** Names of every error this package throws. */
export const GRID_ERROR_NAMES = [
  'GridError',
  'GridShapeError',
  'GridArgumentError',
  'GridFormatError',
  'GridVariableError',
  'GridCrsError',
  'GridUnitsError',
  'GridMismatchError',
  'GridEmptyError',
  'GridIoError',
  'GridValueError',
] as const;
export type GridErrorName = (typeof GRID_ERROR_NAMES)[number];

/** Base class of every @twsa/grid error. */
export class GridError extends Error {
  override readonly name: GridErrorName = 'GridError';
  /** The file involved, when there is one. */
  readonly file?: string;
  /** The field, variable or argument involved, when there is one. */
  readonly field?: string;
  constructor(message: string, options?: { cause?: unknown; file?: string; field?: string }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    if (options?.file !== undefined) this.file = options.file;
    if (options?.field !== undefined) this.field = options.field;
  }
}

/** Data length or dimensions disagree with a shape. */
export class GridShapeError extends GridError {
  override readonly name = 'GridShapeError' as const;
  readonly expected: readonly number[];
  readonly actual: readonly number[];
  constructor(
    expected: readonly number[],
    actual: readonly number[],
    options?: { cause?: unknown; file?: string; field?: string },
  ) {
    super(
      `Grid shape mismatch${options?.field ? ` in ${options.field}` : ''}${options?.file ? ` of ${options.file}` : ''}: expected [${expected.join(', ')}], got [${actual.join(', ')}]`,
      options,
    );
    this.expected = expected;
    this.actual = actual;
  }
}

/** A function argument is invalid; names the argument and the function (as tfjs does). */
export class GridArgumentError extends GridError {
  override readonly name = 'GridArgumentError' as const;
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

/** A file is truncated, corrupt or not of the expected format. */
export class GridFormatError extends GridError {
  override readonly name = 'GridFormatError' as const;
}

/** A variable, attribute or dimension is missing from a file. */
export class GridVariableError extends GridError {
  override readonly name = 'GridVariableError' as const;
}

/** A CRS is unknown or cannot be handled. */
export class GridCrsError extends GridError {
  override readonly name = 'GridCrsError' as const;
}

/** Units are missing, unknown or cannot be converted. */
export class GridUnitsError extends GridError {
  override readonly name = 'GridUnitsError' as const;
}

/** Two grids or calendars that must agree do not. */
export class GridMismatchError extends GridError {
  override readonly name = 'GridMismatchError' as const;
}

/** A frame or grid holds no valid value where one is required. */
export class GridEmptyError extends GridError {
  override readonly name = 'GridEmptyError' as const;
}

/** Reading or writing a file failed (permissions, refusing to overwrite an input, ...). */
export class GridIoError extends GridError {
  override readonly name = 'GridIoError' as const;
}

/** The values of a file are implausible (non-finite, beyond a physical bound, in the wrong units, frames all missing). */
export class GridValueError extends GridError {
  override readonly name = 'GridValueError' as const;
  /** Which check failed: `"non-finite"`, `"magnitude"`, `"units"` or `"empty-frames"`. */
  readonly check: string;
  /** The offending value (a number, or the frame's time for `"empty-frames"`). */
  readonly value: number | string;
  constructor(
    message: string,
    options: { check: string; value: number | string; cause?: unknown; file?: string; field?: string },
  ) {
    super(message, options);
    this.check = options.check;
    this.value = options.value;
  }
}

/**
 * True when `err` is a @twsa/grid error, optionally of one given name.
 * @example
 * ```ts
 * try { createGrid(new Float32Array(3), { shape: [2, 2], bounds: [0, 0, 1, 1], crs: "EPSG:4326" }); }
 * catch (e) { isGridError(e, "GridShapeError"); } // => true
 * ```
 */
export function isGridError<N extends GridErrorName>(err: unknown, name?: N): err is GridError & { name: N } {
  if (!(err instanceof Error)) return false;
  const n = err.name as GridErrorName;
  return name === undefined ? (GRID_ERROR_NAMES as readonly string[]).includes(n) : n === name;
}
