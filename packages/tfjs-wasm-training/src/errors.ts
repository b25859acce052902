/**
 * The one error this package throws.
 *
 * The class carries a literal `name` so {@link isWasmKernelError} can test errors without `instanceof` (which breaks
 * when two copies of the package are installed).
 *
 * @packageDocumentation
 */

/**
 * A WASM training kernel got input it does not support (e.g. NCHW data), or the kernels could not be registered
 * (bad option, wasm backend not imported).
 *
 * @example
 * ```ts
 * new WasmKernelError('Conv2DBackpropFilter', 'dataFormat NCHW is not supported').message;
 * // => 'WASM kernel Conv2DBackpropFilter: dataFormat NCHW is not supported'
 * ```
 */
export class WasmKernelError extends Error {
  override readonly name = 'WasmKernelError' as const;
  /** The tfjs kernel name, or `registerWasmTrainingKernels` for a registration error. */
  readonly kernel: string;
  constructor(kernel: string, detail: string, options?: { cause?: unknown }) {
    super(`WASM kernel ${kernel}: ${detail}`, options);
    this.kernel = kernel;
  }
}

/**
 * Tests whether `error` is a {@link WasmKernelError}, by its `name`.
 *
 * @param error - anything caught
 * @returns true when `error` is an object whose `name` is `'WasmKernelError'`
 * @example
 * ```ts
 * isWasmKernelError(new WasmKernelError('Conv2D', 'x'));
 * // => true
 * ```
 */
export function isWasmKernelError(error: unknown): error is WasmKernelError {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'WasmKernelError';
}
