import fc from 'fast-check';
import { areaWeightedMean, isMetricsError, perPixelMetrics, scoreSeries, table1Summary } from '@twsa/metrics';

/** A [time, rows, cols] stack from a function of (t, pixel). */
function stack(nt: number, rows: number, cols: number, f: (t: number, i: number) => number) {
  const data = new Float32Array(nt * rows * cols);
  for (let t = 0; t < nt; t++) for (let i = 0; i < rows * cols; i++) data[t * rows * cols + i] = f(t, i);
  return { data, shape: [nt, rows, cols] as const };
}

describe('perPixelMetrics', () => {
  const obs = stack(10, 2, 2, (t, i) => Math.sin(t + i) * 50 + i);
  const pred = stack(10, 2, 2, (t, i) => (i === 3 ? 7 : Math.sin(t + i) * 45 + 3 + (t === 4 && i === 1 ? NaN : 0)));
  it('equals scoreSeries on each pixel (time mask applied)', () => {
    const timeMask = Array.from({ length: 10 }, (_, t) => (t < 8 ? 1 : 0));
    const m = perPixelMetrics(pred, obs, { timeMask });
    for (let i = 0; i < 4; i++) {
      const s = scoreSeries(
        Array.from({ length: 10 }, (_, t) => pred.data[t * 4 + i]!),
        Array.from({ length: 10 }, (_, t) => obs.data[t * 4 + i]!),
        { mask: timeMask },
      );
      if (Number.isNaN(s.cc.value)) expect(m.cc[i]).toBeNaN();
      else expect(m.cc[i]).toBeCloseTo(s.cc.value, 6);
      expect(m.rmse[i]).toBeCloseTo(s.rmse.value, 4);
      expect(m.count[i]).toBe(s.count);
    }
    expect(m.count[1]).toBe(7);
    expect(Number.isNaN(m.cc[3]!)).toBe(true); // constant pred pixel
    expect(m.pixels).toBe(4);
  });
  it('pixel mask (fractions), per-element mask, mask of zeros', () => {
    const frac = perPixelMetrics(pred, obs, { mask: Float32Array.from([1, 0.3, 0.7, 0]) });
    expect(Array.from(frac.count)).toEqual([10, 0, 10, 0]);
    expect(frac.pixels).toBe(2);
    expect(Number.isNaN(frac.rmse[1]!)).toBe(true);
    const elementMask = new Uint8Array(40).fill(1);
    elementMask[0] = 0; // drop t=0 at pixel 0
    expect(perPixelMetrics(pred, obs, { mask: elementMask }).count[0]).toBe(9);
    const none = perPixelMetrics(pred, obs, { mask: new Uint8Array(4) });
    expect(none.pixels).toBe(0);
    expect(Array.from(none.rmse).every(Number.isNaN)).toBe(true);
  });
  it('an all-NaN stack gives NaN maps and zero counts, no throw', () => {
    const nan = stack(5, 1, 2, () => NaN);
    const m = perPixelMetrics(nan, nan);
    expect(Array.from(m.count)).toEqual([0, 0]);
    expect(Array.from(m.cc).every(Number.isNaN)).toBe(true);
  });
  it('mismatched shapes throw MetricsShapeError naming obs.shape', () => {
    let err: unknown;
    try {
      perPixelMetrics(
        pred,
        stack(9, 2, 2, () => 0),
      );
    } catch (e) {
      err = e;
    }
    expect(isMetricsError(err, 'MetricsShapeError')).toBe(true);
    expect((err as Error).message).toContain("'obs.shape' in 'perPixelMetrics'");
    expect(() => perPixelMetrics(pred, obs, { timeMask: [1, 1] })).toThrow(
      "Shape mismatch of 'timeMask' in 'perPixelMetrics'",
    );
  });
});

describe('areaWeightedMean', () => {
  it('renormalises weights over valid cells; NaN when no valid cell', () => {
    const s = { data: [1, 2, 3, 4, NaN, NaN, 10, NaN, NaN, NaN, NaN, NaN], shape: [3, 2, 2] as const };
    const r = areaWeightedMean(s, [1, 1, 2, 0]);
    expect(Array.from(r.mean)).toEqual([(1 + 2 + 6) / 4, 10, NaN]);
    expect(Array.from(r.count)).toEqual([3, 1, 0]);
    expect(Array.from(r.coverage)).toEqual([1, 0.5, 0]);
  });
  it('masks, NaN weights and minCoverage', () => {
    const s = { data: [1, 2, 3, 4, 5, NaN, NaN, NaN], shape: [2, 2, 2] as const };
    expect(Array.from(areaWeightedMean(s, [1, 1, 1, 1], { mask: [1, 0, 1, 0] }).mean)).toEqual([2, 5]);
    expect(Array.from(areaWeightedMean(s, [1, NaN, 1, 1]).mean)).toEqual([8 / 3, 5]);
    const cov = areaWeightedMean(s, [1, 1, 1, 1], { minCoverage: 0.5 });
    expect(Array.from(cov.mean)).toEqual([2.5, NaN]);
    expect(Array.from(cov.coverage)).toEqual([1, 0.25]);
    expect(Array.from(areaWeightedMean(s, [1, 1, 1, 1], { mask: new Uint8Array(4) }).mean)).toEqual([NaN, NaN]);
  });
  it('cellFraction weights each cell by its fractional coverage, with no cut (a basin half over a cell)', () => {
    const s = { data: [10, 20, 30, 40], shape: [1, 2, 2] as const };
    const areas = [1, 2, 3, 4];
    const frac = [1, 0.25, 0.5, 0];
    const r = areaWeightedMean(s, areas, { cellFraction: frac });
    expect(r.mean[0]).toBeCloseTo((10 * 1 + 20 * 0.5 + 30 * 1.5) / 3, 12);
    // a mask with the same numbers is a yes/no cut at 0.5 instead
    expect(areaWeightedMean(s, areas, { mask: frac }).mean[0]).toBeCloseTo((10 * 1 + 30 * 3) / 4, 12);
    expect(areaWeightedMean(s, areas, { cellFraction: [1, NaN, 0, 0] }).mean[0]).toBe(10);
    expect(() => areaWeightedMean(s, areas, { cellFraction: [1, 2, 0, 0] })).toThrow("Argument 'cellFraction[1]'");
    expect(() => areaWeightedMean(s, areas, { cellFraction: [1] })).toThrow("Shape mismatch of 'cellFraction'");
  });
  it('bad weights throw typed errors', () => {
    const s = { data: [1, 2], shape: [1, 1, 2] as const };
    expect(() => areaWeightedMean(s, [1])).toThrow("Shape mismatch of 'weights' in 'areaWeightedMean'");
    expect(() => areaWeightedMean(s, [1, -1])).toThrow(
      "Argument 'weights[1]' passed to 'areaWeightedMean' must be non-negative",
    );
    expect(() => areaWeightedMean(s, [1, 1], { minCoverage: 2 })).toThrow("Argument 'minCoverage'");
  });
  it('property: the mean lies between the min and max valid values, and uniform weights give the plain mean', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.constant(NaN)), { minLength: 6, maxLength: 6 }),
        fc.array(fc.double({ min: 0.1, max: 5, noNaN: true }), { minLength: 6, maxLength: 6 }),
        (vals, w) => {
          const s = { data: vals, shape: [1, 2, 3] as const };
          const valid = vals.filter(Number.isFinite);
          const m = areaWeightedMean(s, w).mean[0]!;
          if (valid.length === 0) {
            expect(m).toBeNaN();
            return;
          }
          expect(m).toBeGreaterThanOrEqual(Math.min(...valid) - 1e-9);
          expect(m).toBeLessThanOrEqual(Math.max(...valid) + 1e-9);
          expect(areaWeightedMean(s, [1, 1, 1, 1, 1, 1]).mean[0]).toBeCloseTo(
            valid.reduce((a, b) => a + b, 0) / valid.length,
            9,
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('table1Summary', () => {
  it('uses only the selected months and land pixels; domain mean over cells valid in both stacks', () => {
    const nt = 12;
    const obs = stack(nt, 2, 2, (t, i) => 30 * Math.cos((2 * Math.PI * t) / 12 + i) + (i === 1 && t === 2 ? NaN : 0));
    const pred = stack(nt, 2, 2, (t, i) => 25 * Math.cos((2 * Math.PI * t) / 12 + i + 0.2) + 4);
    const timeMask = Array.from({ length: nt }, (_, t) => (t < 4 || t >= 8 ? 1 : 0));
    const mask = [1, 1, 1, 0];
    const s = table1Summary(pred, obs, { mask, timeMask });
    const m = perPixelMetrics(pred, obs, { mask, timeMask });
    expect(s.perPixel.cc).toBeCloseTo((m.cc[0]! + m.cc[1]! + m.cc[2]!) / 3, 6);
    expect(s.perPixel.rmse).toBeCloseTo((m.rmse[0]! + m.rmse[1]! + m.rmse[2]!) / 3, 4);
    expect(s.counts).toEqual({ landPixels: 3, pixelsWithCc: 3, pixelsWithRmse: 3, months: 8, domainMonths: 8 });
    // Month 2: obs pixel 1 is NaN, so pred pixel 1 is left out of the pred mean too.
    expect(s.series.pred[2]).toBeCloseTo((pred.data[8]! + pred.data[10]!) / 2, 5);
    expect(Number.isNaN(s.series.pred[5]!)).toBe(true);
    expect(s.definition).toContain('mean over land pixels');
  });
  it('all-NaN obs: NaN summary with reasons and zero counts, no throw', () => {
    const obs = stack(4, 1, 2, () => NaN);
    const pred = stack(4, 1, 2, (t) => t);
    const s = table1Summary(pred, obs);
    expect([
      s.perPixel.cc,
      s.perPixel.rmse,
      s.domainMean.cc.reason,
      s.counts.pixelsWithRmse,
      s.counts.domainMonths,
    ]).toEqual([NaN, NaN, 'no valid pairs', 0, 0]);
  });
  it('perfect prediction gives CC 1 and RMSE 0 on both definitions', () => {
    const obs = stack(6, 2, 2, (t, i) => t * (i + 1) - 3);
    const s = table1Summary(obs, obs, { weights: [1, 2, 3, 4] });
    expect([s.perPixel.cc, s.perPixel.rmse, s.domainMean.cc.value, s.domainMean.rmse.value]).toEqual([1, 0, 1, 0]);
  });
});
