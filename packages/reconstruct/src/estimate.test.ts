import { resolveConfig, type ModelName, type PipelineConfig } from './config.js';
import { estimateTrainingSeconds, formatTrainingEstimate } from './estimate.js';
import type { Engine, TrainingProbe, TrainingProbeOptions } from './seam.js';

const GiB = 2 ** 30;
const paper = resolveConfig({ profile: 'paper' });

/** An engine whose probe returns fixed timings (no tfjs): `probes[model]` or a thrown error. */
function stubEngine(
  probes: Partial<Record<ModelName, TrainingProbe | Error>>,
  extra: Partial<Engine> = {},
): { engine: Engine; calls: { model: ModelName; options: TrainingProbeOptions | undefined }[] } {
  const calls: { model: ModelName; options: TrainingProbeOptions | undefined }[] = [];
  const engine = {
    async probeTrainingStep(model: ModelName, _config: PipelineConfig, options?: TrainingProbeOptions) {
      calls.push({ model, options });
      const p = probes[model];
      if (p instanceof Error) throw p;
      if (!p) throw new Error(`no stub for ${model}`);
      return p;
    },
    async memoryLimit() {
      return { bytes: 4 * GiB, description: "the wasm backend's heap (wasm32: 4 GiB at most)" };
    },
    ...extra,
  } as unknown as Engine;
  return { engine, calls };
}

describe('estimateTrainingSeconds', () => {
  it('one timed step per model (warm-up first), the ConvLSTM on a 3-frame sequence scaled to 19 and probed last', async () => {
    const { engine, calls } = stubEngine({
      seunet: { secondsPerStep: 1, peakBytes: 0.1 * GiB, baselineBytes: 0.01 * GiB },
      pix2pix: { secondsPerStep: 10 },
      dcae: { secondsPerStep: 4, peakBytes: 2 * GiB, baselineBytes: 0.3 * GiB },
      convlstm: { secondsPerStep: 6, sequenceLength: 3, peakBytes: 0.7 * GiB, baselineBytes: 0.1 * GiB },
    });
    const e = await estimateTrainingSeconds(paper, engine);
    expect(calls.map((c) => c.model)).toEqual(['seunet', 'pix2pix', 'dcae', 'convlstm']);
    expect(calls[0]!.options).toEqual({ warmupSteps: 1 });
    expect(calls[3]!.options).toEqual({ sequenceLength: 3, warmupSteps: 0 });
    const by = Object.fromEntries(e.perModel.map((m) => [m.model, m]));
    // 118 records × 8 (augmentation) / batch 1 = 944 steps; 100 epochs.
    expect(by['seunet']).toMatchObject({
      method: 'probe',
      secondsPerStep: 1,
      stepsPerEpoch: 944,
      epochs: 100,
      seconds: 94_400,
      fitsMemory: true,
    });
    // ConvLSTM: 6 s × 19/3 = 38 s per step; ≤ 118 − 19 = 99 windows; memory 0.1 + 0.6 × 19/3 = 3.9 GiB.
    expect(by['convlstm']!.method).toBe('probe-scaled');
    expect(by['convlstm']!.secondsPerStep).toBeCloseTo(38, 10);
    expect(by['convlstm']!.stepsPerEpoch).toBe(2 * 99); // forecast and hindcast networks
    expect(by['convlstm']!.peakBytes! / GiB).toBeCloseTo(3.9, 10);
    expect(by['convlstm']!.fitsMemory).toBe(true);
    expect(e.totalSeconds).toBeCloseTo(94_400 + 944_000 + 377_600 + 38 * 2 * 99 * 100, 6);
    const text = formatTrainingEstimate(e, 'wasm', 'paper').join('\n');
    expect(text).toMatch(
      /^paper profile on the 'wasm' backend: about \d+h\d\dm ≈ [\d.]+ days of training \(estimated in /,
    );
    expect(text).toMatch(/convlstm .*timed step on a 3-frame sequence, scaled ×19\/3 to 19 frames/);
    expect(text).toMatch(
      /convlstm: one training step needs ≈ 3\.9 GiB of tensor memory, close to the wasm backend's heap/,
    );
    expect(text).not.toMatch(/FLOP|failed/);
    // The native engine's figure: how to get it, by whether tfjs-node is installed.
    expect(text).not.toMatch(/native/);
    const last = (native: 'selected' | 'installed' | 'absent'): string =>
      formatTrainingEstimate(e, 'wasm', 'paper', native).at(-1)!;
    expect(last('absent')).toMatch(/^The native TensorFlow engine is not installed: 'twsa setup native'/);
    expect(last('installed')).toMatch(/installed: --backend tensorflow .* gives its figure/);
    expect(formatTrainingEstimate(e, 'tensorflow (TensorFlow 2.21.0)', 'paper', 'selected')).toHaveLength(
      text.split('\n').length,
    );
  });

  it('says from the measurement when a step does not fit the backend memory', async () => {
    const { engine } = stubEngine({
      convlstm: { secondsPerStep: 6, sequenceLength: 3, peakBytes: 0.75 * GiB, baselineBytes: 0.05 * GiB },
    });
    const e = await estimateTrainingSeconds(
      resolveConfig({ profile: 'paper', models: { names: ['convlstm'] }, hindcast: { enabled: false } }),
      engine,
    );
    expect(e.perModel[0]!.fitsMemory).toBe(false);
    expect(formatTrainingEstimate(e, 'wasm', 'paper').join('\n')).toMatch(
      /convlstm: one training step needs ≈ 4\.5 GiB of tensor memory \(measured on 3 frames and scaled to 19\), more than the wasm backend's heap .* will likely fail on 'wasm'/,
    );
  });

  it('a failed probe falls back to FLOPs ÷ measured conv FLOP/s, labelled as such; without FLOPs it has no figure', async () => {
    const oom = new RangeError('memory access out of bounds');
    const flops = stubEngine({ seunet: { secondsPerStep: 1 }, dcae: oom }, {
      measureFlopsPerSecond: async () => 2e9,
      trainingFlops: async (model: ModelName) => (model === 'dcae' ? 8e9 : 1e9),
    } as Partial<Engine>).engine;
    const config = resolveConfig({
      profile: 'paper',
      models: { names: ['seunet', 'dcae'] },
      hindcast: { model: 'dcae' },
    });
    const e = await estimateTrainingSeconds(config, flops);
    const dcae = e.perModel[1]!;
    expect(dcae).toMatchObject({
      model: 'dcae',
      method: 'flops',
      secondsPerStep: 4,
      error: 'RangeError: memory access out of bounds',
    });
    expect(e.flopsPerSecond).toBe(2e9);
    expect(e.totalSeconds).toBe(94_400 + 4 * 944 * 100);
    const text = formatTrainingEstimate(e, 'wasm', 'paper').join('\n');
    expect(text).toMatch(
      /dcae .*FLOP-BASED GUESS \(the probe failed\): training FLOPs ÷ 2\.00 GFLOP\/s measured on a conv/,
    );
    expect(text).toMatch(/dcae: the probe failed on 'wasm' \(RangeError: memory access out of bounds\)/);

    const bare = stubEngine({ seunet: { secondsPerStep: 1 }, dcae: oom }).engine;
    const e2 = await estimateTrainingSeconds(config, bare);
    expect(e2.perModel[1]!.method).toBe('none');
    expect(e2.totalSeconds).toBe(94_400);
    expect(formatTrainingEstimate(e2, 'wasm', 'paper')[0]).toMatch(/for the models with a figure/);
  });

  it('quick profile: no augmentation, batch 8, convlstmEpochs, maxStepsPerEpoch caps', async () => {
    const { engine } = stubEngine({
      seunet: { secondsPerStep: 2 },
      pix2pix: { secondsPerStep: 2 },
      dcae: { secondsPerStep: 2 },
      convlstm: { secondsPerStep: 1, sequenceLength: 3 },
    });
    const quick = await estimateTrainingSeconds(resolveConfig({ profile: 'quick' }), engine);
    expect(quick.perModel[0]).toMatchObject({ stepsPerEpoch: 15, epochs: 40 });
    expect(quick.perModel[3]).toMatchObject({ stepsPerEpoch: 2 * 14, epochs: 4, secondsPerStep: 2 });
    const capped = await estimateTrainingSeconds(
      resolveConfig({ profile: 'quick', train: { maxStepsPerEpoch: 3 } }),
      engine,
    );
    expect(capped.perModel.every((m) => m.stepsPerEpoch === 3)).toBe(true);
  });
});
