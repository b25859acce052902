/**
 * @module @twsa/grid
 *
 * Raster records and the preprocessing of Yu et al. (2021): read GRACE Tellus and LSM files, reproject to
 * Canada Lambert Conformal Conic, upscale by area-weighted mean, mask to Canada, window daily data onto
 * GRACE months and remove a baseline.
 *
 * ```ts
 * import { createGrid, CANADA_LCC_110KM } from "@twsa/grid";
 * const g = createGrid(new Float32Array(48 * 48), CANADA_LCC_110KM);
 * ```
 */
export type { GridArray, Bounds, GridSpec, Grid, TimeBounds, GridStack, CreateGridOptions, CreateStackOptions } from './grid.js';
export { createGrid, createStack, isGrid, isStack, frameOf, cellSize, cellCenter, sameGrid, geoTransform } from './grid.js';
export type { GridErrorName } from './errors.js';
export {
  GRID_ERROR_NAMES, GridError, GridShapeError, GridArgumentError, GridFormatError, GridVariableError, GridCrsError,
  GridUnitsError, GridMismatchError, GridEmptyError, GridIoError, isGridError,
} from './errors.js';
export type { PointTransform } from './crs.js';
export { EPSG_4326, EPSG_3978, CRS_DEFINITIONS, isGeographic, proj4Definition, transformer, CANADA_LCC_110KM, NAMED_GRIDS } from './crs.js';
export type { UpscaleTarget, UpscaleOptions } from './upscale.js';
export { upscale } from './upscale.js';
