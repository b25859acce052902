/**
 * `_FusedMatMul` (every tfjs-layers Dense with bias/activation) as the fast `BatchMatMul` plus bias and activation
 * applied in place on the heap.
 *
 * @packageDocumentation
 */
import { util } from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { view } from './internal/heap.js';
import type { AnyKernelFunc, KernelArgs, StockKernels } from './internal/heap.js';
import { batchMatMul } from './matmul.js';

const FUSED_ACTIVATIONS = ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu', 'prelu'] as const;

export function fusedMatMul(
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
