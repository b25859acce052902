/**
 * Data augmentation by the 8 symmetries of a square (the dihedral group D4: identity, three rotations, two flips and
 * two transposes), applied identically to input, target and mask frames, on training samples only, seeded.
 */
import { createRng, type FrameStack, type GridArray } from '@twsa/grid';
import { DatasetsArgumentError } from './errors.js';
import { assertLabels, type SplitLabel } from './split.js';

/**
 * One of the 8 dihedral transforms of a frame (numpy conventions; row 0 is the top/north row):
 * - `"identity"`;
 * - `"rot90"`: 90° counter-clockwise (`np.rot90(a, 1)`), `out[r][c] = in[c][n−1−r]`;
 * - `"rot180"`: `out[r][c] = in[n−1−r][n−1−c]`;
 * - `"rot270"`: 90° clockwise (`np.rot90(a, 3)`), `out[r][c] = in[n−1−c][r]`;
 * - `"flipLR"`: mirror left–right (`np.fliplr`), `out[r][c] = in[r][n−1−c]`;
 * - `"flipUD"`: mirror up–down (`np.flipud`), `out[r][c] = in[n−1−r][c]`;
 * - `"transpose"`: about the main diagonal, `out[r][c] = in[c][r]`;
 * - `"antiTranspose"`: about the anti-diagonal, `out[r][c] = in[n−1−c][n−1−r]`.
 */
export type DihedralTransform =
  'identity' | 'rot90' | 'rot180' | 'rot270' | 'flipLR' | 'flipUD' | 'transpose' | 'antiTranspose';

/** The 8 transforms, identity first. */
export const DIHEDRAL_TRANSFORMS: readonly DihedralTransform[] = [
  'identity',
  'rot90',
  'rot180',
  'rot270',
  'flipLR',
  'flipUD',
  'transpose',
  'antiTranspose',
];

/** Transforms that keep a non-square frame's shape. */
const RECTANGLE_SAFE: readonly DihedralTransform[] = ['identity', 'rot180', 'flipLR', 'flipUD'];

/** Source (row, col) of output (r, c) for a transform of a rows×cols frame (square unless rectangle-safe). */
function sourceIndex(t: DihedralTransform, r: number, c: number, rows: number, cols: number): number {
  switch (t) {
    case 'identity':
      return r * cols + c;
    case 'rot90':
      return c * cols + (rows - 1 - r);
    case 'rot180':
      return (rows - 1 - r) * cols + (cols - 1 - c);
    case 'rot270':
      return (rows - 1 - c) * cols + r;
    case 'flipLR':
      return r * cols + (cols - 1 - c);
    case 'flipUD':
      return (rows - 1 - r) * cols + c;
    case 'transpose':
      return c * cols + r;
    case 'antiTranspose':
      return (rows - 1 - c) * cols + (cols - 1 - r);
  }
}

function assertTransform(t: unknown, argument: string, fn: string): asserts t is DihedralTransform {
  if (!(DIHEDRAL_TRANSFORMS as readonly unknown[]).includes(t))
    throw new DatasetsArgumentError(argument, fn, `one of ${DIHEDRAL_TRANSFORMS.join(', ')}`, JSON.stringify(t));
}

function assertFrames(stack: unknown, argument: string, fn: string): [number, number, number] {
  const s = stack as FrameStack<GridArray> | null;
  if (
    !s ||
    typeof s !== 'object' ||
    !ArrayBuffer.isView(s.data) ||
    !Array.isArray(s.shape) ||
    s.shape.length !== 3 ||
    !s.shape.every((v) => Number.isInteger(v) && v >= 0)
  ) {
    throw new DatasetsArgumentError(
      argument,
      fn,
      'frames { data: typed array, shape: [n, rows, cols] }',
      s === null ? 'null' : typeof s,
    );
  }
  const [n, rows, cols] = s.shape;
  if (s.data.length !== n * rows * cols)
    throw new DatasetsArgumentError(
      `${argument}.data`,
      fn,
      `${n * rows * cols} values for shape [${n}, ${rows}, ${cols}]`,
      `${s.data.length}`,
    );
  return [n, rows, cols];
}

/** A lookup table: output index → source index within one frame. */
function permutation(t: DihedralTransform, rows: number, cols: number, fn: string): Int32Array {
  if (rows !== cols && !RECTANGLE_SAFE.includes(t))
    throw new DatasetsArgumentError(
      'transform',
      fn,
      `one of ${RECTANGLE_SAFE.join(', ')} for a non-square ${rows}×${cols} frame`,
      `"${t}"`,
    );
  const p = new Int32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) p[r * cols + c] = sourceIndex(t, r, c, rows, cols);
  return p;
}

function newLike<T extends GridArray>(a: T, length: number): T {
  return new (a.constructor as new (n: number) => T)(length);
}

/**
 * Applies one dihedral transform to every frame of a `[n, rows, cols]` stack.
 *
 * @param frames - `{ data, shape: [n, rows, cols] }`.
 * @param transform - A {@link DihedralTransform}; rotations and transposes need square frames.
 * @param out - Optional output array of the same type and length (must not alias `frames.data`).
 * @returns A new `{ data, shape }` (rows and cols are unchanged: frames are square or the transform keeps the shape).
 * @throws {@link DatasetsArgumentError} for an unknown transform, a non-square frame with a rotation, or a bad `out`.
 * @example
 * ```ts
 * const f = { data: Float32Array.from([1, 2, 3, 4]), shape: [1, 2, 2] as const };
 * Array.from(transformFrames(f, "rot90").data); // => [2, 4, 1, 3]
 * Array.from(transformFrames(f, "flipLR").data); // => [2, 1, 4, 3]
 * ```
 */
export function transformFrames<T extends GridArray>(
  frames: FrameStack<T>,
  transform: DihedralTransform,
  out?: T,
): FrameStack<T> {
  const fn = 'transformFrames';
  const [n, rows, cols] = assertFrames(frames, 'frames', fn);
  assertTransform(transform, 'transform', fn);
  const perm = permutation(transform, rows, cols, fn);
  const size = rows * cols;
  if (
    out !== undefined &&
    (out.length !== n * size || out.constructor !== frames.data.constructor || out.buffer === frames.data.buffer)
  ) {
    throw new DatasetsArgumentError(
      'out',
      fn,
      `a separate ${frames.data.constructor.name} of length ${n * size}`,
      `${out.constructor.name} of length ${out.length}`,
    );
  }
  const data = out ?? newLike(frames.data, n * size);
  for (let k = 0; k < n; k++) {
    const base = k * size;
    for (let i = 0; i < size; i++) data[base + i] = frames.data[base + perm[i]!]!;
  }
  return { data, shape: [n, rows, cols] };
}

/** Composition table computed by applying transforms to a 3×3 frame of distinct values. */
function identify(values: Int32Array): DihedralTransform {
  for (const t of DIHEDRAL_TRANSFORMS) {
    const p = permutation(t, 3, 3, 'composeDihedral');
    if (p.every((v, i) => v === values[i])) return t;
  }
  throw new Error('unreachable: D4 is closed under composition');
}

/**
 * The transform equal to applying `first`, then `second`.
 *
 * @param first - Applied first.
 * @param second - Applied second.
 * @returns Their composition (D4 is closed, so it is one of the 8).
 * @throws {@link DatasetsArgumentError} for an unknown transform.
 * @example
 * ```ts
 * composeDihedral("rot90", "rot90"); // => "rot180"
 * composeDihedral("flipLR", "rot90"); // => "transpose"
 * ```
 */
export function composeDihedral(first: DihedralTransform, second: DihedralTransform): DihedralTransform {
  assertTransform(first, 'first', 'composeDihedral');
  assertTransform(second, 'second', 'composeDihedral');
  const ids = Int32Array.from({ length: 9 }, (_, i) => i);
  const p1 = permutation(first, 3, 3, 'composeDihedral');
  const p2 = permutation(second, 3, 3, 'composeDihedral');
  const a = ids.map((_, i) => ids[p1[i]!]!);
  const b = a.map((_, i) => a[p2[i]!]!);
  return identify(b);
}

/**
 * The transform that undoes `transform` (e.g. to map a prediction on an augmented frame back).
 *
 * @param transform - A {@link DihedralTransform}.
 * @returns Its inverse: `rot90` ↔ `rot270`; every other transform is its own inverse.
 * @throws {@link DatasetsArgumentError} for an unknown transform.
 * @example
 * ```ts
 * inverseDihedral("rot90"); // => "rot270"
 * inverseDihedral("transpose"); // => "transpose"
 * ```
 */
export function inverseDihedral(transform: DihedralTransform): DihedralTransform {
  assertTransform(transform, 'transform', 'inverseDihedral');
  return transform === 'rot90' ? 'rot270' : transform === 'rot270' ? 'rot90' : transform;
}

/** Samples to augment: frames of the same `[n, rows, cols]` shape and one split label per sample. */
export interface AugmentSamples<
  I extends GridArray = Float32Array,
  T extends GridArray = Float32Array,
  M extends GridArray = Uint8Array,
> {
  /** Model input frames, e.g. scaled LSM TWSA. */
  readonly input: FrameStack<I>;
  /** Target frames, e.g. scaled GRACE TWSA. */
  readonly target: FrameStack<T>;
  /** Optional per-sample validity/land mask frames. */
  readonly mask?: FrameStack<M>;
  /** One label per sample; only `"train"` samples are augmented. */
  readonly labels: readonly SplitLabel[];
}

/** Options of {@link augmentSamples}. */
export interface AugmentOptions {
  /**
   * `"all8"`: every training sample becomes 8 samples (each transform in {@link DIHEDRAL_TRANSFORMS} order).
   * `"random"`: every training sample gets one transform drawn uniformly from `transforms` (call once per epoch
   * with a different `epoch`).
   */
  readonly mode: 'all8' | 'random';
  /** Seed of the random mode (integer). Default `0`. */
  readonly seed?: number;
  /** Epoch number, mixed into the seed so each epoch draws new transforms reproducibly. Default `0`. */
  readonly epoch?: number;
  /** Transforms to draw from in random mode. Default: all 8. */
  readonly transforms?: readonly DihedralTransform[];
}

/** Result of {@link augmentSamples}: the augmented frames, with the label, source sample and transform of each. */
export interface AugmentResult<
  I extends GridArray = Float32Array,
  T extends GridArray = Float32Array,
  M extends GridArray = Uint8Array,
> {
  readonly input: FrameStack<I>;
  readonly target: FrameStack<T>;
  readonly mask?: FrameStack<M>;
  /** Label of each output sample (that of its source). */
  readonly labels: SplitLabel[];
  /** Index of the source sample of each output sample. */
  readonly source: Int32Array;
  /** Transform applied to each output sample (`"identity"` for non-training samples). */
  readonly transforms: DihedralTransform[];
}

/** 32-bit integer hash (murmur3 finaliser) used to mix seed and epoch. */
function mix32(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Augments the training samples with dihedral transforms, applying the *same* transform to a sample's input,
 * target and mask so they stay aligned pixel for pixel. Samples labelled anything but `"train"` are passed
 * through once, untransformed, so labels keep travelling with the data and evaluation is never augmented.
 *
 * ## Method
 * Output order follows the input order; in `"all8"` mode a training sample expands in place to 8 consecutive
 * samples. In `"random"` mode the transform of training sample i is drawn from `createRng` of @twsa/grid (mulberry32) seeded with
 * `mix32(seed) ^ mix32(epoch + 0x632be5ab)`, one draw per training sample in order.
 *
 * @param samples - {@link AugmentSamples}.
 * @param options - {@link AugmentOptions}.
 * @returns {@link AugmentResult}.
 * @throws {@link DatasetsArgumentError} when shapes or label counts disagree, frames are not square, or options are invalid.
 * @example
 * ```ts
 * const input = { data: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]), shape: [2, 2, 2] as const };
 * const target = { data: Float32Array.from([10, 20, 30, 40, 50, 60, 70, 80]), shape: [2, 2, 2] as const };
 * const r = augmentSamples({ input, target, labels: ["train", "test"] }, { mode: "all8" });
 * r.labels.length; // => 9
 * r.transforms[1]; // => "rot90"
 * Array.from(r.target.data.subarray(4, 8)); // => [20, 40, 10, 30]
 * Array.from(r.source); // => [0, 0, 0, 0, 0, 0, 0, 0, 1]
 * ```
 */
export function augmentSamples<I extends GridArray, T extends GridArray, M extends GridArray>(
  samples: AugmentSamples<I, T, M>,
  options: AugmentOptions,
): AugmentResult<I, T, M> {
  const fn = 'augmentSamples';
  if (!samples || typeof samples !== 'object')
    throw new DatasetsArgumentError('samples', fn, 'an object { input, target, mask?, labels }', String(samples));
  const [n, rows, cols] = assertFrames(samples.input, 'samples.input', fn);
  const shapes: [string, FrameStack<GridArray> | undefined][] = [
    ['samples.target', samples.target],
    ['samples.mask', samples.mask],
  ];
  for (const [name, s] of shapes) {
    if (s === undefined && name === 'samples.mask') continue;
    const sh = assertFrames(s, name, fn);
    if (sh[0] !== n || sh[1] !== rows || sh[2] !== cols)
      throw new DatasetsArgumentError(
        `${name}.shape`,
        fn,
        `[${n}, ${rows}, ${cols}] like samples.input`,
        `[${sh.join(', ')}]`,
      );
  }
  assertLabels(samples.labels, 'samples.labels', fn);
  if (samples.labels.length !== n)
    throw new DatasetsArgumentError('samples.labels', fn, `${n} labels (one per sample)`, `${samples.labels.length}`);
  const mode = options?.mode;
  if (mode !== 'all8' && mode !== 'random')
    throw new DatasetsArgumentError('mode', fn, '"all8" or "random"', JSON.stringify(mode));
  const seed = options.seed ?? 0;
  const epoch = options.epoch ?? 0;
  if (!Number.isInteger(seed)) throw new DatasetsArgumentError('seed', fn, 'an integer', String(seed));
  if (!Number.isInteger(epoch) || epoch < 0)
    throw new DatasetsArgumentError('epoch', fn, 'a non-negative integer', String(epoch));
  const pool = options.transforms ?? DIHEDRAL_TRANSFORMS;
  if (!Array.isArray(pool) || pool.length === 0)
    throw new DatasetsArgumentError('transforms', fn, 'a non-empty list of dihedral transforms', JSON.stringify(pool));
  pool.forEach((t, i) => assertTransform(t, `transforms[${i}]`, fn));
  const needed = mode === 'all8' ? DIHEDRAL_TRANSFORMS : pool;
  if (rows !== cols && samples.labels.includes('train')) {
    const bad = needed.find((t) => !RECTANGLE_SAFE.includes(t));
    if (bad !== undefined)
      throw new DatasetsArgumentError(
        'samples.input.shape',
        fn,
        `square frames for "${bad}"`,
        `[${n}, ${rows}, ${cols}]`,
      );
  }

  // Plan: (source sample, transform) per output sample.
  const plan: { source: number; transform: DihedralTransform }[] = [];
  const rng = createRng(mix32(seed) ^ mix32(epoch + 0x632be5ab));
  for (let i = 0; i < n; i++) {
    if (samples.labels[i] !== 'train') {
      plan.push({ source: i, transform: 'identity' });
      continue;
    }
    if (mode === 'all8') for (const t of DIHEDRAL_TRANSFORMS) plan.push({ source: i, transform: t });
    else plan.push({ source: i, transform: pool[Math.min(pool.length - 1, Math.floor(rng.next() * pool.length))]! });
  }

  const size = rows * cols;
  const perms = new Map<DihedralTransform, Int32Array>();
  const permOf = (t: DihedralTransform): Int32Array => {
    let p = perms.get(t);
    if (p === undefined) {
      p = permutation(t, rows, cols, fn);
      perms.set(t, p);
    }
    return p;
  };
  const build = <A extends GridArray>(s: FrameStack<A>): FrameStack<A> => {
    const data = newLike(s.data, plan.length * size);
    plan.forEach(({ source, transform }, k) => {
      const perm = permOf(transform);
      const src = source * size,
        dst = k * size;
      for (let i = 0; i < size; i++) data[dst + i] = s.data[src + perm[i]!]!;
    });
    return { data, shape: [plan.length, rows, cols] };
  };
  return {
    input: build(samples.input),
    target: build(samples.target),
    ...(samples.mask !== undefined ? { mask: build(samples.mask) } : {}),
    labels: plan.map((p) => samples.labels[p.source]!),
    source: Int32Array.from(plan, (p) => p.source),
    transforms: plan.map((p) => p.transform),
  };
}
