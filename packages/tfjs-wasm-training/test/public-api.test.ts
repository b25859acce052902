import * as api from '@twsa/tfjs-wasm-training';
import { reportExportChanges } from '../../../test-support/public-api.js';

// The runtime export list of @twsa/tfjs-wasm-training (types are erased). Adding or removing a name is an API change:
// update the list on purpose. On a mismatch the first check names what was added and removed.
const NAMES = [
  'DEFAULT_SCRATCH_ELEMENTS',
  'WASM_TRAINING_KERNELS',
  'WasmKernelError',
  'hasWasmTrainingKernels',
  'isWasmKernelError',
  'registerWasmTrainingKernels',
  'unregisterWasmTrainingKernels',
];

describe('@twsa/tfjs-wasm-training public API', () => {
  it('exports exactly these names', () => {
    reportExportChanges('@twsa/tfjs-wasm-training', api, NAMES, 'packages/tfjs-wasm-training/test/public-api.test.ts');
    expect(Object.keys(api).sort()).toEqual(NAMES);
  });

  it('registers exactly the 15 kernels its documentation lists', () => {
    expect(api.WASM_TRAINING_KERNELS.length).toBe(15);
  });
});
