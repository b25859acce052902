// Runs every ```ts block of the TSDoc in the modules listed in FILES and checks each stated result
// (`expr; // => expected`, see test-support/doc-examples.ts): `expr` deep-equals `expected` (NaN equals NaN).
import { join } from 'node:path';
import * as api from '@twsa/datasets';
import { docExamples, runDocExample } from '../../../test-support/doc-examples.js';

const SRC = join(import.meta.dirname, '..', 'src');

/** Modules whose examples follow the `// =>` convention; add a module here once its examples do. */
const FILES = ['split.ts', 'scale.ts', 'augment.ts', 'sequence.ts', 'errors.ts', 'grace-calendar.ts'];

const cases = docExamples(
  FILES.map((f) => join(SRC, f)),
  (file) => file.slice(SRC.length + 1),
);

describe('TSDoc examples', () => {
  it('finds examples in every exported module', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
  });
  it.each(cases)('$name runs and its stated results hold', async ({ block }) => {
    const { checks, failures } = await runDocExample(block, api);
    expect(failures).toEqual([]);
    expect(checks).toBeGreaterThan(0);
  });
});
