/**
 * The seeded random-number generator of the monorepo: mulberry32, whose whole state is one uint32, so a run
 * can store it (training checkpoints do) and resume the exact same stream.
 */

/** A seeded generator; `state` may be read and set to save and restore the stream. */
export interface Rng {
  /** The whole generator state (a uint32). Setting it resumes the stream from that point. */
  state: number;
  /** Next uint32 of the stream. */
  nextUint32(): number;
  /** Next number of the stream, uniform in [0, 1). */
  next(): number;
  /** A uniformly random permutation of `0 … n − 1` (Fisher–Yates, drawing `n − 1` numbers). */
  permutation(n: number): number[];
}

class Mulberry32 implements Rng {
  state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  next(): number {
    return this.nextUint32() / 4294967296;
  }
  permutation(n: number): number[] {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }
}

/**
 * Creates a seeded generator: the same seed gives the same stream on every platform.
 *
 * ## Method
 * mulberry32 (Tommy Ettinger, public domain): a 32-bit state advanced by the constant `0x6D2B79F5` and
 * scrambled by two multiply–xorshift rounds. Fast and small; good enough for shuffling, dropout seeds and
 * augmentation draws, not for cryptography. The seed is taken modulo 2³².
 *
 * @param seed - any number; `seed >>> 0` is the initial state
 * @returns a new {@link Rng}
 * @example
 * ```ts
 * const rng = createRng(42);
 * const saved = rng.state;
 * const a = rng.next();
 * rng.state = saved;
 * rng.next() === a; // => true
 * ```
 */
export function createRng(seed: number): Rng {
  return new Mulberry32(seed);
}
