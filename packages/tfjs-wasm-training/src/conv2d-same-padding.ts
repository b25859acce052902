/**
 * `Conv2D` and `FusedConv2D` with 'same' padding written out explicitly (a correctness fix of the stock kernels).
 *
 * @packageDocumentation
 */
import { backend_util } from '@tensorflow/tfjs-core';
import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { AnyKernelFunc, KernelArgs } from './internal/heap.js';

/**
 * Stock wasm `Conv2D`/`FusedConv2D` pass 'same' to XNNPACK as its TF-SAME flag, which gives wrong results when the
 * stride exceeds the kernel (e.g. 8×8 → 2×2 with a 3×3 kernel at stride 4, the DCAE decoder's transposed-conv
 * gradient): relative error ≈ 1 against cpu. The same padding written out explicitly is computed correctly.
 */
export function withExplicitSamePadding({ inputs, backend, attrs }: KernelArgs, kernel: AnyKernelFunc): TensorInfo {
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
