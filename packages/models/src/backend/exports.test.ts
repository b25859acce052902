import * as api from '@twsa/models';

// Pins the backend module's part of the public export list of @twsa/models (runtime values; types are erased).
// test/public-api.test.ts pins the rest and leaves these names to this test. The WASM training kernels are not
// re-exported: they are @twsa/tfjs-wasm-training's API.
describe('public API of @twsa/models: backend module', () => {
  it('exports exactly these backend names', () => {
    const backendNames = [
      'BACKEND_CHOICES',
      'BACKEND_ERROR_NAMES',
      'BACKEND_PACKAGES',
      'BackendError',
      'LeanAdamOptimizer',
      'OptimizerOptionError',
      'createAdam',
      'initBackend',
      'isBackendModuleError',
    ];
    const keys = Object.keys(api).filter((k) =>
      /[Bb]ackend|[Ww]asm|[Aa]dam|[Oo]ptimizer|BACKEND|WASM|SCRATCH|KERNEL/.test(k),
    );
    expect(keys.sort()).toEqual([...backendNames].sort());
  });
});
