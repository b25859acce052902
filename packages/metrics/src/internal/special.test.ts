import fc from 'fast-check';
import { erfc, medianInPlace, twoSidedNormalP } from './special.js';

describe('erfc', () => {
  it('matches reference values (scipy.special.erfc) to 1e-14 relative', () => {
    const ref: [number, number][] = [
      [0, 1],
      [0.1, 0.8875370839817152],
      [0.5, 0.4795001221869535],
      [1, 0.15729920705028513],
      [2, 0.004677734981047266],
      [2.5, 0.000406952017444959],
      [3, 2.209049699858544e-5],
      [5, 1.5374597944280349e-12],
      [-1, 1.8427007929497148],
    ];
    for (const [x, v] of ref) expect(Math.abs(erfc(x) - v) / v).toBeLessThan(1e-13);
  });
  it('two-sided normal p: 1.959963984540054 → 0.05', () => {
    expect(twoSidedNormalP(1.959963984540054)).toBeCloseTo(0.05, 14);
    expect(twoSidedNormalP(0)).toBe(1);
    expect(Number.isNaN(twoSidedNormalP(NaN))).toBe(true);
  });
});

describe('medianInPlace', () => {
  it('odd, even, empty', () => {
    expect(medianInPlace(Float64Array.from([3, 1, 2]), 3)).toBe(2);
    expect(medianInPlace(Float64Array.from([4, 1, 3, 2, 99]), 4)).toBe(2.5);
    expect(medianInPlace(new Float64Array(0), 0)).toBeNaN();
    expect(medianInPlace(Float64Array.from([5, 5, 5, 5]), 4)).toBe(5);
  });
  it('equals the sort-based median on random data with many ties', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 0, max: 10 }),
        (xs, extra) => {
          const buf = Float64Array.from([...xs, ...Array(extra).fill(99)]);
          const sorted = [...xs].sort((a, b) => a - b);
          const h = xs.length >> 1;
          const expected = xs.length % 2 ? sorted[h]! : (sorted[h - 1]! + sorted[h]!) / 2;
          expect(medianInPlace(buf, xs.length)).toBe(expected);
          expect(buf.subarray(xs.length).every((v) => v === 99)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
