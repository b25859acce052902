// setupNative's checks and file work on a fake project (no npm install, no compiler run): wheel names, a missing
// pip, extraction and linking from a small fake wheel, and a missing compiler. The real build is exercised by
// `npm run setup:native` in CI (.ci/run) and its native lane.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupNative, wheelVersion } from './setup-native.js';
import { isBackendModuleError } from './errors.js';

let base: string;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'twsa-setup-native-'));
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

/** A project folder whose node_modules holds tfjs-core 4.22.0 and an (unbuilt) tfjs-node 4.22.0. */
function fakeProject(): string {
  const project = join(base, 'project');
  for (const [name, pkg] of [
    ['tfjs-core', { name: '@tensorflow/tfjs-core', version: '4.22.0' }],
    ['tfjs-node', { name: '@tensorflow/tfjs-node', version: '4.22.0', binary: { napi_versions: [3, 8] } }],
  ] as const) {
    const dir = join(project, 'node_modules', '@tensorflow', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg));
  }
  return project;
}

async function caught(p: Promise<unknown>): Promise<Error & { step?: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { step?: string };
  }
  throw new Error('expected a rejection');
}

const havePython = spawnSync('python3', ['--version']).status === 0;

describe('setupNative', () => {
  it('reads the TensorFlow version from a wheel name and refuses other names', () => {
    expect(wheelVersion('/x/tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl')).toBe('2.21.0');
    expect(wheelVersion('tensorflow-2.18.1-cp312-cp312-manylinux_2_17_x86_64.whl')).toBe('2.18.1');
    const e = (() => {
      try {
        wheelVersion('keras-3.15.1-py3-none-any.whl');
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(isBackendModuleError(e, 'NativeSetupError')).toBe(true);
    expect(String(e)).toMatch(/not a TensorFlow wheel name/);
  });

  it('without pip (and no --wheel) says so and names --wheel', async () => {
    const emptyPath = join(base, 'empty-bin');
    mkdirSync(emptyPath);
    const e = await caught(
      setupNative({
        projectDir: fakeProject(),
        cacheDir: join(base, 'cache'),
        env: { PATH: emptyPath },
        skipCheck: true,
      }),
    );
    expect(isBackendModuleError(e, 'NativeSetupError')).toBe(true);
    expect(e.step).toBe('TensorFlow wheel');
    expect(e.message).toMatch(/pip is not available.*--wheel <file>/);
  });

  it('a named wheel that does not exist is an error naming it', async () => {
    const e = await caught(
      setupNative({
        projectDir: fakeProject(),
        cacheDir: join(base, 'cache'),
        wheel: join(base, 'tensorflow_cpu-2.21.0-cp311-cp311-x.whl'),
      }),
    );
    expect(e.message).toMatch(/tensorflow_cpu-2\.21\.0-cp311-cp311-x\.whl does not exist/);
  });

  (havePython ? it : it.skip)(
    'extracts exactly the two libraries and the C-API headers, links them into deps/, then stops at a missing compiler',
    async () => {
      const wheel = join(base, 'tensorflow_cpu-9.9.0-cp311-cp311-manylinux_2_27_x86_64.whl');
      const files = {
        'tensorflow/libtensorflow_cc.so.2': 'cc',
        'tensorflow/libtensorflow_framework.so.2': 'fw',
        'tensorflow/libtensorflow_other.so.2': 'not needed',
        'tensorflow/include/tensorflow/c/c_api.h': '// c api',
        'tensorflow/include/tensorflow/c/eager/c_api.h': '// eager',
        'tensorflow/include/tensorflow/core/platform/ctstring.h': '// ctstring',
        'tensorflow/include/tsl/platform/ctstring_internal.h': '// tsl',
        'tensorflow/include/xla/tsl/c/tsl_status.h': '// status',
        'tensorflow/include/tensorflow/core/framework/tensor.h': '// not needed',
      };
      const py = `import zipfile,json,sys\nz=zipfile.ZipFile(sys.argv[1],'w')\nfor k,v in json.loads(sys.argv[2]).items(): z.writestr(k,v)\nz.close()`;
      expect(spawnSync('python3', ['-c', py, wheel, JSON.stringify(files)]).status).toBe(0);
      const project = fakeProject();
      const cacheDir = join(base, 'cache');
      const e = await caught(
        setupNative({
          projectDir: project,
          cacheDir,
          wheel,
          env: { ...process.env, CXX: 'twsa-no-such-compiler' },
          skipCheck: true,
        }),
      );
      expect(e.step).toBe('build addon');
      expect(e.message).toMatch(/'twsa-no-such-compiler' is missing: install a C\+\+ compiler/);
      const deps = join(project, 'node_modules', '@tensorflow', 'tfjs-node', 'deps');
      expect(readFileSync(join(deps, 'lib', 'libtensorflow_cc.so.2'), 'utf8')).toBe('cc');
      expect(readFileSync(join(deps, 'lib', 'libtensorflow_framework.so.2'), 'utf8')).toBe('fw');
      expect(existsSync(join(deps, 'lib', 'libtensorflow_other.so.2'))).toBe(false);
      expect(lstatSync(join(deps, 'lib', 'libtensorflow.so')).isSymbolicLink()).toBe(true);
      expect(readlinkSync(join(deps, 'lib', 'libtensorflow.so'))).toBe('libtensorflow_cc.so.2');
      expect(readlinkSync(join(deps, 'lib', 'libtensorflow_framework.so'))).toBe('libtensorflow_framework.so.2');
      for (const h of [
        'tensorflow/c/c_api.h',
        'tensorflow/c/eager/c_api.h',
        'tensorflow/core/platform/ctstring.h',
        'tsl/platform/ctstring_internal.h',
        'xla/tsl/c/tsl_status.h',
      ])
        expect(existsSync(join(deps, 'include', h))).toBe(true);
      expect(existsSync(join(deps, 'include', 'tensorflow/core/framework/tensor.h'))).toBe(false);
      // Extracted once into the cache, reused by the next run.
      expect(readFileSync(join(cacheDir, 'native', 'tensorflow-9.9.0', '.complete'), 'utf8').trim()).toBe(
        'tensorflow_cpu-9.9.0-cp311-cp311-manylinux_2_27_x86_64.whl',
      );
    },
  );
});
