#!/usr/bin/env node
// The workspace test command (README, .ci/run): type-check, lint (ESLint with Nx's module boundaries), check
// formatting (Prettier), run every package's Jest suite, then the
// end-to-end checks (the CLI smoke profile, the two examples on their embedded default, and the pack-and-install
// check, scripts/pack-install.mjs). Prints one closing line
// `N passed, N failed, N skipped` counting Jest tests plus one per check.
//   node scripts/test.mjs            default lane
//   node scripts/test.mjs --slow     the *.slow.test.ts lane instead of the default one
//   node scripts/test.mjs --unit     Jest only (no type check, lint, format check or end-to-end checks)
// After the default Jest lane, the native lane (scripts/native-lane.mjs) reruns the backend-generic tests on
// @tensorflow/tfjs-node when `npm run setup:native` has built it, else reports them skipped with the reason.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { probeNative, runNativeLane } from './native-lane.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', FORCE_COLOR: '0' };
let passed = 0,
  failed = 0,
  skipped = 0;
const failures = [];

function check(name, cmd, cmdArgs, options = {}) {
  const t0 = Date.now();
  process.stdout.write(`\n== ${name}: ${cmd} ${cmdArgs.join(' ')}\n`);
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit', env, ...options });
  const ok = r.status === 0;
  process.stdout.write(
    `== ${name}: ${ok ? 'ok' : `FAILED (exit ${r.status ?? r.signal})`} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
  );
  if (ok) passed++;
  else {
    failed++;
    failures.push(name);
  }
  return ok;
}

if (!args.has('--unit') && !args.has('--slow')) {
  check('typecheck', process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json']);
  check('lint', process.execPath, ['scripts/lint.mjs']);
  check('format', process.execPath, [
    'node_modules/prettier/bin/prettier.cjs',
    '--check',
    '--log-level',
    'warn',
    '**/*.{ts,mts,js,mjs,cjs,json}',
  ]);
}

const realData = join(root, '..', 'shared', 'data', 'real');
process.stdout.write(
  existsSync(realData)
    ? `\n== real data: ${realData} found; the real-data tests run\n`
    : `\n== real data: ${realData} not found; the real-data tests are reported as skipped, not passed\n`,
);

const tmp = mkdtempSync(join(tmpdir(), 'twsa-jest-'));
const jsonFile = join(tmp, 'results.json');
const jestArgs = [
  '--experimental-vm-modules',
  'node_modules/jest/bin/jest.js',
  '--json',
  `--outputFile=${jsonFile}`,
  '--ci',
];
if (args.has('--slow')) jestArgs.push('--config', 'jest.slow.config.js');
process.stdout.write('\n== jest\n');
const jr = spawnSync(process.execPath, jestArgs, { cwd: root, stdio: 'inherit', env });
let defaultResults;
try {
  const res = JSON.parse(readFileSync(jsonFile, 'utf8'));
  defaultResults = res;
  passed += res.numPassedTests;
  failed += res.numFailedTests;
  skipped += res.numPendingTests + res.numTodoTests;
  // A suite that fails to load counts as a failure even though it has no failed test.
  for (const s of res.testResults)
    if (s.status === 'failed' && s.assertionResults.every((a) => a.status !== 'failed')) {
      failed++;
      failures.push(`suite ${s.name}`);
    }
  if (res.numTotalTests === 0) {
    failed++;
    failures.push('jest ran no test');
  }
} catch (e) {
  failed++;
  failures.push(`jest (exit ${jr.status}; no results: ${e.message})`);
}
rmSync(tmp, { recursive: true, force: true });

// The native lane (scripts/native-lane.mjs): backend-generic tests again on tfjs-node, or reported skipped.
const native = args.has('--slow') ? { ok: false } : probeNative(root, env);
if (!args.has('--slow')) {
  const lane = runNativeLane({ root, env, defaultResults, native });
  passed += lane.passed;
  failed += lane.failed;
  skipped += lane.skipped;
  failures.push(...lane.failures);
}

if (!args.has('--unit') && !args.has('--slow')) {
  const out = mkdtempSync(join(tmpdir(), 'twsa-smoke-'));
  check('cli: twsa run --profile smoke', 'npx', [
    '--no-install',
    'twsa',
    'run',
    '--profile',
    'smoke',
    '--out',
    join(out, 'run'),
    '--quiet',
    // On the native engine when it loads (a broken build then fails here instead of falling back to WASM).
    ...(native.ok ? ['--backend', 'tensorflow'] : []),
  ]);
  // The example trains on WASM with our kernels whatever else is installed, so the end-to-end WASM path stays
  // covered when the smoke run above uses the native engine.
  check(
    'example: canada-reconstruction (embedded default, wasm)',
    'npm',
    ['run', 'start', '-w', 'examples/canada-reconstruction', '--', '--out', join(out, 'example'), '--profile', 'smoke'],
    { env: { ...env, TWSA_BACKEND: 'wasm' } },
  );
  check('example: compose-by-hand (embedded default)', 'npm', [
    'run',
    'start',
    '-w',
    'examples/compose-by-hand',
    '--',
    '--out',
    join(out, 'compose'),
  ]);
  // Packs every publishable package, installs the tarballs into a scratch project outside the workspace, and uses
  // them there (a @twsa/models builder, @twsa/grid readers, npx twsa --help, the compose-by-hand example).
  check('pack-and-install: tarballs in a scratch project', process.execPath, ['scripts/pack-install.mjs']);
  rmSync(out, { recursive: true, force: true });
}

if (failures.length) process.stdout.write(`\nFailed: ${failures.join('; ')}\n`);
process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exit(failed ? 1 : 0);
