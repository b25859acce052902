import { annualHarmonic, annualHarmonicMap, decimalYear, removeSeasonalCycle } from '@twsa/metrics';

const monthly = (n: number, start = 2003): number[] => Array.from({ length: n }, (_, i) => start + (i + 0.5) / 12);

describe('annualHarmonic', () => {
  it('recovers amplitude, phase, trend and mean of a noiseless signal with gaps', () => {
    const times = monthly(60);
    const y = times.map((t, i) =>
      i % 9 === 4 ? NaN : 20 - 3 * (t - 2005.5) + 80 * Math.cos(2 * Math.PI * (t - 0.62)),
    );
    const h = annualHarmonic(y, { times });
    expect(h.amplitude).toBeCloseTo(80, 9);
    expect(h.peakYearFraction).toBeCloseTo(0.62, 9);
    expect(h.peakMonth).toBe(8); // 0.62 · 12 = 7.44 → August
    expect(h.peakDayOfYear).toBeCloseTo(1 + 0.62 * 365.25, 6);
    expect(h.trend).toBeCloseTo(-3, 9);
    expect(h.mean).toBeCloseTo(20 - 3 * (h.t0 - 2005.5), 6);
    expect(h.residualRms).toBeLessThan(1e-8);
    expect(h.count).toBe(60 - 7);
  });
  it('accepts ISO dates (phase relative to 1 January)', () => {
    const iso = Array.from(
      { length: 24 },
      (_, i) => `${2010 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}-15`,
    );
    const t = iso.map(decimalYear);
    const h = annualHarmonic(
      t.map((x) => Math.sin(2 * Math.PI * x)),
      { times: iso },
    );
    expect(h.amplitude).toBeCloseTo(1, 9);
    expect(h.peakMonth).toBe(4); // sin peaks at a quarter of the year: 1 April
  });
  it('undefined cases: too few values, all in one month of the year, all-NaN', () => {
    expect(annualHarmonic([1, 2, 3, 4], { times: [2000, 2001, 2002, 2003] }).reason).toBe('fewer than 5 valid values');
    expect(annualHarmonic([1, 2, 3, 4, 5, 6], { times: [2000, 2001, 2002, 2003, 2004, 2005] }).reason).toBe(
      'singular design',
    );
    const n = annualHarmonic(new Float32Array(12).fill(NaN), { times: monthly(12) });
    expect([n.reason, n.count, n.amplitude]).toEqual(['no valid pairs', 0, NaN]);
  });
  it('requires times', () => {
    expect(() => annualHarmonic([1, 2, 3], undefined as unknown as { times: number[] })).toThrow(
      "Argument 'options.times' passed to 'annualHarmonic'",
    );
  });
});

describe('annualHarmonicMap', () => {
  it('matches annualHarmonic per pixel and leaves masked pixels NaN', () => {
    const times = monthly(36);
    const size = 3;
    const data = new Float64Array(36 * size);
    for (let t = 0; t < 36; t++)
      for (let i = 0; i < size; i++)
        data[t * size + i] = (i + 1) * 10 * Math.cos(2 * Math.PI * (times[t]! - 0.1 * i)) + Math.sin(7 * t);
    const m = annualHarmonicMap({ data, shape: [36, 1, size] }, { times, mask: [1, 0, 1] });
    for (const i of [0, 2]) {
      const h = annualHarmonic(
        Array.from({ length: 36 }, (_, t) => data[t * size + i]!),
        { times },
      );
      expect(m.amplitude[i]).toBeCloseTo(h.amplitude, 4);
      expect(m.peakMonth[i]).toBe(h.peakMonth);
    }
    expect([m.amplitude[1], m.peakMonth[1], m.count[1]]).toEqual([NaN, 0, 0]);
  });
});

describe('removeSeasonalCycle', () => {
  it('removes the cycle fitted on the fit steps only, keeps mean, trend and the rest, NaN outside the mask', () => {
    const times = monthly(48);
    const fit = times.map((_, i) => (i >= 12 && i < 36 ? 1 : 0));
    // Pixel 0: cycle + trend + a test-period anomaly the fit must not see; pixel 1: masked out.
    const anomaly = (i: number): number => (i >= 40 ? 50 : 0);
    const data = times.flatMap((t, i) => [5 + 2 * (t - 2005) + 30 * Math.sin(2 * Math.PI * t) + anomaly(i), 7]);
    const r = removeSeasonalCycle({ data, shape: [48, 1, 2] }, { times, fitMask: fit, mask: [1, 0] });
    expect(r.amplitude[0]).toBeCloseTo(30, 4);
    times.forEach((t, i) => expect(r.data[i * 2]).toBeCloseTo(5 + 2 * (t - 2005) + anomaly(i), 3));
    expect(Number.isNaN(r.data[1]!)).toBe(true);
    expect(Number.isNaN(r.amplitude[1]!)).toBe(true);
    // Fitting on every step instead lets the anomaly leak into the cycle.
    const all = removeSeasonalCycle({ data, shape: [48, 1, 2] }, { times });
    expect(Math.abs(all.amplitude[0]! - 30)).toBeGreaterThan(0.1);
  });
  it('leaves NaN where a pixel has fewer than 5 fit values', () => {
    const times = monthly(12);
    const r = removeSeasonalCycle(
      { data: times.map(() => 1), shape: [12, 1, 1] },
      { times, fitMask: times.map((_, i) => (i < 4 ? 1 : 0)) },
    );
    expect(Array.from(r.data).every(Number.isNaN)).toBe(true);
  });
});
