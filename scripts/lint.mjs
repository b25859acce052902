#!/usr/bin/env node
// `npm run lint`: ESLint over the workspace (eslint.config.mjs). Nx's module-boundary rule reads the cached
// project graph and, when there is none, prints a warning and SKIPS itself, so this computes the graph first
// (`nx show projects`) and fails if ESLint still reports the rule as skipped. Extra arguments go to ESLint.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };
const graph = spawnSync(process.execPath, ['node_modules/nx/dist/bin/nx.js', 'show', 'projects'], {
  cwd: root,
  env,
  encoding: 'utf8',
});
if (graph.status !== 0) {
  process.stderr.write(`lint: nx could not compute the project graph (exit ${graph.status}):\n${graph.stderr}\n`);
  process.exit(2);
}
const eslint = spawnSync(
  process.execPath,
  ['node_modules/eslint/bin/eslint.js', '--no-warn-ignored', ...process.argv.slice(2), '.'],
  { cwd: root, env, encoding: 'utf8' },
);
process.stdout.write(eslint.stdout);
process.stderr.write(eslint.stderr);
if (/No cached ProjectGraph/.test(eslint.stdout + eslint.stderr)) {
  process.stderr.write('lint: the module-boundary rule was skipped (no project graph); failing\n');
  process.exit(2);
}
process.exit(eslint.status ?? 2);
