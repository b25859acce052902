import type { FrameStack } from '@twsa/grid';
import fc from 'fast-check';
import {
  augmentSamples,
  composeDihedral,
  DIHEDRAL_TRANSFORMS,
  inverseDihedral,
  transformFrames,
  type DihedralTransform,
} from '@twsa/datasets';

const frame = (n: number, size: number): Float32Array => Float32Array.from({ length: n * size * size }, (_, i) => i);

/** numpy reference semantics written out for a square frame. */
function reference(t: DihedralTransform, a: number[][]): number[][] {
  const n = a.length;
  const at = (r: number, c: number): number => a[r]![c]!;
  return a.map((row, r) =>
    row.map((_, c) => {
      switch (t) {
        case 'identity':
          return at(r, c);
        case 'rot90':
          return at(c, n - 1 - r);
        case 'rot180':
          return at(n - 1 - r, n - 1 - c);
        case 'rot270':
          return at(n - 1 - c, r);
        case 'flipLR':
          return at(r, n - 1 - c);
        case 'flipUD':
          return at(n - 1 - r, c);
        case 'transpose':
          return at(c, r);
        case 'antiTranspose':
          return at(n - 1 - c, n - 1 - r);
      }
    }),
  );
}

describe('dihedral transforms', () => {
  it('match numpy (np.rot90, fliplr, flipud, .T) on a 3×3 frame', () => {
    // np.rot90([[0,1,2],[3,4,5],[6,7,8]]) = [[2,5,8],[1,4,7],[0,3,6]]
    expect(Array.from(transformFrames({ data: frame(1, 3), shape: [1, 3, 3] }, 'rot90').data)).toEqual([
      2, 5, 8, 1, 4, 7, 0, 3, 6,
    ]);
    expect(Array.from(transformFrames({ data: frame(1, 3), shape: [1, 3, 3] }, 'antiTranspose').data)).toEqual([
      8, 5, 2, 7, 4, 1, 6, 3, 0,
    ]);
    const a = [
      [0, 1, 2],
      [3, 4, 5],
      [6, 7, 8],
    ];
    for (const t of DIHEDRAL_TRANSFORMS)
      expect(Array.from(transformFrames({ data: frame(1, 3), shape: [1, 3, 3] }, t).data)).toEqual(
        reference(t, a).flat(),
      );
  });
  it('group law: rot90 four times is the identity; every element has its inverse; the 8 images are distinct', () => {
    const f: FrameStack<Float32Array> = { data: frame(2, 5), shape: [2, 5, 5] };
    let g = f;
    for (let i = 0; i < 4; i++) g = transformFrames(g, 'rot90');
    expect(Array.from(g.data)).toEqual(Array.from(f.data));
    for (const t of DIHEDRAL_TRANSFORMS) {
      expect(Array.from(transformFrames(transformFrames(f, t), inverseDihedral(t)).data)).toEqual(Array.from(f.data));
      expect(composeDihedral(t, inverseDihedral(t))).toBe('identity');
    }
    const images = new Set(DIHEDRAL_TRANSFORMS.map((t) => Array.from(transformFrames(f, t).data).join(',')));
    expect(images.size).toBe(8);
  });
  it('composition agrees with applying transforms in turn (closure, associativity)', () => {
    const f = { data: frame(1, 4), shape: [1, 4, 4] as const };
    for (const a of DIHEDRAL_TRANSFORMS)
      for (const b of DIHEDRAL_TRANSFORMS) {
        expect(Array.from(transformFrames(transformFrames(f, a), b).data)).toEqual(
          Array.from(transformFrames(f, composeDihedral(a, b)).data),
        );
      }
    expect(composeDihedral('rot90', 'rot270')).toBe('identity');
    expect(composeDihedral('flipLR', 'flipUD')).toBe('rot180');
  });
  it('non-square frames: flips and rot180 work, rotations throw', () => {
    const f = { data: Float32Array.from([1, 2, 3, 4, 5, 6]), shape: [1, 2, 3] as const };
    expect(Array.from(transformFrames(f, 'flipLR').data)).toEqual([3, 2, 1, 6, 5, 4]);
    expect(Array.from(transformFrames(f, 'rot180').data)).toEqual([6, 5, 4, 3, 2, 1]);
    expect(() => transformFrames(f, 'rot90')).toThrow(
      "Argument 'transform' passed to 'transformFrames' must be one of identity, rot180, flipLR, flipUD for a non-square 2×3 frame",
    );
  });
  it('keeps the array type (Uint8 masks stay Uint8)', () => {
    const m = transformFrames({ data: Uint8Array.from([1, 0, 0, 0]), shape: [1, 2, 2] }, 'rot270');
    expect(m.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(m.data)).toEqual([0, 1, 0, 0]);
  });
});

describe('augmentSamples', () => {
  // input = pixel id, target = 2 · id + 1000 · sample, mask = id parity: alignment means these relations survive.
  const n = 4,
    s = 6,
    size = s * s;
  const input = {
    data: Float32Array.from({ length: n * size }, (_, i) => (i % size) + 100 * Math.floor(i / size)),
    shape: [n, s, s] as const,
  };
  const target = { data: Float32Array.from(input.data, (v) => 2 * v + 7), shape: [n, s, s] as const };
  const mask = { data: Uint8Array.from(input.data, (v) => v % 2), shape: [n, s, s] as const };
  const labels = ['test', 'train', 'train', 'validation'] as const;

  function expectAligned(r: ReturnType<typeof augmentSamples<Float32Array, Float32Array, Uint8Array>>): void {
    let bad = -1;
    for (let i = 0; i < r.input.data.length && bad < 0; i++) {
      if (r.target.data[i] !== 2 * r.input.data[i]! + 7 || r.mask!.data[i] !== r.input.data[i]! % 2) bad = i;
    }
    expect(bad).toBe(-1);
    // Each output frame is the declared transform of its source frame.
    r.transforms.forEach((t, k) => {
      const src = r.source[k]!;
      const expected = transformFrames(
        { data: input.data.subarray(src * size, (src + 1) * size), shape: [1, s, s] },
        t,
      ).data;
      expect(r.input.data.subarray(k * size, (k + 1) * size).every((v, i) => v === expected[i])).toBe(true);
    });
  }

  it('all8: training samples ×8 in place, others once untransformed; labels and sources carried', () => {
    const r = augmentSamples({ input, target, mask, labels: [...labels] }, { mode: 'all8' });
    expect(r.labels).toEqual(['test', ...Array(8).fill('train'), ...Array(8).fill('train'), 'validation']);
    expect(Array.from(r.source)).toEqual([0, ...Array(8).fill(1), ...Array(8).fill(2), 3]);
    expect(r.transforms.slice(1, 9)).toEqual([...DIHEDRAL_TRANSFORMS]);
    expect(r.transforms[0]).toBe('identity');
    expect(r.input.shape).toEqual([18, s, s]);
    expectAligned(r);
  });
  it('random: one transform per training sample, reproducible by seed and epoch', () => {
    const a = augmentSamples({ input, target, mask, labels: [...labels] }, { mode: 'random', seed: 42, epoch: 3 });
    const b = augmentSamples({ input, target, mask, labels: [...labels] }, { mode: 'random', seed: 42, epoch: 3 });
    expect(a.transforms).toEqual(b.transforms);
    expect(Array.from(a.input.data)).toEqual(Array.from(b.input.data));
    expect(a.labels).toEqual([...labels]);
    expect([a.transforms[0], a.transforms[3]]).toEqual(['identity', 'identity']);
    expectAligned(a);
  });
  it('random draws are uniform over the pool and vary with the epoch', () => {
    const many = 4000;
    const big = { data: new Float32Array(many * 4), shape: [many, 2, 2] as const };
    const lab = Array(many).fill('train');
    const counts = new Map<string, number>();
    const r = augmentSamples({ input: big, target: big, labels: lab }, { mode: 'random', seed: 1 });
    for (const t of r.transforms) counts.set(t, (counts.get(t) ?? 0) + 1);
    expect(counts.size).toBe(8);
    for (const c of counts.values()) expect(Math.abs(c - many / 8)).toBeLessThan(5 * Math.sqrt((many / 8) * (7 / 8))); // 5σ
    const r2 = augmentSamples({ input: big, target: big, labels: lab }, { mode: 'random', seed: 1, epoch: 1 });
    expect(r2.transforms).not.toEqual(r.transforms);
    const sub = augmentSamples(
      { input: big, target: big, labels: lab },
      { mode: 'random', seed: 1, transforms: ['flipLR', 'flipUD'] },
    );
    expect(new Set(sub.transforms)).toEqual(new Set(['flipLR', 'flipUD']));
  });
  it('property: any seed keeps input/target/mask aligned', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.array(fc.constantFrom('train', 'test'), { minLength: n, maxLength: n }),
        (seed, labs) => {
          expectAligned(
            augmentSamples({ input, target, mask, labels: labs as ('train' | 'test')[] }, { mode: 'random', seed }),
          );
        },
      ),
      { numRuns: 30 },
    );
  });
  it('rejects mismatched shapes, label counts, modes and seeds', () => {
    const small = { data: new Float32Array(3 * size), shape: [3, s, s] as const };
    expect(() => augmentSamples({ input, target: small, labels: [...labels] }, { mode: 'all8' })).toThrow(
      "Argument 'samples.target.shape' passed to 'augmentSamples' must be [4, 6, 6] like samples.input",
    );
    expect(() => augmentSamples({ input, target, labels: ['train'] }, { mode: 'all8' })).toThrow(
      "Argument 'samples.labels'",
    );
    expect(() => augmentSamples({ input, target, labels: [...labels] }, { mode: 'some' as 'all8' })).toThrow(
      "Argument 'mode'",
    );
    expect(() => augmentSamples({ input, target, labels: [...labels] }, { mode: 'random', seed: 0.5 })).toThrow(
      "Argument 'seed'",
    );
    const rect = { data: new Float32Array(6), shape: [1, 2, 3] as const };
    expect(() => augmentSamples({ input: rect, target: rect, labels: ['train'] }, { mode: 'all8' })).toThrow(
      'square frames for "rot90"',
    );
    expect(
      augmentSamples({ input: rect, target: rect, labels: ['train'] }, { mode: 'random', transforms: ['flipLR'] })
        .transforms,
    ).toEqual(['flipLR']);
  });
});
