/**
 * `Tile` by block copies (`copyWithin`), doubling the replicated block along each axis.
 *
 * @packageDocumentation
 */
import { util } from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { AnyKernelFunc, KernelArgs, WasmBackendLike } from './internal/heap.js';

export function tile({ inputs, backend, attrs }: KernelArgs, stockTile: AnyKernelFunc): TensorInfo {
  const x = inputs['x'] as TensorInfo;
  const reps = attrs['reps'] as number[];
  if (x.dtype === 'string' || x.dtype === 'complex64' || x.shape.length === 0 || reps.length !== x.shape.length)
    return stockTile({ inputs, backend, attrs }) as TensorInfo;
  return tileOnHeap(backend, x, reps);
}

/** Tiles a numeric tensor of rank ≥ 1 by `reps` (one per axis) with block copies. */
export function tileOnHeap(backend: WasmBackendLike, x: TensorInfo, reps: readonly number[]): TensorInfo {
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
