// Registration: once, reported, undone; bad options are typed errors.
import {
  hasWasmTrainingKernels,
  isWasmKernelError,
  registerWasmTrainingKernels,
  unregisterWasmTrainingKernels,
  WASM_TRAINING_KERNELS,
} from '../src/index.js';
import { useWasmTrainingKernels } from './helpers.js';

describe('registerWasmTrainingKernels', () => {
  useWasmTrainingKernels();

  it('are registered once and report it', () => {
    expect(hasWasmTrainingKernels()).toBe(true);
    expect(registerWasmTrainingKernels().registered).toEqual([]);
  });

  it('registers and unregisters all 15 kernels of WASM_TRAINING_KERNELS, and undoes to the stock ones', () => {
    expect(WASM_TRAINING_KERNELS.length).toBe(15);
    const removed = unregisterWasmTrainingKernels();
    try {
      expect([...removed].sort()).toEqual([...WASM_TRAINING_KERNELS].sort());
      expect(hasWasmTrainingKernels()).toBe(false);
      expect(unregisterWasmTrainingKernels()).toEqual([]);
    } finally {
      const { registered } = registerWasmTrainingKernels();
      expect([...registered].sort()).toEqual([...WASM_TRAINING_KERNELS].sort());
    }
    expect(hasWasmTrainingKernels()).toBe(true);
  });

  it('reject a bad scratch size with a typed error', () => {
    let caught: unknown;
    try {
      unregisterWasmTrainingKernels();
      registerWasmTrainingKernels({ scratchElements: 0 });
    } catch (error) {
      caught = error;
    } finally {
      registerWasmTrainingKernels();
    }
    expect(isWasmKernelError(caught)).toBe(true);
    expect((caught as Error).message).toMatch(/scratchElements/);
  });
});
