// A small stand-in engine for pipeline tests: an analytic scenario on a 12×12 grid and a per-pixel linear
// "model" fitted in closed form. It exercises the orchestration, the run folder and the report without tfjs;
// scoring (@twsa/metrics) and the output files (@twsa/grid) are the real ones.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { monthIndex, monthKey, monthRange, type Grid, type GridStack } from '@twsa/grid';
import type { Engine, PeriodData, PreparedData, TrainedModel } from '../src/seam.js';
import type { ModelName } from '../src/config.js';

const N = 12;
const SIZE = N * N;
const BOUNDS = [-2_356_000, -1_130_000, 3_020_000, 4_246_000] as const;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

export function fakeScenario(seed = 1, twin = false): PreparedData {
  const r = rng(seed);
  const missing = new Set(['2002-06', '2002-07', '2003-06', '2011-01', '2011-06', '2015-10']);
  const all = monthRange('2002-04', '2016-12');
  const months = all.filter((m) => !missing.has(m));
  const mask = new Float32Array(SIZE);
  for (let i = 0; i < SIZE; i++) {
    const row = Math.floor(i / N),
      col = i % N;
    mask[i] = row + col > 3 && row - col < 9 ? 1 : 0;
  }
  const field = (ym: string, k: number, lsm: boolean): number => {
    const [y, m] = ym.split('-').map(Number) as [number, number];
    const t = y + (m - 0.5) / 12;
    const row = Math.floor(k / N),
      col = k % N;
    const season = 80 * Math.sin(2 * Math.PI * (t - 0.2) + col / 6) * (1 + row / N);
    const trend = -3 * (t - 2009) * (row < 4 ? 1 : 0.1);
    return lsm ? 0.6 * season + 10 + 5 * r() : season + trend + 4 * r();
  };
  const stack = (ms: string[], lsm: boolean): Float32Array => {
    const d = new Float32Array(ms.length * SIZE);
    ms.forEach((ym, t) => {
      for (let k = 0; k < SIZE; k++) d[t * SIZE + k] = mask[k] ? field(ym, k, lsm) : Number.NaN;
    });
    return d;
  };
  const base = { bounds: BOUNDS, crs: 'EPSG:3978', nodata: Number.NaN, units: 'mm' } as const;
  const times = months.map((m) => `${m}-15T00:00:00.000Z`);
  const hindMonths = monthRange('1979-01', '2002-03');
  const splits = months.map((_, i) => (i < 20 || i >= months.length - 20 ? 'test' : 'train') as 'test' | 'train');
  return {
    grace: { ...base, data: stack(months, false), shape: [months.length, N, N], times },
    lsm: { ...base, data: stack(months, true), shape: [months.length, N, N], times },
    records: months.map((m) => ({ id: m, yearMonth: m })),
    splits,
    months: all,
    missingMonths: [...missing],
    mask: { ...base, data: mask, shape: [N, N], units: '1' } as Grid,
    hindcastLsm: {
      ...base,
      data: stack(hindMonths, true),
      shape: [hindMonths.length, N, N],
      times: hindMonths.map((m) => `${m}-15T00:00:00.000Z`),
      // Calendar months, as the default hindcast.steps asks for.
      timeBounds: hindMonths.map((m) => [`${m}-01`, `${monthRange(m, '2002-04')[1] ?? m}-01`] as const),
      labels: hindMonths,
    },
    description: twin ? 'fake GRACE + emulated LSM (twin experiment)' : 'fake test scenario',
    twinExperiment: twin,
    attributes: { source: 'fake-engine' },
  };
}

function linearModel(name: ModelName, a: Float32Array, b: Float32Array): TrainedModel {
  return {
    params: 2 * SIZE,
    preset: 'fake',
    epochs: 1,
    async predict(lsm: GridStack) {
      const out = new Float32Array(lsm.data.length);
      for (let i = 0; i < out.length; i++) {
        const k = i % SIZE;
        out[i] = a[k]! * lsm.data[i]! + b[k]!;
      }
      void name;
      return out;
    },
    dispose() {
      /* nothing */
    },
  };
}

/** GRACE-FO-like records of the fake period data: 2017-01..2017-06 (GRACE) and 2018-06.. without 2018-08/09. */
export function fakeGraceMonth(m: string): boolean {
  return (m >= '2017-01' && m <= '2017-06') || (m >= '2018-06' && m !== '2018-08' && m !== '2018-09');
}

/** LSM (calendar months; GRACE windows labelled with the record id) and GRACE of a period, as Engine.periodData. */
export function fakePeriodData(seed: number, from: string, to: string): PeriodData {
  const base = fakeScenario(seed);
  const months = monthRange(from, to);
  const r = rng(seed + 7);
  const mask = base.mask.data;
  const stack = (ms: string[], lsm: boolean): Float32Array => {
    const d = new Float32Array(ms.length * SIZE);
    ms.forEach((ym, t) => {
      const [y, m] = ym.split('-').map(Number) as [number, number];
      const tt = y + (m - 0.5) / 12;
      for (let k = 0; k < SIZE; k++) {
        const season = 80 * Math.sin(2 * Math.PI * (tt - 0.2) + (k % N) / 6) * (1 + Math.floor(k / N) / N);
        d[t * SIZE + k] = mask[k] ? (lsm ? 0.6 * season + 10 + 5 * r() : season + 4 * r()) : Number.NaN;
      }
    });
    return d;
  };
  const next = (m: string): string => monthKey(monthIndex(m) + 1);
  const graceMs = months.filter(fakeGraceMonth);
  const g = { bounds: BOUNDS, crs: 'EPSG:3978', nodata: Number.NaN, units: 'mm' } as const;
  return {
    lsm: {
      ...g,
      data: stack(months, true),
      shape: [months.length, N, N],
      times: months.map((m) => `${m}-16`),
      timeBounds: months.map((m) => [`${m}-01`, `${next(m)}-01`] as const),
      labels: months,
    },
    grace: graceMs.length
      ? {
          ...g,
          data: stack(graceMs, false),
          shape: [graceMs.length, N, N],
          times: graceMs.map((m) => `${m}-16`),
          timeBounds: graceMs.map((m) => [`${m}-01`, `${next(m)}-01`] as const),
          labels: graceMs,
        }
      : null,
    graceIds: graceMs,
    note: 'fake period data',
  };
}

export interface FakeEngineOptions {
  /** Called before each model is trained; may abort. */
  readonly beforeTrain?: (model: ModelName) => void;
  readonly twin?: boolean;
  /** Prepare no LSM before GRACE (like user files that start in 2002): the hindcast has nothing to run on. */
  readonly noHindcastLsm?: boolean;
}

export function fakeEngine(options: FakeEngineOptions = {}): Engine & { trained: ModelName[] } {
  const trained: ModelName[] = [];
  return {
    trained,
    async initBackend() {
      return 'fake';
    },
    async prepare(config) {
      const data = fakeScenario(config.seed, options.twin ?? false);
      return options.noHindcastLsm ? { ...data, hindcastLsm: null } : data;
    },
    async train(req) {
      options.beforeTrain?.(req.model);
      mkdirSync(req.checkpointDir, { recursive: true });
      const { grace, lsm } = req.data;
      const n = grace.shape[0];
      const a = new Float32Array(SIZE),
        b = new Float32Array(SIZE);
      for (let k = 0; k < SIZE; k++) {
        let sx = 0,
          sy = 0,
          sxx = 0,
          sxy = 0,
          c = 0;
        for (let t = 0; t < n; t++) {
          if (req.data.splits[t] !== 'train') continue;
          const x = lsm.data[t * SIZE + k]!,
            y = grace.data[t * SIZE + k]!;
          if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
          sx += x;
          sy += y;
          sxx += x * x;
          sxy += x * y;
          c++;
        }
        const slope = c > 1 ? (sxy - (sx * sy) / c) / (sxx - (sx * sx) / c) : 0;
        a[k] = slope;
        b[k] = c > 0 ? (sy - slope * sx) / c : 0;
      }
      req.onEpoch?.({ epoch: 1, epochs: 1, loss: 0.1, seconds: 0.01 });
      writeFileSync(join(req.modelDir, 'weights.json'), JSON.stringify({ a: Array.from(a), b: Array.from(b) }));
      trained.push(req.model);
      return linearModel(req.model, a, b);
    },
    async load(model, dir) {
      const file = join(dir, 'weights.json');
      if (!existsSync(file)) throw new Error(`no weights in ${dir}`);
      const w = JSON.parse(readFileSync(file, 'utf8')) as { a: number[]; b: number[] };
      return linearModel(model, Float32Array.from(w.a), Float32Array.from(w.b));
    },
    async periodData(config, period) {
      return fakePeriodData(config.seed, period.from, period.to);
    },
    countParams: async () => 2 * SIZE,
    async probeTrainingStep() {
      return { secondsPerStep: 0.5 };
    },
  };
}
