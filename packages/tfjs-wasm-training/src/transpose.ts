/**
 * `Transpose` of the last two axes by a cache-blocked copy on the heap (also used by `BatchMatMul`'s transposes).
 *
 * @packageDocumentation
 */
import { util } from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { view } from './internal/heap.js';
import type { AnyKernelFunc, KernelArgs, WasmBackendLike } from './internal/heap.js';

export function transpose({ inputs, backend, attrs }: KernelArgs, stockTranspose: AnyKernelFunc): TensorInfo {
  const x = inputs['x'] as TensorInfo;
  const perm = attrs['perm'] as number[];
  const rank = x.shape.length;
  const swapsLastTwo =
    rank >= 2 && perm.every((p, i) => (i < rank - 2 ? p === i : p === (i === rank - 2 ? rank - 1 : rank - 2)));
  if (!swapsLastTwo || x.dtype !== 'float32') return stockTranspose({ inputs, backend, attrs }) as TensorInfo;
  return transposeLastTwo(backend, x);
}

/** Copies `x` (…, r, c) into a new heap tensor (…, c, r) with a cache-blocked loop. */
export function transposeLastTwo(backend: WasmBackendLike, x: TensorInfo): TensorInfo {
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
