/**
 * Typed errors of @twsa/metrics. Each carries a literal `name`, the fields that explain it and `cause`.
 * Test them with {@link isMetricsError} (by name, so duplicate installs still match) rather than `instanceof`.
 *
 * Undefined scores (a constant series, too few valid pairs) are NOT errors: they come back as
 * `{ value: NaN, count, reason }`. Errors are thrown only for bad arguments (wrong lengths or shapes,
 * options out of range).
 */

/** Names of every error this package throws. */
export const METRICS_ERROR_NAMES = ['MetricsError', 'MetricsArgumentError', 'MetricsShapeError'] as const;
/** One of {@link METRICS_ERROR_NAMES}. */
export type MetricsErrorName = (typeof METRICS_ERROR_NAMES)[number];

/**
 * Base class of every @twsa/metrics error.
 * @example
 * ```ts
 * new MetricsError("boom").name; // => "MetricsError"
 * ```
 */
export class MetricsError extends Error {
  override readonly name: MetricsErrorName = 'MetricsError';
  /** The argument or field involved, when there is one. */
  readonly field?: string;
  constructor(message: string, options?: { cause?: unknown; field?: string }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    if (options?.field !== undefined) this.field = options.field;
  }
}

/**
 * A function argument is invalid; names the argument and the function (as tfjs does).
 * @example
 * ```ts
 * new MetricsArgumentError("alpha", "mannKendall", "a number in (0, 1)", "2").message;
 * // => "Argument 'alpha' passed to 'mannKendall' must be a number in (0, 1), but got 2"
 * ```
 */
export class MetricsArgumentError extends MetricsError {
  override readonly name = 'MetricsArgumentError' as const;
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

/**
 * Two arrays that must line up do not (lengths or `[time, rows, cols]` shapes differ).
 * @example
 * ```ts
 * new MetricsShapeError("obs", "rmse", [3], [2]).message;
 * // => "Shape mismatch of 'obs' in 'rmse': expected [3], got [2]"
 * ```
 */
export class MetricsShapeError extends MetricsError {
  override readonly name = 'MetricsShapeError' as const;
  readonly argument: string;
  readonly functionName: string;
  readonly expected: readonly number[];
  readonly actual: readonly number[];
  constructor(
    argument: string,
    functionName: string,
    expected: readonly number[],
    actual: readonly number[],
    options?: { cause?: unknown },
  ) {
    super(
      `Shape mismatch of '${argument}' in '${functionName}': expected [${expected.join(', ')}], got [${actual.join(', ')}]`,
      { ...options, field: argument },
    );
    this.argument = argument;
    this.functionName = functionName;
    this.expected = expected;
    this.actual = actual;
  }
}

/**
 * True when `err` is a @twsa/metrics error, optionally of one given name.
 * @example
 * ```ts
 * isMetricsError(new MetricsShapeError("obs", "rmse", [3], [2]), "MetricsShapeError"); // => true
 * isMetricsError(new Error("x")); // => false
 * ```
 */
export function isMetricsError<N extends MetricsErrorName>(err: unknown, name?: N): err is MetricsError & { name: N } {
  if (!(err instanceof Error)) return false;
  const n = err.name as MetricsErrorName;
  return name === undefined ? (METRICS_ERROR_NAMES as readonly string[]).includes(n) : n === name;
}
