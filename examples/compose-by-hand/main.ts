// GRACE-like TWSA from an LSM by hand, one package at a time (no runPipeline): read with @twsa/grid, pair, split and
// scale with @twsa/datasets, train one SE-U-Net with @twsa/models, score with @twsa/metrics, write a GeoTIFF.
// Copy this file into your project: it imports package names only.
//
//   npm run start -w examples/compose-by-hand                                  # the embedded synthetic scenario
//   npm run start -w examples/compose-by-hand -- --grace g.nc --lsm l.nc      # your stacks (same grid, mm)
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { canadaMask, readNetcdf, writeGeoTiff, writeNetcdf, type GridStack } from '@twsa/grid';
import { applyScaler, fitMinMax, invertScaler, pairMonthly, syntheticScenario } from '@twsa/datasets';
import { buildSeUnet, initBackend, predict, trainSupervised } from '@twsa/models';
import { table1Summary } from '@twsa/metrics';

const USAGE = `Usage: main.ts [--grace <file.nc> --lsm <file.nc>] [--out <dir>] [--epochs N] [--preset tiny|cpu] [--backend cpu|wasm]
  --grace, --lsm   monthly TWSA stacks in mm on one grid (e.g. 'twsa grid reproject --to canada-lcc-110km' output);
                   default: the embedded synthetic scenario, written to <out>/grace.nc and <out>/lsm.nc and read back
  --out <dir>      output folder (default runs/compose-by-hand)
  --epochs N       training epochs (default 3); --preset tiny (default) or cpu; --backend cpu or wasm (default wasm)`;
let args;
try {
  args = parseArgs({
    options: {
      grace: { type: 'string' },
      lsm: { type: 'string' },
      out: { type: 'string', default: 'runs/compose-by-hand' },
      epochs: { type: 'string', default: '3' },
      preset: { type: 'string', default: 'tiny' },
      backend: { type: 'string', default: 'wasm' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
} catch (error) {
  console.error(`error: ${(error as Error).message.replace(/\. To specify a positional.*$/s, '')}\n\n${USAGE}`);
  process.exit(2);
}
if (args.help || (args.grace === undefined) !== (args.lsm === undefined)) {
  (args.help ? console.log : console.error)(USAGE);
  process.exit(args.help ? 0 : 2);
}
const out = args.out!;
mkdirSync(out, { recursive: true });

// 1. Read GRACE and the LSM (@twsa/grid). Without files, write the synthetic scenario's stacks first.
let gracePath = args.grace;
let lsmPath = args.lsm;
if (gracePath === undefined || lsmPath === undefined) {
  const scenario = await syntheticScenario({ seed: 1 });
  gracePath = join(out, 'grace.nc');
  lsmPath = join(out, 'lsm.nc');
  await writeNetcdf(gracePath, scenario.grace, { overwrite: true, variable: 'twsa', units: 'mm' });
  await writeNetcdf(lsmPath, scenario.lsm, { overwrite: true, variable: 'twsa', units: 'mm' });
}
const grace: GridStack = await readNetcdf(gracePath, { units: 'mm' });
const lsm: GridStack = await readNetcdf(lsmPath, { units: 'mm' });
console.log(`GRACE ${grace.shape.join('×')} from ${gracePath}; LSM ${lsm.shape.join('×')} from ${lsmPath}`);

// 2. Pair by month and split (@twsa/datasets: the paper's split, first and last 20 records for testing).
const land = canadaMask(grace); // fraction of each cell in Canada
const pairs = pairMonthly(grace, lsm, { mask: land, match: 'month' });
const frames = (split: string): number[] => pairs.splits.flatMap((s, i) => (s === split ? [i] : []));
const [trainIdx, testIdx] = [frames('train'), frames('test')];
console.log(`${pairs.records.length} pairs: ${trainIdx.length} train, ${testIdx.length} test`);

// Cells the network sees: land with a value in every frame of both stacks.
const size = grace.shape[1] * grace.shape[2];
const valid = Float32Array.from(land.data, (f, i) => {
  for (let t = 0; t < pairs.records.length; t++)
    if (!Number.isFinite(pairs.grace.data[t * size + i]!) || !Number.isFinite(pairs.lsm.data[t * size + i]!)) return 0;
  return f > 0 ? 1 : 0;
});
const mask = { data: valid, shape: [grace.shape[1], grace.shape[2]] as const };

// 3. Scale both to [-1, 1] with min/max fitted on the training records only.
const labels = pairs.splits;
const gScaler = fitMinMax(pairs.grace, { labels, fitOn: 'train', mask: valid, units: 'mm' });
const lScaler = fitMinMax(pairs.lsm, { labels, fitOn: 'train', mask: valid, units: 'mm' });
const pick = (data: ArrayLike<number>, idx: number[]) => {
  const a = new Float32Array(idx.length * size);
  idx.forEach((t, k) => {
    for (let i = 0; i < size; i++) a[k * size + i] = valid[i] ? data[t * size + i]! : 0;
  });
  return { data: a, shape: [idx.length, grace.shape[1], grace.shape[2]] as const };
};
const x = applyScaler(lScaler, pairs.lsm);
const y = applyScaler(gScaler, pairs.grace);

// 4. Build and train one small model (@twsa/models).
const backend = await initBackend({ backend: args.backend as 'cpu' | 'wasm' });
const model = buildSeUnet({ preset: args.preset as 'tiny' | 'cpu', seed: 42, inputShape: [48, 48] });
const epochs = Number(args.epochs);
const t0 = performance.now();
await trainSupervised(
  model,
  { inputs: pick(x, trainIdx), targets: pick(y, trainIdx), mask },
  {
    epochs,
    batchSize: 8,
    learningRate: 1e-3,
    seed: 42,
    onEpoch: (e) => console.log(`  epoch ${e.epoch}/${e.epochs} loss ${e.loss.toPrecision(3)}`),
  },
);
console.log(
  `trained SE-U-Net (${args.preset}, ${model.countParams()} parameters) on ${backend.name} in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);

// 5. Predict the test records, back to mm, and score them against GRACE (@twsa/metrics, Yu et al. Table 1).
const scaled = await predict(model, pick(x, testIdx), { mask });
const predMm = invertScaler(gScaler, scaled.data);
for (let k = 0; k < predMm.length; k++) if (!valid[k % size]) predMm[k] = Number.NaN;
const obs = pick(pairs.grace.data, testIdx);
const lsmTest = pick(pairs.lsm.data, testIdx);
const score = (p: { data: Float32Array | Float64Array }) =>
  table1Summary({ data: p.data, shape: obs.shape }, obs, { mask: valid, weights: land.data });
for (const [name, s] of [
  ['LSM (baseline)', score(lsmTest)],
  ['SE-U-Net', score({ data: predMm })],
] as const)
  console.log(`${name.padEnd(15)} test RMSE ${s.perPixel.rmse.toFixed(1)} mm  CC ${s.perPixel.cc.toFixed(3)}`);
if (epochs < 10) console.log(`(${epochs} epoch(s) of a ${args.preset} model: a demonstration, not a skill estimate)`);

// 6. Write the first test month's prediction as a GeoTIFF (@twsa/grid), with the grid's CRS (EPSG:3978).
const month = pairs.records[testIdx[0]!]!.id;
const tif = join(out, `seunet_${month}.tif`);
await writeGeoTiff(
  tif,
  { ...land, data: Float32Array.from(predMm.subarray(0, size)), units: 'mm' },
  { overwrite: true },
);
console.log(`wrote ${tif}`);
model.dispose();
