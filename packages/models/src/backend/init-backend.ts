/**
 * Choosing the tfjs backend, in one place.
 *
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { BackendError } from './errors.js';
import { registerCpuKernelFixes } from './cpu-kernel-fixes.js';
import { registerNativeFusedKernels } from './native-fused.js';
import { registerWasmTrainingKernels } from '@twsa/tfjs-wasm-training';

/** The backends {@link initBackend} knows, in its automatic order of preference. */
export const BACKEND_CHOICES = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;

/** One of {@link BACKEND_CHOICES}: `tensorflow-gpu`/`tensorflow` are tfjs-node(-gpu), the others the JS packages. */
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** The npm package that provides each backend (native ones are optional peers, never plain dependencies). */
export const BACKEND_PACKAGES: Readonly<Record<BackendChoice, string>> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};

/** The tfjs backend name each package registers. */
const REGISTERED_NAME: Readonly<Record<BackendChoice, string>> = {
  'tensorflow-gpu': 'tensorflow',
  tensorflow: 'tensorflow',
  wasm: 'wasm',
  cpu: 'cpu',
};

/** Options of {@link initBackend}. */
export interface InitBackendOptions {
  /** Force one backend; wins over the `TWSA_BACKEND` environment variable. Default: automatic. */
  readonly backend?: BackendChoice;
  /** Environment to read `TWSA_BACKEND` from. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Loads a backend package. Default: dynamic `import(name)`. Tests pass a stub to simulate missing packages;
   * applications leave it out.
   */
  readonly importPackage?: (name: string) => Promise<unknown>;
  /** Receives one event per backend tried. Default: silent. */
  readonly log?: (event: {
    readonly backend: BackendChoice;
    readonly outcome: 'selected' | 'unavailable';
    readonly detail: string;
  }) => void;
}

/** What {@link initBackend} selected; record it with a run. */
export interface BackendInfo {
  /** tfjs backend name now active (`tf.getBackend()`): `tensorflow`, `wasm` or `cpu`. */
  readonly name: string;
  /** Which of {@link BACKEND_CHOICES} it is. */
  readonly choice: BackendChoice;
  /** The npm package that provided it. */
  readonly package: string;
  /** Why it was chosen: forced by option/env, or which packages were missing before it. */
  readonly reason: string;
  /** Native only (`tensorflow`): the TensorFlow version of the loaded libtensorflow (`TF_Version()`), e.g. `2.21.0`. */
  readonly tensorflowVersion?: string;
  /** WASM only: threads XNNPACK uses (1 in Node without worker threads). */
  readonly threads?: number;
  /** WASM only: whether the SIMD build is in use. */
  readonly simd?: boolean;
  /** WASM only: whether `@twsa/tfjs-wasm-training`'s kernels are registered (always true after initBackend). */
  readonly trainingKernels?: boolean;
}

/**
 * Registers and selects one tfjs backend for this process; call once, before any tensor exists.
 *
 * ## Method
 * The backend is `options.backend`, else the `TWSA_BACKEND` environment variable, else the first of
 * `@tensorflow/tfjs-node-gpu`, `@tensorflow/tfjs-node`, `@tensorflow/tfjs-backend-wasm`,
 * `@tensorflow/tfjs-backend-cpu` that imports. Importing a backend package registers it; then `tf.setBackend`
 * and `tf.ready()`. When WASM is chosen, `registerWasmTrainingKernels` of `@twsa/tfjs-wasm-training` is called first
 * so convolutions can be trained (stock tfjs-backend-wasm lacks `Conv2DBackpropFilter`); when `cpu` is chosen,
 * `registerCpuKernelFixes` replaces its wrong `ResizeNearestNeighborGrad` (SEUNet's upsampling, batch > 1); when
 * tfjs-node is chosen, `registerNativeFusedKernels` (native-fused.ts) adds the fused convolution, BatchNorm and Adam
 * kernels that the package's Conv2D/BatchNormalization layers and `createAdam` use there (`TWSA_NATIVE_FUSED=0` in
 * the environment leaves them out, to compare). A forced backend that cannot
 * be loaded is an error, never a silent fallback. This is the only place in the project that calls `tf.setBackend`.
 *
 * @param options - see {@link InitBackendOptions}
 * @returns which backend runs, from which package, why, the TensorFlow version (native) and the WASM threads/SIMD
 *   state
 * @throws {@link BackendError} when the forced backend is unknown, not installed or fails to initialise, when the
 *   WASM training kernels cannot be registered, or when no backend at all can be loaded
 * @example
 * ```ts
 * const info = await initBackend({ backend: 'cpu' });
 * info.name;
 * // => 'cpu'
 * ```
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  const env = options.env ?? process.env;
  const importPackage = options.importPackage ?? ((name: string) => import(name));
  const log = options.log;
  let forced: BackendChoice | undefined;
  let forcedBy = '';
  if (options.backend !== undefined) {
    forced = checkChoice(options.backend, 'options.backend');
    forcedBy = 'options.backend';
  } else {
    const fromEnv = env['TWSA_BACKEND'];
    if (fromEnv !== undefined && fromEnv.trim() !== '') {
      forced = checkChoice(fromEnv.trim(), 'TWSA_BACKEND');
      forcedBy = 'TWSA_BACKEND';
    }
  }
  if (forced !== undefined) {
    quietTensorFlowLogs(forced);
    try {
      await importPackage(BACKEND_PACKAGES[forced]);
    } catch (cause) {
      log?.({ backend: forced, outcome: 'unavailable', detail: errorText(cause) });
      throw new BackendError(
        forced,
        `forced by ${forcedBy} but package "${BACKEND_PACKAGES[forced]}" could not be loaded (${errorText(cause)}); install it or choose another of ${BACKEND_CHOICES.join(', ')}`,
        { cause },
      );
    }
    const info = await activate(forced, `forced by ${forcedBy}`);
    log?.({ backend: forced, outcome: 'selected', detail: info.reason });
    return info;
  }
  const missing: string[] = [];
  for (const choice of BACKEND_CHOICES) {
    quietTensorFlowLogs(choice);
    try {
      await importPackage(BACKEND_PACKAGES[choice]);
    } catch (cause) {
      missing.push(`${BACKEND_PACKAGES[choice]} not available`);
      log?.({ backend: choice, outcome: 'unavailable', detail: errorText(cause) });
      continue;
    }
    const reason = missing.length === 0 ? 'automatic: first choice available' : `automatic: ${missing.join('; ')}`;
    try {
      const info = await activate(choice, reason);
      log?.({ backend: choice, outcome: 'selected', detail: reason });
      return info;
    } catch (cause) {
      missing.push(`${BACKEND_PACKAGES[choice]} failed to initialise`);
      log?.({ backend: choice, outcome: 'unavailable', detail: errorText(cause) });
    }
  }
  throw new BackendError(
    'auto',
    `no tfjs backend could be loaded (${missing.join('; ')}); install @tensorflow/tfjs-backend-wasm or @tensorflow/tfjs-backend-cpu`,
  );
}

/**
 * libtensorflow prints INFO lines (oneDNN, CPU features) to stderr when it loads; keep warnings and errors only,
 * unless the user set TF_CPP_MIN_LOG_LEVEL. Read by TensorFlow when the library loads, so set before the import.
 */
function quietTensorFlowLogs(choice: BackendChoice): void {
  if (REGISTERED_NAME[choice] === 'tensorflow' && process.env['TF_CPP_MIN_LOG_LEVEL'] === undefined)
    process.env['TF_CPP_MIN_LOG_LEVEL'] = '1';
}

function checkChoice(value: string, source: string): BackendChoice {
  if ((BACKEND_CHOICES as readonly string[]).includes(value)) return value as BackendChoice;
  throw new BackendError(value, `unknown backend in ${source}; expected one of ${BACKEND_CHOICES.join(', ')}`);
}

function errorText(cause: unknown): string {
  return cause instanceof Error ? (cause.message.split('\n')[0] ?? cause.name) : String(cause);
}

async function activate(choice: BackendChoice, reason: string): Promise<BackendInfo> {
  const registered = REGISTERED_NAME[choice];
  if (tf.findBackendFactory(registered) === null) {
    throw new BackendError(
      choice,
      `package "${BACKEND_PACKAGES[choice]}" loaded but did not register a "${registered}" backend (is it the same @tensorflow/tfjs-core ${tf.version_core}?)`,
    );
  }
  if (choice === 'wasm') {
    try {
      registerWasmTrainingKernels();
    } catch (cause) {
      throw new BackendError(choice, `the training kernels could not be registered: ${errorText(cause)}`, { cause });
    }
  }
  let ok: boolean;
  try {
    ok = await tf.setBackend(registered);
    await tf.ready();
  } catch (cause) {
    throw new BackendError(choice, `registered but failed to initialise: ${errorText(cause)}`, { cause });
  }
  if (!ok || tf.getBackend() !== registered) throw new BackendError(choice, 'registered but failed to initialise');
  const base = { name: tf.getBackend(), choice, package: BACKEND_PACKAGES[choice], reason };
  if (registered === 'tensorflow') {
    try {
      if (process.env['TWSA_NATIVE_FUSED'] !== '0') registerNativeFusedKernels();
    } catch (cause) {
      throw new BackendError(choice, `the native fused kernels could not be registered: ${errorText(cause)}`, {
        cause,
      });
    }
    const binding = (tf.backend() as unknown as { binding?: { TF_Version?: unknown } }).binding;
    const version = binding?.TF_Version;
    return typeof version === 'string' ? { ...base, tensorflowVersion: version } : base;
  }
  if (choice === 'cpu') registerCpuKernelFixes();
  if (choice !== 'wasm') return base;
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const backend = tf.backend() as unknown as { wasm?: { _get_threads_count?: () => number } };
  const threads = backend.wasm?._get_threads_count?.() ?? 1;
  return { ...base, threads, simd: simd === true, trainingKernels: true };
}
