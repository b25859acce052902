/**
 * Shared by this package's tests: deterministic inputs, running a function on the cpu or wasm backend, the relative
 * error the 1e-4 bounds apply to, and registering the kernels around a describe block.
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's Node bundle registers no gradients; tfjs-layers (or @tensorflow/tfjs) does, as for users.
import '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels } from '../src/index.js';
import type { RegisterWasmKernelsOptions } from '../src/index.js';

/** Deterministic values in [-1, 1). */
export function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Selects `name` (the backend stays selected), then runs `f`. */
export async function onBackend<T>(name: 'cpu' | 'wasm', f: () => T): Promise<T> {
  await tf.setBackend(name);
  return f();
}

/**
 * Max |actual − reference| over max |reference| (the max difference itself when the reference is all zero): the
 * relative error that the gradient-equality bounds (1e-4 against the cpu backend) apply to.
 */
export function relativeError(reference: ArrayLike<number>, actual: ArrayLike<number>): number {
  if (actual.length !== reference.length)
    throw new Error(`relativeError: lengths differ (${reference.length} reference, ${actual.length} actual)`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < reference.length; i++) {
    diff = Math.max(diff, Math.abs(reference[i]! - actual[i]!));
    scale = Math.max(scale, Math.abs(reference[i]!));
  }
  return scale === 0 ? diff : diff / scale;
}

/** Registers the kernels and selects wasm before the enclosing describe block's tests, unregisters after them. */
export function useWasmTrainingKernels(): void {
  beforeAll(async () => {
    registerWasmTrainingKernels();
    await tf.setBackend('wasm');
    await tf.ready();
  });
  afterAll(() => {
    unregisterWasmTrainingKernels();
  });
}

/** Runs `f` on wasm with the kernels registered with `options`, then restores the default registration. */
export async function withKernels<T>(options: RegisterWasmKernelsOptions | undefined, f: () => T): Promise<T> {
  await tf.setBackend('wasm');
  unregisterWasmTrainingKernels();
  try {
    registerWasmTrainingKernels(options);
    return f();
  } finally {
    unregisterWasmTrainingKernels();
    registerWasmTrainingKernels();
  }
}
