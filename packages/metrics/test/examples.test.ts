// Runs every ```ts block of the TSDoc in src/**/*.ts and checks each stated result (`expr; // => expected`, see
// test-support/doc-examples.ts): `expr` deep-equals the JavaScript value `expected` (NaN equals NaN).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as api from '@twsa/metrics';
import { docExamples, runDocExample } from '../../../test-support/doc-examples.js';

const SRC = join(import.meta.dirname, '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

const cases = docExamples(sourceFiles(SRC), (file) => file.slice(SRC.length + 1));

describe('TSDoc examples', () => {
  it('finds examples in every exported module', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });
  it.each(cases)('$name runs and its stated results hold', async ({ block }) => {
    const { checks, failures } = await runDocExample(block, api);
    expect(failures).toEqual([]);
    expect(checks).toBeGreaterThan(0);
  });
});
