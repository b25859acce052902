/**
 * `MaxPoolGrad` as a scatter of dy onto the first maximum of each window (a correctness fix of the stock kernel).
 *
 * @packageDocumentation
 */
import { backend_util } from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { view } from './internal/heap.js';
import type { KernelArgs } from './internal/heap.js';

export function maxPoolGrad({ inputs, backend, attrs }: KernelArgs): TensorInfo {
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
