// Runs the ```ts blocks of the TSDoc in the geometry and time part of @twsa/grid (upscale, reproject, weights,
// mask, time-windows, aggregate, anomaly, stream) as async code with every package export in scope, and checks each
// stated result: `expr; // => expected` asserts that `await expr` equals `expected`, where typed arrays compare as
// arrays, numbers to 1e-7 relative (NaN equals NaN), and a trailing "(…)" remark after the expected value is ignored.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import * as api from '../src/index.js';

const SRC = join(import.meta.dirname, '..', 'src');
const FILES = ['upscale.ts', 'reproject.ts', 'weights.ts', 'mask.ts', 'time-windows.ts', 'aggregate.ts', 'anomaly.ts', 'stream.ts'];

function blocks(file: string): string[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  const out: string[] = [];
  const re = /```ts\n([\s\S]*?)```/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) out.push(m[1]!.split('\n').map((l) => l.replace(/^\s*\* ?/, '')).join('\n'));
  return out;
}

/** Joins `expr;\n// => expected` into one line, then rewrites each checked line into a call of __check. */
function instrument(block: string): { code: string; checks: number } {
  let checks = 0;
  const joined = block.replace(/;\n\s*\/\/ =>/g, '; // =>');
  const code = joined.split('\n').map((line) => {
    const m = /^(.*?);\s*\/\/ => (.*)$/.exec(line);
    if (!m || m[1]!.trim() === '') return line;
    checks++;
    const expected = m[2]!.replace(/\s+\([^()]*\)\s*$/, '').replace(/^(Float32Array|Float64Array|Int16Array|Uint8Array)\s+/, '');
    return `__check(await (${m[1]}), (${expected}), ${JSON.stringify(line.trim())});`;
  }).join('\n');
  return { code, checks };
}

function same(actual: unknown, expected: unknown): boolean {
  if (ArrayBuffer.isView(actual)) actual = Array.from(actual as unknown as ArrayLike<number>);
  if (typeof expected === 'number' && typeof actual === 'number') {
    if (Number.isNaN(expected)) return Number.isNaN(actual);
    return actual === expected || Math.abs(actual - expected) <= 1e-7 * Math.max(1, Math.abs(expected));
  }
  if (Array.isArray(expected)) return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => same((actual as unknown[])[i], e));
  return JSON.stringify(actual) === JSON.stringify(expected);
}

const cases = FILES.flatMap((file) => blocks(file).map((block, i) => ({ name: `${file} #${i + 1}`, block })));
const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<void>;

describe('TSDoc examples of the geometry and time modules', () => {
  it('finds an example for every exported function of these modules', () => {
    const functions = ['upscale', 'remapWeights', 'applyRemap', 'reproject', 'cellAreas', 'rasterizePolygons', 'canadaMask', 'canadaOutline',
      'parseBasinOutline', 'graceMonths', 'missingMonths', 'thirtyDayWindows', 'streamWindowMeans', 'aggregateDaily', 'aggregateStack', 'anomalies',
      'netcdfFrames', 'geotiffFrames'];
    const missing = functions.filter((f) => !cases.some((c) => new RegExp(`\\b${f}\\(`).test(c.block)));
    expect(missing).toEqual([]);
  });

  for (const { name, block } of cases) {
    it(`${name} runs and states its result`, async () => {
      const { code, checks } = instrument(block);
      const js = ts.transpileModule(code, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
      const failures: string[] = [];
      const check = (actual: unknown, expected: unknown, line: string) => {
        if (!same(actual, expected)) failures.push(`${line}\n  got ${JSON.stringify(ArrayBuffer.isView(actual) ? Array.from(actual as unknown as ArrayLike<number>) : actual)}`);
      };
      const names = Object.keys(api);
      await new AsyncFunction('__check', ...names, js)(check, ...names.map((k) => (api as Record<string, unknown>)[k]));
      expect(failures).toEqual([]);
      expect(checks).toBeGreaterThan(0);
    });
  }
});
