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
export type {
  GridArray,
  Bounds,
  GridSpec,
  GridSpecLike,
  Grid,
  TimeBounds,
  GridStack,
  CreateGridOptions,
  CreateStackOptions,
} from './grid.js';
export type { ArrayRecord, FrameStack } from './records.js';
export {
  createGrid,
  createStack,
  isGrid,
  isStack,
  frameOf,
  cellSize,
  cellCenter,
  sameGrid,
  geoTransform,
} from './grid.js';
export type { Rng } from './random.js';
export { createRng } from './random.js';
export {
  isYearMonth,
  yearMonthOf,
  monthIndex,
  monthKey,
  monthRange,
  dayNumber,
  dayIsoDate,
  monthStartDay,
} from './months.js';
export type { GridErrorName } from './errors.js';
export {
  GRID_ERROR_NAMES,
  GridError,
  GridShapeError,
  GridArgumentError,
  GridFormatError,
  GridVariableError,
  GridCrsError,
  GridUnitsError,
  GridMismatchError,
  GridEmptyError,
  GridIoError,
  isGridError,
} from './errors.js';
export type { PointTransform } from './crs.js';
export {
  EPSG_4326,
  EPSG_3978,
  CRS_DEFINITIONS,
  isGeographic,
  proj4Definition,
  transformer,
  CANADA_LCC_110KM,
  NAMED_GRIDS,
} from './crs.js';
export type { UpscaleTarget, UpscaleOptions } from './upscale.js';
export { upscale } from './upscale.js';
export type { CellAreasOptions } from './weights.js';
export { cellAreas } from './weights.js';
export type {
  RemapMethod,
  RemapWeights,
  RemapWeightsOptions,
  ApplyRemapOptions,
  ReprojectOptions,
} from './reproject.js';
export { remapWeights, applyRemap, reproject } from './reproject.js';
export type { WaterUnit, UnitScaleOptions } from './units.js';
export { WATER_UNITS, normalizeUnits, unitScale, convertUnits } from './units.js';
export type { CfTimeUnit, DecodeCfTimesOptions } from './time-decode.js';
export { CF_CALENDARS, parseCfTimeUnit, decodeCfTimes, isoDateTime, isoDate } from './time-decode.js';
export type { WriteFileOptions, AtomicWriteOptions, AtomicWriteData } from './io/atomic.js';
export { writeFileAtomic, writeFileAtomicSync } from './io/atomic.js';
export type { ReadGeoTiffOptions, GeoTiffHeader, WriteGeoTiffOptions } from './io/geotiff.js';
export { readGeoTiff, readGeoTiffHeader, writeGeoTiff } from './io/geotiff.js';
export type { NetcdfFormat, ReadNetcdfOptions, FrameVariables, NetcdfHandle, NetcdfStack } from './io/netcdf.js';
export { sniffNetcdf, openNetcdf, readNetcdf } from './io/netcdf.js';
export type { WriteNetcdfOptions } from './io/netcdf-write.js';
export { writeNetcdf } from './io/netcdf-write.js';
export type { GridInfo, GridInfoVariable, GridInfoStats, GridInfoOptions } from './io/info.js';
export { gridInfo } from './io/info.js';
export type {
  LonLat,
  PolygonGeometry,
  MultiPolygonGeometry,
  PolygonFeature,
  PolygonFeatureCollection,
  PolygonalGeoJson,
  RasterizeOptions,
  CanadaMaskOptions,
} from './mask.js';
export { rasterizePolygons, canadaMask, canadaOutline, parseBasinOutline, readBasinOutline } from './mask.js';
export type { TimeWindow, GraceMonth } from './time-windows.js';
export { graceMonths, missingMonths, thirtyDayWindows } from './time-windows.js';
export type { DailyFrame, AggregateEvent, AggregateDailyOptions, WindowMean } from './aggregate.js';
export { streamWindowMeans, aggregateDaily, aggregateStack } from './aggregate.js';
export type { AnomaliesOptions } from './anomaly.js';
export { anomalies, PAPER_BASELINE } from './anomaly.js';
export type { DatedFile } from './stream.js';
export { netcdfFrames, geotiffFrames } from './stream.js';
export type { Basin, BasinLayer, ReadBasinsOptions, BasinWeightsOptions, BasinWeights } from './basins.js';
export { readBasins, basinWeights } from './basins.js';
export type { CalendarMonth, CalendarMonthStack } from './calendar-months.js';
export { mergeCalendarMonths } from './calendar-months.js';
