#!/usr/bin/env node
// The `twsa` command. A published install runs the compiled dist/cli.js; inside the workspace (right after
// `npm ci`, before any build) it runs the TypeScript sources through tsx, so `npx twsa …` needs no build step.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const dist = new URL('../dist/cli.js', import.meta.url);
const src = new URL('../src/cli.ts', import.meta.url);
if (existsSync(fileURLToPath(dist))) {
  const { runCli } = await import(dist.href);
  await runCli(process.argv.slice(2));
} else if (existsSync(fileURLToPath(src))) {
  const r = spawnSync(
    process.execPath,
    ['--conditions=twsa-source', '--import', 'tsx', fileURLToPath(src), ...process.argv.slice(2)],
    { stdio: 'inherit' },
  );
  process.exit(r.status ?? (r.signal === 'SIGINT' ? 130 : 1));
} else {
  console.error('twsa: neither dist/cli.js nor src/cli.ts found; reinstall @twsa/reconstruct');
  process.exit(1);
}
