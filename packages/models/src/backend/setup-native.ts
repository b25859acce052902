/**
 * Making `@tensorflow/tfjs-node` usable without its install-time download: the native TensorFlow engine, built
 * offline from a TensorFlow wheel. Used by `npm run setup:native` (scripts/setup-native.mjs) and
 * `twsa setup native`.
 *
 * Only Node built-ins are imported here (no tfjs), so this runs before any backend exists.
 *
 * @packageDocumentation
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import {
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  copyFileSync,
  symlinkSync,
  writeFileSync,
  cpSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { NativeSetupError } from './errors.js';

/** TensorFlow version fetched through pip when none is named (the one this project was verified with). */
export const DEFAULT_TENSORFLOW_VERSION = '2.21.0';

/** The two shared libraries the tfjs-node binding links against, as named inside a TensorFlow wheel. */
export const NATIVE_LIBRARIES = ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2'] as const;

/** Header folders/prefixes (under the wheel's `tensorflow/include/`) the binding's C-API includes need. */
export const NATIVE_HEADER_PREFIXES = [
  'tensorflow/c/',
  'tensorflow/core/platform/ctstring',
  'tsl/platform/ctstring',
  'xla/tsl/c/',
] as const;

/** Options of {@link setupNative}. */
export interface SetupNativeOptions {
  /** A TensorFlow wheel file to take the libraries from instead of asking pip. */
  readonly wheel?: string;
  /** TensorFlow version for pip (`tensorflow-cpu==<version>`). Default {@link DEFAULT_TENSORFLOW_VERSION}. */
  readonly tensorflow?: string;
  /** pip `--index-url` (e.g. `file:///opt/pypi/simple`). Default: `TWSA_PIP_INDEX_URL`, else pip's own config. */
  readonly indexUrl?: string;
  /** Folder whose node_modules receives tfjs-node. Default: the one that holds the @tensorflow/tfjs-core in use. */
  readonly projectDir?: string;
  /** Where wheels, extracted libraries and built addons are kept. Default `TWSA_CACHE_DIR`, else ~/.cache/twsa. */
  readonly cacheDir?: string;
  /** Rebuild even when everything is in place. Default false. */
  readonly force?: boolean;
  /** Skip the final load check (tests). Default false. */
  readonly skipCheck?: boolean;
  /** Environment (PATH, CXX, npm_config_nodedir, …). Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Receives one line per step. Default: silent. */
  readonly log?: (line: string) => void;
}

/** One step of {@link setupNative} and how long it took. */
export interface SetupNativeStep {
  readonly step: string;
  /** `done` did work, `cached` found the result in place. */
  readonly outcome: 'done' | 'cached';
  readonly seconds: number;
  readonly detail: string;
}

/** What {@link setupNative} built and what the load check saw. */
export interface SetupNativeResult {
  /** The installed tfjs-node package folder. */
  readonly packageDir: string;
  /** tfjs-node version (equals the tfjs-core version in use). */
  readonly tfjsNodeVersion: string;
  /** TensorFlow version of the wheel the libraries came from. */
  readonly tensorflowVersion: string;
  /** The wheel file used. */
  readonly wheel: string;
  /** `tf.getBackend()` after importing tfjs-node (`tensorflow`), or undefined when the check was skipped. */
  readonly backend?: string;
  /** `TF_Version()` reported by the loaded library, or undefined when the check was skipped. */
  readonly loadedTensorflowVersion?: string;
  readonly steps: readonly SetupNativeStep[];
  readonly seconds: number;
}

/** The record written to `<tfjs-node>/deps/twsa-native.json` once the addon is built. */
interface Stamp {
  readonly tfjsNode: string;
  readonly tensorflow: string;
  readonly wheel: string;
  readonly napi: string;
  readonly node: string;
}

const STAMP_FILE = 'twsa-native.json';

/**
 * Installs `@tensorflow/tfjs-node` (scripts off, not saved to package.json or the lock file), gets a TensorFlow
 * wheel through pip (or uses the one named), extracts the two shared libraries and the C-API headers the binding
 * needs, builds the binding from source against this Node's headers, and loads it once as a check.
 *
 * ## Method
 * 1. tfjs-node at the version of the `@tensorflow/tfjs-core` in use: `npm install --no-save --ignore-scripts`
 *    in the project folder (the lock file is checked to be byte-identical afterwards).
 * 2. The wheel: `--wheel`, else `<cache>/native/wheels/`, else `pip download --no-deps --only-binary=:all:
 *    tensorflow-cpu==<version>` into that folder.
 * 3. {@link NATIVE_LIBRARIES} and the headers under {@link NATIVE_HEADER_PREFIXES} are extracted once to
 *    `<cache>/native/tensorflow-<version>/` (python3's zipfile, else `unzip`), then hard-linked (else symlinked)
 *    into the package's `deps/lib` with `libtensorflow.so` / `libtensorflow_framework.so` symlinks, and the
 *    headers copied into `deps/include`.
 * 4. `node-pre-gyp install --build-from-source` with `npm_config_nodedir` = Node's install prefix; the built
 *    addon is cached in `<cache>/native/addon-…/` so a rerun after `npm ci` copies it instead of compiling.
 * 5. A child `node` imports tfjs-node and reports `tf.getBackend()` and `TF_Version()`.
 * Every step that finds its result in place is skipped, so a second run only repeats the check.
 *
 * @param options - see {@link SetupNativeOptions}
 * @returns versions, the wheel, the check's backend and TensorFlow version, and the steps with their times
 * @throws {@link NativeSetupError} naming the step and what to install or pass when npm, pip, python3, a C++
 *   compiler, make, node-gyp or Node's headers are missing, or a step fails (with the tail of its output)
 * @example
 * ```ts
 * // not run: installs tfjs-node and compiles its addon (npm, pip, a C++ compiler); `npm run setup:native` runs it
 * const r = await setupNative({ log: console.log });
 * r.backend;
 * // => 'tensorflow'
 * ```
 */
export async function setupNative(options: SetupNativeOptions = {}): Promise<SetupNativeResult> {
  const t0 = Date.now();
  const env = { ...(options.env ?? process.env) };
  const log = options.log ?? (() => undefined);
  const steps: SetupNativeStep[] = [];
  const step = <T>(name: string, run: () => { value: T; cached: boolean; detail: string }): T => {
    const s0 = Date.now();
    const r = run();
    const seconds = (Date.now() - s0) / 1000;
    steps.push({ step: name, outcome: r.cached ? 'cached' : 'done', seconds, detail: r.detail });
    log(`setup native: ${name}: ${r.cached ? 'in place' : 'done'} (${seconds.toFixed(1)} s) ${r.detail}`);
    return r.value;
  };

  const { projectDir, coreVersion } = locateProject(options.projectDir);
  const cacheDir = resolve(options.cacheDir ?? env['TWSA_CACHE_DIR'] ?? defaultCacheDir(env), 'native');
  const nodedir = nodeHeadersDir(env);
  const wantedTf =
    options.wheel !== undefined ? wheelVersion(options.wheel) : (options.tensorflow ?? DEFAULT_TENSORFLOW_VERSION);
  if (options.wheel !== undefined && options.tensorflow !== undefined && options.tensorflow !== wantedTf)
    throw new NativeSetupError(
      'options',
      `--tensorflow ${options.tensorflow} and --wheel ${basename(options.wheel)} (TensorFlow ${wantedTf}) disagree; give one`,
    );
  if (!/^\d+\.\d+(\.\d+)?([a-z0-9.+-]*)$/i.test(wantedTf))
    throw new NativeSetupError('options', `TensorFlow version '${wantedTf}' is not a version like 2.21.0`);

  const packageDir = step('tfjs-node package', () => installTfjsNode(projectDir, coreVersion, env));
  const stampPath = join(packageDir, 'deps', STAMP_FILE);
  const addonPath = join(packageDir, 'lib', `napi-v${napiVersion(packageDir)}`, 'tfjs_binding.node');
  const current = readStamp(stampPath);

  const napi = napiVersion(packageDir);
  const inPlace =
    options.force !== true &&
    current !== undefined &&
    current.tfjsNode === coreVersion &&
    current.tensorflow === wantedTf &&
    (options.wheel === undefined || current.wheel === basename(options.wheel)) &&
    current.napi === napi &&
    existsSync(addonPath) &&
    NATIVE_LIBRARIES.every((l) => existsSync(join(packageDir, 'deps', 'lib', l)));

  let wheel: string;
  if (inPlace && current !== undefined) {
    wheel = current.wheel;
    step('wheel, libraries, headers and addon', () => ({
      value: undefined,
      cached: true,
      detail: `TensorFlow ${current.tensorflow} from ${current.wheel}; ${addonPath}`,
    }));
  } else {
    wheel = step('TensorFlow wheel', () => findWheel(options, wantedTf, cacheDir, env));
    const extracted = step('extract libraries and headers', () =>
      extractWheel(wheel, wantedTf, cacheDir, options.force === true),
    );
    step('link into deps/', () => linkDeps(extracted, packageDir));
    const addonCache = join(
      cacheDir,
      `addon-tfjs-node-${coreVersion}-tf-${wantedTf}-napi-v${napi}-${process.platform}-${process.arch}`,
    );
    step('build addon', () => buildAddon(packageDir, addonPath, addonCache, nodedir, env, options.force === true));
    const stamp: Stamp = {
      tfjsNode: coreVersion,
      tensorflow: wantedTf,
      wheel: basename(wheel),
      napi,
      node: process.version,
    };
    writeFileSync(stampPath, JSON.stringify(stamp, null, 2) + '\n');
  }

  let backend: string | undefined;
  let loaded: string | undefined;
  if (options.skipCheck !== true) {
    const check = step('load check', () => loadCheck(projectDir, env));
    backend = check.backend;
    loaded = check.tensorflow;
    if (backend !== 'tensorflow')
      throw new NativeSetupError(
        'load check',
        `tf.getBackend() is '${backend}' after importing tfjs-node, expected 'tensorflow'`,
      );
  }
  const seconds = (Date.now() - t0) / 1000;
  return {
    packageDir,
    tfjsNodeVersion: coreVersion,
    tensorflowVersion: wantedTf,
    wheel,
    ...(backend !== undefined ? { backend } : {}),
    ...(loaded !== undefined ? { loadedTensorflowVersion: loaded } : {}),
    steps,
    seconds,
  };
}

/**
 * Reads the TensorFlow version from a wheel's file name (`tensorflow_cpu-2.21.0-cp311-…whl` → `2.21.0`).
 *
 * @param wheel - path or file name of a TensorFlow wheel
 * @returns the version field
 * @throws {@link NativeSetupError} when the name is not a tensorflow / tensorflow-cpu wheel name
 * @example
 * ```ts
 * wheelVersion('tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl');
 * // => '2.21.0'
 * ```
 */
export function wheelVersion(wheel: string): string {
  const m = /^(tensorflow|tensorflow_cpu|tensorflow_intel|tf_nightly|tf_nightly_cpu)-([^-]+)-.*\.whl$/.exec(
    basename(wheel),
  );
  if (m === null || m[2] === undefined)
    throw new NativeSetupError(
      'wheel',
      `'${basename(wheel)}' is not a TensorFlow wheel name (expected tensorflow[_cpu]-<version>-<python>-<abi>-<platform>.whl)`,
    );
  return m[2];
}

function defaultCacheDir(env: Readonly<Record<string, string | undefined>>): string {
  const xdg = env['XDG_CACHE_HOME'];
  return xdg !== undefined && xdg !== '' ? join(xdg, 'twsa') : join(homedir(), '.cache', 'twsa');
}

function locateProject(projectDir: string | undefined): { projectDir: string; coreVersion: string } {
  let corePkg: string;
  if (projectDir !== undefined) {
    corePkg = join(resolve(projectDir), 'node_modules', '@tensorflow', 'tfjs-core', 'package.json');
    if (!existsSync(corePkg))
      throw new NativeSetupError(
        'project',
        `${corePkg} not found: run 'npm ci' (or npm install) in ${projectDir} first`,
      );
  } else {
    try {
      corePkg = createRequire(import.meta.url).resolve('@tensorflow/tfjs-core/package.json');
    } catch (cause) {
      throw new NativeSetupError('project', "@tensorflow/tfjs-core is not installed: run 'npm ci' first", { cause });
    }
  }
  const coreVersion = (JSON.parse(readFileSync(corePkg, 'utf8')) as { version: string }).version;
  // <project>/node_modules/@tensorflow/tfjs-core/package.json
  return { projectDir: dirname(dirname(dirname(dirname(corePkg)))), coreVersion };
}

function nodeHeadersDir(env: Readonly<Record<string, string | undefined>>): string {
  const candidates = [env['npm_config_nodedir'], dirname(dirname(process.execPath))].filter(
    (d): d is string => d !== undefined && d !== '',
  );
  for (const d of candidates) if (existsSync(join(d, 'include', 'node', 'node_api.h'))) return d;
  throw new NativeSetupError(
    'node headers',
    `Node's headers (include/node/node_api.h) are not under ${candidates.join(' or ')}; install them (e.g. the nodejs-dev / node headers package, or a Node from nodejs.org) or set npm_config_nodedir to a folder that has include/node`,
  );
}

function run(
  cmd: string,
  args: readonly string[],
  opts: { cwd?: string; env: Readonly<Record<string, string | undefined>>; what: string },
): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd,
    env: opts.env as NodeJS.ProcessEnv,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.error !== undefined) {
    const missing = (r.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new NativeSetupError(
      opts.what,
      missing ? `'${cmd}' is not installed or not on PATH` : `could not run ${cmd}: ${r.error.message}`,
      { cause: r.error },
    );
  }
  if (r.status !== 0) {
    const tail = `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-25).join('\n');
    throw new NativeSetupError(opts.what, `${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal}):\n${tail}`);
  }
  return r;
}

function npmCommand(env: Readonly<Record<string, string | undefined>>): { cmd: string; pre: string[] } {
  // Prefer the npm that runs us (npm run sets npm_execpath), else npm-cli.js beside node, else `npm` on PATH.
  const execpath = env['npm_execpath'];
  if (execpath !== undefined && /npm-cli\.js$/.test(execpath) && existsSync(execpath))
    return { cmd: process.execPath, pre: [execpath] };
  const besideNode = join(dirname(dirname(process.execPath)), 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
  if (existsSync(besideNode)) return { cmd: process.execPath, pre: [besideNode] };
  return { cmd: 'npm', pre: [] };
}

function installTfjsNode(
  projectDir: string,
  coreVersion: string,
  env: Readonly<Record<string, string | undefined>>,
): { value: string; cached: boolean; detail: string } {
  const packageDir = join(projectDir, 'node_modules', '@tensorflow', 'tfjs-node');
  const pkgJson = join(packageDir, 'package.json');
  if (existsSync(pkgJson)) {
    const v = (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string }).version;
    if (v === coreVersion) return { value: packageDir, cached: true, detail: `@tensorflow/tfjs-node@${v}` };
  }
  const lock = join(projectDir, 'package-lock.json');
  const lockBefore = existsSync(lock) ? readFileSync(lock) : undefined;
  const manifest = join(projectDir, 'package.json');
  const manifestBefore = existsSync(manifest) ? readFileSync(manifest) : undefined;
  const npm = npmCommand(env);
  run(
    npm.cmd,
    [
      ...npm.pre,
      'install',
      '--no-save',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      `@tensorflow/tfjs-node@${coreVersion}`,
    ],
    { cwd: projectDir, env, what: 'tfjs-node package' },
  );
  // tfjs-node stays optional: neither package.json nor the lock file may change.
  if (lockBefore !== undefined && !readFileSync(lock).equals(lockBefore)) {
    writeFileSync(lock, lockBefore);
    throw new NativeSetupError(
      'tfjs-node package',
      `npm changed ${lock}; restored it. Report this npm version (${npm.cmd})`,
    );
  }
  if (manifestBefore !== undefined && !readFileSync(manifest).equals(manifestBefore)) {
    writeFileSync(manifest, manifestBefore);
    throw new NativeSetupError('tfjs-node package', `npm changed ${manifest}; restored it`);
  }
  if (!existsSync(pkgJson))
    throw new NativeSetupError('tfjs-node package', `npm install finished but ${pkgJson} does not exist`);
  return {
    value: packageDir,
    cached: false,
    detail: `@tensorflow/tfjs-node@${coreVersion} (--no-save --ignore-scripts)`,
  };
}

function napiVersion(packageDir: string): string {
  const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
    binary?: { napi_versions?: number[] };
  };
  const ours = Number(process.versions.napi ?? '0');
  const supported = (pkg.binary?.napi_versions ?? []).filter((v) => v <= ours);
  if (supported.length === 0)
    throw new NativeSetupError('tfjs-node package', `this Node's N-API ${ours} is older than tfjs-node supports`);
  return String(Math.max(...supported));
}

function readStamp(path: string): Stamp | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Stamp;
  } catch {
    return undefined;
  }
}

function pipCommand(env: Readonly<Record<string, string | undefined>>): { cmd: string; pre: string[] } {
  for (const [cmd, pre] of [
    ['python3', ['-m', 'pip']],
    ['pip3', []],
    ['pip', []],
  ] as const) {
    const r = spawnSync(cmd, [...pre, '--version'], { env: env as NodeJS.ProcessEnv, encoding: 'utf8' });
    if (r.status === 0) return { cmd, pre: [...pre] };
  }
  throw new NativeSetupError(
    'TensorFlow wheel',
    "pip is not available (tried 'python3 -m pip', pip3, pip): install pip, or download a tensorflow-cpu wheel yourself and pass --wheel <file>",
  );
}

function findWheel(
  options: SetupNativeOptions,
  version: string,
  cacheDir: string,
  env: Readonly<Record<string, string | undefined>>,
): { value: string; cached: boolean; detail: string } {
  if (options.wheel !== undefined) {
    const w = resolve(options.wheel);
    if (!existsSync(w) || !statSync(w).isFile()) throw new NativeSetupError('wheel', `${w} does not exist`);
    return { value: w, cached: true, detail: `${w} (named by --wheel)` };
  }
  const dir = join(cacheDir, 'wheels');
  const pick = (): string | undefined => {
    if (!existsSync(dir)) return undefined;
    const names = readdirSync(dir).filter((n) => n.endsWith('.whl') && tryWheelVersion(n) === version);
    // tensorflow_cpu first (smaller), then tensorflow.
    names.sort((a, b) => Number(!a.startsWith('tensorflow_cpu')) - Number(!b.startsWith('tensorflow_cpu')));
    return names[0] === undefined ? undefined : join(dir, names[0]);
  };
  const cached = pick();
  if (cached !== undefined) return { value: cached, cached: true, detail: cached };
  mkdirSync(dir, { recursive: true });
  const pip = pipCommand(env);
  const indexUrl = options.indexUrl ?? env['TWSA_PIP_INDEX_URL'];
  const args = [
    ...pip.pre,
    'download',
    '--no-deps',
    '--only-binary=:all:',
    '--disable-pip-version-check',
    '-d',
    dir,
    ...(indexUrl !== undefined && indexUrl !== '' ? ['--index-url', indexUrl] : []),
    `tensorflow-cpu==${version}`,
  ];
  run(pip.cmd, args, { env, what: 'TensorFlow wheel (pip download; or pass --wheel <file>)' });
  const got = pick();
  if (got === undefined)
    throw new NativeSetupError(
      'TensorFlow wheel',
      `pip download succeeded but no tensorflow_cpu-${version}-*.whl is in ${dir}`,
    );
  return { value: got, cached: false, detail: `${got} (pip download${indexUrl ? ` --index-url ${indexUrl}` : ''})` };
}

function tryWheelVersion(name: string): string | undefined {
  try {
    return wheelVersion(name);
  } catch {
    return undefined;
  }
}

const EXTRACT_PY = `
import sys, zipfile, os
whl, dest, libs, prefixes = sys.argv[1], sys.argv[2], sys.argv[3].split(','), sys.argv[4].split(',')
z = zipfile.ZipFile(whl)
names = set(z.namelist())
n_inc = 0
for lib in libs:
    src = 'tensorflow/' + lib
    if src not in names:
        sys.exit('missing ' + src + ' in ' + whl)
    with z.open(src) as f, open(os.path.join(dest, 'lib', lib), 'wb') as o:
        while True:
            b = f.read(1 << 22)
            if not b: break
            o.write(b)
for n in sorted(names):
    if not n.startswith('tensorflow/include/') or n.endswith('/'): continue
    rel = n[len('tensorflow/include/'):]
    if not any(rel.startswith(p) for p in prefixes): continue
    out = os.path.join(dest, 'include', rel)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with z.open(n) as f, open(out, 'wb') as o: o.write(f.read())
    n_inc += 1
if n_inc == 0: sys.exit('no C-API headers under tensorflow/include/ in ' + whl)
print(n_inc)
`;

function extractWheel(
  wheel: string,
  version: string,
  cacheDir: string,
  force: boolean,
): { value: string; cached: boolean; detail: string } {
  const dest = join(cacheDir, `tensorflow-${version}`);
  const complete = join(dest, '.complete');
  if (!force && existsSync(complete) && readFileSync(complete, 'utf8').trim() === basename(wheel))
    return { value: dest, cached: true, detail: dest };
  const tmp = `${dest}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, 'lib'), { recursive: true });
  mkdirSync(join(tmp, 'include'), { recursive: true });
  const py = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  let headers: string;
  if (py.status === 0) {
    const r = run(
      'python3',
      ['-c', EXTRACT_PY, wheel, tmp, NATIVE_LIBRARIES.join(','), NATIVE_HEADER_PREFIXES.join(',')],
      {
        env: process.env,
        what: 'extract libraries and headers',
      },
    );
    headers = r.stdout.trim();
  } else {
    const lib = NATIVE_LIBRARIES.map((l) => `tensorflow/${l}`);
    run('unzip', ['-q', '-j', '-o', wheel, ...lib, '-d', join(tmp, 'lib')], {
      env: process.env,
      what: 'extract libraries (unzip)',
    });
    const patterns = NATIVE_HEADER_PREFIXES.map((p) => `tensorflow/include/${p}*`);
    run('unzip', ['-q', '-o', wheel, ...patterns, '-d', join(tmp, 'raw')], {
      env: process.env,
      what: 'extract headers (unzip)',
    });
    cpSync(join(tmp, 'raw', 'tensorflow', 'include'), join(tmp, 'include'), { recursive: true });
    rmSync(join(tmp, 'raw'), { recursive: true, force: true });
    headers = 'unzip';
  }
  writeFileSync(join(tmp, '.complete'), basename(wheel) + '\n');
  rmSync(dest, { recursive: true, force: true });
  renameSync(tmp, dest);
  return { value: dest, cached: false, detail: `${NATIVE_LIBRARIES.join(', ')} and ${headers} headers → ${dest}` };
}

function linkDeps(extracted: string, packageDir: string): { value: undefined; cached: boolean; detail: string } {
  const deps = join(packageDir, 'deps');
  rmSync(join(deps, 'lib'), { recursive: true, force: true });
  rmSync(join(deps, 'include'), { recursive: true, force: true });
  mkdirSync(join(deps, 'lib'), { recursive: true });
  let how = 'hard-linked';
  for (const lib of NATIVE_LIBRARIES) {
    const from = join(extracted, 'lib', lib);
    const to = join(deps, 'lib', lib);
    try {
      linkSync(from, to);
    } catch {
      // Another file system: a symlink keeps node_modules small; rerun setup if the cache is cleared.
      symlinkSync(from, to);
      how = 'symlinked';
    }
  }
  symlinkSync('libtensorflow_cc.so.2', join(deps, 'lib', 'libtensorflow.so'));
  symlinkSync('libtensorflow_framework.so.2', join(deps, 'lib', 'libtensorflow_framework.so'));
  cpSync(join(extracted, 'include'), join(deps, 'include'), { recursive: true });
  return { value: undefined, cached: false, detail: `${how} into ${deps}/lib, headers copied to ${deps}/include` };
}

function findNodeGyp(env: Readonly<Record<string, string | undefined>>): string {
  const candidates = [
    env['npm_config_node_gyp'],
    join(
      dirname(dirname(process.execPath)),
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
    env['npm_execpath'] !== undefined
      ? join(dirname(dirname(env['npm_execpath'])), 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')
      : undefined,
  ];
  for (const c of candidates) if (c !== undefined && c !== '' && existsSync(c)) return c;
  try {
    const main = createRequire(import.meta.url).resolve('node-gyp');
    const bin = join(dirname(dirname(main)), 'bin', 'node-gyp.js');
    if (existsSync(bin)) return bin;
  } catch {
    // fall through
  }
  throw new NativeSetupError(
    'build addon',
    "node-gyp not found (looked beside npm and in node_modules): install it ('npm install -g node-gyp') or set npm_config_node_gyp to its bin/node-gyp.js",
  );
}

function buildAddon(
  packageDir: string,
  addonPath: string,
  addonCache: string,
  nodedir: string,
  env: Readonly<Record<string, string | undefined>>,
  force: boolean,
): { value: undefined; cached: boolean; detail: string } {
  const cachedAddon = join(addonCache, 'tfjs_binding.node');
  if (!force && existsSync(cachedAddon)) {
    mkdirSync(dirname(addonPath), { recursive: true });
    copyFileSync(cachedAddon, addonPath);
    return { value: undefined, cached: true, detail: `copied the addon built earlier from ${cachedAddon}` };
  }
  const cxx = env['CXX'] ?? 'c++';
  for (const [tool, args, hint] of [
    [cxx, ['--version'], 'a C++ compiler (g++ / clang++; Debian: apt-get install g++)'],
    ['make', ['--version'], 'make (Debian: apt-get install make)'],
    ['python3', ['--version'], 'python3 (node-gyp runs gyp with it)'],
  ] as const) {
    const r = spawnSync(tool, [...args], { env: env as NodeJS.ProcessEnv, encoding: 'utf8' });
    if (r.error !== undefined || r.status !== 0)
      throw new NativeSetupError('build addon', `'${tool}' is missing: install ${hint}`);
  }
  const nodeGyp = findNodeGyp(env);
  const preGyp = createRequire(join(packageDir, 'package.json')).resolve('@mapbox/node-pre-gyp/bin/node-pre-gyp');
  run(process.execPath, [preGyp, 'install', '--build-from-source'], {
    cwd: packageDir,
    env: { ...env, npm_config_nodedir: nodedir, npm_config_node_gyp: nodeGyp },
    what: 'build addon',
  });
  if (!existsSync(addonPath))
    throw new NativeSetupError('build addon', `node-pre-gyp finished but ${addonPath} does not exist`);
  mkdirSync(addonCache, { recursive: true });
  copyFileSync(addonPath, `${cachedAddon}.tmp`);
  renameSync(`${cachedAddon}.tmp`, cachedAddon);
  return {
    value: undefined,
    cached: false,
    detail: `node-pre-gyp --build-from-source, nodedir ${nodedir} → ${addonPath}`,
  };
}

const CHECK_JS = `
const tf = await import('@tensorflow/tfjs-node');
const x = tf.tensor1d([1, 2, 3]).square().sum().dataSync()[0];
if (x !== 14) throw new Error('sum of squares of [1,2,3] is ' + x);
console.log(JSON.stringify({ backend: tf.getBackend(), tensorflow: tf.backend().binding.TF_Version }));
`;

function loadCheck(
  projectDir: string,
  env: Readonly<Record<string, string | undefined>>,
): { value: { backend: string; tensorflow: string }; cached: boolean; detail: string } {
  const r = run(process.execPath, ['--input-type=module', '-e', CHECK_JS], {
    cwd: projectDir,
    env: { ...env, TF_CPP_MIN_LOG_LEVEL: env['TF_CPP_MIN_LOG_LEVEL'] ?? '2' },
    what: 'load check',
  });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  let parsed: { backend: string; tensorflow: string };
  try {
    parsed = JSON.parse(last) as { backend: string; tensorflow: string };
  } catch (cause) {
    throw new NativeSetupError('load check', `unexpected output: ${last}`, { cause });
  }
  return {
    value: parsed,
    cached: false,
    detail: `tf.getBackend() = '${parsed.backend}', TensorFlow ${parsed.tensorflow}`,
  };
}
