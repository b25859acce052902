// Runs every ```ts block of the TSDoc in src/**/*.ts on the wasm backend and checks each stated result
// (`expr; // => expected`, see test-support/doc-examples.ts). The examples are stateful (register, unregister, then
// ask), so they run in file order, as a reader meets them.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import * as api from '@twsa/tfjs-wasm-training';
import { docExamples, runDocExample } from '../../../test-support/doc-examples.js';

const SRC = join(import.meta.dirname, '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((f) => {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) return sourceFiles(p);
      return p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
    });
}

const cases = docExamples(sourceFiles(SRC), (file) => file.slice(SRC.length + 1)).filter((c) => !c.notRun);

beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
});
afterAll(() => {
  api.unregisterWasmTrainingKernels();
});

describe('TSDoc examples', () => {
  it('finds the register/unregister/has examples', () => {
    expect(cases.length).toBeGreaterThanOrEqual(3);
  });
  it.each(cases)('$name runs and its stated results hold', async ({ block }) => {
    const { checks, failures } = await runDocExample(block, api);
    expect(failures).toEqual([]);
    expect(checks).toBeGreaterThan(0);
  });
});
