#!/usr/bin/env node
// The pack-and-install check (a step of `npm test`): what a user of the published packages gets.
//   1. `npm pack` every publishable workspace package (its `prepack` builds dist/ first) into a scratch folder
//      outside the workspace;
//   2. a fresh consumer project there installs the tarballs with `npm install <tarballs>` (third-party dependencies
//      from the npm cache when present, `--prefer-offline`), plus tsx to run the TypeScript example;
//   3. in that project: import a builder from @twsa/models and build a model, read files with @twsa/grid (a NetCDF
//      and a shapefile), `npx twsa --help`, and examples/compose-by-hand/main.ts on its embedded data (1 epoch).
// dist/ folders this script's packing created are removed afterwards, so `npx twsa` in the workspace keeps running
// the sources. Exits non-zero on the first failure. `--keep` leaves the scratch folder for inspection.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const keep = process.argv.includes('--keep');
const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

const workspaces = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces;
const publishable = workspaces.filter((w) => !JSON.parse(readFileSync(join(root, w, 'package.json'), 'utf8')).private);
const scratch = mkdtempSync(join(tmpdir(), 'twsa-pack-install-'));
const tarballs = join(scratch, 'tarballs');
const consumer = join(scratch, 'consumer');
mkdirSync(tarballs);
mkdirSync(consumer);
const builtHere = publishable.filter((w) => !existsSync(join(root, w, 'dist')));
const env = {
  ...process.env,
  NX_DAEMON: 'false',
  NX_NO_CLOUD: 'true',
  FORCE_COLOR: '0',
  npm_config_update_notifier: 'false',
};
delete env.TWSA_BACKEND;

function step(name, cmd, args, options = {}) {
  const s = Date.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, timeout: 300_000, ...options });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.status !== 0) {
    process.stdout.write(`pack-install: ${name}: FAILED (exit ${r.status ?? r.signal})\n${out}\n`);
    finish(1);
  }
  process.stdout.write(`pack-install: ${name}: ok (${((Date.now() - s) / 1000).toFixed(1)} s)\n`);
  return out;
}

function finish(code) {
  for (const w of builtHere) rmSync(join(root, w, 'dist'), { recursive: true, force: true });
  if (keep) process.stdout.write(`pack-install: scratch folder kept: ${scratch}\n`);
  else rmSync(scratch, { recursive: true, force: true });
  process.stdout.write(`pack-install: ${code === 0 ? 'passed' : 'FAILED'} in ${elapsed()}\n`);
  process.exit(code);
}

try {
  // 1. Pack (prepack → build).
  step(
    `npm pack ${publishable.length} packages`,
    'npm',
    ['pack', '--pack-destination', tarballs, ...publishable.flatMap((w) => ['-w', w])],
    { cwd: root },
  );
  const files = readdirSync(tarballs).filter((f) => f.endsWith('.tgz'));
  if (files.length !== publishable.length) {
    process.stdout.write(`pack-install: expected ${publishable.length} tarballs, got ${files.join(', ')}\n`);
    finish(1);
  }
  for (const f of files) {
    const list = step(`tar -tzf ${f}`, 'tar', ['-tzf', join(tarballs, f)]);
    if (!/package\/dist\/index\.js/.test(list)) {
      process.stdout.write(`pack-install: ${f} has no dist/index.js (was prepack skipped?)\n`);
      finish(1);
    }
  }

  // 2. Install the tarballs into a fresh project outside the workspace.
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const tsx = JSON.parse(readFileSync(join(root, 'node_modules', 'tsx', 'package.json'), 'utf8')).version;
  step(
    'npm install <tarballs> tsx',
    'npm',
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      ...files.map((f) => join(tarballs, f)),
      `tsx@${tsx}`,
    ],
    { cwd: consumer },
  );

  // 3. Use it as a consumer would.
  const fixtures = join(root, 'packages', 'grid', 'test', 'fixtures');
  writeFileSync(
    join(consumer, 'use.mjs'),
    `import { initBackend, buildSeUnet } from '@twsa/models';
import { readNetcdf, readBasins } from '@twsa/grid';
await initBackend({ backend: 'cpu' });
const model = buildSeUnet({ preset: 'tiny', seed: 1, inputShape: [48, 48] });
console.log('buildSeUnet tiny:', model.countParams(), 'parameters');
const stack = await readNetcdf(${JSON.stringify(join(fixtures, 'io', 'cf3.nc'))}, { variable: 'tws' });
console.log('readNetcdf cf3.nc:', stack.shape.join('x'), stack.crs);
const layer = await readBasins(${JSON.stringify(join(fixtures, 'basins', 'basins-3978.shp'))});
console.log('readBasins basins-3978.shp:', layer.basins.map((b) => b.name).join(','), 'CRS from', layer.crsSource);
`,
  );
  process.stdout.write(step('import @twsa/models and @twsa/grid', process.execPath, ['use.mjs'], { cwd: consumer }));
  const help = step('npx twsa --help', 'npx', ['--no-install', 'twsa', '--help'], { cwd: consumer });
  if (!/Usage: twsa <command>/.test(help)) {
    process.stdout.write(`pack-install: 'npx twsa --help' printed no usage:\n${help}\n`);
    finish(1);
  }
  copyFileSync(join(root, 'examples', 'compose-by-hand', 'main.ts'), join(consumer, 'main.ts'));
  process.stdout.write(
    step(
      'examples/compose-by-hand against the tarballs',
      process.execPath,
      ['--import', 'tsx', 'main.ts', '--out', 'out', '--epochs', '1'],
      {
        cwd: consumer,
      },
    ),
  );
  finish(0);
} catch (error) {
  process.stdout.write(`pack-install: ${error.stack ?? error}\n`);
  finish(1);
}
