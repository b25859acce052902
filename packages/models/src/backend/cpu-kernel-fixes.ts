/**
 * Corrections to @tensorflow/tfjs-backend-cpu 4.22 kernels whose gradients are wrong, found by comparing with the
 * native TensorFlow engine (backend/native.test.ts).
 *
 * `ResizeNearestNeighborGrad` (the gradient of `tf.image.resizeNearestNeighbor`, i.e. of tfjs-layers'
 * `UpSampling2D`, which SEUNet's decoder uses) reads `dy` at the *image's* batch offset instead of `dy`'s, so from
 * the second batch item on it sums the wrong part of `dy` (relative error ≈ 1.6 at batch 2). The replacement is the
 * stock algorithm with that offset corrected.
 *
 * @packageDocumentation
 */
import {
  getKernel,
  registerKernel,
  unregisterKernel,
  util,
  type KernelConfig,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

/** Kernel names {@link registerCpuKernelFixes} replaces on the `cpu` backend. */
export const CPU_KERNEL_FIXES = ['ResizeNearestNeighborGrad'] as const;

interface CpuBackendLike {
  data: { get(dataId: unknown): { values: ArrayLike<number> } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

let stock: KernelConfig | undefined;

/** The stock tfjs-backend-cpu algorithm, with `dy` indexed at its own batch offset. */
function resizeNearestNeighborGrad(args: {
  inputs: Record<string, TensorInfo>;
  backend: unknown;
  attrs?: Record<string, unknown>;
}): TensorInfo {
  const { images, dy } = args.inputs as { images: TensorInfo; dy: TensorInfo };
  const backend = args.backend as CpuBackendLike;
  const alignCorners = args.attrs?.['alignCorners'] === true;
  const imagesStrides = util.computeStrides(images.shape);
  const dyStrides = util.computeStrides(dy.shape);
  const [batch, xHeight, xWidth, depth] = images.shape as [number, number, number, number];
  const [, yHeight, yWidth] = dy.shape as [number, number, number, number];
  const output = new Float32Array(batch * xHeight * xWidth * depth);
  const dyValues = backend.data.get(dy.dataId).values;
  const effectiveXSize = [
    alignCorners && yHeight > 1 ? xHeight - 1 : xHeight,
    alignCorners && yWidth > 1 ? xWidth - 1 : xWidth,
  ] as const;
  const effectiveYSize = [
    alignCorners && yHeight > 1 ? yHeight - 1 : yHeight,
    alignCorners && yWidth > 1 ? yWidth - 1 : yWidth,
  ] as const;
  const heightScale = effectiveXSize[0] / effectiveYSize[0];
  const widthScale = effectiveXSize[1] / effectiveYSize[1];
  const winHeight = Math.ceil(1 / heightScale) * 2 + 2;
  const winWidth = Math.ceil(1 / widthScale) * 2 + 2;
  for (let b = 0; b < batch; b++) {
    const batchOffset = b * imagesStrides[0]!;
    const dyBatchOffset = b * dyStrides[0]!; // stock uses batchOffset here: the bug
    for (let r = 0; r < xHeight; r++) {
      const rowOffset = batchOffset + r * imagesStrides[1]!;
      const startDyR = Math.floor(Math.floor(r / heightScale) - winHeight / 2);
      for (let c = 0; c < xWidth; c++) {
        const colOffset = rowOffset + c * imagesStrides[2]!;
        const startDyC = Math.floor(Math.floor(c / widthScale) - winWidth / 2);
        for (let d = 0; d < depth; d++) {
          let accum = 0;
          for (let i = 0; i < winHeight; i++) {
            const dyR = i + startDyR;
            if (dyR < 0 || dyR >= yHeight) continue;
            const sourceFracRow = dyR * heightScale;
            const sourceRow = Math.min(
              xHeight - 1,
              alignCorners ? Math.round(sourceFracRow) : Math.floor(sourceFracRow),
            );
            if (r !== sourceRow) continue;
            const dyROffset = dyBatchOffset + dyR * dyStrides[1]!;
            for (let j = 0; j < winWidth; j++) {
              const dyC = j + startDyC;
              if (dyC < 0 || dyC >= yWidth) continue;
              const sourceFracCol = dyC * widthScale;
              const sourceCol = Math.min(
                xWidth - 1,
                alignCorners ? Math.round(sourceFracCol) : Math.floor(sourceFracCol),
              );
              if (c === sourceCol) accum += dyValues[dyROffset + dyC * dyStrides[2]! + d]!;
            }
          }
          output[colOffset + d] = accum;
        }
      }
    }
  }
  return backend.makeTensorInfo(images.shape, 'float32', output);
}

/**
 * Replaces the `cpu` kernels in {@link CPU_KERNEL_FIXES} with corrected ones. {@link initBackend} calls it when it
 * selects `cpu`; idempotent.
 *
 * @returns the kernel names now replaced
 * @example
 * ```ts
 * registerCpuKernelFixes();
 * // => ['ResizeNearestNeighborGrad']
 * ```
 */
export function registerCpuKernelFixes(): string[] {
  const current = getKernel('ResizeNearestNeighborGrad', 'cpu');
  if (current?.kernelFunc === (resizeNearestNeighborGrad as unknown)) return [...CPU_KERNEL_FIXES];
  if (current !== undefined) {
    stock = current;
    unregisterKernel('ResizeNearestNeighborGrad', 'cpu');
  }
  registerKernel({
    kernelName: 'ResizeNearestNeighborGrad',
    backendName: 'cpu',
    kernelFunc: resizeNearestNeighborGrad as unknown as KernelConfig['kernelFunc'],
  });
  return [...CPU_KERNEL_FIXES];
}

/**
 * Puts the stock `cpu` kernels back (tests that show the stock behaviour use it).
 *
 * @returns whether a fix was registered
 * @example
 * ```ts
 * registerCpuKernelFixes();
 * unregisterCpuKernelFixes();
 * // => true
 * ```
 */
export function unregisterCpuKernelFixes(): boolean {
  const current = getKernel('ResizeNearestNeighborGrad', 'cpu');
  if (current?.kernelFunc !== (resizeNearestNeighborGrad as unknown)) return false;
  unregisterKernel('ResizeNearestNeighborGrad', 'cpu');
  if (stock !== undefined) registerKernel(stock);
  return true;
}
