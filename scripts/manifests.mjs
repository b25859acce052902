#!/usr/bin/env node
// Keeps the publishable packages' manifests complete: license file, repository, engines, keywords, prepack.
// Usage: node scripts/manifests.mjs          (rewrite packages/*/package.json and copy LICENSE)
//        node scripts/manifests.mjs --check  (exit 1 and name what is missing)
import { copyFileSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const KEYWORDS = {
  common: ['grace', 'twsa', 'terrestrial-water-storage', 'hydrology'],
  grid: ['raster', 'geotiff', 'netcdf', 'hdf5', 'reprojection', 'lambert-conformal-conic'],
  metrics: ['pearson', 'rmse', 'nse', 'kge', 'trend', 'mann-kendall'],
  datasets: ['dataset', 'normalisation', 'augmentation', 'time-series'],
  models: ['tensorflow', 'tfjs', 'deep-learning', 'u-net', 'pix2pix', 'convlstm', 'autoencoder'],
  reconstruct: ['cli', 'pipeline', 'hindcast', 'deep-learning'],
  'tfjs-wasm-training': ['tensorflow', 'tfjs', 'wasm', 'webassembly', 'training', 'kernels', 'conv2d'],
};
const problems = [];
for (const dir of readdirSync(join(root, 'packages'))) {
  const file = join(root, 'packages', dir, 'package.json');
  if (!existsSync(file)) continue;
  const pkg = JSON.parse(readFileSync(file, 'utf8'));
  if (pkg.private) continue;
  const want = {
    repository: { type: 'git', url: 'git+https://github.com/twsa/twsa.git', directory: `packages/${dir}` },
    engines: rootPkg.engines,
    keywords: [...new Set([...(KEYWORDS[dir] ?? []), ...KEYWORDS.common])],
  };
  const files = [...new Set([...(pkg.files ?? []), 'dist', 'README.md', 'LICENSE'])];
  const scripts = { ...pkg.scripts, prepack: 'npm run build' };
  if (check) {
    for (const key of ['repository', 'engines', 'keywords', 'license'])
      if (!pkg[key]) problems.push(`${dir}: no "${key}"`);
    if (!pkg.scripts?.prepack) problems.push(`${dir}: no "prepack" script (npm pack would ship no dist)`);
    if (!(pkg.files ?? []).includes('LICENSE')) problems.push(`${dir}: "files" lacks LICENSE`);
    if (!existsSync(join(root, 'packages', dir, 'LICENSE'))) problems.push(`${dir}: no LICENSE file`);
    continue;
  }
  const out = {};
  // Keep a stable key order: insert the new keys after "license".
  for (const [k, v] of Object.entries(pkg)) {
    if (k === 'repository' || k === 'engines' || k === 'keywords') continue;
    out[k] = k === 'files' ? files : k === 'scripts' ? scripts : v;
    if (k === 'license') Object.assign(out, want);
  }
  writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
  copyFileSync(join(root, 'LICENSE'), join(root, 'packages', dir, 'LICENSE'));
}
if (check) {
  for (const p of problems) console.error(p);
  process.exit(problems.length ? 1 : 0);
}
