// Runs every ```ts block of the TSDoc in src/**/*.ts and checks each stated result (`expr; // => expected`, see
// test-support/doc-examples.ts). In scope: every export of @twsa/reconstruct and the exports of the block's own
// module (for the renderers and helpers the package root does not re-export). A block that starts with
// `// not run: <reason>` (the whole-pipeline examples) is reported as skipped with its reason.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as api from '@twsa/reconstruct';
import { docExamples, runDocExample } from '../../../test-support/doc-examples.js';

const SRC = join(import.meta.dirname, '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

const all = sourceFiles(SRC).flatMap((file) =>
  docExamples([file], (f) => f.slice(SRC.length + 1)).map((c) => ({ ...c, file })),
);
const cases = all.filter((c) => !c.notRun);
const notRun = all.filter((c) => c.notRun);

describe('TSDoc examples of @twsa/reconstruct', () => {
  it('finds the examples (config, errors, figures, report, progress, Table 1)', () => {
    expect(cases.length).toBeGreaterThanOrEqual(7);
  });
  it.each(cases)('$name runs and its stated results hold', async ({ block, file }) => {
    const own = (await import(file)) as Record<string, unknown>;
    const { checks, failures } = await runDocExample(block, { ...own, ...api });
    expect(failures).toEqual([]);
    expect(checks).toBeGreaterThan(0);
  });
  if (notRun.length) it.skip.each(notRun)('$name is not run: $notRun', () => undefined);
});
