/**
 * What every kernel of this package shares: the slice of tfjs-backend-wasm's backend they use, the stock kernels they
 * build on, and small helpers to view tensors on the WASM heap.
 *
 * @internal
 * @packageDocumentation
 */
import { backend_util } from '@tensorflow/tfjs-core';
import type { DataId, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { WasmKernelError } from '../errors.js';

/** The subset of tfjs-backend-wasm's `BackendWasm` these kernels use. */
export interface WasmBackendLike {
  makeOutput(shape: number[], dtype: 'float32' | 'int32' | 'bool'): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: DataId, force?: boolean): boolean;
}

/** A stock kernel's function, called with the inputs, backend and attributes tfjs passes to ours. */
export type AnyKernelFunc = (args: {
  inputs: Record<string, TensorInfo>;
  backend: unknown;
  attrs?: NamedAttrMap;
}) => TensorInfo | TensorInfo[];

/** How `Conv2DBackpropFilter` is computed; see `RegisterWasmKernelsOptions.filterGradient`. */
export type FilterGradientMethod = 'auto' | 'im2col' | 'shifted-slices';

/** The stock kernels the training kernels call, with the options of the registration. */
export interface StockKernels {
  readonly conv2d: AnyKernelFunc;
  readonly matmul: AnyKernelFunc;
  readonly scratch: number;
  readonly filterGradient: FilterGradientMethod;
}

/** What tfjs passes a kernel function: named inputs, the wasm backend, the op's attributes. */
export interface KernelArgs {
  inputs: Record<string, TensorInfo>;
  backend: WasmBackendLike;
  attrs: NamedAttrMap;
}

/** Conv2D geometry of a backprop kernel's attributes; NHWC only. */
export function convInfoFor(
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

export function view(backend: WasmBackendLike, info: TensorInfo): Float32Array {
  const array = backend.typedArrayFromHeap(info);
  if (!(array instanceof Float32Array)) throw new WasmKernelError('view', `expected float32 data, got ${info.dtype}`);
  return array;
}

export function as(info: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: info.dataId, shape, dtype: info.dtype };
}

export function runMatMul(stock: StockKernels, backend: WasmBackendLike, a: TensorInfo, b: TensorInfo): TensorInfo {
  return stock.matmul({ inputs: { a, b }, backend, attrs: { transposeA: false, transposeB: false } }) as TensorInfo;
}
