/**
 * Models bench: training and inference samples/s of each @twsa/models model (cpu and paper presets) through the
 * package's own training loops and `predict`, on whatever backend `initBackend()` picks (TWSA_BACKEND forces one),
 * plus ConvLSTM seconds per 19-frame sequence. Not a test.
 *
 *   node --import tsx bench/models.ts                          # all models, presets cpu and paper
 *   node --import tsx bench/models.ts --only seunet,convlstm --presets cpu --steps 3 --json
 *
 * Per (model, preset): one warm-up epoch of one step, then one timed epoch of `steps` optimizer steps with the
 * preset's training profile batch (cpu: 8, ConvLSTM 2; paper: 1) → training samples/s (the loop's own `samplesPerSecond`,
 * data batching and loss read-back included); then `predict` over `b × steps` samples (batch b = 8, ConvLSTM 2) after a warm-up
 * batch → inference samples/s. Data are synthetic (smooth fields in [-1, 1]); speed does not depend on values.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  buildConvLstm,
  buildDcae,
  buildPix2Pix,
  buildSeUnet,
  initBackend,
  predict,
  trainConvLstm,
  trainPix2Pix,
  trainSupervised,
  type PresetName,
  type TrainResult,
} from '../packages/models/src/index.js';
import type { ArrayRecord } from '../packages/grid/src/index.js';

const MODELS = ['seunet', 'dcae', 'pix2pix', 'convlstm'] as const;
type Model = (typeof MODELS)[number];
const PRESETS = ['cpu', 'paper'] as const;

interface Args {
  only: Model[];
  presets: PresetName[];
  steps: number;
  json: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { only: [...MODELS], presets: [...PRESETS], steps: 3, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--only') {
      const list = value().split(',');
      for (const m of list)
        if (!(MODELS as readonly string[]).includes(m))
          throw new Error(`unknown model ${m}; expected ${MODELS.join(', ')}`);
      args.only = list as Model[];
    } else if (a === '--presets') {
      const list = value().split(',');
      for (const p of list) if (!['cpu', 'paper', 'tiny'].includes(p)) throw new Error(`unknown preset ${p}`);
      args.presets = list as PresetName[];
    } else if (a === '--steps') args.steps = Number(value());
    else if (a === '--json') args.json = true;
    else throw new Error(`unknown argument ${a}`);
  }
  if (!(Number.isInteger(args.steps) && args.steps >= 1)) throw new Error('--steps must be an integer >= 1');
  return args;
}

/** Smooth synthetic fields in [-1, 1]: `[n, ...frame]`. */
function fields(n: number, frameShape: number[], phase: number): ArrayRecord {
  const [rows, cols] = frameShape.slice(-2) as [number, number];
  const perSample = frameShape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n * perSample);
  for (let i = 0; i < data.length; i++) {
    const s = Math.floor(i / perSample);
    const p = i % perSample;
    const r = Math.floor(p / cols) % rows;
    const c = p % cols;
    data[i] = Math.sin(0.2 * r + 0.1 * s + phase) * Math.cos(0.15 * c + 0.05 * Math.floor(p / (rows * cols)));
  }
  return { data, shape: [n, ...frameShape] };
}

interface Row {
  model: Model;
  preset: PresetName;
  params: number;
  batch: number;
  trainSamplesPerSecond: number;
  inferSamplesPerSecond: number;
  secondsPerSequenceTrain?: number;
  secondsPerSequenceInfer?: number;
  error?: string;
}

async function benchOne(model: Model, preset: PresetName, steps: number): Promise<Row> {
  const profile = preset === 'paper' ? 'paper' : 'cpu';
  const isSeq = model === 'convlstm';
  // The training profiles' batches: cpu 8 (ConvLSTM 2, its unrolled tape is large), paper 1.
  const batch = preset === 'paper' ? 1 : isSeq ? 2 : 8;
  const inferBatch = isSeq ? 2 : 8;
  const frame = isSeq ? [19, 48, 48] : [48, 48];
  const built: tfl.LayersModel[] = [];
  let run: (n: number) => Promise<TrainResult>;
  let infer: tfl.LayersModel;
  if (model === 'pix2pix') {
    const p = buildPix2Pix({ preset, seed: 1 });
    built.push(p.generator, p.discriminator);
    infer = p.generator;
    run = (n) =>
      trainPix2Pix(
        p,
        { inputs: fields(n, frame, 0), targets: fields(n, [48, 48], 1) },
        { profile, batchSize: batch, epochs: 1, shuffle: false },
      );
  } else {
    const m =
      model === 'seunet'
        ? buildSeUnet({ preset, seed: 1 })
        : model === 'dcae'
          ? buildDcae({ preset, seed: 1 })
          : buildConvLstm({ preset, seed: 1 });
    built.push(m);
    infer = m;
    run = (n) =>
      isSeq
        ? trainConvLstm(
            m,
            { inputs: fields(n, frame, 0), targets: fields(n, [48, 48], 1) },
            { profile, batchSize: batch, epochs: 1, shuffle: false },
          )
        : trainSupervised(
            m,
            { inputs: fields(n, frame, 0), targets: fields(n, [48, 48], 1) },
            { profile, batchSize: batch, epochs: 1, shuffle: false },
          );
  }
  const params = built.reduce((a, m) => a + m.countParams(), 0);
  try {
    await run(batch); // warm-up: kernels, allocations, optimizer state
    const timed = await run(batch * steps);
    const trainSamplesPerSecond = timed.history[0]!.samplesPerSecond;
    const x = fields(inferBatch * steps, frame, 2);
    await predict(infer, fields(inferBatch, frame, 3), { batchSize: inferBatch });
    const t0 = performance.now();
    await predict(infer, x, { batchSize: inferBatch });
    const inferSamplesPerSecond = (inferBatch * steps) / ((performance.now() - t0) / 1000);
    return {
      model,
      preset,
      params,
      batch,
      trainSamplesPerSecond,
      inferSamplesPerSecond,
      ...(isSeq
        ? { secondsPerSequenceTrain: 1 / trainSamplesPerSecond, secondsPerSequenceInfer: 1 / inferSamplesPerSecond }
        : {}),
    };
  } catch (e) {
    return {
      model,
      preset,
      params,
      batch,
      trainSamplesPerSecond: Number.NaN,
      inferSamplesPerSecond: Number.NaN,
      error: (e as Error).message.slice(0, 200),
    };
  } finally {
    built.forEach((m) => m.dispose());
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const backend = await initBackend();
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  if (!args.json) {
    console.log(`models bench ${new Date().toISOString()} | ${machine} | load avg ${loadavg()[0]!.toFixed(1)}`);
    console.log(
      `backend: ${backend.name} (${backend.package}; ${backend.reason}${backend.simd !== undefined ? `; simd ${backend.simd}, threads ${backend.threads}` : ''}) | tfjs ${tf.version_core} | ${args.steps} timed steps after 1 warm-up`,
    );
    console.log(
      'model     preset  params        batch  train samples/s  infer samples/s  ConvLSTM s/sequence (train, infer)',
    );
  }
  const rows: Row[] = [];
  for (const model of args.only) {
    for (const preset of args.presets) {
      const row = await benchOne(model, preset, args.steps);
      rows.push(row);
      if (!args.json) {
        const seq =
          row.secondsPerSequenceTrain !== undefined
            ? `${row.secondsPerSequenceTrain.toFixed(2)}, ${row.secondsPerSequenceInfer!.toFixed(3)}`
            : '';
        console.log(
          `${model.padEnd(9)} ${preset.padEnd(7)} ${row.params.toLocaleString('en-US').padStart(11)}  ${String(row.batch).padStart(5)}  ${row.trainSamplesPerSecond.toFixed(2).padStart(15)}  ${row.inferSamplesPerSecond.toFixed(2).padStart(15)}  ${seq}${row.error ? `  ERROR ${row.error}` : ''}`,
        );
      }
    }
  }
  if (args.json)
    console.log(
      JSON.stringify(
        {
          date: new Date().toISOString(),
          machine,
          loadAvg: loadavg()[0],
          backend,
          tfjs: tf.version_core,
          steps: args.steps,
          rows,
        },
        null,
        2,
      ),
    );
  else console.log(`load avg at end ${loadavg()[0]!.toFixed(1)}; tensors left ${tf.memory().numTensors}`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
