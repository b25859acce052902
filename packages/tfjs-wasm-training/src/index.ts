/**
 * Training kernels for the TensorFlow.js `wasm` backend: `Conv2DBackpropFilter` (missing in stock
 * `@tensorflow/tfjs-backend-wasm`, so no convolution can be trained there), faster replacements for the backward
 * and broadcasting kernels a conv net's training step spends its time in, and two correctness fixes. Call
 * {@link registerWasmTrainingKernels} once after importing `@tensorflow/tfjs-backend-wasm`.
 *
 * @packageDocumentation
 */
export {
  registerWasmTrainingKernels,
  unregisterWasmTrainingKernels,
  hasWasmTrainingKernels,
  WASM_TRAINING_KERNELS,
  DEFAULT_SCRATCH_ELEMENTS,
} from './register.js';
export type { RegisterWasmKernelsOptions, RegisterWasmKernelsResult } from './register.js';
export { WasmKernelError, isWasmKernelError } from './errors.js';
