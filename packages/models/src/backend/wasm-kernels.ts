/**
 * Training kernels for the tfjs `wasm` backend.
 *
 * Stock `@tensorflow/tfjs-backend-wasm` 4.22 registers no `Conv2DBackpropFilter` (so no convolution can be
 * trained), a scalar-loop `Conv2DBackpropInput` (≈12× slower than the forward convolution, and also the forward
 * pass of `conv2dTranspose`), and a `BatchMatMul` whose transposed variants (used by every Dense gradient) run
 * ≈13× slower than the plain one. The kernels here rebuild all three from the backend's own fast kernels
 * (XNNPACK `Conv2D` and the non-transposed `BatchMatMul`) plus cache-friendly JavaScript loops that work
 * directly on the WASM heap.
 *
 * @packageDocumentation
 */
import { backend_util, getKernel, registerKernel, unregisterKernel, util } from '@tensorflow/tfjs-core';
import type { DataId, KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { WasmKernelError } from './errors.js';

/** The subset of tfjs-backend-wasm's `BackendWasm` these kernels use. */
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: 'float32' | 'int32' | 'bool'): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: DataId, force?: boolean): boolean;
}

type AnyKernelFunc = (args: {
  inputs: Record<string, TensorInfo>;
  backend: unknown;
  attrs?: NamedAttrMap;
}) => TensorInfo | TensorInfo[];

/** Kernel names this module registers for the `wasm` backend. */
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

type FilterGradientMethod = NonNullable<RegisterWasmKernelsOptions['filterGradient']>;

/**
 * `'auto'` takes shifted slices only when the padded grid is at most this many times the output grid: the slices'
 * GEMMs also run over the padding (3×3 kernel: 48×48 1.09, 24×24 1.17, 12×12 1.36, 6×6 1.78, 3×3 2.78), and on
 * SEUNet's 6×6 and 3×3 levels im2col's single GEMM is faster.
 */
const SHIFTED_SLICE_MAX_OVERHEAD = 1.4;

/** `'auto'` takes shifted slices only from this many input channels: each tap's GEMM has `inChannels` rows. */
const SHIFTED_SLICE_MIN_IN_CHANNELS = 4;

/**
 * `'auto'` takes shifted slices only when the padded grid has this many points over the batch: they are the inner
 * dimension of each tap's GEMM, and on smaller grids the KH·KW small calls cost more than the im2col they save
 * (SEUNet at batch 1: 12×12 im2col 10–20 % faster; at batch 8: 6×6 with a 2×2 kernel, 392 points, 25 % faster).
 */
const SHIFTED_SLICE_MIN_GRID = 512;

/**
 * `'auto'` takes shifted slices with more output channels than this only when the im2col matrix `KH·KW·Cin × N` would
 * exceed {@link SHIFTED_SLICE_LARGE_IM2COL} elements. im2col's extra work is ∝ K·N against the GEMM's ∝ K·N·CO, so
 * with many output channels it is small, and the slices' KH·KW smaller GEMMs were 15–20 % slower (ConvLSTM gates
 * 48×48 5×5 65→256 at batch 1; 24×24 3×3 128→256 at batch 8); 5–10 % faster at →128 (ConvLSTM 96→128, 64→128).
 */
const SHIFTED_SLICE_MAX_OUT_CHANNELS = 128;

/**
 * im2col matrix size (8 Mi elements, 32 MiB) above which `'auto'` takes shifted slices whatever the output channels:
 * the im2col GEMM then streams a matrix far larger than the caches, and the slices were 20 % faster and use less heap
 * (DCAE 48×48 128→256 at batch 8: 21 Mi elements; 841 vs 1048 ms, WASM heap peak 2677 vs 3022 MiB).
 */
const SHIFTED_SLICE_LARGE_IM2COL = 1 << 23;

/**
 * Grid points per chunk of the shifted-slice method times output channels (64 Ki floats = 256 KiB): XNNPACK's packed
 * copy of each dy chunk then fits the L2 cache. 1 Ki–4 Ki-element chunks were 10–40 % slower, and one chunk for the
 * whole grid up to 10 % slower on SEUNet's 48×48 levels (bench/conv-grad-micro.ts).
 */
const SLICE_CHUNK_ELEMENTS = 1 << 16;

/** Result of {@link registerWasmTrainingKernels}. */
export interface RegisterWasmKernelsResult {
  /** Kernels newly registered by this call (empty when they were already in place). */
  readonly registered: readonly string[];
}

/**
 * Registers fast and correct training kernels (`Conv2DBackpropFilter`, `Conv2DBackpropInput`, `BatchMatMul`,
 * `Conv2D`, `FusedConv2D`) for the tfjs `wasm` backend, replacing the stock ones where they exist.
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
 * `@tensorflow/tfjs-backend-wasm`) before calling this. Calling it again is a no-op. Only
 * {@link initBackend} should call it in an application.
 *
 * @param options - see {@link RegisterWasmKernelsOptions}
 * @returns the kernel names newly registered
 * @throws {@link WasmKernelError} when the wasm backend's `Conv2D`/`BatchMatMul` kernels are not registered
 * @example
 * ```ts
 * await import('@tensorflow/tfjs-backend-wasm');
 * registerWasmTrainingKernels().registered;
 * // => ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'BatchMatMul', 'Conv2D', 'FusedConv2D']
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
 * unregisterWasmTrainingKernels();
 * // => ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'BatchMatMul', 'Conv2D', 'FusedConv2D']   (after a registration)
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
 * Tells whether the WASM training kernels of this module are the ones registered for `wasm`.
 *
 * @returns true after {@link registerWasmTrainingKernels} ran in this process
 * @example
 * ```ts
 * hasWasmTrainingKernels();
 * // => false   (before registration)
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

const FILTER_GRADIENT_METHODS = ['auto', 'im2col', 'shifted-slices'] as const satisfies readonly FilterGradientMethod[];

interface StockKernels {
  readonly conv2d: AnyKernelFunc;
  readonly matmul: AnyKernelFunc;
  readonly scratch: number;
  readonly filterGradient: FilterGradientMethod;
}

interface KernelArgs {
  inputs: Record<string, TensorInfo>;
  backend: WasmBackendLike;
  attrs: NamedAttrMap;
}

function convInfoFor(
  kernel: string,
  xShape: number[],
  filterShape: number[],
  attrs: NamedAttrMap,
): backend_util.Conv2DInfo {
  const dataFormat = (attrs['dataFormat'] as 'NHWC' | 'NCHW' | undefined) ?? 'NHWC';
  if (dataFormat !== 'NHWC')
    throw new WasmKernelError(kernel, `dataFormat ${dataFormat} is not supported; use NHWC (channelsLast)`);
  return backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs['strides'] as [number, number] | number,
    1,
    attrs['pad'] as 'same' | 'valid' | number | backend_util.ExplicitPadding,
    attrs['dimRoundingMode'] as 'floor' | 'round' | 'ceil' | undefined,
    false,
    'channelsLast',
  );
}

function view(backend: WasmBackendLike, info: TensorInfo): Float32Array {
  const array = backend.typedArrayFromHeap(info);
  if (!(array instanceof Float32Array)) throw new WasmKernelError('view', `expected float32 data, got ${info.dtype}`);
  return array;
}

function as(info: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: info.dataId, shape, dtype: info.dtype };
}

function runMatMul(stock: StockKernels, backend: WasmBackendLike, a: TensorInfo, b: TensorInfo): TensorInfo {
  return stock.matmul({ inputs: { a, b }, backend, attrs: { transposeA: false, transposeB: false } }) as TensorInfo;
}

// ------------------------------------------------------------------------------------------------ same padding

/**
 * Stock wasm `Conv2D`/`FusedConv2D` pass 'same' to XNNPACK as its TF-SAME flag, which gives wrong results when the
 * stride exceeds the kernel (e.g. 8×8 → 2×2 with a 3×3 kernel at stride 4, the DCAE decoder's transposed-conv
 * gradient): relative error ≈ 1 against cpu. The same padding written out explicitly is computed correctly.
 */
function withExplicitSamePadding({ inputs, backend, attrs }: KernelArgs, kernel: AnyKernelFunc): TensorInfo {
  if (attrs['pad'] !== 'same') return kernel({ inputs, backend, attrs }) as TensorInfo;
  const x = inputs['x'] as TensorInfo;
  const filter = inputs['filter'] as TensorInfo;
  const dataFormat = backend_util.convertConv2DDataFormat(
    (attrs['dataFormat'] as 'NHWC' | 'NCHW' | undefined) ?? 'NHWC',
  );
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    attrs['strides'] as [number, number] | number,
    (attrs['dilations'] as [number, number] | number | undefined) ?? 1,
    'same',
    attrs['dimRoundingMode'] as 'floor' | 'round' | 'ceil' | undefined,
    false,
    dataFormat,
  );
  const { top, bottom, left, right } = info.padInfo;
  const pad: backend_util.ExplicitPadding =
    dataFormat === 'channelsLast'
      ? [
          [0, 0],
          [top, bottom],
          [left, right],
          [0, 0],
        ]
      : [
          [0, 0],
          [0, 0],
          [top, bottom],
          [left, right],
        ];
  return kernel({ inputs, backend, attrs: { ...attrs, pad } as unknown as NamedAttrMap }) as TensorInfo;
}

// ------------------------------------------------------------------------------------------------ fused matmul

const FUSED_ACTIVATIONS = ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu', 'prelu'] as const;

function fusedMatMul(
  { inputs, backend, attrs }: KernelArgs,
  stock: StockKernels,
  stockFused: AnyKernelFunc,
): TensorInfo {
  const a = inputs['a'] as TensorInfo;
  const b = inputs['b'] as TensorInfo;
  const bias = inputs['bias'] as TensorInfo | undefined;
  const prelu = inputs['preluActivationWeights'] as TensorInfo | undefined;
  const activation = (attrs['activation'] as string | undefined) ?? 'linear';
  const n = (attrs['transposeB'] === true ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1]) as number;
  const perColumn = (t: TensorInfo | undefined): boolean =>
    t === undefined ||
    (t.dtype === 'float32' && (util.sizeFromShape(t.shape) === n || util.sizeFromShape(t.shape) === 1));
  if (
    a.dtype !== 'float32' ||
    b.dtype !== 'float32' ||
    !(FUSED_ACTIVATIONS as readonly string[]).includes(activation) ||
    !perColumn(bias) ||
    !perColumn(prelu)
  ) {
    return stockFused({ inputs, backend, attrs }) as TensorInfo;
  }
  const out = batchMatMul(
    {
      inputs: { a, b },
      backend,
      attrs: { transposeA: attrs['transposeA'] === true, transposeB: attrs['transposeB'] === true },
    },
    stock,
  );
  const o = view(backend, out);
  if (bias !== undefined) {
    const v = view(backend, bias);
    if (v.length === 1) {
      const c = v[0] as number;
      for (let i = 0; i < o.length; i++) o[i] += c;
    } else {
      for (let i = 0; i < o.length; i += n) for (let j = 0; j < n; j++) o[i + j] += v[j] as number;
    }
  }
  const alpha = (attrs['leakyreluAlpha'] as number | undefined) ?? 0.2;
  switch (activation) {
    case 'relu':
      for (let i = 0; i < o.length; i++) if (!((o[i] as number) > 0) && !Number.isNaN(o[i])) o[i] = 0;
      break;
    case 'relu6':
      for (let i = 0; i < o.length; i++) o[i] = Math.min(Math.max(o[i] as number, 0), 6);
      break;
    case 'elu':
      for (let i = 0; i < o.length; i++) if ((o[i] as number) < 0) o[i] = Math.exp(o[i] as number) - 1;
      break;
    case 'sigmoid':
      for (let i = 0; i < o.length; i++) o[i] = 1 / (1 + Math.exp(-(o[i] as number)));
      break;
    case 'leakyrelu':
      for (let i = 0; i < o.length; i++) if ((o[i] as number) < 0) o[i] = alpha * (o[i] as number);
      break;
    case 'prelu': {
      const w = view(backend, prelu as TensorInfo);
      for (let i = 0; i < o.length; i++)
        if ((o[i] as number) < 0) o[i] = (w.length === 1 ? (w[0] as number) : (w[i % n] as number)) * (o[i] as number);
      break;
    }
    default:
      break;
  }
  return out;
}

// ------------------------------------------------------------------------------------------------ transpose

function transpose({ inputs, backend, attrs }: KernelArgs, stockTranspose: AnyKernelFunc): TensorInfo {
  const x = inputs['x'] as TensorInfo;
  const perm = attrs['perm'] as number[];
  const rank = x.shape.length;
  const swapsLastTwo =
    rank >= 2 && perm.every((p, i) => (i < rank - 2 ? p === i : p === (i === rank - 2 ? rank - 1 : rank - 2)));
  if (!swapsLastTwo || x.dtype !== 'float32') return stockTranspose({ inputs, backend, attrs }) as TensorInfo;
  return transposeLastTwo(backend, x);
}

// ------------------------------------------------------------------------------------------------ broadcast binary

/**
 * `Multiply`/`Add`/`Sub`/`RealDiv` of float32 tensors where one operand has the output's shape and the other is
 * broadcast along some axes: the stock kernels' broadcasting loop (≈ 2 ns per element) is replaced by expanding the
 * smaller operand with {@link tileOnHeap} and the stock same-shape kernel (≈ 0.4 ns per element); the arithmetic is
 * the stock kernel's own. Scalars, equal shapes, two-sided broadcasts and outputs outside
 * [{@link BROADCAST_VIA_TILE_MIN_ELEMENTS}, {@link BROADCAST_VIA_TILE_MAX_ELEMENTS}] elements keep the stock path.
 */
/**
 * Output size from which {@link binaryViaTile} expands the broadcast operand: below it the expansion's fixed cost
 * (≈ 0.04 ms) outweighs the stock loop (SEUNet batch 8: 2.5× faster at 48×48×16, 1.6× at 24×24×32, even at
 * 12×12×64, slower at 6×6×128).
 */
const BROADCAST_VIA_TILE_MIN_ELEMENTS = 1 << 16;

/**
 * Output size up to which {@link binaryViaTile} expands the broadcast operand (512 Ki elements = 2 MiB): each
 * expansion is a transient copy of the output's size, and with larger ones the DCAE paper preset's WASM heap at
 * batch 8 grew from 2677 to 2965 MiB (a cap of 2 Mi elements did too; its BatchNorm operands start at 1.2 Mi).
 * SEUNet's largest, 8×48×48×16, is 288 Ki.
 */
const BROADCAST_VIA_TILE_MAX_ELEMENTS = 1 << 19;

function binaryViaTile(args: KernelArgs, stockBinary: AnyKernelFunc): TensorInfo {
  const a = args.inputs['a'] as TensorInfo;
  const b = args.inputs['b'] as TensorInfo;
  // Cheap checks first: most calls (optimizer updates, scalars, equal shapes) go straight to the stock kernel.
  if (a.dtype === 'float32' && b.dtype === 'float32') {
    const sizeA = util.sizeFromShape(a.shape);
    const sizeB = util.sizeFromShape(b.shape);
    const size = Math.max(sizeA, sizeB);
    if (
      sizeA !== sizeB &&
      sizeA > 1 &&
      sizeB > 1 &&
      size >= BROADCAST_VIA_TILE_MIN_ELEMENTS &&
      size <= BROADCAST_VIA_TILE_MAX_ELEMENTS
    ) {
      const outShape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
      const aIsFull = util.arraysEqual(a.shape, outShape);
      if (aIsFull || util.arraysEqual(b.shape, outShape)) {
        const small = aIsFull ? b : a;
        const padded = [...new Array<number>(outShape.length - small.shape.length).fill(1), ...small.shape];
        const expanded = tileOnHeap(
          args.backend,
          as(small, padded),
          outShape.map((d, i) => d / (padded[i] as number)),
        );
        try {
          return stockBinary({
            inputs: aIsFull ? { a, b: expanded } : { a: expanded, b },
            backend: args.backend,
            attrs: args.attrs,
          }) as TensorInfo;
        } finally {
          args.backend.disposeData(expanded.dataId);
        }
      }
    }
  }
  return stockBinary(args) as TensorInfo;
}

// ------------------------------------------------------------------------------------------------ sum, mean

/** `Sum`/`Mean` of float32 `x` over a contiguous run of axes that excludes the last one; the stock kernel otherwise. */
function reduceOuterAxes(
  { inputs, backend, attrs }: KernelArgs,
  stockReduce: AnyKernelFunc,
  mean: boolean,
): TensorInfo {
  const x = inputs['x'] as TensorInfo;
  const rank = x.shape.length;
  if (x.dtype !== 'float32' || rank === 0 || util.sizeFromShape(x.shape) === 0)
    return stockReduce({ inputs, backend, attrs }) as TensorInfo;
  const axes = [...new Set(util.parseAxisParam(attrs['axis'] as number | number[], x.shape))].sort((a, b) => a - b);
  const first = axes[0] as number;
  const last = axes[axes.length - 1] as number;
  if (axes.length === 0 || last - first + 1 !== axes.length || last === rank - 1)
    return stockReduce({ inputs, backend, attrs }) as TensorInfo;
  const outer = util.sizeFromShape(x.shape.slice(0, first));
  const reduced = util.sizeFromShape(x.shape.slice(first, last + 1));
  const inner = util.sizeFromShape(x.shape.slice(last + 1));
  const keepDims = attrs['keepDims'] === true;
  const outShape = keepDims
    ? x.shape.map((d, i) => (i >= first && i <= last ? 1 : d))
    : x.shape.filter((_, i) => i < first || i > last);
  const out = backend.makeOutput(outShape, 'float32');
  const src = view(backend, x);
  const dst = view(backend, out);
  // Eight columns at a time in local (register) accumulators: 5× faster than an accumulator array in V8.
  for (let o = 0; o < outer; o++) {
    const base = o * reduced * inner;
    let i = 0;
    for (; i + 8 <= inner; i += 8) {
      let a0 = 0,
        a1 = 0,
        a2 = 0,
        a3 = 0,
        a4 = 0,
        a5 = 0,
        a6 = 0,
        a7 = 0;
      for (let r = 0, at = base + i; r < reduced; r++, at += inner) {
        a0 += src[at] as number;
        a1 += src[at + 1] as number;
        a2 += src[at + 2] as number;
        a3 += src[at + 3] as number;
        a4 += src[at + 4] as number;
        a5 += src[at + 5] as number;
        a6 += src[at + 6] as number;
        a7 += src[at + 7] as number;
      }
      const d = o * inner + i;
      if (mean) {
        dst[d] = a0 / reduced;
        dst[d + 1] = a1 / reduced;
        dst[d + 2] = a2 / reduced;
        dst[d + 3] = a3 / reduced;
        dst[d + 4] = a4 / reduced;
        dst[d + 5] = a5 / reduced;
        dst[d + 6] = a6 / reduced;
        dst[d + 7] = a7 / reduced;
      } else {
        dst[d] = a0;
        dst[d + 1] = a1;
        dst[d + 2] = a2;
        dst[d + 3] = a3;
        dst[d + 4] = a4;
        dst[d + 5] = a5;
        dst[d + 6] = a6;
        dst[d + 7] = a7;
      }
    }
    for (; i < inner; i++) {
      let a = 0;
      for (let r = 0, at = base + i; r < reduced; r++, at += inner) a += src[at] as number;
      dst[o * inner + i] = mean ? a / reduced : a;
    }
  }
  return out;
}

// ------------------------------------------------------------------------------------------------ tile

function tile({ inputs, backend, attrs }: KernelArgs, stockTile: AnyKernelFunc): TensorInfo {
  const x = inputs['x'] as TensorInfo;
  const reps = attrs['reps'] as number[];
  if (x.dtype === 'string' || x.dtype === 'complex64' || x.shape.length === 0 || reps.length !== x.shape.length)
    return stockTile({ inputs, backend, attrs }) as TensorInfo;
  return tileOnHeap(backend, x, reps);
}

/** Tiles a numeric tensor of rank ≥ 1 by `reps` (one per axis) with block copies. */
function tileOnHeap(backend: WasmBackendLike, x: TensorInfo, reps: readonly number[]): TensorInfo {
  const rank = x.shape.length;
  const outShape = x.shape.map((d, i) => d * (reps[i] as number));
  const out = backend.makeOutput(outShape, x.dtype as 'float32' | 'int32' | 'bool');
  if (util.sizeFromShape(outShape) === 0) return out;
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  const inStrides = util.computeStrides(x.shape);
  const outStrides = util.computeStrides(outShape);
  const stride = (strides: number[], axis: number): number => (axis < rank - 1 ? (strides[axis] as number) : 1);
  // Fills the output block of axis `axis` at `outOffset` from the input block at `inOffset`.
  const fill = (axis: number, inOffset: number, outOffset: number): void => {
    const n = x.shape[axis] as number;
    const r = reps[axis] as number;
    const outStep = stride(outStrides, axis);
    if (axis === rank - 1) {
      (dst as Float32Array).set((src as Float32Array).subarray(inOffset, inOffset + n), outOffset);
    } else {
      const inStep = stride(inStrides, axis);
      for (let i = 0; i < n; i++) fill(axis + 1, inOffset + i * inStep, outOffset + i * outStep);
    }
    const block = n * outStep;
    for (let done = 1; done < r;) {
      const copies = Math.min(done, r - done);
      dst.copyWithin(outOffset + done * block, outOffset, outOffset + copies * block);
      done += copies;
    }
  };
  fill(0, 0, 0);
  return out;
}

// ------------------------------------------------------------------------------------------------ max pool grad

function maxPoolGrad({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const dy = inputs['dy'] as TensorInfo;
  const input = inputs['input'] as TensorInfo;
  const info = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs['filterSize'] as [number, number] | number,
    attrs['strides'] as [number, number] | number,
    1,
    attrs['pad'] as 'same' | 'valid' | number | backend_util.ExplicitPadding,
    attrs['dimRoundingMode'] as 'floor' | 'round' | 'ceil' | undefined,
  );
  const {
    batchSize,
    inHeight: H,
    inWidth: W,
    inChannels: C,
    outHeight: OH,
    outWidth: OW,
    filterHeight: KH,
    filterWidth: KW,
    strideHeight: sh,
    strideWidth: sw,
  } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const dx = backend.makeOutput(input.shape.slice(), 'float32');
  const out = view(backend, dx);
  const x = view(backend, input);
  const g = view(backend, dy);
  out.fill(0);
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const dyBase = ((b * OH + oh) * OW + ow) * C;
        for (let c = 0; c < C; c++) {
          let best = Number.NEGATIVE_INFINITY;
          let at = -1;
          for (let kh = 0; kh < KH; kh++) {
            const ih = oh * sh - top + kh;
            if (ih < 0 || ih >= H) continue;
            for (let kw = 0; kw < KW; kw++) {
              const iw = ow * sw - left + kw;
              if (iw < 0 || iw >= W) continue;
              const k = ((b * H + ih) * W + iw) * C + c;
              const v = x[k] as number;
              if (v > best || at < 0) {
                best = v;
                at = k;
              }
            }
          }
          if (at >= 0) out[at] += g[dyBase + c] as number;
        }
      }
    }
  }
  return dx;
}

// ------------------------------------------------------------------------------------------------ dW

function conv2dBackpropFilter({ inputs, backend, attrs }: KernelArgs, stock: StockKernels): TensorInfo {
  const x = inputs['x'] as TensorInfo;
  const dy = inputs['dy'] as TensorInfo;
  const filterShape = attrs['filterShape'] as number[];
  const info = convInfoFor('Conv2DBackpropFilter', x.shape, filterShape, attrs);
  if (useShiftedSlices(info, stock.filterGradient)) return dwByShiftedSlices(x, dy, info, backend, stock);
  return dwByIm2col(x, dy, info, backend, stock);
}

function useShiftedSlices(info: backend_util.Conv2DInfo, method: FilterGradientMethod): boolean {
  if (
    method === 'im2col' ||
    info.strideHeight !== 1 ||
    info.strideWidth !== 1 ||
    info.dilationHeight !== 1 ||
    info.dilationWidth !== 1
  )
    return false;
  if (method === 'shifted-slices') return true;
  const padded = (info.outHeight + info.filterHeight - 1) * (info.outWidth + info.filterWidth - 1);
  return (
    info.inChannels >= SHIFTED_SLICE_MIN_IN_CHANNELS &&
    (info.outChannels <= SHIFTED_SLICE_MAX_OUT_CHANNELS ||
      info.filterHeight * info.filterWidth * info.inChannels * info.batchSize * info.outHeight * info.outWidth >
        SHIFTED_SLICE_LARGE_IM2COL) &&
    padded <= SHIFTED_SLICE_MAX_OVERHEAD * info.outHeight * info.outWidth &&
    info.batchSize * padded >= SHIFTED_SLICE_MIN_GRID
  );
}

/**
 * Stride 1: `dW[kh, kw, :, :] = Σ_chunks xᵀ[:, m0+s : m0+s+rows] · dy_pad[m0 : m0+rows, :]` per tap, over the zero-padded
 * grid (see {@link registerWasmTrainingKernels}). The grid's columns are taken {@link SLICE_CHUNK_ELEMENTS}/CO at a
 * time, so that XNNPACK's packed copy of the dy_pad chunk stays in the L2 cache while each tap's GEMM streams it once
 * per block of rows; whole samples are taken a few at a time when the channel-major copy of x would exceed the
 * scratch bound.
 */
function dwByShiftedSlices(
  x: TensorInfo,
  dy: TensorInfo,
  info: backend_util.Conv2DInfo,
  backend: WasmBackendLike,
  stock: StockKernels,
): TensorInfo {
  const {
    batchSize,
    inHeight: H,
    inWidth: W,
    inChannels: C,
    outHeight: OH,
    outWidth: OW,
    outChannels: CO,
    filterHeight: KH,
    filterWidth: KW,
  } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  // The grid the windows cover: output (oh, ow) sits at (oh, ow) and reads taps (oh+kh, ow+kw); input (ih, iw) sits
  // at (ih+top, iw+left). Inputs that fall outside the grid are read by no tap (when bottom/right padding is negative).
  const HP = OH + KH - 1;
  const WP = OW + KW - 1;
  const perSample = HP * WP;
  const maxShift = (KH - 1) * WP + KW - 1;
  const samples = Math.max(1, Math.min(batchSize, Math.floor(stock.scratch / Math.max(1, C * perSample))));
  const slab = C * CO;
  const iwLo = Math.max(0, -left);
  const iwHi = Math.min(W, WP - left);
  const dw = backend.makeOutput(info.filterShape.slice(), 'float32');
  view(backend, dw).fill(0);
  for (let b0 = 0; b0 < batchSize; b0 += samples) {
    const nb = Math.min(samples, batchSize - b0);
    const M = nb * perSample;
    // xᵀ[c, m] on the padded grid, plus maxShift zeros so that every tap's shifted columns stay inside.
    const xT = backend.makeOutput([C * M + maxShift], 'float32');
    {
      const src = view(backend, x);
      const dst = view(backend, xT);
      dst.fill(0);
      for (let b = 0; b < nb; b++) {
        for (let ih = 0; ih < H; ih++) {
          const h = ih + top;
          if (h >= HP || iwHi <= iwLo) continue;
          const srcRow = ((b0 + b) * H + ih) * W * C;
          const dstRow = (b * HP + h) * WP + left;
          // Transposes the [W, C] row block eight pixels at a time (2.3× faster than one pixel at a time).
          let iw = iwLo;
          for (; iw + 8 <= iwHi; iw += 8) {
            const q = srcRow + iw * C;
            for (let c = 0, d = dstRow + iw; c < C; c++, d += M) {
              dst[d] = src[q + c] as number;
              dst[d + 1] = src[q + C + c] as number;
              dst[d + 2] = src[q + 2 * C + c] as number;
              dst[d + 3] = src[q + 3 * C + c] as number;
              dst[d + 4] = src[q + 4 * C + c] as number;
              dst[d + 5] = src[q + 5 * C + c] as number;
              dst[d + 6] = src[q + 6 * C + c] as number;
              dst[d + 7] = src[q + 7 * C + c] as number;
            }
          }
          for (; iw < iwHi; iw++) {
            for (let c = 0, d = dstRow + iw; c < C; c++, d += M) dst[d] = src[srcRow + iw * C + c] as number;
          }
        }
      }
    }
    const rowsPerChunk = Math.max(1, Math.min(M, Math.floor(SLICE_CHUNK_ELEMENTS / CO)));
    for (let m0 = 0; m0 < M; m0 += rowsPerChunk) {
      const rows = Math.min(rowsPerChunk, M - m0);
      // dy_pad[m0 : m0+rows]: dy at the grid points that are outputs, zero elsewhere. It is the right operand of every
      // tap's GEMM, so the stock kernel packs it once and caches the packed copy on its id until it is disposed.
      const dyChunk = backend.makeOutput([1, rows, CO], 'float32');
      {
        const src = view(backend, dy);
        const dst = view(backend, dyChunk);
        dst.fill(0);
        for (let r = Math.floor(m0 / WP); r * WP < m0 + rows; r++) {
          const h = r % HP;
          if (h >= OH) continue;
          const b = (r - h) / HP;
          const w0 = Math.max(0, m0 - r * WP);
          const w1 = Math.min(OW, m0 + rows - r * WP);
          if (w1 <= w0) continue;
          const from = (((b0 + b) * OH + h) * OW + w0) * CO;
          dst.set(src.subarray(from, from + (w1 - w0) * CO), (r * WP + w0 - m0) * CO);
        }
      }
      const shifted = backend.makeOutput([1, C, rows], 'float32');
      for (let kh = 0; kh < KH; kh++) {
        for (let kw = 0; kw < KW; kw++) {
          const s = m0 + kh * WP + kw;
          const src = view(backend, xT);
          const dst = view(backend, shifted);
          for (let c = 0; c < C; c++) dst.set(src.subarray(c * M + s, c * M + s + rows), c * rows);
          const part = runMatMul(stock, backend, shifted, dyChunk);
          const out = view(backend, dw);
          const add = view(backend, part);
          const offset = (kh * KW + kw) * slab;
          for (let i = 0; i < slab; i++) out[offset + i] += add[i] as number;
          backend.disposeData(part.dataId);
        }
      }
      backend.disposeData(shifted.dataId);
      backend.disposeData(dyChunk.dataId);
    }
    backend.disposeData(xT.dataId);
  }
  return dw;
}

/** Any stride: `dW[k, co] = Pᵀ[k, n] · dy[n, co]` with Pᵀ the transposed im2col matrix, a few samples at a time. */
function dwByIm2col(
  x: TensorInfo,
  dy: TensorInfo,
  info: backend_util.Conv2DInfo,
  backend: WasmBackendLike,
  stock: StockKernels,
): TensorInfo {
  const filterShape = info.filterShape.slice();
  const { batchSize, outHeight, outWidth, outChannels, filterHeight, filterWidth, inChannels } = info;
  const K = filterHeight * filterWidth * inChannels;
  const perBatch = outHeight * outWidth;
  const chunk = Math.max(1, Math.min(batchSize, Math.floor(stock.scratch / Math.max(1, K * perBatch))));
  // XNNPACK repacks the right-hand operand on every call, so the big patch matrix goes on the left (as Pᵀ) and
  // the smaller dy on the right: dW[k, co] = Pᵀ[k, n] · dy[n, co], both non-transposed.
  let total: TensorInfo | null = null;
  for (let b0 = 0; b0 < batchSize; b0 += chunk) {
    const nb = Math.min(chunk, batchSize - b0);
    const N = nb * perBatch;
    const patches = backend.makeOutput([1, K, N], 'float32');
    im2colTransposed(view(backend, x), view(backend, patches), info, b0, nb);
    let dyPart = as(dy, [1, N, outChannels]);
    let dyOwned: TensorInfo | null = null;
    if (nb !== batchSize) {
      dyOwned = backend.makeOutput([1, N, outChannels], 'float32');
      view(backend, dyOwned).set(
        view(backend, dy).subarray(b0 * perBatch * outChannels, (b0 + nb) * perBatch * outChannels),
      );
      dyPart = dyOwned;
    }
    const partial = runMatMul(stock, backend, patches, dyPart);
    backend.disposeData(patches.dataId);
    if (dyOwned !== null) backend.disposeData(dyOwned.dataId);
    if (total === null) total = partial;
    else {
      const acc = view(backend, total);
      const add = view(backend, partial);
      for (let i = 0; i < acc.length; i++) acc[i] += add[i];
      backend.disposeData(partial.dataId);
    }
  }
  return as(total as TensorInfo, filterShape);
}

/** Writes Pᵀ[k, n] for batches b0..b0+nb−1 (zero where the window falls in the padding). */
function im2colTransposed(
  x: Float32Array,
  out: Float32Array,
  info: backend_util.Conv2DInfo,
  b0: number,
  nb: number,
): void {
  const {
    inHeight: H,
    inWidth: W,
    inChannels: C,
    outHeight: OH,
    outWidth: OW,
    filterHeight: KH,
    filterWidth: KW,
    strideHeight: sh,
    strideWidth: sw,
  } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const N = nb * OH * OW;
  const TILE = 64;
  for (let kh = 0; kh < KH; kh++) {
    for (let kw = 0; kw < KW; kw++) {
      const rowBase = (kh * KW + kw) * C;
      for (let b = 0; b < nb; b++) {
        for (let oh = 0; oh < OH; oh++) {
          const ih = oh * sh + kh - top;
          const nRow = (b * OH + oh) * OW;
          if (ih < 0 || ih >= H) {
            for (let c = 0; c < C; c++) out.fill(0, (rowBase + c) * N + nRow, (rowBase + c) * N + nRow + OW);
            continue;
          }
          const xRow = ((b0 + b) * H + ih) * W;
          for (let ow0 = 0; ow0 < OW; ow0 += TILE) {
            const ow1 = Math.min(OW, ow0 + TILE);
            for (let c = 0; c < C; c++) {
              const dst = (rowBase + c) * N + nRow;
              for (let ow = ow0; ow < ow1; ow++) {
                const iw = ow * sw + kw - left;
                out[dst + ow] = iw >= 0 && iw < W ? x[(xRow + iw) * C + c] : 0;
              }
            }
          }
        }
      }
    }
  }
}

// ------------------------------------------------------------------------------------------------ dx

function conv2dBackpropInput({ inputs, backend, attrs }: KernelArgs, stock: StockKernels): TensorInfo {
  const dy = inputs['dy'] as TensorInfo;
  const filter = inputs['filter'] as TensorInfo;
  const inputShape = attrs['inputShape'] as number[];
  const info = convInfoFor('Conv2DBackpropInput', inputShape, filter.shape, attrs);
  if (info.strideHeight === 1 && info.strideWidth === 1) return dxByForwardConv(dy, filter, info, backend, stock);
  return dxByCol2im(dy, filter, info, backend, stock);
}

/** Stride 1: dx = conv2d(dy, flip(W)ᵀ) with padding (K−1−pad) on each side. */
function dxByForwardConv(
  dy: TensorInfo,
  filter: TensorInfo,
  info: backend_util.Conv2DInfo,
  backend: WasmBackendLike,
  stock: StockKernels,
): TensorInfo {
  const { filterHeight: KH, filterWidth: KW, inChannels: C, outChannels: CO } = info;
  const flipped = backend.makeOutput([KH, KW, CO, C], 'float32');
  const w = view(backend, filter);
  const f = view(backend, flipped);
  for (let kh = 0; kh < KH; kh++) {
    for (let kw = 0; kw < KW; kw++) {
      const src = ((KH - 1 - kh) * KW + (KW - 1 - kw)) * C * CO;
      const dst = (kh * KW + kw) * CO * C;
      for (let c = 0; c < C; c++) {
        for (let o = 0; o < CO; o++) f[dst + o * C + c] = w[src + c * CO + o];
      }
    }
  }
  const { top, bottom, left, right } = info.padInfo;
  const pad: backend_util.ExplicitPadding = [
    [0, 0],
    [KH - 1 - top, KH - 1 - bottom],
    [KW - 1 - left, KW - 1 - right],
    [0, 0],
  ];
  if (pad.some(([a, b]) => a < 0 || b < 0)) {
    backend.disposeData(flipped.dataId);
    return dxByCol2im(dy, filter, info, backend, stock);
  }
  const out = stock.conv2d({
    inputs: { x: dy, filter: flipped },
    backend,
    attrs: {
      strides: [1, 1],
      pad,
      dilations: [1, 1],
      dataFormat: 'NHWC',
      dimRoundingMode: undefined,
    } as unknown as NamedAttrMap,
  }) as TensorInfo;
  backend.disposeData(flipped.dataId);
  if (!util.arraysEqual(out.shape, info.inShape)) {
    throw new WasmKernelError(
      'Conv2DBackpropInput',
      `internal shape mismatch: got [${out.shape}], expected [${info.inShape}]`,
    );
  }
  return out;
}

/** Any stride: cols[n, k] = dy[n, co] · Wᵀ[co, k], then scatter-add each column block into dx. */
function dxByCol2im(
  dy: TensorInfo,
  filter: TensorInfo,
  info: backend_util.Conv2DInfo,
  backend: WasmBackendLike,
  stock: StockKernels,
): TensorInfo {
  const {
    batchSize,
    inHeight: H,
    inWidth: W,
    inChannels: C,
    outHeight: OH,
    outWidth: OW,
    outChannels: CO,
    filterHeight: KH,
    filterWidth: KW,
    strideHeight: sh,
    strideWidth: sw,
  } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const K = KH * KW * C;
  const perBatch = OH * OW;
  const wT = backend.makeOutput([1, CO, K], 'float32');
  {
    const w = view(backend, filter);
    const t = view(backend, wT);
    for (let k = 0; k < K; k++) for (let o = 0; o < CO; o++) t[o * K + k] = w[k * CO + o];
  }
  const dx = backend.makeOutput(info.inShape.slice(), 'float32');
  view(backend, dx).fill(0);
  const chunk = Math.max(1, Math.min(batchSize, Math.floor(stock.scratch / Math.max(1, K * perBatch))));
  for (let b0 = 0; b0 < batchSize; b0 += chunk) {
    const nb = Math.min(chunk, batchSize - b0);
    const N = nb * perBatch;
    let dyPart = as(dy, [1, N, CO]);
    let dyOwned: TensorInfo | null = null;
    if (nb !== batchSize) {
      dyOwned = backend.makeOutput([1, N, CO], 'float32');
      view(backend, dyOwned).set(view(backend, dy).subarray(b0 * perBatch * CO, (b0 + nb) * perBatch * CO));
      dyPart = dyOwned;
    }
    const cols = runMatMul(stock, backend, dyPart, wT);
    if (dyOwned !== null) backend.disposeData(dyOwned.dataId);
    const colsView = view(backend, cols);
    const dxView = view(backend, dx);
    for (let b = 0; b < nb; b++) {
      const dxBatch = (b0 + b) * H * W * C;
      for (let oh = 0; oh < OH; oh++) {
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * sh + kh - top;
          if (ih < 0 || ih >= H) continue;
          for (let ow = 0; ow < OW; ow++) {
            const colRow = ((b * OH + oh) * OW + ow) * K + kh * KW * C;
            for (let kw = 0; kw < KW; kw++) {
              const iw = ow * sw + kw - left;
              if (iw < 0 || iw >= W) continue;
              const dst = dxBatch + (ih * W + iw) * C;
              const src = colRow + kw * C;
              for (let c = 0; c < C; c++) dxView[dst + c] += colsView[src + c];
            }
          }
        }
      }
    }
    backend.disposeData(cols.dataId);
  }
  backend.disposeData(wT.dataId);
  return dx;
}

// ------------------------------------------------------------------------------------------------ matmul

function batchMatMul({ inputs, backend, attrs }: KernelArgs, stock: StockKernels): TensorInfo {
  const a = inputs['a'] as TensorInfo;
  const b = inputs['b'] as TensorInfo;
  const transposeA = attrs['transposeA'] === true;
  const transposeB = attrs['transposeB'] === true;
  if (!transposeA && !transposeB) return runMatMul(stock, backend, a, b);
  if (a.dtype !== 'float32' || b.dtype !== 'float32') {
    return stock.matmul({ inputs: { a, b }, backend, attrs: { transposeA, transposeB } }) as TensorInfo;
  }
  const sizeA = util.sizeFromShape(a.shape);
  const sizeB = util.sizeFromShape(b.shape);
  const sameBatch = util.arraysEqual(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const m = transposeA ? (a.shape[a.shape.length - 1] as number) : (a.shape[a.shape.length - 2] as number);
  const n = transposeB ? (b.shape[b.shape.length - 2] as number) : (b.shape[b.shape.length - 1] as number);
  const sizeOut = util.sizeFromShape(a.shape.slice(0, -2)) * m * n;
  // Transposing the operands costs |A| and/or |B|; computing the transposed product and transposing it back costs
  // |out| plus the other operand. Pick the cheaper: for a Dense layer's dx = dy·Wᵀ this avoids copying W.
  if (sameBatch) {
    let swapped: TensorInfo | null = null;
    if (transposeA && transposeB && sizeOut < sizeA + sizeB) swapped = runMatMul(stock, backend, b, a);
    else if (!transposeA && transposeB && sizeA + sizeOut < sizeB) {
      const aT = transposeLastTwo(backend, a);
      swapped = runMatMul(stock, backend, b, aT);
      backend.disposeData(aT.dataId);
    } else if (transposeA && !transposeB && sizeB + sizeOut < sizeA) {
      const bT = transposeLastTwo(backend, b);
      swapped = runMatMul(stock, backend, bT, a);
      backend.disposeData(bT.dataId);
    }
    if (swapped !== null) {
      const out = transposeLastTwo(backend, swapped);
      backend.disposeData(swapped.dataId);
      return out;
    }
  }
  const aT = transposeA ? transposeLastTwo(backend, a) : null;
  const bT = transposeB ? transposeLastTwo(backend, b) : null;
  const out = runMatMul(stock, backend, aT ?? a, bT ?? b);
  if (aT !== null) backend.disposeData(aT.dataId);
  if (bT !== null) backend.disposeData(bT.dataId);
  return out;
}

/** Copies `x` (…, r, c) into a new heap tensor (…, c, r) with a cache-blocked loop. */
function transposeLastTwo(backend: WasmBackendLike, x: TensorInfo): TensorInfo {
  const rank = x.shape.length;
  const rows = x.shape[rank - 2] as number;
  const cols = x.shape[rank - 1] as number;
  const batch = util.sizeFromShape(x.shape.slice(0, -2));
  const outShape = [...x.shape.slice(0, -2), cols, rows];
  const out = backend.makeOutput(outShape, 'float32');
  const src = view(backend, x);
  const dst = view(backend, out);
  const BLOCK = 32;
  for (let m = 0; m < batch; m++) {
    const base = m * rows * cols;
    for (let r0 = 0; r0 < rows; r0 += BLOCK) {
      const r1 = Math.min(rows, r0 + BLOCK);
      for (let c0 = 0; c0 < cols; c0 += BLOCK) {
        const c1 = Math.min(cols, c0 + BLOCK);
        for (let r = r0; r < r1; r++) {
          const s = base + r * cols;
          for (let c = c0; c < c1; c++) dst[base + c * rows + r] = src[s + c];
        }
      }
    }
  }
  return out;
}
