/**
 * `BatchMatMul` with `transposeA`/`transposeB`: transpose the cheaper side on the heap, then the stock
 * non-transposed kernel.
 *
 * @packageDocumentation
 */
import { util } from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { runMatMul } from './internal/heap.js';
import type { KernelArgs, StockKernels } from './internal/heap.js';
import { transposeLastTwo } from './transpose.js';

export function batchMatMul({ inputs, backend, attrs }: KernelArgs, stock: StockKernels): TensorInfo {
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
