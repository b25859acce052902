import fc from 'fast-check';
import { isMetricsError, mannKendall, senSlope, trendMap, trendTest } from '@twsa/metrics';

describe('mannKendall', () => {
  it('a strictly increasing series of 10: S = 45, tau = 1, significant', () => {
    const r = mannKendall(Array.from({ length: 10 }, (_, i) => i));
    expect([r.s, r.tau, r.count, r.direction, r.significant]).toEqual([45, 1, 10, 'increasing', true]);
    expect(r.varS).toBe((10 * 9 * 25) / 18);
  });
  it('ties reduce the variance: [1, 1, 2, 2, 3] has two tied pairs', () => {
    const r = mannKendall([1, 1, 2, 2, 3]);
    // S: pairs i<j with x_j > x_i = 8, none decreasing; Var = (5·4·15 − 2·(2·1·9)) / 18 = 264/18.
    expect(r.s).toBe(8);
    expect(r.varS).toBeCloseTo(264 / 18, 12);
  });
  it('undefined cases carry a reason: all-NaN, 2 values, constant series', () => {
    expect(mannKendall([NaN, NaN, NaN]).reason).toBe('no valid pairs');
    expect(mannKendall([1, NaN, 2]).reason).toBe('fewer than 3 valid values');
    const c = mannKendall([4, 4, 4, 4]);
    expect([c.s, c.varS, c.reason, c.significant, c.direction]).toEqual([0, 0, 'constant series', false, 'no trend']);
    expect(Number.isNaN(c.p)).toBe(true);
  });
  it('±Inf and masked steps are dropped', () => {
    expect(mannKendall([1, Infinity, 2, 3, -Infinity]).count).toBe(3);
    expect(mannKendall([1, 2, 3, 4], { mask: [1, 0, 1, 1] }).count).toBe(3);
    expect(mannKendall([1, 2, 3, 4], { mask: new Uint8Array(4) }).reason).toBe('no valid pairs');
  });
  it('rejects bad alpha and non-increasing times with typed errors', () => {
    expect(() => mannKendall([1, 2, 3], { alpha: 1.5 })).toThrow(
      "Argument 'alpha' passed to 'mannKendall' must be a number in (0, 1)",
    );
    let err: unknown;
    try {
      mannKendall([1, 2, 3], { times: [2000, 2000, 2001] });
    } catch (e) {
      err = e;
    }
    expect(isMetricsError(err, 'MetricsArgumentError')).toBe(true);
    expect(() => senSlope([1, 2, 3], { times: [2000, 2001] })).toThrow("Argument 'times' passed to 'senSlope'");
  });
  it('property: reversing the series negates S and keeps Var(S) and p', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 3, maxLength: 40 }), (xs) => {
        const a = mannKendall(xs);
        const b = mannKendall([...xs].reverse());
        expect(b.s + a.s).toBe(0);
        expect(b.varS).toBe(a.varS);
        if (!Number.isNaN(a.p)) {
          expect(a.p).toBeGreaterThanOrEqual(0);
          expect(a.p).toBeLessThanOrEqual(1);
          expect(b.p).toBeCloseTo(a.p, 12);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('senSlope', () => {
  it('exact on a line, per year with ISO dates', () => {
    const times = ['2002-01-01', '2003-01-01', '2004-01-01', '2005-01-01'];
    const r = senSlope([10, 7, 4, 1], { times });
    expect(r.slope).toBeCloseTo(-3 * (365 / 365.25), 2); // calendar years differ in length; ≈ −3 per year
    const d = senSlope([10, 7, 4, 1], { times: [2002, 2003, 2004, 2005] });
    expect(d).toEqual({ slope: -3, intercept: 5.5 - -3 * 2003.5, count: 4 });
  });
  it('per step without times; undefined with fewer than 2 values', () => {
    expect(senSlope([1, 3, 5]).slope).toBe(2);
    expect(senSlope([1]).reason).toBe('fewer than 2 valid pairs');
    expect(senSlope([]).reason).toBe('no valid pairs');
  });
  it('property: slope of a + b t is b; slope is equivariant under scaling the data', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 40 }),
        fc.integer({ min: -100, max: 100 }),
        fc.integer({ min: -100, max: 100 }),
        (n, a, b) => {
          const t = Array.from({ length: n }, (_, i) => 2000 + i / 12);
          const r = senSlope(
            t.map((x) => a + b * (x - 2000)),
            { times: t },
          );
          expect(r.slope).toBeCloseTo(b, 8);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('trendTest and trendMap', () => {
  it('trendMap equals trendTest pixel by pixel, with mask and timeMask; NaN outside the mask', () => {
    const nt = 30,
      rows = 2,
      cols = 3,
      size = rows * cols;
    const data = new Float32Array(nt * size);
    for (let t = 0; t < nt; t++)
      for (let i = 0; i < size; i++)
        data[t * size + i] = (i - 2) * t + 10 * Math.sin(t * (i + 1)) + (t % 7 === i ? NaN : 0);
    const times = Array.from({ length: nt }, (_, t) => 2002.3 + t / 12);
    const mask = Uint8Array.from([1, 1, 0, 1, 1, 1]);
    const timeMask = Array.from({ length: nt }, (_, t) => (t === 5 ? 0 : 1));
    const m = trendMap({ data, shape: [nt, rows, cols] }, { times, mask, timeMask });
    for (let i = 0; i < size; i++) {
      const series = Array.from({ length: nt }, (_, t) => data[t * size + i]!);
      if (mask[i] === 0) {
        expect([m.slope[i], m.p[i], m.count[i], m.significant[i]]).toEqual([NaN, NaN, 0, 0]);
        continue;
      }
      const r = trendTest(series, { times, mask: timeMask });
      expect(m.slope[i]).toBeCloseTo(r.slope, 4);
      expect(m.p[i]).toBeCloseTo(r.p, 6);
      expect(m.count[i]).toBe(r.count);
      expect(m.significant[i]).toBe(r.significant ? 1 : 0);
    }
  });
  it('an all-NaN pixel gives NaN maps and count 0', () => {
    const m = trendMap({ data: [NaN, 1, NaN, 2, NaN, 4], shape: [3, 1, 2] });
    expect([m.slope[0], m.count[0], m.slope[1], m.count[1]]).toEqual([NaN, 0, 1.5, 3]);
  });
  it('rejects a wrong mask length and a malformed stack', () => {
    expect(() => trendMap({ data: [1, 2, 3, 4], shape: [2, 1, 2] }, { mask: [1, 1, 1] })).toThrow(
      "Shape mismatch of 'mask' in 'trendMap'",
    );
    expect(() => trendMap({ data: [1, 2, 3], shape: [2, 1, 2] })).toThrow(
      "Shape mismatch of 'stack.data' in 'trendMap': expected [4], got [3]",
    );
  });
});
