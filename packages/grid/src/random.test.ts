import { createRng } from './random.js';

describe('createRng', () => {
  it('is mulberry32: the stream and permutations the models and datasets packages recorded runs with', () => {
    // Values of the generator models/src/internal/rng.ts had before it moved here (bit-identical streams).
    const r = createRng(42);
    expect([r.nextUint32(), r.nextUint32(), r.nextUint32()]).toEqual([2581720956, 1925393290, 3661312704]);
    expect(createRng(7).permutation(8)).toEqual([4, 6, 1, 2, 3, 5, 7, 0]);
  });
  it('resumes the same stream from a saved state, and next() is in [0, 1)', () => {
    const r = createRng(2 ** 32 + 5);
    expect(r.state).toBe(5);
    r.next();
    const saved = r.state;
    const a = [r.next(), r.next()];
    r.state = saved;
    expect([r.next(), r.next()]).toEqual(a);
    for (let i = 0; i < 1000; i++) {
      const x = r.next();
      expect(x >= 0 && x < 1).toBe(true);
    }
  });
});
