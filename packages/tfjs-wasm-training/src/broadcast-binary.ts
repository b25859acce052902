/**
 * `Multiply`, `Add`, `Sub`, `RealDiv` with a one-sided broadcast operand: expand it with the block-copy tile, then
 * the stock same-shape kernel.
 *
 * @packageDocumentation
 */
import { backend_util, util } from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { as } from './internal/heap.js';
import type { AnyKernelFunc, KernelArgs } from './internal/heap.js';
import { tileOnHeap } from './tile.js';

/**
 * Output size from which {@link binaryViaTile} expands the broadcast operand: below it the expansion's fixed cost
 * (≈ 0.04 ms) outweighs the stock loop (SEUNet batch 8: 2.5× faster at 48×48×16, 1.6× at 24×24×32, even at
 * 12×12×64, slower at 6×6×128).
 */
const BROADCAST_VIA_TILE_MIN_ELEMENTS = 1 << 16;

/**
 * Output size up to which {@link binaryViaTile} expands the broadcast operand (512 Ki elements = 2 MiB): each
 * expansion is a transient copy of the output's size, and with larger ones the DCAE paper preset's WASM heap at
 * batch 8 grew from 2677 to 2965 MiB (a cap of 2 Mi elements did too; its BatchNorm operands start at 1.2 Mi).
 * SEUNet's largest, 8×48×48×16, is 288 Ki.
 */
const BROADCAST_VIA_TILE_MAX_ELEMENTS = 1 << 19;

/**
 * `Multiply`/`Add`/`Sub`/`RealDiv` of float32 tensors where one operand has the output's shape and the other is
 * broadcast along some axes: the stock kernels' broadcasting loop (≈ 2 ns per element) is replaced by expanding the
 * smaller operand with {@link tileOnHeap} and the stock same-shape kernel (≈ 0.4 ns per element); the arithmetic is
 * the stock kernel's own. Scalars, equal shapes, two-sided broadcasts and outputs outside
 * [{@link BROADCAST_VIA_TILE_MIN_ELEMENTS}, {@link BROADCAST_VIA_TILE_MAX_ELEMENTS}] elements keep the stock path.
 */
export function binaryViaTile(args: KernelArgs, stockBinary: AnyKernelFunc): TensorInfo {
  const a = args.inputs['a'] as TensorInfo;
  const b = args.inputs['b'] as TensorInfo;
  // Cheap checks first: most calls (optimizer updates, scalars, equal shapes) go straight to the stock kernel.
  if (a.dtype === 'float32' && b.dtype === 'float32') {
    const sizeA = util.sizeFromShape(a.shape);
    const sizeB = util.sizeFromShape(b.shape);
    const size = Math.max(sizeA, sizeB);
    if (
      sizeA !== sizeB &&
      sizeA > 1 &&
      sizeB > 1 &&
      size >= BROADCAST_VIA_TILE_MIN_ELEMENTS &&
      size <= BROADCAST_VIA_TILE_MAX_ELEMENTS
    ) {
      const outShape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
      const aIsFull = util.arraysEqual(a.shape, outShape);
      if (aIsFull || util.arraysEqual(b.shape, outShape)) {
        const small = aIsFull ? b : a;
        const padded = [...new Array<number>(outShape.length - small.shape.length).fill(1), ...small.shape];
        const expanded = tileOnHeap(
          args.backend,
          as(small, padded),
          outShape.map((d, i) => d / (padded[i] as number)),
        );
        try {
          return stockBinary({
            inputs: aIsFull ? { a, b: expanded } : { a: expanded, b },
            backend: args.backend,
            attrs: args.attrs,
          }) as TensorInfo;
        } finally {
          args.backend.disposeData(expanded.dataId);
        }
      }
    }
  }
  return stockBinary(args) as TensorInfo;
}
