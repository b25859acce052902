import fc from 'fast-check';
import {
  applyScaler,
  fitMinMax,
  invertScaler,
  paperSplit,
  scalerFromJson,
  scalerToJson,
  type Scaler,
} from '@twsa/datasets';
import { isDatasetsError } from './errors.js';

describe('fitMinMax', () => {
  it('fits on training samples only (stack layout), NaN- and Inf-safe, inside the mask', () => {
    // 3 samples of 2×2; sample 1 is test and holds the extremes.
    const data = Float32Array.from([1, 2, NaN, 4, -500, 900, 0, 0, 3, Infinity, 5, -Infinity]);
    const s = fitMinMax({ data, shape: [3, 2, 2] }, { labels: ['train', 'test', 'train'], units: 'mm' });
    expect(s).toEqual({ kind: 'minmax', min: 1, max: 5, range: [-1, 1], fittedOn: 'train', count: 5, units: 'mm' });
    const masked = fitMinMax({ data, shape: [3, 2, 2] }, { labels: ['train', 'test', 'train'], mask: [1, 0, 1, 0.2] });
    expect([masked.min, masked.max, masked.count]).toEqual([1, 5, 3]);
    const all = fitMinMax(data, { fitOn: 'all' });
    expect([all.min, all.max, all.fittedOn]).toEqual([-500, 900, 'all']);
  });
  it('flat arrays with labels: values per sample = length / labels', () => {
    const s = fitMinMax([1, 2, 30, 40, 5, 6], { labels: ['train', 'test', 'train'] });
    expect([s.min, s.max]).toEqual([1, 6]);
  });
  it('requires labels unless fitOn is "all"; rejects bad labels, ranges and masks', () => {
    expect(() => fitMinMax([1, 2])).toThrow(
      "Argument 'labels' passed to 'fitMinMax' must be one label per sample to fit on \"train\"",
    );
    expect(() => fitMinMax({ data: [1, 2, 3, 4], shape: [2, 2] }, { labels: ['train'] })).toThrow(
      "Argument 'labels' passed to 'fitMinMax' must be 2 labels (one per sample)",
    );
    expect(() => fitMinMax([1, 2, 3], { labels: ['train', 'test'] })).toThrow('a count that divides the 3 values');
    expect(() => fitMinMax([1, 2], { fitOn: 'all', range: [1, -1] })).toThrow("Argument 'range'");
    expect(() => fitMinMax([1, 2, 3, 4], { labels: ['train', 'train'], mask: [1, 1, 1] })).toThrow("Argument 'mask'");
  });
  it('throws DatasetsEmptyError when the training samples hold no finite value', () => {
    let err: unknown;
    try {
      fitMinMax([NaN, NaN, 1, 2], { labels: ['train', 'test'] });
    } catch (e) {
      err = e;
    }
    expect(isDatasetsError(err, 'DatasetsEmptyError')).toBe(true);
    expect((err as Error).message).toContain('no finite value in the samples labelled "train"');
  });
});

describe('applyScaler / invertScaler', () => {
  it('maps [min, max] onto the range; extrapolates beyond; NaN stays NaN', () => {
    const s = fitMinMax([-200, 300], { fitOn: 'all', range: [0, 1] });
    expect(Array.from(applyScaler(s, [-200, 50, 300, 800, NaN]))).toEqual([0, 0.5, 1, 2, NaN]);
  });
  it('a constant fit maps to the middle of the range', () => {
    const s = fitMinMax([7, 7, 7], { fitOn: 'all' });
    expect(Array.from(applyScaler(s, [7, 8, NaN]))).toEqual([0, 0, NaN]);
    expect(Array.from(invertScaler(s, [0, 0.3]))).toEqual([7, 7]);
  });
  it('writes into out; rejects a wrong out', () => {
    const s = fitMinMax([0, 10], { fitOn: 'all' });
    const out = new Float64Array(2);
    expect(applyScaler(s, [0, 10], out)).toBe(out);
    expect(Array.from(out)).toEqual([-1, 1]);
    expect(() => applyScaler(s, [0, 10], new Float64Array(3))).toThrow("Argument 'out' passed to 'applyScaler'");
  });
  it('round trip to float32 precision (Float32 out) and to float64 round-off (Float64 out)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -2000, max: 2000, noNaN: true }), { minLength: 2, maxLength: 50 }),
        (xs) => {
          const s = fitMinMax(xs, { fitOn: 'all' });
          const span = s.max - s.min;
          const back32 = invertScaler(s, applyScaler(s, Float32Array.from(xs)));
          const x32 = Float32Array.from(xs);
          back32.forEach((v, i) =>
            expect(Math.abs(v - x32[i]!)).toBeLessThanOrEqual(2 ** -22 * (Math.abs(x32[i]!) + span)),
          );
          const back64 = invertScaler(s, applyScaler(s, xs, new Float64Array(xs.length)), new Float64Array(xs.length));
          back64.forEach((v, i) => expect(Math.abs(v - xs[i]!)).toBeLessThanOrEqual(1e-12 * (Math.abs(xs[i]!) + span)));
        },
      ),
      { numRuns: 200 },
    );
  });
  it('training data lands inside the range, test data may not', () => {
    const data = Float32Array.from({ length: 158 * 4 }, (_, i) => 100 * Math.sin(i / 7) + i / 10);
    const labels = paperSplit(158);
    const s = fitMinMax({ data, shape: [158, 2, 2] }, { labels });
    const y = applyScaler(s, data);
    for (let k = 0; k < 158; k++) {
      if (labels[k] !== 'train') continue;
      for (let i = 0; i < 4; i++) {
        expect(y[k * 4 + i]!).toBeGreaterThanOrEqual(-1);
        expect(y[k * 4 + i]!).toBeLessThanOrEqual(1);
      }
    }
  });
});

describe('scalerToJson / scalerFromJson', () => {
  it('round trips exactly', () => {
    const s = fitMinMax([0.1 + 0.2, -1 / 3, 1e-9], { fitOn: 'all', units: 'mm', range: [-1, 1] });
    expect(scalerFromJson(scalerToJson(s))).toEqual(s);
    expect(scalerFromJson(JSON.parse(scalerToJson(s)) as object)).toEqual(s);
  });
  it('validates every field and names it', () => {
    const good = JSON.parse(scalerToJson(fitMinMax([1, 2], { fitOn: 'all' }))) as Record<string, unknown>;
    const cases: [Record<string, unknown>, string][] = [
      [{ ...good, format: 'v0' }, 'json.format'],
      [{ ...good, kind: 'zscore' }, 'json.kind'],
      [{ ...good, min: 'a' }, 'json.min'],
      [{ ...good, max: 0 }, 'json.max'],
      [{ ...good, range: [1, 1] }, 'json.range'],
      [{ ...good, range: [0] }, 'json.range'],
      [{ ...good, fittedOn: 'everything' }, 'json.fittedOn'],
      [{ ...good, count: -1 }, 'json.count'],
      [{ ...good, units: 3 }, 'json.units'],
    ];
    for (const [bad, field] of cases)
      expect(() => scalerFromJson(JSON.stringify(bad))).toThrow(`Argument '${field}' passed to 'scalerFromJson'`);
    expect(() => scalerFromJson('{not json')).toThrow("Argument 'json' passed to 'scalerFromJson' must be valid JSON");
    expect(() => scalerFromJson('[1]')).toThrow('a JSON object');
  });
  it('apply rejects a hand-made invalid scaler', () => {
    expect(() =>
      applyScaler({ kind: 'minmax', min: 2, max: 1, range: [-1, 1], fittedOn: 'all', count: 0 } as Scaler, [1]),
    ).toThrow("Argument 'scaler' passed to 'applyScaler'");
  });
});
