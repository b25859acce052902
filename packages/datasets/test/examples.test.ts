// Runs every ```ts block of the TSDoc in the modules listed in FILES (tfjs `test_snippets` style) and checks each stated result:
// `expr; // => expected` (or `// => expected` on the line after a one-line `expr;`) asserts that `expr` deep-equals the
// JavaScript value `expected` (NaN equals NaN).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import * as api from '@twsa/datasets';

const SRC = join(import.meta.dirname, '..', 'src');

/** Modules whose examples follow the `// =>` convention; add a module here once its examples do. */
const FILES = ['split.ts', 'scale.ts', 'augment.ts', 'sequence.ts', 'errors.ts', 'grace-calendar.ts'];

function blocks(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  const re = /```ts\n([\s\S]*?)```/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) out.push(m[1]!.split('\n').map((l) => l.replace(/^\s*\* ?/, '')).join('\n'));
  return out;
}

/** Rewrites `expr; // => expected` lines into checks. */
function instrument(block: string): { code: string; checks: number } {
  const lines = block.split('\n').filter((l) => !/^\s*import\s/.test(l));
  const out: string[] = [];
  let checks = 0;
  for (const line of lines) {
    const inline = /^(.*?);\s*\/\/ => (.*)$/.exec(line);
    const alone = /^\s*\/\/ => (.*)$/.exec(line);
    if (inline && inline[1]!.trim() !== '') {
      out.push(`__check(() => (${inline[1]}), () => (${inline[2]}), ${JSON.stringify(line)});`);
      checks++;
    } else if (alone) {
      const prev = out.pop() ?? '';
      const expr = /^(.*);\s*$/.exec(prev);
      if (!expr) throw new Error(`"// =>" line without a preceding one-line expression: ${line}`);
      out.push(`__check(() => (${expr[1]}), () => (${alone[1]}), ${JSON.stringify(prev + ' ' + line.trim())});`);
      checks++;
    } else {
      out.push(line);
    }
  }
  return { code: out.join('\n'), checks };
}

const cases = FILES.flatMap((file) => blocks(join(SRC, file)).map((b, i) => ({ name: `${file} #${i + 1}`, block: b })));

describe('TSDoc examples', () => {
  it('finds examples in every exported module', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
  });
  it.each(cases)('$name runs and its stated results hold', ({ block }) => {
    const { code, checks } = instrument(block);
    expect(checks).toBeGreaterThan(0);
    const js = ts.transpileModule(code, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.None } }).outputText;
    const names = Object.keys(api);
    const check = (actual: () => unknown, expected: () => unknown, line: string): void => {
      const a = actual();
      const e = expected();
      try { expect(a).toEqual(e); } catch (err) { throw new Error(`example line: ${line}\n${(err as Error).message}`); }
    };
    new Function('__check', ...names, js)(check, ...names.map((n) => (api as Record<string, unknown>)[n]));
  });
});
