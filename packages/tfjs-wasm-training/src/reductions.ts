/**
 * `Sum` and `Mean` over a run of axes that is not the innermost, in one pass.
 *
 * @packageDocumentation
 */
import { util } from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { view } from './internal/heap.js';
import type { AnyKernelFunc, KernelArgs } from './internal/heap.js';

/** `Sum`/`Mean` of float32 `x` over a contiguous run of axes that excludes the last one; the stock kernel otherwise. */
export function reduceOuterAxes(
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
