/**
 * The `twsa grid …` commands as functions: summarise a raster, upscale a GeoTIFF, reproject a raster onto a named
 * grid. They read and write through `@twsa/grid`; the CLI only parses flags and prints.
 */
import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import type { Grid, GridSpec, GridStack, UpscaleTarget } from '@twsa/grid';
import { InputError } from './errors.js';
import { exportOf } from './internal/bindings.js';

type ReadGeoTiff = (path: string, options?: object) => Promise<Grid>;
type ReadNetcdf = (path: string, options?: object) => Promise<GridStack>;
type WriteGeoTiff = (
  path: string,
  grid: Grid,
  options?: { overwrite?: boolean; inputs?: readonly string[]; metadata?: Readonly<Record<string, string | number>> },
) => Promise<void>;
type WriteNetcdf = (
  path: string,
  stack: GridStack | Grid,
  options?: { overwrite?: boolean; inputs?: readonly string[]; producer?: string },
) => Promise<void>;
type Upscale = (grid: Grid, target: UpscaleTarget) => Grid;
type Reproject = (data: GridStack | Grid, target: GridSpec) => GridStack | Grid;

const isNetcdf = (p: string): boolean => ['.nc', '.nc4', '.cdf', '.netcdf', '.h5'].includes(extname(p).toLowerCase());
const isTiff = (p: string): boolean => ['.tif', '.tiff'].includes(extname(p).toLowerCase());

function assertInput(path: string, argument: string): void {
  if (!existsSync(path)) throw new InputError(`${argument}: file '${path}' does not exist`, { file: path });
}

/** Summary of a raster file (format, shape, bounds, CRS, units, times, statistics) from `@twsa/grid`'s `gridInfo`. */
export async function gridInfoCommand(path: string): Promise<unknown> {
  assertInput(path, 'grid info <file>');
  const gridInfo = await exportOf<(p: string) => Promise<unknown>>('@twsa/grid', 'gridInfo');
  return gridInfo(path);
}

/** Options of {@link gridUpscaleCommand}. */
export interface GridUpscaleCommandOptions {
  /** Integer block factor, or the path of a GeoTIFF whose grid to match. Exactly one. */
  readonly factor?: number;
  readonly like?: string;
  readonly out: string;
  readonly overwrite?: boolean;
}

/**
 * Area-weighted mean upscaling of a GeoTIFF by an integer factor or onto the grid of another GeoTIFF.
 * @throws {@link InputError} when files are missing, not GeoTIFF, or both/neither of factor and like are given.
 */
export async function gridUpscaleCommand(
  input: string,
  options: GridUpscaleCommandOptions,
): Promise<{ readonly out: string; readonly shape: readonly number[] }> {
  assertInput(input, 'grid upscale <in.tif>');
  if (!isTiff(input))
    throw new InputError(`grid upscale: expected a GeoTIFF input (.tif), got '${input}'`, { file: input });
  if ((options.factor === undefined) === (options.like === undefined))
    throw new InputError('grid upscale: give exactly one of --factor N or --like <grid.tif>');
  if (!isTiff(options.out))
    throw new InputError(`grid upscale: --out must end in .tif, got '${options.out}'`, { file: options.out });
  const readGeoTiff = await exportOf<ReadGeoTiff>('@twsa/grid', 'readGeoTiff');
  const writeGeoTiff = await exportOf<WriteGeoTiff>('@twsa/grid', 'writeGeoTiff');
  const upscale = await exportOf<Upscale>('@twsa/grid', 'upscale');
  const grid = await readGeoTiff(input);
  let target: UpscaleTarget;
  if (options.like !== undefined) {
    assertInput(options.like, '--like');
    const like = await readGeoTiff(options.like);
    target = { like: { shape: like.shape, bounds: like.bounds, crs: like.crs } };
  } else {
    if (!Number.isInteger(options.factor) || options.factor! < 1)
      throw new InputError(`grid upscale: --factor must be an integer ≥ 1, got ${options.factor}`);
    target = { factor: options.factor! };
  }
  const out = upscale(grid, target);
  await writeGeoTiff(options.out, out, {
    overwrite: options.overwrite ?? false,
    inputs: [input],
    metadata: {
      history: `twsa grid upscale ${options.factor !== undefined ? `--factor ${options.factor}` : `--like ${options.like}`}`,
      source: input,
    },
  });
  return { out: options.out, shape: out.shape };
}

/** Options of {@link gridReprojectCommand}. */
export interface GridReprojectCommandOptions {
  /** A named grid (`"canada-lcc-110km"`). */
  readonly to: string;
  readonly out: string;
  readonly overwrite?: boolean;
  /** For a multi-frame NetCDF written to a GeoTIFF: the 0-based frame. */
  readonly frame?: number;
  /** NetCDF variable to read. */
  readonly variable?: string;
}

/**
 * Reprojects a GeoTIFF or NetCDF raster onto a named grid (conservative remapping, `@twsa/grid` `reproject`).
 * A NetCDF stack goes to a NetCDF `--out`; to a GeoTIFF only one frame (`--frame`, default the only one).
 * @throws {@link InputError} for a missing input, an unknown grid name, or a stack written to one GeoTIFF without `frame`.
 */
export async function gridReprojectCommand(
  input: string,
  options: GridReprojectCommandOptions,
): Promise<{ readonly out: string; readonly shape: readonly number[] }> {
  assertInput(input, 'grid reproject <in>');
  const NAMED_GRIDS = await exportOf<Readonly<Record<string, GridSpec>>>('@twsa/grid', 'NAMED_GRIDS');
  const spec = NAMED_GRIDS[options.to];
  if (!spec)
    throw new InputError(
      `grid reproject: --to must be one of ${Object.keys(NAMED_GRIDS).join(', ')}, got '${options.to}'`,
    );
  if (!isTiff(options.out) && !isNetcdf(options.out))
    throw new InputError(`grid reproject: --out must end in .tif or .nc, got '${options.out}'`, { file: options.out });
  const reproject = await exportOf<Reproject>('@twsa/grid', 'reproject');
  const history = `twsa grid reproject ${input} --to ${options.to}`;
  let source: Grid | GridStack;
  if (isTiff(input)) source = await (await exportOf<ReadGeoTiff>('@twsa/grid', 'readGeoTiff'))(input);
  else if (isNetcdf(input))
    source = await (
      await exportOf<ReadNetcdf>('@twsa/grid', 'readNetcdf')
    )(input, options.variable ? { variable: options.variable } : {});
  else
    throw new InputError(`grid reproject: expected a GeoTIFF (.tif) or NetCDF (.nc, .nc4) input, got '${input}'`, {
      file: input,
    });
  const result = reproject(source, spec);
  if (isNetcdf(options.out)) {
    await (
      await exportOf<WriteNetcdf>('@twsa/grid', 'writeNetcdf')
    )(options.out, result, { overwrite: options.overwrite ?? false, inputs: [input], producer: history });
    return { out: options.out, shape: result.shape };
  }
  let grid: Grid;
  if (result.shape.length === 3) {
    const stack = result as GridStack;
    const frames = stack.shape[0];
    const t = options.frame ?? (frames === 1 ? 0 : -1);
    if (t < 0)
      throw new InputError(
        `grid reproject: '${input}' has ${frames} frames; write them to a NetCDF (--out x.nc) or pick one with --frame N`,
        { file: input },
      );
    if (!Number.isInteger(t) || t >= frames)
      throw new InputError(`grid reproject: --frame must be an integer in 0..${frames - 1}, got ${options.frame}`);
    const size = stack.shape[1] * stack.shape[2];
    grid = {
      data: stack.data.slice(t * size, (t + 1) * size),
      shape: [stack.shape[1], stack.shape[2]],
      bounds: stack.bounds,
      crs: stack.crs,
      nodata: stack.nodata,
      ...(stack.units ? { units: stack.units } : {}),
    };
  } else grid = result as Grid;
  await (
    await exportOf<WriteGeoTiff>('@twsa/grid', 'writeGeoTiff')
  )(options.out, grid, {
    overwrite: options.overwrite ?? false,
    inputs: [input],
    metadata: { history, source: input },
  });
  return { out: options.out, shape: grid.shape };
}
