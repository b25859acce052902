// Words and commands agree: every `twsa run` / `twsa prepare` command in the README, the guides and the example's
// README names its run folder (--out), or resumes or only estimates — the CLI refuses it otherwise — and every
// `twsa <command>` it shows is a command the CLI knows.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..', '..');
const DOCS = [
  'README.md',
  'docs/guide-reproduce-yu2021.md',
  'docs/guide-slurm.md',
  'examples/canada-reconstruction/README.md',
  'packages/reconstruct/README.md',
];
const COMMANDS = [
  'run',
  'prepare',
  'train',
  'evaluate',
  'hindcast',
  'report',
  'predict',
  'member',
  'status',
  'collect',
  'models',
  'grid',
  'data',
  'basin',
  'setup',
];

/** `npx twsa …` commands of a Markdown file, with `\`-continued lines joined and trailing comments dropped. */
function commands(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8').replace(/\\\n\s*/g, ' ');
  return [...text.matchAll(/(?:^|\s|`)npx twsa ([^\n`#]*)/g)].map((m) => m[1]!.trim());
}

describe.each(DOCS)('commands in %s', (file) => {
  const found = commands(file);
  it('name a known command', () => {
    for (const c of found) {
      const first = c.split(/\s+/)[0]!;
      if (!/^(--help|-h|…)$/.test(first)) expect(COMMANDS).toContain(first);
    }
  });
  it('give twsa run/prepare an --out (or --resume, --estimate-only)', () => {
    for (const c of found.filter((x) => /^(run|prepare)\b/.test(x) && !/--help\b/.test(x)))
      expect([c, /--out\s|--resume\s|--estimate-only/.test(c + ' ')]).toEqual([c, true]);
  });
});

it('the quick profile is timed the same way everywhere (≈ 5 min on 2 idle cores)', () => {
  const cli = readFileSync(join(root, 'packages/reconstruct/src/cli.ts'), 'utf8');
  for (const text of [...DOCS.map((f) => readFileSync(join(root, f), 'utf8')), cli]) {
    expect(text).not.toMatch(/quick[^\n]*(≤ ?45 min|≈ ?12 min)/);
    expect(text).not.toMatch(/(≤ ?45 min|≈ ?12 min)[^\n]*quick/);
  }
  expect(cli).toMatch(/quick: ≈ 5 min on 2 idle cores/);
});

describe.each(['examples/canada-reconstruction/main.ts', 'examples/compose-by-hand/main.ts'])('%s', (example) => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['--conditions=twsa-source', '--import', 'tsx', join(root, example), ...args], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
  it('--help prints the usage and exits 0', () => {
    const r = run('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: /);
  });
  it('a mistyped flag prints one error line and the usage (exit 2), not a stack', () => {
    const r = run('--profle', 'smoke');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: Unknown option '--profle'\n\nUsage: /);
    expect(r.stderr).not.toMatch(/ERR_PARSE_ARGS|\n\s+at /);
  });
});
