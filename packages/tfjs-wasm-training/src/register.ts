/**
 * Registering and unregistering the training kernels for the tfjs `wasm` backend.
 *
 * @packageDocumentation
 */
import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { binaryViaTile } from './broadcast-binary.js';
import { conv2dBackpropFilter, FILTER_GRADIENT_METHODS } from './conv-backprop-filter.js';
import { conv2dBackpropInput } from './conv-backprop-input.js';
import { withExplicitSamePadding } from './conv2d-same-padding.js';
import { WasmKernelError } from './errors.js';
import { fusedMatMul } from './fused-matmul.js';
import type { AnyKernelFunc, KernelArgs, StockKernels } from './internal/heap.js';
import { batchMatMul } from './matmul.js';
import { maxPoolGrad } from './max-pool-grad.js';
import { reduceOuterAxes } from './reductions.js';
import { tile } from './tile.js';
import { transpose } from './transpose.js';

/** The 15 kernel names {@link registerWasmTrainingKernels} registers for the `wasm` backend. */
export const WASM_TRAINING_KERNELS = [
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'BatchMatMul',
  '_FusedMatMul',
  'Conv2D',
  'FusedConv2D',
  'MaxPoolGrad',
  'Tile',
  'Transpose',
  'Sum',
  'Mean',
  'Multiply',
  'Add',
  'Sub',
  'RealDiv',
] as const;

/** Default upper bound (float32 elements) on one im2col / col2im scratch buffer (64 MiB). */
export const DEFAULT_SCRATCH_ELEMENTS = 1 << 24;

/** Options of {@link registerWasmTrainingKernels}. */
export interface RegisterWasmKernelsOptions {
  /**
   * Upper bound, in float32 elements, on one im2col / col2im scratch buffer; a batch whose buffer would be larger
   * is processed a few samples at a time (at least one sample per chunk). Default {@link DEFAULT_SCRATCH_ELEMENTS}.
   */
  readonly scratchElements?: number;
  /**
   * How `Conv2DBackpropFilter` is computed (see the Method of {@link registerWasmTrainingKernels}). `'auto'`
   * (default) takes shifted slices for stride-1 convolutions with at least 4 input channels whose padded grid
   * `(OH+KH−1)·(OW+KW−1)` is at most 1.4 times the output grid `OH·OW` (3×3 kernel: 12×12 and up) and has at least
   * 512 points over the batch, and with at most 128 output channels or an im2col matrix over 8 Mi elements; im2col
   * otherwise; `'im2col'` always takes im2col (the only method before shifted slices); `'shifted-slices'` takes
   * shifted slices whenever the stride is 1. The last two exist for tests and benches: all three give the same
   * gradient up to float32 rounding.
   */
  readonly filterGradient?: 'auto' | 'im2col' | 'shifted-slices';
}

/** Result of {@link registerWasmTrainingKernels}. */
export interface RegisterWasmKernelsResult {
  /** Kernels newly registered by this call (empty when they were already in place). */
  readonly registered: readonly string[];
}

/**
 * Registers 15 training kernels for the tfjs `wasm` backend ({@link WASM_TRAINING_KERNELS}), replacing the stock ones
 * where they exist. Each falls back to the stock kernel for inputs it does not speed up (other dtypes, shapes or
 * permutations):
 *
 * | kernel | what it does |
 * |---|---|
 * | `Conv2DBackpropFilter` | the filter gradient dW of a convolution; missing in stock tfjs-backend-wasm, so without it no convolution can be trained |
 * | `Conv2DBackpropInput` | the input gradient dx of a convolution and the forward pass of `conv2dTranspose`; the stock one is a scalar loop ≈ 12× slower than the forward convolution |
 * | `BatchMatMul` | matrix products with `transposeA`/`transposeB` (every Dense gradient); stock runs them ≈ 13× slower than the plain product |
 * | `_FusedMatMul` | Dense with bias and activation: the fast `BatchMatMul` plus bias and activation in place |
 * | `Conv2D` | forward convolution with 'same' padding written out explicitly (stock is wrong when stride > kernel size) |
 * | `FusedConv2D` | the same fix for the fused convolution (bias/activation) |
 * | `MaxPoolGrad` | max-pooling gradient; the stock one is wrong (relative error ≈ 1) |
 * | `Tile` | block copies instead of the stock per-element loop (BatchNorm gradient) |
 * | `Transpose` | swap of the last two axes by a cache-blocked heap copy |
 * | `Sum` | sums over a run of axes that is not the innermost (BatchNorm statistics) in one pass, in the cpu backend's order |
 * | `Mean` | the same for means (squeeze-and-excitation pooling) |
 * | `Multiply` | with one operand broadcast along some axes of the other: expand it, then the stock same-shape kernel |
 * | `Add` | as `Multiply` |
 * | `Sub` | as `Multiply` |
 * | `RealDiv` | as `Multiply` |
 *
 * ## Method
 * - `Conv2DBackpropFilter` (dW), stride 1 on grids of 12×12 and up (see `filterGradient`): shifted slices. x is copied channel-major onto
 *   the zero-padded grid, `xᵀ[ci, m]` with `m = (b·H' + h')·W' + w'` (`H' = OH+KH−1`, `W' = OW+KW−1`), and dy onto the
 *   same grid, zero outside the `OH×OW` outputs (`dy_pad[m, co]`). Tap (kh, kw) reads input `m + s` for output `m`,
 *   `s = kh·W' + kw`, so `dW[kh, kw] = xᵀ[:, s : s+M] · dy_pad` is one non-transposed XNNPACK matmul per tap, taken over
 *   chunks of the grid; XNNPACK packs each dy_pad chunk (the right operand, cached on its id) once for all KH·KW taps.
 *   Reads that run past a row of the grid meet a zero of dy_pad. No im2col matrix is built: 1.5–2.3× faster than
 *   im2col on SEUNet's 48×48 and 24×24 levels at batch 8, with scratch ≈ |x|·H'W'/(HW) plus a few 256 KiB chunks
 *   instead of KH·KW·|x|. (One difference from im2col: a non-finite x meets those zeros too, so an Inf/NaN input
 *   spreads NaN to more taps of dW than it would on the cpu backend.)
 * - `Conv2DBackpropFilter` otherwise (stride > 1, small grids, < 4 input channels, > 128 output channels with a
 *   small im2col matrix): im2col in the transposed layout
 *   `Pᵀ[k, n]` with `k = (kh·KW + kw)·Cin + ci` and `n = (b·OH + oh)·OW + ow`, then one non-transposed XNNPACK matmul
 *   `dW[k, co] = Pᵀ · dy[n, co]` (XNNPACK repacks the right operand on each call, so the small dy goes there).
 * - `Conv2DBackpropInput` (dx, and the forward of `conv2dTranspose`): stride 1 → a forward XNNPACK `Conv2D` of dy
 *   with the spatially flipped, in/out-swapped filter and explicit padding `(K−1−pad)`; stride > 1 → one matmul
 *   `cols[n, k] = dy[n, co] · Wᵀ[co, k]` followed by a col2im scatter-add (no zero-dilation waste).
 * - `Conv2D` and `FusedConv2D`: the stock kernels with 'same' padding written out explicitly, because XNNPACK's
 *   SAME flag is wrong when the stride exceeds the kernel size (see `withExplicitSamePadding`).
 * - `MaxPoolGrad`: the stock wasm kernel is wrong (relative error ≈ 1 against both cpu and a hand-computed
 *   gradient, 2×2 pooling of 2×8×8×4); replaced by a scatter of dy onto the first maximum of each window, as
 *   tfjs-backend-cpu does.
 * - `_FusedMatMul` (every tfjs-layers Dense with bias/activation): the stock kernel takes 9.6 s for the DCAE's
 *   1×589824 · 589824×128 product that the plain `BatchMatMul` does in 0.19 s; replaced by `BatchMatMul` (below)
 *   followed by the bias and activation applied in place on the heap.
 * - `Transpose` of the last two axes (stock: 10 s for a 589824×128 matrix): the blocked heap transpose below;
 *   other permutations use the stock kernel.
 * - `Sum` and `Mean` over a run of axes that is not the innermost (the per-channel sums of BatchNorm and its
 *   gradient, and the squeeze-and-excitation pooling, reduce `[b, h, w, c]` over `[0, 1, 2]` or `[1, 2]`): the stock
 *   kernels first transpose the reduced axes innermost with the stock per-element Transpose (≈ 10 ns per element,
 *   9 % of a SEUNet batch-8 step); replaced by one pass over `x` viewed as `[outer, reduced, inner]` that adds each
 *   row into `inner` float64 accumulators, in the cpu backend's order (`Sum` then equals cpu exactly). Reductions
 *   over the innermost axes, and non-float32 inputs, keep the stock kernels.
 * - `Multiply`, `Add`, `Sub`, `RealDiv` with one operand broadcast along some axes of the other (BatchNorm's
 *   per-channel scale and shift and their gradients, the SE channel weights; ≈ 7 % of a SEUNet batch-8 step with
 *   the stock ≈ 2 ns-per-element broadcasting loop): the small operand is expanded with the block-copy `Tile` below
 *   and the stock same-shape kernel does the arithmetic (2.5× faster at 48×48×16), for outputs of 64 Ki to 512 Ki
 *   elements (the expansion is a transient copy of the output's size).
 * - `Tile` (used by the BatchNorm gradient to broadcast per-channel terms; 23 % of a SEUNet batch-8 step with the
 *   stock per-element kernel): block copies with `copyWithin`, doubling the replicated block along each axis.
 * - `BatchMatMul` with `transposeA`/`transposeB`: transposes the smaller side on the heap with a blocked loop (the
 *   operand, or the product via `(B·Aᵀ)ᵀ`), then calls the stock (fast) non-transposed kernel.
 *
 * The stock `wasm` kernels are looked up at call time, so the backend must be registered (import
 * `@tensorflow/tfjs-backend-wasm`) before calling this; it works before or after `tf.setBackend('wasm')`. Calling it
 * again is a no-op. Kernels the installed tfjs-backend-wasm does not have in stock (other than `Conv2DBackpropFilter`,
 * `Conv2DBackpropInput`, `BatchMatMul`, `Conv2D` and `MaxPoolGrad`) are left alone.
 *
 * @param options - see {@link RegisterWasmKernelsOptions}
 * @returns the kernel names newly registered
 * @throws {@link WasmKernelError} when the wasm backend's `Conv2D`/`BatchMatMul` kernels are not registered
 * @example
 * ```ts
 * await import('@tensorflow/tfjs-backend-wasm');
 * registerWasmTrainingKernels().registered.length;
 * // => 15
 * ```
 */
export function registerWasmTrainingKernels(options: RegisterWasmKernelsOptions = {}): RegisterWasmKernelsResult {
  const scratch = options.scratchElements ?? DEFAULT_SCRATCH_ELEMENTS;
  if (!Number.isInteger(scratch) || scratch < 1) {
    throw new WasmKernelError(
      'registerWasmTrainingKernels',
      `options.scratchElements must be an integer >= 1, got ${String(scratch)}`,
    );
  }
  const filterGradient = options.filterGradient ?? 'auto';
  if (!(FILTER_GRADIENT_METHODS as readonly string[]).includes(filterGradient)) {
    throw new WasmKernelError(
      'registerWasmTrainingKernels',
      `options.filterGradient must be one of ${FILTER_GRADIENT_METHODS.join(', ')}, got ${String(filterGradient)}`,
    );
  }
  const conv2d = getKernel('Conv2D', 'wasm');
  const matmul = getKernel('BatchMatMul', 'wasm');
  if (conv2d === undefined || matmul === undefined) {
    throw new WasmKernelError(
      'Conv2D',
      'the wasm backend is not registered; import "@tensorflow/tfjs-backend-wasm" first',
    );
  }
  if (isOurs(matmul)) return { registered: [] };
  const stock: StockKernels = {
    conv2d: conv2d.kernelFunc as unknown as AnyKernelFunc,
    matmul: matmul.kernelFunc as unknown as AnyKernelFunc,
    scratch,
    filterGradient,
  };
  const fused = getKernel('FusedConv2D', 'wasm');
  const configs: KernelConfig[] = [
    {
      kernelName: 'Conv2DBackpropFilter',
      backendName: 'wasm',
      kernelFunc: ((args: KernelArgs) => conv2dBackpropFilter(args, stock)) as unknown as KernelFunc,
    },
    {
      kernelName: 'Conv2DBackpropInput',
      backendName: 'wasm',
      kernelFunc: ((args: KernelArgs) => conv2dBackpropInput(args, stock)) as unknown as KernelFunc,
    },
    {
      kernelName: 'BatchMatMul',
      backendName: 'wasm',
      kernelFunc: ((args: KernelArgs) => batchMatMul(args, stock)) as unknown as KernelFunc,
    },
    {
      kernelName: 'Conv2D',
      backendName: 'wasm',
      kernelFunc: ((args: KernelArgs) => withExplicitSamePadding(args, stock.conv2d)) as unknown as KernelFunc,
    },
    { kernelName: 'MaxPoolGrad', backendName: 'wasm', kernelFunc: maxPoolGrad as unknown as KernelFunc },
  ];
  const fusedMatMulKernel = getKernel('_FusedMatMul', 'wasm');
  if (fusedMatMulKernel !== undefined) {
    const stockFused = fusedMatMulKernel.kernelFunc as unknown as AnyKernelFunc;
    configs.push({
      kernelName: '_FusedMatMul',
      backendName: 'wasm',
      kernelFunc: ((args: KernelArgs) => fusedMatMul(args, stock, stockFused)) as unknown as KernelFunc,
    });
  }
  const transposeKernel = getKernel('Transpose', 'wasm');
  if (transposeKernel !== undefined) {
    const stockTranspose = transposeKernel.kernelFunc as unknown as AnyKernelFunc;
    configs.push({
      kernelName: 'Transpose',
      backendName: 'wasm',
      kernelFunc: ((args: KernelArgs) => transpose(args, stockTranspose)) as unknown as KernelFunc,
    });
  }
  for (const name of ['Multiply', 'Add', 'Sub', 'RealDiv'] as const) {
    const stockBinary = getKernel(name, 'wasm');
    if (stockBinary === undefined) continue;
    const stockFunc = stockBinary.kernelFunc as unknown as AnyKernelFunc;
    configs.push({
      kernelName: name,
      backendName: 'wasm',
      kernelFunc: ((args: KernelArgs) => binaryViaTile(args, stockFunc)) as unknown as KernelFunc,
    });
  }
  for (const name of ['Sum', 'Mean'] as const) {
    const stockReduce = getKernel(name, 'wasm');
    if (stockReduce === undefined) continue;
    const stockFunc = stockReduce.kernelFunc as unknown as AnyKernelFunc;
    configs.push({
      kernelName: name,
      backendName: 'wasm',
      kernelFunc: ((args: KernelArgs) => reduceOuterAxes(args, stockFunc, name === 'Mean')) as unknown as KernelFunc,
    });
  }
  const tileKernel = getKernel('Tile', 'wasm');
  if (tileKernel !== undefined) {
    const stockTile = tileKernel.kernelFunc as unknown as AnyKernelFunc;
    configs.push({
      kernelName: 'Tile',
      backendName: 'wasm',
      kernelFunc: ((args: KernelArgs) => tile(args, stockTile)) as unknown as KernelFunc,
    });
  }
  if (fused !== undefined) {
    const fusedFunc = fused.kernelFunc as unknown as AnyKernelFunc;
    configs.push({
      kernelName: 'FusedConv2D',
      backendName: 'wasm',
      kernelFunc: ((args: KernelArgs) => withExplicitSamePadding(args, fusedFunc)) as unknown as KernelFunc,
    });
  }
  const registered: string[] = [];
  for (const config of configs) {
    const previous = getKernel(config.kernelName, 'wasm');
    if (previous !== undefined) unregisterKernel(config.kernelName, 'wasm');
    // A replaced stock kernel binds its wasm function in setupFunc, which tfjs runs when the backend initialises;
    // keep it so registering before or after `setBackend('wasm')` both work.
    if (previous?.setupFunc !== undefined) config.setupFunc = previous.setupFunc;
    (config as Marked)[MARK] = { previous: previous ?? null };
    registerKernel(config);
    registered.push(config.kernelName);
  }
  return { registered };
}

/**
 * Undoes {@link registerWasmTrainingKernels}: restores the stock `wasm` kernels it replaced (and removes
 * `Conv2DBackpropFilter`, which stock tfjs-backend-wasm lacks). Used by benches and tests that compare against
 * the stock kernels.
 *
 * @returns the kernel names that were restored or removed
 * @example
 * ```ts
 * registerWasmTrainingKernels();
 * unregisterWasmTrainingKernels().length;
 * // => 15
 * ```
 */
export function unregisterWasmTrainingKernels(): string[] {
  const done: string[] = [];
  for (const name of WASM_TRAINING_KERNELS) {
    const config = getKernel(name, 'wasm');
    if (!isOurs(config)) continue;
    const previous = (config as Marked)[MARK]?.previous ?? null;
    unregisterKernel(name, 'wasm');
    if (previous !== null) registerKernel(previous);
    done.push(name);
  }
  return done;
}

/**
 * Tells whether the WASM training kernels of this package are the ones registered for `wasm`.
 *
 * @returns true after {@link registerWasmTrainingKernels} ran in this process
 * @example
 * ```ts
 * unregisterWasmTrainingKernels();
 * hasWasmTrainingKernels();
 * // => false
 * registerWasmTrainingKernels();
 * hasWasmTrainingKernels();
 * // => true
 * ```
 */
export function hasWasmTrainingKernels(): boolean {
  return WASM_TRAINING_KERNELS.every((name) => isOurs(getKernel(name, 'wasm')));
}

const MARK = '__twsaWasmTrainingKernel';
type Marked = KernelConfig & { [MARK]?: { previous: KernelConfig | null } };
function isOurs(config: KernelConfig | undefined): boolean {
  return config !== undefined && (config as Marked)[MARK] !== undefined;
}
