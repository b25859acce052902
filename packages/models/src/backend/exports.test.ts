import * as api from '@twsa/models';

// Pins the backend module's part of the public export list of @twsa/models (runtime values; types are erased).
// test/public-api.test.ts pins the rest and leaves these names to this test.
describe('public API of @twsa/models: backend module', () => {
  it('exports exactly these backend names', () => {
    const backendNames = [
      'BACKEND_CHOICES',
      'BACKEND_ERROR_NAMES',
      'BACKEND_PACKAGES',
      'BackendError',
      'DEFAULT_SCRATCH_ELEMENTS',
      'DEFAULT_TENSORFLOW_VERSION',
      'LeanAdamOptimizer',
      'NativeSetupError',
      'OptimizerOptionError',
      'WASM_TRAINING_KERNELS',
      'WasmKernelError',
      'createAdam',
      'hasWasmTrainingKernels',
      'initBackend',
      'isBackendModuleError',
      'registerWasmTrainingKernels',
      'setupNative',
      'unregisterWasmTrainingKernels',
    ];
    const keys = Object.keys(api).filter((k) =>
      /[Bb]ackend|[Ww]asm|[Aa]dam|[Oo]ptimizer|[Nn]ative|BACKEND|WASM|SCRATCH|KERNEL|TENSORFLOW/.test(k),
    );
    expect(keys.sort()).toEqual([...backendNames].sort());
  });
});
