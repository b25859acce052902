import fc from 'fast-check';
import { makeSequences, paperSplit, sequenceArrays, targetWindows, type SplitLabel } from '@twsa/datasets';

describe('makeSequences', () => {
  it('paper setting: 20-frame windows, step 1, 19 in + 1 out, forecast in time order', () => {
    const r = makeSequences(new Uint8Array(30).fill(1));
    expect(r.counts).toEqual({
      candidates: 11,
      kept: 11,
      missingTarget: 0,
      missingInputs: 0,
      missingEdge: 0,
      mixedSplit: 0,
      unused: 0,
    });
    expect(r.windows[0]).toEqual({
      inputs: Array.from({ length: 19 }, (_, i) => i),
      target: 19,
      label: 'train',
      filled: [],
    });
    expect(r.windows[10]!.target).toBe(29);
  });
  it('hindcast: reversed order, the target is the month before the inputs', () => {
    const r = makeSequences(new Uint8Array(21).fill(1), { mode: 'hindcast' });
    expect(r.windows.map((w) => w.target)).toEqual([0, 1]);
    expect(r.windows[0]!.inputs).toEqual(Array.from({ length: 19 }, (_, i) => 19 - i));
    expect(r.mode).toBe('hindcast');
  });
  it('skip rule: a missing month removes every window that contains it', () => {
    const valid = new Uint8Array(40).fill(1);
    valid[25] = 0;
    const r = makeSequences(valid);
    // Windows starting at 6..25 contain month 25.
    expect(r.windows.map((w) => w.inputs[0])).toEqual(
      [0, 1, 2, 3, 4, 5, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39].filter((i) => i + 20 <= 40),
    );
    expect(r.counts.missingTarget + r.counts.missingInputs).toBe(15);
    expect(r.counts.missingTarget).toBe(1);
  });
  it('allow-gaps: interior inputs filled and flagged; edges and targets never filled; maxMissing respected', () => {
    const valid = [1, 1, 0, 1, 0, 1, 1, 1];
    const one = makeSequences(valid, { length: 5, gaps: 'allow-gaps', maxMissing: 1 });
    expect(one.windows.map((w) => [w.target, w.filled])).toEqual([[7, [4]]]);
    expect(one.counts).toEqual({
      candidates: 4,
      kept: 1,
      missingTarget: 1,
      missingInputs: 2,
      missingEdge: 0,
      mixedSplit: 0,
      unused: 0,
    });
    expect(makeSequences(valid, { length: 5, gaps: 'allow-gaps', maxMissing: 2 }).counts).toEqual({
      candidates: 4,
      kept: 1,
      missingTarget: 1,
      missingInputs: 0,
      missingEdge: 2,
      mixedSplit: 0,
      unused: 0,
    });
    const two = [1, 0, 1, 0, 1, 1];
    expect(makeSequences(two, { length: 6, gaps: 'allow-gaps', maxMissing: 2 }).windows.map((w) => w.filled)).toEqual([
      [1, 3],
    ]);
    expect(makeSequences(two, { length: 6, gaps: 'allow-gaps', maxMissing: 1 }).counts.missingInputs).toBe(1);
    // Hindcast on the same series: every window has a missing edge input or target.
    expect(makeSequences(valid, { length: 5, gaps: 'allow-gaps', maxMissing: 2, mode: 'hindcast' }).counts).toEqual({
      candidates: 4,
      kept: 0,
      missingTarget: 1,
      missingInputs: 0,
      missingEdge: 3,
      mixedSplit: 0,
      unused: 0,
    });
    const hind = makeSequences([1, 1, 1, 0, 1, 1, 1, 1], { length: 5, gaps: 'allow-gaps', mode: 'hindcast' });
    expect(hind.windows.map((w) => [w.target, w.inputs, w.filled])).toEqual([
      [0, [4, 3, 2, 1], [3]],
      [1, [5, 4, 3, 2], [3]],
    ]);
  });
  it('no leakage: windows spanning two split labels are dropped; paper split gives one window per test block', () => {
    const labels = paperSplit(158);
    const r = makeSequences(new Uint8Array(158).fill(1), { labels });
    const byLabel = { train: 0, test: 0 } as Record<string, number>;
    for (const w of r.windows) {
      byLabel[w.label]!++;
      for (const k of [...w.inputs, w.target]) expect(labels[k]).toBe(w.label);
    }
    expect(byLabel).toEqual({ train: 118 - 19, test: 2 });
    expect(r.counts.mixedSplit).toBe(139 - 101);
  });
  it('rejects bad arguments naming them', () => {
    expect(() => makeSequences([1, 1], { length: 1 })).toThrow(
      "Argument 'length' passed to 'makeSequences' must be an integer >= 2",
    );
    expect(() => makeSequences([1, 1], { step: 0 })).toThrow("Argument 'step'");
    expect(() => makeSequences([1, 1], { mode: 'nowcast' as 'forecast' })).toThrow("Argument 'mode'");
    expect(() => makeSequences([1, 1], { maxMissing: 2 })).toThrow(
      "Argument 'maxMissing' passed to 'makeSequences' must be used only with gaps: \"allow-gaps\"",
    );
    expect(() => makeSequences([1, 1], { labels: ['train'] })).toThrow(
      "Argument 'labels' passed to 'makeSequences' must be 2 labels",
    );
  });
  it('windows made only of unused months are dropped and counted', () => {
    const r = makeSequences([1, 1, 1, 1, 1], { length: 2, labels: ['unused', 'unused', 'train', 'train', 'test'] });
    expect(r.windows.map((w) => [w.target, w.label])).toEqual([[3, 'train']]);
    expect([r.counts.unused, r.counts.mixedSplit]).toEqual([1, 2]);
  });
  it('a series shorter than a window gives no window, no throw', () => {
    expect(makeSequences([1, 1, 1]).windows).toEqual([]);
  });
  it('property: every kept window obeys the rules', () => {
    const arb = fc.record({
      valid: fc.array(fc.boolean(), { minLength: 0, maxLength: 60 }),
      length: fc.integer({ min: 2, max: 8 }),
      step: fc.integer({ min: 1, max: 3 }),
      mode: fc.constantFrom('forecast' as const, 'hindcast' as const),
      maxMissing: fc.integer({ min: 0, max: 3 }),
      cut: fc.integer({ min: 0, max: 60 }),
    });
    fc.assert(
      fc.property(arb, ({ valid, length, step, mode, maxMissing, cut }) => {
        const labels: SplitLabel[] = valid.map((_, i) => (i < cut ? 'train' : 'test'));
        const r = makeSequences(valid, { length, step, mode, gaps: 'allow-gaps', maxMissing, labels });
        const c = r.counts;
        expect(c.kept + c.missingTarget + c.missingInputs + c.missingEdge + c.mixedSplit + c.unused).toBe(c.candidates);
        for (const w of r.windows) {
          const frames = [...w.inputs, w.target].sort((a, b) => a - b);
          expect(frames[frames.length - 1]! - frames[0]!).toBe(length - 1);
          expect(new Set(frames.map((k) => labels[k])).size).toBe(1);
          expect(valid[w.target]).toBe(true);
          expect(w.filled.length).toBeLessThanOrEqual(maxMissing);
          for (const k of w.inputs) expect(valid[k] || w.filled.includes(k)).toBe(true);
          const time = [...w.inputs].sort((a, b) => a - b);
          expect(valid[time[0]!] && valid[time[time.length - 1]!]).toBe(true);
          expect(mode === 'forecast' ? w.target > time[time.length - 1]! : w.target < time[0]!).toBe(true);
        }
        const skip = makeSequences(valid, { length, step, mode, labels });
        for (const w of skip.windows) expect([...w.inputs, w.target].every((k) => valid[k])).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('sequenceArrays', () => {
  it('gathers frames in model order and interpolates filled inputs linearly, pixel by pixel', () => {
    // 6 months of 1×2 frames: pixel 0 = 10·t, pixel 1 = NaN at t = 1, else −t; month 2 missing.
    const data = Float32Array.from([0, 0, 10, NaN, 999, 999, 30, -3, 40, -4, 50, -5]);
    const stack = { data, shape: [6, 1, 2] as const };
    const { windows } = makeSequences([1, 1, 0, 1, 1, 1], { length: 5, gaps: 'allow-gaps' });
    expect(windows.map((w) => w.target)).toEqual([4, 5]);
    const d = sequenceArrays(stack, windows);
    expect(d.inputs.shape).toEqual([2, 4, 1, 2]);
    expect(d.targets.shape).toEqual([2, 1, 2]);
    expect(Array.from(d.inputs.data.subarray(0, 8))).toEqual([0, 0, 10, NaN, 20, NaN, 30, -3]);
    expect(Array.from(d.inputs.data.subarray(8, 16))).toEqual([10, NaN, 20, NaN, 30, -3, 40, -4]);
    expect(Array.from(d.targets.data)).toEqual([40, -4, 50, -5]);
    expect(d.labels).toEqual(['train', 'train']);
  });
  it('hindcast windows are gathered newest first', () => {
    const stack = { data: Float32Array.from([0, 1, 2, 3]), shape: [4, 1, 1] as const };
    const d = sequenceArrays(stack, makeSequences([1, 1, 1, 1], { length: 4, mode: 'hindcast' }).windows);
    expect([Array.from(d.inputs.data), Array.from(d.targets.data)]).toEqual([[3, 2, 1], [0]]);
  });
  it('rejects windows outside the stack and unfillable gaps', () => {
    const stack = { data: new Float32Array(3), shape: [3, 1, 1] as const };
    expect(() => sequenceArrays(stack, [{ inputs: [0, 1], target: 5, label: 'train', filled: [] }])).toThrow(
      "Argument 'windows[0]' passed to 'sequenceArrays' must be month indices in [0, 3)",
    );
    expect(() => sequenceArrays(stack, [{ inputs: [0, 1], target: 2, label: 'train', filled: [1] }])).toThrow(
      "Argument 'windows[0].filled'",
    );
  });
});

describe('targetWindows', () => {
  it('serves each target from any valid frames; the window carries the target label', () => {
    const valid = [1, 1, 1, 1, 1, 1, 1, 1];
    const labels = ['test', 'test', 'train', 'train', 'train', 'train', 'test', 'test'] as const;
    const r = targetWindows(valid, [0, 1, 6, 7], {
      length: 4,
      mode: ['hindcast', 'hindcast', 'forecast', 'forecast'],
      labels: [...labels],
    });
    expect(r.windows.map((w) => [w.target, w.inputs, w.label])).toEqual([
      [0, [3, 2, 1], 'test'],
      [1, [4, 3, 2], 'test'],
      [6, [3, 4, 5], 'test'],
      [7, [4, 5, 6], 'test'],
    ]);
    expect(r.skipped).toEqual([]);
  });
  it('reports targets it cannot serve and fills inner gaps under allow-gaps', () => {
    const valid = [1, 0, 1, 1, 0, 1];
    const skip = targetWindows(valid, [0, 3, 4, 5], { length: 2 });
    expect(skip.windows.map((w) => w.target)).toEqual([3]);
    expect(skip.skipped).toEqual([
      { target: 0, reason: 'not enough frames before' },
      { target: 4, reason: 'target missing' },
      { target: 5, reason: 'input missing (skip rule)' },
    ]);
    const gaps = targetWindows(valid, [3, 5], { length: 4, gaps: 'allow-gaps', mode: 'forecast' });
    expect(gaps.windows.map((w) => [w.target, w.filled])).toEqual([[3, [1]]]);
    expect(gaps.skipped).toEqual([{ target: 5, reason: 'first or last input missing' }]);
    const stack = { data: Float32Array.from([0, 99, 20, 30, 99, 50]), shape: [6, 1, 1] as const };
    expect(Array.from(sequenceArrays(stack, gaps.windows).inputs.data)).toEqual([0, 10, 20]);
  });
  it('refuses bad targets and mode lists', () => {
    expect(() => targetWindows([1, 1], [2], { length: 2 })).toThrow(/targets\[0\]/);
    expect(() => targetWindows([1, 1], [0, 1], { length: 2, mode: ['forecast'] })).toThrow(/mode/);
  });
});
