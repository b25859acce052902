import fc from 'fast-check';
import { bias, isMetricsError, kge, mae, nse, pearson, rmse, scoreSeries } from '@twsa/metrics';

const all = { pearson, rmse, nse, kge, bias, mae };

describe('edge cases: every score is NaN with a reason, never a throw or a silent 0', () => {
  it('all-NaN series', () => {
    for (const [name, f] of Object.entries(all)) {
      const r = f([NaN, NaN, NaN], [1, 2, 3]);
      expect({ name, value: r.value, count: r.count, reason: r.reason }).toEqual({
        name,
        value: NaN,
        count: 0,
        reason: 'no valid pairs',
      });
    }
  });
  it('empty series', () => {
    expect(rmse([], [])).toEqual({ value: NaN, count: 0, reason: 'no valid pairs' });
    expect(pearson(new Float32Array(0), new Float32Array(0)).reason).toBe('no valid pairs');
  });
  it('one valid pair: RMSE, bias and MAE defined; CC, NSE and KGE not', () => {
    const p = [NaN, 3, 5];
    const o = [1, 1, NaN];
    expect(rmse(p, o)).toEqual({ value: 2, count: 1 });
    expect(bias(p, o)).toEqual({ value: 2, count: 1 });
    expect(mae(p, o)).toEqual({ value: 2, count: 1 });
    expect(pearson(p, o)).toEqual({ value: NaN, count: 1, reason: 'fewer than 2 valid pairs' });
    expect(nse(p, o).reason).toBe('fewer than 2 valid pairs');
    expect(kge(p, o).reason).toBe('fewer than 2 valid pairs');
  });
  it('constant series: exact detection even when the float mean is not exact', () => {
    // 0.1 * 3 / 3 !== 0.1 in float64; a variance-based test would see a tiny non-zero spread.
    expect(pearson([0.1, 0.1, 0.1], [1, 2, 3])).toEqual({ value: NaN, count: 3, reason: 'constant series (pred)' });
    expect(pearson([1, 2, 3], [0.1, 0.1, 0.1]).reason).toBe('constant series (obs)');
    expect(pearson([0.1, 0.1], [0.1, 0.1]).reason).toBe('constant series (pred and obs)');
    expect(nse([1, 2, 3], [0.1, 0.1, 0.1]).reason).toBe('constant series (obs)');
    expect(nse([0.1, 0.1, 0.1], [1, 2, 3]).value).toBeCloseTo(1 - 12.83 / 2, 12);
    expect(kge([0.1, 0.1, 0.1], [1, 2, 3]).reason).toBe('constant series (pred)');
    expect(rmse([0.1, 0.1, 0.1], [0.1, 0.1, 0.1])).toEqual({ value: 0, count: 3 });
  });
  it('±Infinity is treated as missing (documented; numpy would propagate it)', () => {
    expect(rmse([1, Infinity, 3, -Infinity], [1, 2, 4, 0])).toEqual({ value: Math.sqrt(0.5), count: 2 });
    expect(pearson([1, 2, 3, 4], [1, 2, Infinity, 5])).toEqual(pearson([1, 2, 4], [1, 2, 5]));
  });
  it('a mask of zeros leaves no valid pair', () => {
    for (const mask of [new Uint8Array(3), new Float32Array(3), [false, false, false], [0.2, 0.4, 0.49]]) {
      expect(rmse([1, 2, 3], [1, 2, 3], { mask })).toEqual({ value: NaN, count: 0, reason: 'no valid pairs' });
    }
  });
  it('masks: 0/1, fractions against maskThreshold, booleans', () => {
    const p = [1, 2, 30, 4];
    const o = [1, 2, 3, 5];
    expect(rmse(p, o, { mask: Uint8Array.from([1, 1, 0, 1]) })).toEqual(rmse([1, 2, 4], [1, 2, 5]));
    expect(rmse(p, o, { mask: [0.9, 0.6, 0.3, 0.5] }).count).toBe(3);
    expect(rmse(p, o, { mask: [0.9, 0.6, 0.3, 0.5], maskThreshold: 0.2 }).count).toBe(4);
    expect(rmse(p, o, { mask: [true, true, false, true] }).value).toBeCloseTo(Math.sqrt(1 / 3), 15);
    expect(rmse(p, o, { mask: [1, 1, NaN, 1] }).count).toBe(3);
  });
  it('KGE: 2009 components, 2012 variant and a zero observed mean', () => {
    const k = kge([2, 4, 6], [1, 2, 3]);
    expect([k.variant, k.r, k.alpha, k.beta]).toEqual(['2009', 1, 2, 2]);
    const k12 = kge([2, 4, 6], [1, 2, 3], { variant: '2012' });
    expect(k12.variant).toBe('2012');
    expect(k12.alpha).toBeCloseTo(1, 14); // CV ratio: a scaled series has the same coefficient of variation
    expect(k12.value).toBeCloseTo(0, 14); // 1 − √(0 + 0 + 1)
    const z = kge([1, -1, 2], [-1, 1, 0]);
    expect(z.reason).toBe('observed mean is zero');
    expect(Number.isFinite(z.r) && Number.isNaN(z.beta)).toBe(true);
    expect(kge([1, -1, 0], [1, 2, 3], { variant: '2012' }).reason).toBe('predicted mean is zero');
  });
  it('perfect prediction', () => {
    const s = scoreSeries([1, 3, 2, 5], [1, 3, 2, 5]);
    expect([s.cc.value, s.rmse.value, s.nse.value, s.kge.value, s.bias.value, s.mae.value, s.count]).toEqual([
      1, 0, 1, 1, 0, 0, 4,
    ]);
  });
  it('float64 accumulation: a 1e8 offset does not destroy CC', () => {
    const o = Float64Array.from({ length: 100 }, (_, i) => 1e8 + Math.sin(i));
    const p = Float64Array.from(o, (v, i) => v + 0.1 * Math.cos(3 * i));
    expect(pearson(p, o).value).toBeCloseTo(
      pearson(
        Array.from(p, (v) => v - 1e8),
        Array.from(o, (v) => v - 1e8),
      ).value,
      9,
    );
  });
});

describe('bad arguments throw typed errors naming the argument and the function', () => {
  it('length mismatch', () => {
    let err: unknown;
    try {
      rmse([1, 2, 3], [1, 2]);
    } catch (e) {
      err = e;
    }
    expect(isMetricsError(err, 'MetricsShapeError')).toBe(true);
    expect((err as Error).message).toBe("Shape mismatch of 'obs' in 'rmse': expected [3], got [2]");
  });
  it('not an array, wrong mask length, bad variant, bad threshold', () => {
    expect(() => pearson('abc' as unknown as number[], [1])).toThrow("Argument 'pred' passed to 'pearson'");
    expect(() => nse([1, 2], [1, 2], { mask: [1] })).toThrow("Shape mismatch of 'mask' in 'nse'");
    expect(() => kge([1, 2], [1, 2], { variant: '2021' as '2009' })).toThrow("Argument 'variant' passed to 'kge'");
    expect(() => bias([1, 2], [1, 2], { mask: [1, 1], maskThreshold: NaN })).toThrow(
      "Argument 'maskThreshold' passed to 'bias'",
    );
  });
});

describe('properties (fast-check)', () => {
  // Values with a realistic dynamic range (TWSA in mm to 0.01 mm), plus missing values.
  const value = fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: -1_000_000, max: 1_000_000 }).map((v) => v / 100) },
    { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity) },
  );
  const pairs = fc.array(fc.tuple(value, value), { minLength: 0, maxLength: 60 });

  it('|CC| ≤ 1, RMSE ≥ 0, MAE ≥ 0, NSE ≤ 1, KGE ≤ 1, and a defined value has no reason', () => {
    fc.assert(
      fc.property(pairs, (ps) => {
        const s = scoreSeries(
          ps.map((x) => x[0]),
          ps.map((x) => x[1]),
        );
        for (const r of [s.cc, s.rmse, s.nse, s.kge, s.bias, s.mae])
          expect(Number.isNaN(r.value)).toBe(r.reason !== undefined);
        if (!Number.isNaN(s.cc.value)) expect(Math.abs(s.cc.value)).toBeLessThanOrEqual(1);
        if (!Number.isNaN(s.rmse.value)) expect(s.rmse.value).toBeGreaterThanOrEqual(0);
        if (!Number.isNaN(s.mae.value)) expect(s.mae.value).toBeLessThanOrEqual(s.rmse.value * (1 + 1e-12) + 1e-12);
        if (!Number.isNaN(s.nse.value)) expect(s.nse.value).toBeLessThanOrEqual(1);
        if (!Number.isNaN(s.kge.value)) expect(s.kge.value).toBeLessThanOrEqual(1);
        expect(s.count).toBe(ps.filter(([p, o]) => Number.isFinite(p) && Number.isFinite(o)).length);
      }),
      { numRuns: 300 },
    );
  });

  it('invariant under a joint permutation of the pairs', () => {
    fc.assert(
      fc.property(
        pairs.chain((ps) =>
          fc.tuple(
            fc.constant(ps),
            fc.shuffledSubarray(
              ps.map((_, i) => i),
              { minLength: ps.length, maxLength: ps.length },
            ),
          ),
        ),
        ([ps, order]) => {
          const a = scoreSeries(
            ps.map((x) => x[0]),
            ps.map((x) => x[1]),
          );
          const b = scoreSeries(
            order.map((i) => ps[i]![0]),
            order.map((i) => ps[i]![1]),
          );
          for (const k of ['cc', 'rmse', 'nse', 'kge', 'bias', 'mae'] as const) {
            expect(b[k].reason).toBe(a[k].reason);
            if (!Number.isNaN(a[k].value))
              expect(Math.abs(b[k].value - a[k].value)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(a[k].value)));
          }
          expect(b.count).toBe(a.count);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('CC is symmetric and invariant under positive affine maps of either series', () => {
    const v = fc.integer({ min: -10_000, max: 10_000 }).map((x) => x / 100);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(v, v), { minLength: 3, maxLength: 30 }),
        fc.double({ min: 0.5, max: 4, noNaN: true }),
        fc.double({ min: -50, max: 50, noNaN: true }),
        (ps, scale, shift) => {
          const p = ps.map((x) => x[0]);
          const o = ps.map((x) => x[1]);
          const r = pearson(p, o);
          if (Number.isNaN(r.value)) return;
          expect(pearson(o, p).value).toBeCloseTo(r.value, 9);
          const q = pearson(
            p.map((v) => scale * v + shift),
            o,
          );
          if (!Number.isNaN(q.value)) expect(q.value).toBeCloseTo(r.value, 6);
        },
      ),
      { numRuns: 200 },
    );
  });
});
