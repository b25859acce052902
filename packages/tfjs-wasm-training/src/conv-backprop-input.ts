/**
 * `Conv2DBackpropInput` (dx, and the forward pass of `conv2dTranspose`): a forward XNNPACK convolution for stride 1,
 * one GEMM and a col2im scatter-add otherwise.
 *
 * @packageDocumentation
 */
import { util } from '@tensorflow/tfjs-core';
import type { backend_util, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { WasmKernelError } from './errors.js';
import { as, convInfoFor, runMatMul, view } from './internal/heap.js';
import type { KernelArgs, StockKernels, WasmBackendLike } from './internal/heap.js';

export function conv2dBackpropInput({ inputs, backend, attrs }: KernelArgs, stock: StockKernels): TensorInfo {
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
