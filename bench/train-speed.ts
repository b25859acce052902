/**
 * Training-speed bench: the paper models of Yu et al. (2021) trained for the same steps in our code (tfjs WASM with
 * the @twsa/models training kernels, or the native TensorFlow engine; memory-lean Adam) and in a reference — PyTorch
 * CPU (bench/train-speed-torch.py) or Keras 3 / TensorFlow (bench/train-speed-keras.py), same layers — in one run.
 * Not a test.
 *
 *   npm run bench:train-speed                       # every case, 3 timed steps after 1 warm-up, torch at 2 threads
 *   node --import tsx bench/train-speed.ts --threads 1   # PyTorch on one thread (tfjs WASM in Node has one)
 *   node --import tsx bench/train-speed.ts --steps 5 --only seunet-b8,convlstm --no-torch --optimizer stock
 *   npm run bench:train-speed -- --backend tensorflow --reference keras   # native engine (npm run setup:native)
 *       against Keras; the Keras venv: python3 -m venv ~/.cache/twsa/keras-venv &&
 *       ~/.cache/twsa/keras-venv/bin/pip install --index-url file:///opt/pypi/simple tensorflow-cpu==2.21.0 keras
 *       (or TWSA_KERAS_PYTHON=<python with keras>)
 *
 * The last stdout line is one JSON array of rows { case, backend, samplesPerSecond, reference,
 * referenceSamplesPerSecond, ratio } for the model cases (ConvLSTM: sequences/s).
 *
 * Each of our cases runs in its own Node process (the WASM heap never shrinks, so one case's peak would otherwise
 * carry over to the next). Prints, per case: our seconds/step and samples/s, PyTorch's, the ratio ours/PyTorch, the
 * WASM heap size at the end of the case (= its peak), and a kernel profile of one step (where the time goes).
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  buildConvLstm,
  buildDcae,
  buildPix2Pix,
  buildSeUnet,
  createAdam,
  initBackend,
} from '../packages/models/src/index.js';

const CASES = ['seunet-b1', 'seunet-b8', 'dcae-b1', 'dcae-b8', 'pix2pix-b1', 'convlstm', 'conv-ceiling'] as const;
/** The cases of the final JSON array (conv-ceiling is a kernel probe, not a model). */
const MODEL_CASES = ['seunet-b1', 'seunet-b8', 'dcae-b1', 'dcae-b8', 'pix2pix-b1', 'convlstm'] as const;
const BENCH_BACKENDS = ['wasm', 'tensorflow'] as const;
const REFERENCES = ['torch', 'keras'] as const;
/** `conv-ceiling`: forward conv2d only, 8×48×48×64 → 64, 3×3 'same', no bias, 10 calls per step (80 samples). */
const CEILING = { batch: 8, size: 48, channels: 64, kernel: 3, callsPerStep: 10 } as const;
/** Floating-point operations of one `conv-ceiling` sample (2 per multiply-add). */
const CEILING_FLOP_PER_SAMPLE =
  2 * CEILING.size * CEILING.size * CEILING.kernel * CEILING.kernel * CEILING.channels * CEILING.channels;
type CaseName = (typeof CASES)[number];

interface Args {
  steps: number;
  warmup: number;
  only: CaseName[];
  torch: boolean;
  threads: number;
  optimizer: 'lean' | 'stock';
  profile: boolean;
  /** Native engine: use the fused kernels of packages/models/src/backend/native-fused.ts (default) or not. */
  fused: boolean;
  json: boolean;
  backend: (typeof BENCH_BACKENDS)[number];
  reference: (typeof REFERENCES)[number];
  /** Internal: run the cases in this process and print one JSON line (the parent runs each case in its own child). */
  child: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    steps: 3,
    warmup: 1,
    only: [...CASES],
    torch: true,
    threads: 2,
    optimizer: 'lean',
    profile: true,
    fused: true,
    json: false,
    backend: 'wasm',
    reference: 'torch',
    child: false,
  };
  let onlyGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--help' || a === '-h') {
      console.log(
        `usage: node --import tsx bench/train-speed.ts [--steps n] [--warmup n] [--only ${CASES.join(',')}]\n` +
          '         [--threads n (PyTorch)] [--no-torch] [--no-profile] [--optimizer lean|stock] [--json]\n' +
          '         [--backend wasm|tensorflow] [--reference torch|keras] [--no-fused (native: stock tfjs ops)]',
      );
      process.exit(0);
    } else if (a === '--steps') args.steps = Number(value());
    else if (a === '--warmup') args.warmup = Number(value());
    else if (a === '--threads') args.threads = Number(value());
    else if (a === '--no-torch') args.torch = false;
    else if (a === '--no-profile') args.profile = false;
    else if (a === '--no-fused') args.fused = false;
    else if (a === '--json') args.json = true;
    else if (a === '--child') args.child = true;
    else if (a === '--backend') {
      const v = value();
      if (!(BENCH_BACKENDS as readonly string[]).includes(v))
        throw new Error(`--backend must be ${BENCH_BACKENDS.join(' or ')}, got ${v}`);
      args.backend = v as Args['backend'];
    } else if (a === '--reference') {
      const v = value();
      if (!(REFERENCES as readonly string[]).includes(v))
        throw new Error(`--reference must be ${REFERENCES.join(' or ')}, got ${v}`);
      args.reference = v as Args['reference'];
    } else if (a === '--optimizer') {
      const v = value();
      if (v !== 'lean' && v !== 'stock') throw new Error(`--optimizer must be lean or stock, got ${v}`);
      args.optimizer = v;
    } else if (a === '--only') {
      const list = value().split(',');
      for (const c of list)
        if (!(CASES as readonly string[]).includes(c))
          throw new Error(`unknown case ${c}; expected ${CASES.join(', ')}`);
      args.only = list as CaseName[];
      onlyGiven = true;
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!(Number.isInteger(args.steps) && args.steps >= 1)) throw new Error('--steps must be an integer >= 1');
  // Keras has no conv-ceiling probe: by default its run covers the model cases only.
  if (!onlyGiven && args.reference === 'keras') args.only = [...MODEL_CASES];
  return args;
}

const vars = (model: tfl.LayersModel): tf.Variable[] => model.trainableWeights.map((w) => w.read() as tf.Variable);
const mse = (a: tf.Tensor, b: tf.Tensor): tf.Scalar => tf.mean(tf.squaredDifference(a, b)) as tf.Scalar;
function bce(p: tf.Tensor, label: number): tf.Scalar {
  const q = tf.clipByValue(p, 1e-7, 1 - 1e-7);
  return tf.neg(tf.mean(label === 1 ? tf.log(q) : tf.log(tf.sub(1, q)))) as tf.Scalar;
}

interface Runner {
  readonly batch: number;
  readonly params: number;
  step(): void;
  dispose(): void;
}

function makeOptimizer(kind: Args['optimizer'], learningRate: number, beta1 = 0.9): tf.Optimizer {
  return kind === 'lean' ? createAdam({ learningRate, beta1 }) : tf.train.adam(learningRate, beta1);
}

function supervised(model: tfl.LayersModel, inputShape: number[], kind: Args['optimizer']): Runner {
  const batch = inputShape[0]!;
  const x = tf.randomUniform(inputShape, -1, 1, 'float32', 1);
  const y = tf.randomUniform([batch, 48, 48, 1], -1, 1, 'float32', 2);
  const optimizer = makeOptimizer(kind, 1e-3);
  const list = vars(model);
  return {
    batch,
    params: model.countParams(),
    step: () => {
      tf.tidy(() => {
        optimizer.minimize(() => mse(model.apply(x, { training: true }) as tf.Tensor, y), false, list);
      });
    },
    dispose: () => {
      optimizer.dispose();
      model.dispose();
      tf.dispose([x, y]);
    },
  };
}

function pix2pix(kind: Args['optimizer']): Runner {
  const { generator: G, discriminator: D } = buildPix2Pix({ preset: 'paper', seed: 1 });
  const src = tf.randomUniform([1, 48, 48, 1], -1, 1, 'float32', 3);
  const tgt = tf.randomUniform([1, 48, 48, 1], -1, 1, 'float32', 4);
  const og = makeOptimizer(kind, 2e-4, 0.5);
  const od = makeOptimizer(kind, 2e-4, 0.5);
  const gVars = vars(G);
  const dVars = vars(D);
  return {
    batch: 1,
    params: G.countParams() + D.countParams(),
    step: () => {
      tf.tidy(() => {
        const fake = G.apply(src, { training: true }) as tf.Tensor;
        od.minimize(
          () =>
            tf.add(
              bce(D.apply([src, tgt], { training: true }) as tf.Tensor, 1),
              bce(D.apply([src, fake], { training: true }) as tf.Tensor, 0),
            ) as tf.Scalar,
          false,
          dVars,
        );
      });
      tf.tidy(() => {
        og.minimize(
          () => {
            const fake = G.apply(src, { training: true }) as tf.Tensor;
            return tf.add(
              bce(D.apply([src, fake], { training: true }) as tf.Tensor, 1),
              tf.mul(100, mse(fake, tgt)),
            ) as tf.Scalar;
          },
          false,
          gVars,
        );
      });
    },
    dispose: () => {
      og.dispose();
      od.dispose();
      G.dispose();
      D.dispose();
      tf.dispose([src, tgt]);
    },
  };
}

/** The kernel ceiling: how fast the backend's own forward convolution runs, with no training machinery around it. */
function convCeiling(): Runner {
  const { batch, size, channels, kernel, callsPerStep } = CEILING;
  const x = tf.randomUniform([batch, size, size, channels], -1, 1, 'float32', 5) as tf.Tensor4D;
  const w = tf.randomUniform([kernel, kernel, channels, channels], -0.1, 0.1, 'float32', 6) as tf.Tensor4D;
  return {
    batch: batch * callsPerStep,
    params: kernel * kernel * channels * channels,
    step: () => {
      // The block returns nothing: tf.tidy walks a returned value looking for tensors, and a returned 1.2 M-element
      // Float32Array alone costs ≈ 1.7 s.
      for (let i = 0; i < callsPerStep; i++)
        tf.tidy(() => {
          tf.conv2d(x, w, 1, 'same').dataSync();
        });
    },
    dispose: () => tf.dispose([x, w]),
  };
}

function makeRunner(name: CaseName, kind: Args['optimizer']): Runner {
  switch (name) {
    case 'conv-ceiling':
      return convCeiling();
    case 'seunet-b1':
      return supervised(buildSeUnet({ preset: 'paper', seed: 1 }), [1, 48, 48, 1], kind);
    case 'seunet-b8':
      return supervised(buildSeUnet({ preset: 'paper', seed: 1 }), [8, 48, 48, 1], kind);
    case 'dcae-b1':
      return supervised(buildDcae({ preset: 'paper', seed: 1 }), [1, 48, 48, 1], kind);
    case 'dcae-b8':
      return supervised(buildDcae({ preset: 'paper', seed: 1 }), [8, 48, 48, 1], kind);
    case 'pix2pix-b1':
      return pix2pix(kind);
    case 'convlstm':
      return supervised(buildConvLstm({ preset: 'paper', seed: 1 }), [1, 19, 48, 48, 1], kind);
  }
}

interface OurResult {
  secondsPerStep: number;
  samplesPerSecond: number;
  params: number;
  heapMiB: number;
  profile: { kernel: string; ms: number; share: number }[];
  kernelShare: number;
  /** Kernels (ops) one step runs, from the profile. */
  kernelCount?: number;
  /** Native engine: TensorFlow ops one step executes (calls into the tfjs-node binding), counted in the profiled step. */
  tfOpCount?: number;
  /** (step wall − kernel time) / kernels: the per-op cost outside the kernels (engine, tape, binding), in µs. */
  overheadMicrosPerKernel?: number;
  error?: string;
}

function heapBytes(): number {
  const backend = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return backend.wasm?.HEAPU8?.byteLength ?? 0;
}

async function runOurs(name: CaseName, args: Args): Promise<OurResult> {
  const runner = makeRunner(name, args.optimizer);
  try {
    for (let i = 0; i < args.warmup; i++) runner.step();
    const t0 = performance.now();
    for (let i = 0; i < args.steps; i++) runner.step();
    const secondsPerStep = (performance.now() - t0) / 1000 / args.steps;
    let profile: OurResult['profile'] = [];
    let kernelShare = Number.NaN;
    let kernelCount: number | undefined;
    let overheadMicrosPerKernel: number | undefined;
    let tfOpCount: number | undefined;
    if (args.backend === 'tensorflow') {
      // Count the TensorFlow ops of one step: every one goes through the binding's executeOp (a frozen object, so
      // the backend gets a counting stand-in for the step).
      type Binding = { executeOp: (...a: unknown[]) => unknown };
      const backend = tf.backend() as unknown as { binding: Binding };
      const original = backend.binding;
      let count = 0;
      backend.binding = Object.create(original, {
        executeOp: {
          value: (...a: unknown[]) => {
            count++;
            return original.executeOp(...a);
          },
        },
      }) as Binding;
      try {
        runner.step();
      } finally {
        backend.binding = original;
      }
      tfOpCount = count;
    }
    if (args.profile) {
      const t1 = performance.now();
      const info = await tf.profile(() => {
        runner.step();
      });
      const wall = performance.now() - t1;
      const byKernel = new Map<string, number>();
      let total = 0;
      for (const k of info.kernels) {
        const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
        byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + ms);
        total += ms;
      }
      profile = [...byKernel.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 6)
        .map(([kernel, ms]) => ({ kernel, ms, share: ms / wall }));
      kernelShare = total / wall;
      kernelCount = info.kernels.length;
      overheadMicrosPerKernel = (1000 * Math.max(0, wall - total)) / Math.max(1, kernelCount);
    }
    return {
      secondsPerStep,
      samplesPerSecond: runner.batch / secondsPerStep,
      params: runner.params,
      heapMiB: heapBytes() / 2 ** 20,
      profile,
      kernelShare,
      ...(kernelCount !== undefined ? { kernelCount } : {}),
      ...(overheadMicrosPerKernel !== undefined ? { overheadMicrosPerKernel } : {}),
      ...(tfOpCount !== undefined ? { tfOpCount } : {}),
    };
  } finally {
    runner.dispose();
  }
}

interface TorchOutput {
  torch: string;
  threads: number;
  results: Record<string, { seconds_per_step: number; samples_per_second: number; params: number }>;
}

interface KerasOutput {
  keras: string;
  tensorflow: string;
  threads: number;
  results: TorchOutput['results'];
}

/** The Python that runs the Keras side: TWSA_KERAS_PYTHON, else the venv the header comment creates. */
function kerasPython(): string {
  const fromEnv = process.env['TWSA_KERAS_PYTHON'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const venv = join(homedir(), '.cache', 'twsa', 'keras-venv', 'bin', 'python');
  return existsSync(venv) ? venv : 'python3';
}

function runKeras(args: Args): KerasOutput | { error: string } {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'train-speed-keras.py');
  const only = args.only.filter((c) => c !== 'conv-ceiling');
  const python = kerasPython();
  const out = spawnSync(
    python,
    [script, '--steps', String(args.steps), '--warmup', String(args.warmup), '--only', only.join(',')],
    { encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  if (out.status !== 0)
    return {
      error: `${python}: ${(out.stderr || String(out.error)).trim().split('\n').slice(-3).join(' | ')} (create the venv: see the header of bench/train-speed.ts)`,
    };
  try {
    return JSON.parse(out.stdout.trim().split('\n').pop() ?? '') as KerasOutput;
  } catch (cause) {
    return { error: `could not parse Keras output: ${String(cause)}` };
  }
}

function runTorch(args: Args): TorchOutput | { error: string } {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'train-speed-torch.py');
  const out = spawnSync(
    '/usr/bin/python3',
    [
      script,
      '--steps',
      String(args.steps),
      '--warmup',
      String(args.warmup),
      '--threads',
      String(args.threads),
      '--only',
      args.only.join(','),
    ],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    },
  );
  if (out.status !== 0) return { error: (out.stderr || String(out.error)).trim().split('\n').slice(-3).join(' | ') };
  try {
    return JSON.parse(out.stdout.trim().split('\n').pop() ?? '') as TorchOutput;
  } catch (cause) {
    return { error: `could not parse PyTorch output: ${String(cause)}` };
  }
}

const fmt = (v: number, digits = 2): string => (Number.isFinite(v) ? v.toFixed(digits) : '—');

function runChild(name: CaseName, args: Args): OurResult {
  const self = fileURLToPath(import.meta.url);
  const childArgs = [
    '--import',
    'tsx',
    self,
    '--child',
    '--only',
    name,
    '--steps',
    String(args.steps),
    '--warmup',
    String(args.warmup),
    '--optimizer',
    args.optimizer,
    '--backend',
    args.backend,
  ];
  if (!args.profile) childArgs.push('--no-profile');
  const env = args.fused ? process.env : { ...process.env, TWSA_NATIVE_FUSED: '0' };
  const out = spawnSync(process.execPath, childArgs, { encoding: 'utf8', maxBuffer: 1 << 24, env });
  const line = out.stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .pop();
  if (out.status === 0 && line !== undefined) return (JSON.parse(line) as Record<string, OurResult>)[name]!;
  const why = (out.stderr || out.stdout || String(out.error))
    .trim()
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-2)
    .join(' | ');
  return {
    secondsPerStep: Number.NaN,
    samplesPerSecond: Number.NaN,
    params: 0,
    heapMiB: Number.NaN,
    profile: [],
    kernelShare: Number.NaN,
    error: `exit ${out.status ?? out.signal}: ${why.slice(0, 300)}`,
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.child) {
    await initBackend({ backend: args.backend });
    const results: Partial<Record<CaseName, OurResult>> = {};
    for (const name of args.only) results[name] = await runOurs(name, args);
    console.log(JSON.stringify(results));
    return;
  }
  const backend = await initBackend({ backend: args.backend });
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  const load0 = loadavg()[0]!;
  console.log(`train-speed ${new Date().toISOString()} | ${machine} | load avg ${load0.toFixed(1)}`);
  const engine =
    backend.name === 'wasm'
      ? `${backend.name} (simd ${backend.simd}, threads ${backend.threads})`
      : `${backend.name} (TensorFlow ${backend.tensorflowVersion ?? '?'})`;
  console.log(
    `ours: tfjs ${tf.version_core} ${engine}${backend.name === 'tensorflow' ? (args.fused ? ', fused native kernels' : ', stock tfjs ops (--no-fused)') : ''}, ${args.optimizer} Adam | steps ${args.steps} after ${args.warmup} warm-up`,
  );
  const ours: Partial<Record<CaseName, OurResult>> = {};
  for (const name of args.only) {
    const r = runChild(name, args);
    ours[name] = r;
    if (r.error !== undefined) console.log(`  ${name.padEnd(11)} FAILED: ${r.error}`);
    else {
      console.log(
        `  ${name.padEnd(11)} ${fmt(r.secondsPerStep, 3)} s/step${args.backend === 'wasm' ? `  heap peak ${fmt(r.heapMiB, 0)} MiB` : ''}  kernels ${fmt(100 * r.kernelShare, 0)}% of the step (${r.kernelCount ?? '?'} kernels${r.tfOpCount !== undefined ? `, ${r.tfOpCount} TF ops` : ''}, ${fmt(r.overheadMicrosPerKernel ?? Number.NaN, 0)} µs/kernel outside them): ` +
          r.profile.map((p) => `${p.kernel} ${fmt(100 * p.share, 0)}%`).join(', '),
      );
    }
  }
  const torch: TorchOutput | KerasOutput | { error: string } = !args.torch
    ? { error: 'skipped (--no-torch)' }
    : args.reference === 'keras'
      ? runKeras(args)
      : runTorch(args);
  const refName = args.reference === 'keras' ? 'Keras' : 'PyTorch';
  const torchLabel =
    'error' in torch
      ? `${refName}: ${torch.error}`
      : 'keras' in torch
        ? `Keras ${torch.keras} / TensorFlow ${torch.tensorflow} CPU, ${torch.threads} threads`
        : `PyTorch ${torch.torch} CPU, ${torch.threads} threads`;
  console.log(`reference: ${torchLabel} | load avg at end ${loadavg()[0]!.toFixed(1)}`);
  console.log('');
  console.log(
    `| case | params | ours s/step | ours samples/s | ${refName} s/step | ${refName} samples/s | ratio ours/${refName} |`,
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const name of args.only) {
    const o = ours[name]!;
    const t = 'error' in torch ? undefined : torch.results[name];
    const ratio = t ? o.samplesPerSecond / t.samples_per_second : Number.NaN;
    const label =
      name === 'convlstm'
        ? 'convlstm (1 seq of 19 frames)'
        : name === 'conv-ceiling'
          ? 'conv-ceiling (forward conv only, 10 calls/step)'
          : name;
    console.log(
      `| ${label} | ${o.params.toLocaleString('en-US')} | ${o.error ? 'failed' : fmt(o.secondsPerStep, 3)} | ${fmt(o.samplesPerSecond, 2)} | ${t ? fmt(t.seconds_per_step, 3) : '—'} | ${t ? fmt(t.samples_per_second, 2) : '—'} | ${fmt(ratio, 2)} |`,
    );
  }
  const ceiling = ours['conv-ceiling'];
  if (ceiling !== undefined && ceiling.error === undefined) {
    const t = 'error' in torch ? undefined : torch.results['conv-ceiling'];
    const gflops = (samplesPerSecond: number): string => fmt((samplesPerSecond * CEILING_FLOP_PER_SAMPLE) / 1e9, 1);
    console.log('');
    console.log(
      `conv-ceiling (forward conv2d ${CEILING.batch}×${CEILING.size}×${CEILING.size}×${CEILING.channels} → ${CEILING.channels}, ${CEILING.kernel}×${CEILING.kernel}): ours ${gflops(ceiling.samplesPerSecond)} GFLOP/s` +
        (t ? `, PyTorch ${gflops(t.samples_per_second)} GFLOP/s` : ''),
    );
  }
  if (args.json) console.log(JSON.stringify({ machine, backend, args, ours, torch }));
  // Last line: one row per model case run.
  const refLabel =
    'error' in torch
      ? null
      : 'keras' in torch
        ? `keras ${torch.keras} (TensorFlow ${torch.tensorflow})`
        : `torch ${torch.torch}`;
  const ourLabel = backend.tensorflowVersion
    ? `${backend.name} (TensorFlow ${backend.tensorflowVersion})`
    : backend.name;
  const rows = args.only
    .filter((c): c is (typeof MODEL_CASES)[number] => (MODEL_CASES as readonly string[]).includes(c))
    .map((c) => {
      const o = ours[c]!;
      const t = 'error' in torch ? undefined : torch.results[c];
      const round = (v: number | undefined): number | null =>
        v === undefined || !Number.isFinite(v) ? null : Number(v.toPrecision(4));
      return {
        case: c,
        backend: ourLabel,
        samplesPerSecond: round(o.samplesPerSecond),
        reference: refLabel,
        referenceSamplesPerSecond: round(t?.samples_per_second),
        ratio: round(t ? o.samplesPerSecond / t.samples_per_second : undefined),
      };
    });
  console.log(JSON.stringify(rows));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
