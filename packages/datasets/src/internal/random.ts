/** Seeded pseudo-random numbers (no global state). Internal. */

// Math functions bound once: inside Jest's vm context every global lookup in a hot loop is slow.
const { sqrt, log, cos, sin, PI } = Math;
const NaN_ = Number.NaN;

/** A uniform generator on [0, 1) and a standard-normal generator sharing one seeded stream. */
export interface Random {
  readonly uniform: () => number;
  readonly normal: () => number;
  /** Fills `out` with standard-normal deviates (bulk, fast path; same stream as `normal`). */
  readonly fillNormal: (out: Float64Array) => void;
}

/**
 * sfc32 seeded through splitmix32 (both public-domain designs): fast, 128-bit state, good statistical quality for
 * simulation. `normal` uses the Box–Muller transform and caches the second deviate.
 */
export function createRandom(seed: number): Random {
  let s = (Math.floor(seed) >>> 0) ^ 0x9e3779b9;
  const split = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split(),
    b = split(),
    c = split(),
    d = split();
  const uniform = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  for (let i = 0; i < 12; i++) uniform();
  let spare = NaN_;
  const normal = (): number => {
    if (spare === spare) {
      const v = spare;
      spare = NaN_;
      return v;
    }
    let u = 0;
    while (u <= 1e-300) u = uniform();
    const v = uniform();
    const r = sqrt(-2 * log(u));
    spare = r * sin(2 * PI * v);
    return r * cos(2 * PI * v);
  };
  const fillNormal = (out: Float64Array): void => {
    const n = out.length;
    let i = 0;
    if (spare === spare && n > 0) {
      out[i++] = spare;
      spare = NaN_;
    }
    for (; i < n; i += 2) {
      let u = 0;
      while (u <= 1e-300) u = uniform();
      const v = uniform();
      const r = sqrt(-2 * log(u));
      out[i] = r * cos(2 * PI * v);
      if (i + 1 < n) out[i + 1] = r * sin(2 * PI * v);
      else spare = r * sin(2 * PI * v);
    }
  };
  return { uniform, normal, fillNormal };
}

/**
 * A smoothing operator for white-noise fields on a `rows × cols` grid: Gaussian kernel of standard deviation
 * `sigmaCells`, applied on a grid padded by 3σ so every cell of the result has exactly unit variance when the input
 * is unit white noise (kernel normalised to Σk² = 1 in 2-D).
 */
export interface SmoothField {
  /** Cells of the padded white-noise field the operator consumes. */
  readonly paddedSize: number;
  /** Smooths a padded white field into `out` (`rows × cols`). */
  readonly apply: (white: Float64Array, out: Float64Array) => void;
}

/** Builds a {@link SmoothField} operator. */
export function smoothField(rows: number, cols: number, sigmaCells: number): SmoothField {
  const radius = Math.max(0, Math.ceil(3 * sigmaCells));
  const kernel: number[] = [];
  for (let i = -radius; i <= radius; i++)
    kernel.push(sigmaCells > 0 ? Math.exp(-(i * i) / (2 * sigmaCells * sigmaCells)) : i === 0 ? 1 : 0);
  const norm1 = Math.sqrt(kernel.reduce((s, k) => s + k * k, 0));
  const k1 = kernel.map((k) => k / norm1); // Σk1² = 1 per axis → Σ(k1⊗k1)² = 1.
  const pr = rows + 2 * radius;
  const pc = cols + 2 * radius;
  const tmp = new Float64Array(pr * cols);
  return {
    paddedSize: pr * pc,
    apply(white, out) {
      // Horizontal pass: padded rows, valid columns.
      for (let r = 0; r < pr; r++) {
        for (let c = 0; c < cols; c++) {
          let s = 0;
          for (let i = 0; i < k1.length; i++) s += k1[i]! * white[r * pc + c + i]!;
          tmp[r * cols + c] = s;
        }
      }
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < cols; c++) {
          let s = 0;
          for (let i = 0; i < k1.length; i++) s += k1[i]! * tmp[(r + i) * cols + c]!;
          out[r * cols + c] = s;
        }
      }
    },
  };
}

/** One unit-variance smooth random field (`rows × cols`) with Gaussian correlation of `sigmaCells`. */
export function randomSmoothField(rows: number, cols: number, sigmaCells: number, random: Random): Float64Array {
  const op = smoothField(rows, cols, sigmaCells);
  const white = new Float64Array(op.paddedSize);
  random.fillNormal(white);
  const out = new Float64Array(rows * cols);
  op.apply(white, out);
  return out;
}
