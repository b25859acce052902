// Runs the ```ts blocks of the TSDoc in the io part of @twsa/grid (units.ts, time-decode.ts, io/*.ts) as async
// code with every package export in scope, and checks each stated result: `expr; // => expected` asserts that
// `await expr` deep-equals `expected` (NaN equals NaN). The examples write only to /tmp/twsa-example-*.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import * as api from '../src/index.js';

const SRC = join(import.meta.dirname, '..', 'src');
const FILES = ['units.ts', 'time-decode.ts', ...readdirSync(join(SRC, 'io')).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => `io/${f}`)];

function blocks(file: string): string[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  const out: string[] = [];
  const re = /```ts\n([\s\S]*?)```/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) out.push(m[1]!.split('\n').map((l) => l.replace(/^\s*\* ?/, '')).join('\n'));
  return out;
}

function instrument(block: string): { code: string; checks: number } {
  let checks = 0;
  const code = block.split('\n').map((line) => {
    const m = /^(.*?);\s*\/\/ => (.*)$/.exec(line);
    if (!m || m[1]!.trim() === '') return line;
    checks++;
    return `__check(await (${m[1]}), (${m[2]}), ${JSON.stringify(line.trim())});`;
  }).join('\n');
  return { code, checks };
}

const cases = FILES.flatMap((file) => blocks(file).map((block, i) => ({ name: `${file} #${i + 1}`, block })));
const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<void>;

describe('TSDoc examples of the io modules', () => {
  it('finds an example for every exported io function', () => {
    const functions = ['readGeoTiff', 'readGeoTiffHeader', 'writeGeoTiff', 'sniffNetcdf', 'openNetcdf', 'readNetcdf', 'writeNetcdf', 'gridInfo',
      'normalizeUnits', 'unitScale', 'convertUnits', 'parseCfTimeUnit', 'decodeCfTimes', 'isoDateTime', 'isoDate'];
    const missing = functions.filter((f) => !cases.some((c) => new RegExp(`\\b${f}\\(`).test(c.block)));
    expect(missing).toEqual([]);
  });
  it.each(cases)('$name runs and its stated results hold', async ({ block }) => {
    const { code, checks } = instrument(block);
    expect(checks).toBeGreaterThan(0);
    const js = ts.transpileModule(code, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.None } }).outputText;
    const names = Object.keys(api);
    const check = (actual: unknown, expected: unknown, line: string): void => {
      try { expect(actual).toEqual(expected); } catch (err) { throw new Error(`example line: ${line}\n${(err as Error).message}`); }
    };
    await new AsyncFunction('__check', ...names, js)(check, ...names.map((n) => (api as Record<string, unknown>)[n]));
  });
});
