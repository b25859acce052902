// The native lane of scripts/test.mjs: the backend-generic tests again on the native TensorFlow engine
// (@tensorflow/tfjs-node, built by `npm run setup:native`), under TWSA_BACKEND=tensorflow.
//   Which tests: every default-lane test file that selects its backend through useTestBackend()
//   (packages/models/test/backend.ts), and every test file that says `native lane: yes` in a comment.
//   When tfjs-node cannot be loaded, those files' tests (counted from the default lane's results) are reported
//   skipped, with the reason.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const MARKERS = [/\buseTestBackend\(/, /native lane: yes/];

/** Default-lane test files (absolute paths) of packages/* that run again on the native lane. */
export function nativeLaneFiles(root) {
  const files = [];
  const walk = (dir) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.name === 'node_modules' || e.name === 'dist') continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.test.ts') && !e.name.endsWith('.slow.test.ts')) {
        const text = readFileSync(p, 'utf8');
        if (MARKERS.some((m) => m.test(text))) files.push(p);
      }
    }
  };
  for (const pkg of readdirSync(join(root, 'packages'))) {
    walk(join(root, 'packages', pkg, 'src'));
    walk(join(root, 'packages', pkg, 'test'));
  }
  return files.sort();
}

/** `{ ok: true, tensorflow }` when tfjs-node loads and runs, else `{ ok: false, reason }`. */
export function probeNative(root, env) {
  const script =
    "const tf = await import('@tensorflow/tfjs-node'); tf.tensor1d([1,2]).square().dataSync(); " +
    'console.log(JSON.stringify({ backend: tf.getBackend(), tensorflow: tf.backend().binding.TF_Version }));';
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: root,
    env: { ...env, TF_CPP_MIN_LOG_LEVEL: '1' },
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    const lines = (r.stderr || '').split('\n');
    const line =
      lines.find((l) => /^\w*Error\b.*: /.test(l)) ?? lines.find((l) => /Cannot find/.test(l)) ?? `exit ${r.status}`;
    return { ok: false, reason: `@tensorflow/tfjs-node cannot be loaded (${line.trim()}); run 'npm run setup:native'` };
  }
  try {
    const info = JSON.parse(r.stdout.trim().split('\n').pop());
    if (info.backend !== 'tensorflow') return { ok: false, reason: `tfjs-node selected '${info.backend}'` };
    return { ok: true, tensorflow: info.tensorflow };
  } catch {
    return { ok: false, reason: `unexpected probe output: ${r.stdout.trim()}` };
  }
}

/**
 * Runs the lane. `defaultResults` is the default lane's Jest JSON (to count what is skipped); `native` is the
 * result of probeNative. Returns counts to add to the final line and the failures.
 */
export function runNativeLane({ root, env, defaultResults, native }) {
  const t0 = Date.now();
  const files = nativeLaneFiles(root);
  const rel = files.map((f) => relative(root, f));
  process.stdout.write(`\n== native lane (TWSA_BACKEND=tensorflow): ${rel.length} test files: ${rel.join(' ')}\n`);
  if (!native.ok) {
    const inLane = new Set(files);
    let n = 0;
    for (const s of defaultResults?.testResults ?? []) if (inLane.has(s.name)) n += s.assertionResults.length;
    process.stdout.write(`== native lane: ${n} tests skipped: ${native.reason}\n`);
    return { passed: 0, failed: 0, skipped: n, failures: [] };
  }
  const tmp = mkdtempSync(join(tmpdir(), 'twsa-native-'));
  const out = join(tmp, 'results.json');
  const r = spawnSync(
    process.execPath,
    [
      '--experimental-vm-modules',
      'node_modules/jest/bin/jest.js',
      '--json',
      `--outputFile=${out}`,
      '--ci',
      '--runTestsByPath',
      ...rel,
    ],
    { cwd: root, stdio: 'inherit', env: { ...env, TWSA_BACKEND: 'tensorflow', TF_CPP_MIN_LOG_LEVEL: '1' } },
  );
  const result = { passed: 0, failed: 0, skipped: 0, failures: [] };
  try {
    const res = JSON.parse(readFileSync(out, 'utf8'));
    result.passed = res.numPassedTests;
    result.failed = res.numFailedTests;
    result.skipped = res.numPendingTests + res.numTodoTests;
    for (const s of res.testResults)
      if (s.status === 'failed' && s.assertionResults.every((a) => a.status !== 'failed')) {
        result.failed++;
        result.failures.push(`native lane: suite ${s.name}`);
      }
    if (res.numFailedTests > 0) result.failures.push(`native lane: ${res.numFailedTests} failed tests`);
    if (res.numTotalTests === 0) {
      result.failed++;
      result.failures.push('native lane ran no test');
    }
  } catch (e) {
    result.failed++;
    result.failures.push(`native lane (exit ${r.status}; no results: ${e.message})`);
  }
  rmSync(tmp, { recursive: true, force: true });
  process.stdout.write(
    `== native lane (TensorFlow ${native.tensorflow}): ${result.passed} passed, ${result.failed} failed, ${result.skipped} skipped in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
  );
  return result;
}

// Run on its own: `node scripts/native-lane.mjs` probes tfjs-node and runs the lane (without the default lane's
// results, a skipped lane reports 0 tests); exits non-zero when a test failed or the engine cannot be loaded.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const native = probeNative(root, process.env);
  const result = runNativeLane({ root, env: process.env, defaultResults: null, native });
  for (const f of result.failures) process.stdout.write(`FAILED: ${f}\n`);
  process.stdout.write(`${result.passed} passed, ${result.failed} failed\n`);
  process.exitCode = result.failed > 0 || !native.ok ? 1 : 0;
}
