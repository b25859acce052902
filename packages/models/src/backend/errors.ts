/**
 * Typed errors raised by the backend setup, the native engine setup and the memory-lean Adam optimizer. (The WASM
 * training kernels, in
 * `@twsa/tfjs-wasm-training`, throw that package's own `WasmKernelError`; `initBackend` reports a failed
 * registration as a {@link BackendError} whose `cause` is it.)
 *
 * Each class carries a literal `name` so {@link isBackendModuleError} can test errors without `instanceof`
 * (which breaks when two copies of the package are installed).
 */

/** Names of the errors this module throws. */
export const BACKEND_ERROR_NAMES = ['BackendError', 'OptimizerOptionError', 'NativeSetupError'] as const;

/** One of {@link BACKEND_ERROR_NAMES}. */
export type BackendErrorName = (typeof BACKEND_ERROR_NAMES)[number];

/**
 * A tfjs backend could not be selected: unknown name, package not installed, or initialisation failed.
 *
 * @example
 * ```ts
 * new BackendError('tensorflow', 'package "@tensorflow/tfjs-node" is not installed').message;
 * // => 'Backend "tensorflow": package "@tensorflow/tfjs-node" is not installed'
 * ```
 */
export class BackendError extends Error {
  override readonly name = 'BackendError' as const;
  /** The backend that was requested or tried. */
  readonly backend: string;
  constructor(backend: string, detail: string, options?: { cause?: unknown }) {
    super(`Backend "${backend}": ${detail}`, options);
    this.backend = backend;
  }
}

/**
 * An optimizer option or weight list is invalid; names the option and the function.
 *
 * @example
 * ```ts
 * new OptimizerOptionError('learningRate', 'createAdam', 'a finite number > 0', -1).message;
 * // => 'createAdam: option "learningRate" must be a finite number > 0, got -1'
 * ```
 */
export class OptimizerOptionError extends Error {
  override readonly name = 'OptimizerOptionError' as const;
  /** The offending option or argument. */
  readonly option: string;
  constructor(option: string, fn: string, expected: string, actual: unknown, options?: { cause?: unknown }) {
    super(`${fn}: option "${option}" must be ${expected}, got ${describe(actual)}`, options);
    this.option = option;
  }
}

/**
 * Setting up the native TensorFlow engine failed: names the step and what to install or pass.
 *
 * @example
 * ```ts
 * new NativeSetupError('build addon', "'make' is missing").message;
 * // => "Native setup, build addon: 'make' is missing"
 * ```
 */
export class NativeSetupError extends Error {
  override readonly name = 'NativeSetupError' as const;
  /** The step of {@link setupNative} that failed. */
  readonly step: string;
  constructor(step: string, detail: string, options?: { cause?: unknown }) {
    super(`Native setup, ${step}: ${detail}`, options);
    this.step = step;
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  return String(value);
}

/**
 * Tests whether `error` is one of this module's errors, optionally a specific one, by its `name`.
 *
 * @param error - anything caught
 * @param name - restrict to one error name
 * @returns true when `error.name` is in {@link BACKEND_ERROR_NAMES} (and equals `name` when given)
 * @example
 * ```ts
 * isBackendModuleError(new BackendError('cpu', 'x'), 'BackendError');
 * // => true
 * ```
 */
export function isBackendModuleError(
  error: unknown,
  name?: BackendErrorName,
): error is Error & { name: BackendErrorName } {
  if (typeof error !== 'object' || error === null) return false;
  const errorName = (error as { name?: unknown }).name;
  if (typeof errorName !== 'string' || !(BACKEND_ERROR_NAMES as readonly string[]).includes(errorName)) return false;
  return name === undefined || errorName === name;
}
