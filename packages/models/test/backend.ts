/**
 * The backend the models tests run on: `cpu` unless `TWSA_BACKEND` names another (the native lane of
 * scripts/test.mjs sets `TWSA_BACKEND=tensorflow`), and whether the native engine (@tensorflow/tfjs-node, built by
 * `npm run setup:native`) can be loaded here.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { registerCpuKernelFixes } from '../src/backend/cpu-kernel-fixes.js';
import { registerNativeFusedKernels } from '../src/backend/native-fused.js';

/** The package name in a variable: tfjs-node is optional, so TypeScript must not resolve it. */
const NATIVE_PACKAGE: string = '@tensorflow/tfjs-node';

/** What loading the native engine gave: the TensorFlow version, or why it is not available. */
export type NativeStatus =
  { readonly ok: true; readonly tensorflow: string } | { readonly ok: false; readonly reason: string };

let native: Promise<NativeStatus> | undefined;

/**
 * Imports @tensorflow/tfjs-node once (which registers the `tensorflow` backend without selecting it) and reports
 * the TensorFlow version it runs, or why it cannot be loaded. Under `TWSA_BACKEND=tensorflow` a failure throws:
 * the native lane must never pass by skipping.
 */
export function loadNative(): Promise<NativeStatus> {
  native ??= (async (): Promise<NativeStatus> => {
    const previous = tf.getBackend();
    // libtensorflow's INFO lines (oneDNN, CPU features) would clutter the test output.
    process.env['TF_CPP_MIN_LOG_LEVEL'] ??= '1';
    try {
      const mod = (await import(NATIVE_PACKAGE)) as { backend?: () => unknown };
      void mod;
      if (tf.findBackendFactory('tensorflow') === null)
        return { ok: false, reason: 'tfjs-node loaded but registered no tensorflow backend' };
      await tf.setBackend('tensorflow');
      const binding = (tf.backend() as unknown as { binding?: { TF_Version?: string } }).binding;
      const version = binding?.TF_Version ?? 'unknown';
      if (previous !== undefined && previous !== 'tensorflow') await tf.setBackend(previous);
      return { ok: true, tensorflow: version };
    } catch (cause) {
      const reason = `@tensorflow/tfjs-node cannot be loaded (${(cause as Error).message.split('\n')[0]}); run 'npm run setup:native'`;
      if (process.env['TWSA_BACKEND'] === 'tensorflow') throw new Error(`TWSA_BACKEND=tensorflow but ${reason}`);
      return { ok: false, reason };
    }
  })();
  return native;
}

/** The backend named by `TWSA_BACKEND`, default `cpu`. */
export function testBackendName(): string {
  const name = process.env['TWSA_BACKEND']?.trim();
  return name === undefined || name === '' ? 'cpu' : name;
}

/**
 * Selects {@link testBackendName} for this test file (importing tfjs-node or tfjs-backend-wasm first when asked).
 *
 * @returns the backend now active
 */
export async function useTestBackend(): Promise<string> {
  const name = testBackendName();
  if (name === 'tensorflow') {
    await loadNative();
    // As initBackend does: the package's Conv2D/BatchNormalization layers and createAdam use them on native.
    registerNativeFusedKernels();
  } else if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  else if (name === 'cpu') registerCpuKernelFixes();
  else throw new Error(`TWSA_BACKEND=${name}: the tests run on cpu, wasm or tensorflow`);
  await tf.setBackend(name);
  await tf.ready();
  if (tf.getBackend() !== name) throw new Error(`could not select the ${name} backend`);
  return name;
}
