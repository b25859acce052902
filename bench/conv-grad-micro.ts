/**
 * Micro-bench of the WASM `Conv2DBackpropFilter` kernel (dW) on the convolutions of SEUNet (paper preset, 48×48
 * input) and a few wider 48×48 ones, each method of `registerWasmTrainingKernels({ filterGradient })` in the same
 * process. Not a test.
 *
 *   node --import tsx bench/conv-grad-micro.ts [--reps 7] [--batches 1,8] [--methods im2col,auto,shifted-slices] [--steps 6]
 *
 * Per layer and method: the minimum over `reps` calls of the process CPU time (user + system; the WASM backend is
 * single-threaded, so this is less disturbed by other load on a shared machine than wall time), the median wall
 * time, GFLOP/s from the CPU time (2·batch·OH·OW·KH·KW·Cin·Cout flops), and the largest difference to the first
 * method relative to its largest |dW|. The per-batch total is the summed dW time of one SEUNet training step.
 *
 * Then (unless `--steps 0`) whole SEUNet paper training steps (MSE, memory-lean Adam, as bench/train-speed.ts) at
 * each batch size, the methods interleaved step by step on the same model so that a change in the machine's load
 * hits them alike: min and median CPU seconds per step, and median wall seconds.
 */
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { buildSeUnet, createAdam, initBackend } from '../packages/models/src/index.js';
import {
  registerWasmTrainingKernels,
  unregisterWasmTrainingKernels,
} from '../packages/tfjs-wasm-training/src/index.js';
import { relativeError } from '../packages/models/test/helpers.js';

type Method = 'im2col' | 'auto' | 'shifted-slices';
interface Layer {
  readonly name: string;
  readonly size: number;
  readonly k: number;
  readonly inC: number;
  readonly outC: number;
}

/** SEUNet paper preset: filters [16, 32, 64, 128, 256]; each decoder level has a 2×2 up-conv, then two 3×3. */
function seUnetLayers(): Layer[] {
  const filters = [16, 32, 64, 128, 256];
  const layers: Layer[] = [];
  filters.forEach((f, i) => {
    const size = 48 >> i;
    layers.push({ name: `enc${i}a`, size, k: 3, inC: i === 0 ? 1 : filters[i - 1]!, outC: f });
    layers.push({ name: `enc${i}b`, size, k: 3, inC: f, outC: f });
    if (i < filters.length - 1) {
      layers.push({ name: `dec${i}up`, size, k: 2, inC: filters[i + 1]!, outC: f });
      layers.push({ name: `dec${i}a`, size, k: 3, inC: 2 * f, outC: f });
      layers.push({ name: `dec${i}b`, size, k: 3, inC: f, outC: f });
    }
  });
  layers.push({ name: 'head', size: 48, k: 3, inC: 16, outC: 1 });
  return layers;
}

const EXTRA: Layer[] = [
  { name: 'wide64', size: 48, k: 3, inC: 64, outC: 64 },
  { name: 'wide128', size: 48, k: 3, inC: 128, outC: 128 },
];

function parseArgs(argv: string[]): { reps: number; batches: number[]; methods: Method[]; steps: number } {
  const out = { reps: 7, batches: [1, 8], methods: ['im2col', 'auto', 'shifted-slices'] as Method[], steps: 6 };
  for (let i = 0; i < argv.length; i++) {
    const value = argv[++i];
    if (value === undefined) throw new Error(`${argv[i - 1]} needs a value`);
    if (argv[i - 1] === '--reps') out.reps = Number(value);
    else if (argv[i - 1] === '--batches') out.batches = value.split(',').map(Number);
    else if (argv[i - 1] === '--methods') out.methods = value.split(',') as Method[];
    else if (argv[i - 1] === '--steps') out.steps = Number(value);
    else throw new Error(`unknown argument ${argv[i - 1]}`);
  }
  return out;
}

interface Timing {
  cpuMs: number;
  wallMs: number;
  result: Float32Array;
}

function timeLayer(layer: Layer, batch: number, reps: number): Timing {
  const x = tf.randomUniform([batch, layer.size, layer.size, layer.inC], -1, 1, 'float32', 1);
  const dy = tf.randomUniform([batch, layer.size, layer.size, layer.outC], -1, 1, 'float32', 2);
  const attrs = {
    strides: [1, 1],
    pad: 'same',
    dataFormat: 'NHWC',
    dimRoundingMode: undefined,
    filterShape: [layer.k, layer.k, layer.inC, layer.outC],
  };
  const run = (): tf.Tensor =>
    tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
  const first = run();
  const result = first.dataSync() as Float32Array;
  first.dispose();
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    run().dispose();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  tf.dispose([x, dy]);
  wall.sort((a, b) => a - b);
  return { cpuMs: Math.min(...cpu), wallMs: wall[Math.floor(wall.length / 2)]!, result };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function timeSteps(
  batch: number,
  methods: readonly Method[],
  steps: number,
): Map<Method, { cpu: number[]; wall: number[] }> {
  const model = buildSeUnet({ preset: 'paper', seed: 1 });
  const x = tf.randomUniform([batch, 48, 48, 1], -1, 1, 'float32', 1);
  const y = tf.randomUniform([batch, 48, 48, 1], -1, 1, 'float32', 2);
  const optimizer = createAdam({ learningRate: 1e-3 });
  const list = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const step = (): void => {
    tf.tidy(() => {
      optimizer.minimize(
        () => tf.mean(tf.squaredDifference(model.apply(x, { training: true }) as tf.Tensor, y)) as tf.Scalar,
        false,
        list,
      );
    });
  };
  const out = new Map(methods.map((m) => [m, { cpu: [] as number[], wall: [] as number[] }]));
  for (let i = -1; i < steps; i++) {
    for (const method of methods) {
      unregisterWasmTrainingKernels();
      registerWasmTrainingKernels({ filterGradient: method });
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      step();
      const wall = (performance.now() - t0) / 1000;
      const c = process.cpuUsage(c0);
      if (i < 0) continue; // warm-up
      out.get(method)!.cpu.push((c.user + c.system) / 1e6);
      out.get(method)!.wall.push(wall);
    }
  }
  optimizer.dispose();
  model.dispose();
  tf.dispose([x, y]);
  return out;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const backendInfo = await initBackend({ backend: 'wasm' });
  console.log(
    `conv-grad-micro ${new Date().toISOString()} | tfjs ${tf.version_core} ${backendInfo.name} | Node ${process.version} | load avg ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} | reps ${args.reps}`,
  );
  console.log(
    'ms = min CPU ms over reps (median wall ms); diff = max |dW − dW(first method)| / max |dW(first method)|',
  );
  for (const batch of args.batches) {
    // Warm-up at this batch size: the first method to run a code path on new shapes would otherwise pay V8's
    // (re)compilation of it, on background threads that process.cpuUsage counts (a layer's first calls ran up to 8×
    // slower than its steady state).
    for (const method of args.methods) {
      unregisterWasmTrainingKernels();
      registerWasmTrainingKernels({ filterGradient: method });
      for (const layer of seUnetLayers()) timeLayer(layer, batch, 3);
    }
    const layers = [...seUnetLayers(), ...EXTRA];
    const timings = new Map<Method, Timing[]>();
    for (const method of args.methods) {
      unregisterWasmTrainingKernels();
      registerWasmTrainingKernels({ filterGradient: method });
      timings.set(
        method,
        layers.map((layer) => timeLayer(layer, batch, args.reps)),
      );
    }
    console.log(`\nbatch ${batch}`);
    console.log(['layer'.padEnd(22), ...args.methods.map((m) => m.padStart(30))].join(''));
    const totals = new Map<Method, number>(args.methods.map((m) => [m, 0]));
    layers.forEach((layer, i) => {
      const flops = 2 * batch * layer.size * layer.size * layer.k * layer.k * layer.inC * layer.outC;
      const reference = timings.get(args.methods[0]!)![i]!.result;
      const cells = args.methods.map((method) => {
        const t = timings.get(method)![i]!;
        if (!layer.name.startsWith('wide')) totals.set(method, totals.get(method)! + t.cpuMs);
        const diff = relativeError(reference, t.result);
        return `${t.cpuMs.toFixed(2)} (${t.wallMs.toFixed(2)}) ${(flops / t.cpuMs / 1e6).toFixed(1)}GF ${diff.toExponential(0)}`.padStart(
          30,
        );
      });
      console.log(
        [`${layer.name} ${layer.size}² ${layer.inC}→${layer.outC} k${layer.k}`.padEnd(22), ...cells].join(''),
      );
    });
    console.log(
      ['SEUNet total (CPU ms)'.padEnd(22), ...args.methods.map((m) => totals.get(m)!.toFixed(1).padStart(30))].join(''),
    );
  }
  if (args.steps > 0) {
    console.log(
      `\nSEUNet paper training steps (load avg ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}): CPU s/step min / median, wall s/step median`,
    );
    for (const batch of args.batches) {
      const perMethod = timeSteps(batch, args.methods, args.steps);
      for (const method of args.methods) {
        const { cpu, wall } = perMethod.get(method)!;
        console.log(
          `  seunet-b${batch} ${method.padEnd(15)} CPU ${Math.min(...cpu).toFixed(3)} / ${median(cpu).toFixed(3)}  wall ${median(wall).toFixed(3)}`,
        );
      }
    }
  }
  console.log(
    `\nload avg at end ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

await main();
