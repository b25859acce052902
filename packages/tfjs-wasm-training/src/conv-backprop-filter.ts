/**
 * `Conv2DBackpropFilter` (dW), which stock tfjs-backend-wasm lacks: shifted-slice GEMMs for stride 1 on large enough
 * grids, a transposed im2col and one GEMM otherwise.
 *
 * @packageDocumentation
 */
import type { backend_util } from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { as, convInfoFor, runMatMul, view } from './internal/heap.js';
import type { FilterGradientMethod, KernelArgs, StockKernels, WasmBackendLike } from './internal/heap.js';

/** The values of `RegisterWasmKernelsOptions.filterGradient`. */
export const FILTER_GRADIENT_METHODS = [
  'auto',
  'im2col',
  'shifted-slices',
] as const satisfies readonly FilterGradientMethod[];

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

export function conv2dBackpropFilter({ inputs, backend, attrs }: KernelArgs, stock: StockKernels): TensorInfo {
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
