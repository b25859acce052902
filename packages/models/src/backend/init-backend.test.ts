import * as tf from '@tensorflow/tfjs-core';
import { BackendError, isBackendModuleError } from './errors.js';
import { BACKEND_PACKAGES, initBackend } from './init-backend.js';
import { hasWasmTrainingKernels, unregisterWasmTrainingKernels } from '@twsa/tfjs-wasm-training';
import { caught } from '../../../../test-support/caught.js';

/** Loads the real JS backends; every other package is reported missing, as on a machine without tfjs-node. */
function onlyJsBackends(tried: string[]): (name: string) => Promise<unknown> {
  return async (name) => {
    tried.push(name);
    if (name === BACKEND_PACKAGES.wasm) return import('@tensorflow/tfjs-backend-wasm');
    if (name === BACKEND_PACKAGES.cpu) return import('@tensorflow/tfjs-backend-cpu');
    throw new Error(`Cannot find package '${name}'`);
  };
}

describe('initBackend', () => {
  afterAll(() => {
    unregisterWasmTrainingKernels();
  });

  it('automatic: skips missing native packages, selects WASM with the training kernels and says why', async () => {
    const tried: string[] = [];
    const events: string[] = [];
    const info = await initBackend({
      env: {},
      importPackage: onlyJsBackends(tried),
      log: (e) => events.push(`${e.backend}:${e.outcome}`),
    });
    expect(tried).toEqual(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-backend-wasm']);
    expect(events).toEqual(['tensorflow-gpu:unavailable', 'tensorflow:unavailable', 'wasm:selected']);
    expect(info).toMatchObject({
      name: 'wasm',
      choice: 'wasm',
      package: '@tensorflow/tfjs-backend-wasm',
      trainingKernels: true,
    });
    expect(info.reason).toMatch(/tfjs-node-gpu not available; @tensorflow\/tfjs-node not available/);
    expect(info.threads).toBeGreaterThanOrEqual(1);
    expect(typeof info.simd).toBe('boolean');
    expect(tf.getBackend()).toBe('wasm');
    expect(hasWasmTrainingKernels()).toBe(true);
  });

  it('TWSA_BACKEND forces a backend; options.backend wins over it', async () => {
    const fromEnv = await initBackend({ env: { TWSA_BACKEND: 'cpu' }, importPackage: onlyJsBackends([]) });
    expect(fromEnv).toMatchObject({ name: 'cpu', choice: 'cpu', reason: 'forced by TWSA_BACKEND' });
    expect(fromEnv.threads).toBeUndefined();
    const fromOption = await initBackend({
      backend: 'wasm',
      env: { TWSA_BACKEND: 'cpu' },
      importPackage: onlyJsBackends([]),
    });
    expect(fromOption).toMatchObject({ name: 'wasm', reason: 'forced by options.backend' });
    expect(tf.getBackend()).toBe('wasm');
  });

  it('a forced backend that is not installed is a BackendError naming it, never a fallback', async () => {
    const error = await caught(initBackend({ env: { TWSA_BACKEND: 'tensorflow' }, importPackage: onlyJsBackends([]) }));
    expect(error).toBeInstanceOf(BackendError);
    expect(isBackendModuleError(error, 'BackendError')).toBe(true);
    expect((error as BackendError).backend).toBe('tensorflow');
    expect((error as Error).message).toMatch(/forced by TWSA_BACKEND.*@tensorflow\/tfjs-node/);
    expect((error as Error & { cause?: unknown }).cause).toBeInstanceOf(Error);
  });

  it('the real import of an uninstalled native package fails with a BackendError', async () => {
    // @tensorflow/tfjs-node-gpu is an optional peer that is never installed in CI.
    const error = await caught(initBackend({ backend: 'tensorflow-gpu', env: {} }));
    expect(isBackendModuleError(error, 'BackendError')).toBe(true);
    expect((error as BackendError).backend).toBe('tensorflow-gpu');
  });

  it('an unknown name is a BackendError listing the choices', async () => {
    const error = await caught(initBackend({ env: { TWSA_BACKEND: 'webgl' }, importPackage: onlyJsBackends([]) }));
    expect(isBackendModuleError(error, 'BackendError')).toBe(true);
    expect((error as Error).message).toMatch(
      /unknown backend in TWSA_BACKEND; expected one of tensorflow-gpu, tensorflow, wasm, cpu/,
    );
    const fromOption = await caught(initBackend({ backend: 'gpu' as never, importPackage: onlyJsBackends([]) }));
    expect((fromOption as Error).message).toMatch(/options\.backend/);
  });

  it('nothing loadable is a BackendError', async () => {
    const error = await caught(
      initBackend({ env: {}, importPackage: async () => Promise.reject(new Error('offline')) }),
    );
    expect(isBackendModuleError(error, 'BackendError')).toBe(true);
    expect((error as BackendError).backend).toBe('auto');
  });

  it('a package that loads but registers nothing is reported, and automatic mode moves on', async () => {
    const info = await initBackend({
      env: {},
      importPackage: async (name) => {
        if (name === BACKEND_PACKAGES['tensorflow-gpu']) return {}; // "loads" but registers no 'tensorflow' backend
        return onlyJsBackends([])(name);
      },
    });
    expect(info.choice).toBe('wasm');
    expect(info.reason).toMatch(/tfjs-node-gpu failed to initialise/);
  });
});
