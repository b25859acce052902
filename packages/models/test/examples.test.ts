// Runs every ```ts block of the TSDoc in src/**/*.ts and checks each stated result (`expr; // => expected`, see
// test-support/doc-examples.ts) on the cpu backend. In scope: every export of @twsa/models, the exports of the
// block's own module (for helpers the package root does not re-export) and `tf` (@tensorflow/tfjs-core). Examples
// that train use the tiny preset on a few 16 x 16 samples and write only under /tmp/twsa-example-models. A block that
// starts with `// not run: <reason>` and the files in NOT_RUN are reported as skipped with their reason.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as api from '@twsa/models';
import { docExamples, runDocExample, type DocExample } from '../../../test-support/doc-examples.js';

const SRC = join(import.meta.dirname, '..', 'src');

/** Files whose examples are reported, not run, and why. */
const NOT_RUN: Record<string, string> = {};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

const all: (DocExample & { file: string })[] = sourceFiles(SRC).flatMap((file) => {
  const label = file.slice(SRC.length + 1);
  return docExamples([file], () => label).map((c) => ({
    ...c,
    file,
    ...(NOT_RUN[label] && !c.notRun ? { notRun: NOT_RUN[label] } : {}),
  }));
});
const cases = all.filter((c) => !c.notRun);
const notRun = all.filter((c) => c.notRun);

/** Jest's toEqual, with a typed array equal to the plain array of its values (`// => Float32Array [1, 1]`). */
function sameValues(actual: unknown, expected: unknown): boolean {
  try {
    expect(ArrayBuffer.isView(actual) ? Array.from(actual as unknown as ArrayLike<number>) : actual).toEqual(expected);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('TSDoc examples of @twsa/models', () => {
  it('finds the examples (builders, training, io, errors, backend)', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
  });
  it.each(cases)('$name runs and its stated results hold', async ({ block, file }) => {
    const own = (await import(file)) as Record<string, unknown>;
    const { checks, failures } = await runDocExample(block, { ...own, ...api, tf }, { same: sameValues });
    expect(failures).toEqual([]);
    expect(checks).toBeGreaterThan(0);
  });
  if (notRun.length) it.skip.each(notRun)('$name is not run: $notRun', () => undefined);
});
