/**
 * The `twsa grid …` commands as functions: summarise a raster, upscale a GeoTIFF, reproject a raster onto a named
 * grid. They read and write through `@twsa/grid`; the CLI only parses flags and prints.
 */
import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import {
  NAMED_GRIDS,
  frameOf,
  gridInfo,
  isStack,
  readGeoTiff,
  readNetcdf,
  reproject,
  upscale,
  writeGeoTiff,
  writeNetcdf,
  type Grid,
  type GridInfo,
  type GridStack,
  type UpscaleTarget,
} from '@twsa/grid';
import { InputError } from './errors.js';

const isNetcdf = (p: string): boolean => ['.nc', '.nc4', '.cdf', '.netcdf', '.h5'].includes(extname(p).toLowerCase());
const isTiff = (p: string): boolean => ['.tif', '.tiff'].includes(extname(p).toLowerCase());

function assertInput(path: string, argument: string): void {
  if (!existsSync(path)) throw new InputError(`${argument}: file '${path}' does not exist`, { file: path });
}

/** Summary of a raster file (format, shape, bounds, CRS, units, times, statistics) from `@twsa/grid`'s `gridInfo`. */
export async function gridInfoCommand(path: string): Promise<GridInfo> {
  assertInput(path, 'grid info <file>');
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
  const spec = NAMED_GRIDS[options.to];
  if (!spec)
    throw new InputError(
      `grid reproject: --to must be one of ${Object.keys(NAMED_GRIDS).join(', ')}, got '${options.to}'`,
    );
  if (!isTiff(options.out) && !isNetcdf(options.out))
    throw new InputError(`grid reproject: --out must end in .tif or .nc, got '${options.out}'`, { file: options.out });
  const history = `twsa grid reproject ${input} --to ${options.to}`;
  let source: Grid | GridStack;
  if (isTiff(input)) source = await readGeoTiff(input);
  else if (isNetcdf(input)) source = await readNetcdf(input, options.variable ? { variable: options.variable } : {});
  else
    throw new InputError(`grid reproject: expected a GeoTIFF (.tif) or NetCDF (.nc, .nc4) input, got '${input}'`, {
      file: input,
    });
  const result = isStack(source) ? reproject(source, spec) : reproject(source, spec);
  if (isNetcdf(options.out)) {
    await writeNetcdf(options.out, result, {
      overwrite: options.overwrite ?? false,
      inputs: [input],
      producer: history,
    });
    return { out: options.out, shape: result.shape };
  }
  let grid: Grid;
  if (isStack(result)) {
    const stack = result;
    const frames = stack.shape[0];
    const t = options.frame ?? (frames === 1 ? 0 : -1);
    if (t < 0)
      throw new InputError(
        `grid reproject: '${input}' has ${frames} frames; write them to a NetCDF (--out x.nc) or pick one with --frame N`,
        { file: input },
      );
    if (!Number.isInteger(t) || t >= frames)
      throw new InputError(`grid reproject: --frame must be an integer in 0..${frames - 1}, got ${options.frame}`);
    grid = frameOf(stack, t);
  } else grid = result;
  await writeGeoTiff(options.out, grid, {
    overwrite: options.overwrite ?? false,
    inputs: [input],
    metadata: { history, source: input },
  });
  return { out: options.out, shape: grid.shape };
}
