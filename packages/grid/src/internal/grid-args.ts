/**
 * Argument checks shared by the geometry and time functions of @twsa/grid (never re-exported).
 */
import { GridArgumentError, GridShapeError } from '../errors.js';
import type { Grid, GridArray, GridSpec, GridSpecLike, GridStack } from '../grid.js';

/** Throws a {@link GridArgumentError} naming `name` and `fn` unless `spec` is a well-formed {@link GridSpec}. */
export function assertSpec(spec: GridSpec, name: string, fn: string): void {
  if (!spec || typeof spec !== 'object')
    throw new GridArgumentError(name, fn, 'a grid spec { shape, bounds, crs }', String(spec));
  const { shape, bounds, crs } = spec;
  if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((v) => Number.isInteger(v) && v > 0)) {
    throw new GridArgumentError(`${name}.shape`, fn, '[rows, cols] positive integers', JSON.stringify(shape));
  }
  if (
    !Array.isArray(bounds) ||
    bounds.length !== 4 ||
    !bounds.every(Number.isFinite) ||
    !(bounds[2] > bounds[0]) ||
    !(bounds[3] > bounds[1])
  ) {
    throw new GridArgumentError(
      `${name}.bounds`,
      fn,
      'finite [west, south, east, north] with east > west and north > south',
      JSON.stringify(bounds),
    );
  }
  if (typeof crs !== 'string' || crs.length === 0)
    throw new GridArgumentError(`${name}.crs`, fn, 'a CRS identifier string', String(crs));
}

/** Checks a 2-D grid record (spec plus a data array of length rows × cols). */
export function assertGrid(grid: Grid<GridArray>, name: string, fn: string): void {
  assertSpec(grid, name, fn);
  if (!ArrayBuffer.isView(grid.data))
    throw new GridArgumentError(`${name}.data`, fn, 'a typed array', String(grid.data));
  const n = grid.shape[0] * grid.shape[1];
  if (grid.data.length !== n) throw new GridShapeError([n], [grid.data.length], { field: `${name}.data` });
}

/** Checks a 3-D stack record. */
export function assertStack(stack: GridStack<GridArray>, name: string, fn: string): void {
  if (!stack || typeof stack !== 'object' || !Array.isArray(stack.shape) || stack.shape.length !== 3) {
    throw new GridArgumentError(name, fn, 'a GridStack with shape [time, rows, cols]', JSON.stringify(stack?.shape));
  }
  assertSpec({ shape: [stack.shape[1], stack.shape[2]], bounds: stack.bounds, crs: stack.crs }, name, fn);
  const n = stack.shape[0] * stack.shape[1] * stack.shape[2];
  if (!ArrayBuffer.isView(stack.data))
    throw new GridArgumentError(`${name}.data`, fn, 'a typed array', String(stack.data));
  if (stack.data.length !== n) throw new GridShapeError([n], [stack.data.length], { field: `${name}.data` });
  if (!Array.isArray(stack.times) || stack.times.length !== stack.shape[0]) {
    throw new GridShapeError([stack.shape[0]], [Array.isArray(stack.times) ? stack.times.length : 0], {
      field: `${name}.times`,
    });
  }
}

/** True when `value` is a 3-D stack-like record (used to dispatch `Grid | GridStack` arguments). */
export function isStackLike(value: Grid<GridArray> | GridStack<GridArray>): value is GridStack<GridArray> {
  return Array.isArray(value.shape) && value.shape.length === 3;
}

/** The float array type an averaging function returns for `data`: Float64 stays Float64, anything else is Float32. */
export type FloatOf<T extends GridArray> = T extends Float64Array ? Float64Array : Float32Array;

/** Allocates the float output array matching {@link FloatOf}. */
export function floatArrayFor<T extends GridArray>(data: T, length: number): FloatOf<T> {
  return (data instanceof Float64Array ? new Float64Array(length) : new Float32Array(length)) as FloatOf<T>;
}

/**
 * The 2-D grid of a spec-like record: a {@link GridSpec} as is, or a stack (`shape: [time, rows, cols]`) reduced
 * to its last two dimensions. Checks the result with {@link assertSpec}.
 */
export function planeSpec(spec: GridSpecLike, name: string, fn: string): GridSpec {
  const shape = spec && typeof spec === 'object' ? spec.shape : undefined;
  if (Array.isArray(shape) && shape.length === 3) {
    const plane: GridSpec = { shape: [shape[1], shape[2]], bounds: spec.bounds, crs: spec.crs };
    if (!(Number.isInteger(shape[0]) && shape[0] > 0))
      throw new GridArgumentError(`${name}.shape`, fn, '[rows, cols] or [time, rows, cols]', JSON.stringify(shape));
    assertSpec(plane, name, fn);
    return plane;
  }
  assertSpec(spec as GridSpec, name, fn);
  return spec as GridSpec;
}
