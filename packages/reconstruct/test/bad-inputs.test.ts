// The bad-input corpus of bad-inputs-corpus.ts through the `twsa` CLI (its `main`, in-process): every case
// must be refused with one of our typed errors naming the file (or flag), or give its correct result. Counts silent
// wrong results, internal errors, vague errors and hangs; all must be 0.
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GRID_ERROR_NAMES } from '@twsa/grid';
import { DATASETS_ERROR_NAMES } from '@twsa/datasets';
import { main } from '../src/cli.js';
import { RECONSTRUCT_ERROR_NAMES } from '../src/errors.js';
import { writeBadInputs, type BadInputCase } from './bad-inputs-corpus.js';

const TYPED = new Set<string>([...GRID_ERROR_NAMES, ...DATASETS_ERROR_NAMES, ...RECONSTRUCT_ERROR_NAMES]);
const CASE_TIMEOUT_MS = 90_000;

type Outcome = 'good refusal' | 'correct result' | 'silent wrong result' | 'internal error' | 'vague error' | 'hang';

async function runCase(
  c: BadInputCase,
): Promise<{ outcome: Outcome; code: number | 'timeout'; out: string; err: string }> {
  let out = '';
  let err = '';
  const io = { stdout: (t: string) => void (out += t), stderr: (t: string) => void (err += t), isTTY: false };
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([
    main([...c.argv], io),
    new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), CASE_TIMEOUT_MS))),
  ]);
  clearTimeout(timer);
  if (code === 'timeout') return { outcome: 'hang', code, out, err };
  // An error printed by main is `twsa: <Name>: message` for a typed error, `twsa: message` for usage and refusals.
  const name = /^twsa: ([A-Za-z]*Error): /m.exec(err)?.[1];
  const internal = /\n\s+at /.test(err) || (name !== undefined && !TYPED.has(name));
  if (c.expect.kind === 'ok') {
    if (code !== 0) return { outcome: internal ? 'internal error' : 'vague error', code, out, err };
    return {
      outcome: c.expect.stdout && !c.expect.stdout.test(out) ? 'silent wrong result' : 'correct result',
      code,
      out,
      err,
    };
  }
  if (code === 0) return { outcome: 'silent wrong result', code, out, err };
  if (internal) return { outcome: 'internal error', code, out, err };
  const named = err.includes(c.expect.names) && (c.expect.match === undefined || c.expect.match.test(err));
  return { outcome: named ? 'good refusal' : 'vague error', code, out, err };
}

describe('bad-input corpus (test/bad-inputs-corpus.ts)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'twsa-bad-inputs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses every bad input with a typed error naming the file, and gives the correct result otherwise', async () => {
    const cases = await writeBadInputs(dir);
    const results: { c: BadInputCase; r: Awaited<ReturnType<typeof runCase>> }[] = [];
    for (const c of cases) results.push({ c, r: await runCase(c) });
    const counts: Record<string, number> = {};
    for (const { r } of results) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
    const bad = results.filter(({ r }) => r.outcome !== 'good refusal' && r.outcome !== 'correct result');
    console.log(
      `bad-input corpus: ${cases.length} cases: ${Object.entries(counts)
        .map(([k, v]) => `${v} ${k}`)
        .join(', ')}` +
        bad
          .map(({ c, r }) => `\n  ${r.outcome}: ${c.id} (twsa ${c.argv.join(' ')}) → exit ${r.code}: ${r.err.trim()}`)
          .join(''),
    );
    expect(bad.map(({ c, r }) => `${c.id}: ${r.outcome}: ${r.err.trim()}`)).toEqual([]);
    // Nothing is left half-written at a refused output, and no user folder lost its content.
    expect(existsSync(join(dir, 'my-thesis', 'chapter1.tex'))).toBe(true);
    expect(existsSync(join(dir, 'grace-folder', 'grace.nc'))).toBe(true);
    for (const o of ['o1.tif', 'o2.tif', 'o3.nc', 'o5.tif', 'o6.tif']) expect(existsSync(join(dir, o))).toBe(false);
  }, 600_000);
});
