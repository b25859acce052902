/**
 * GeoTIFF reading (through geotiff.js) and writing (through this package's own baseline-TIFF encoder).
 */
import { promises as fs } from 'node:fs';
import { fromArrayBuffer } from 'geotiff';
import { EPSG_3978, EPSG_4326 } from '../crs.js';
import { GridArgumentError, GridCrsError, GridEmptyError, GridFormatError, GridIoError } from '../errors.js';
import type { Bounds, Grid, GridArray } from '../grid.js';
import { isGrid } from '../grid.js';
import { normalizeUnits, unitScale } from '../units.js';
import { writeFileAtomic } from './atomic.js';
import type { WriteFileOptions } from './atomic.js';
import { encodeFloat32Tiff, geoKeyDirectory } from './tiff-encoder.js';

/** Options of {@link readGeoTiff}. */
export interface ReadGeoTiffOptions {
  /** 0-based band (sample) to read. Default 0. */
  readonly band?: number;
  /** Convert to these units (`"m"`, `"cm"`, `"mm"`, `"kg m-2"`); the file must record its units (GDAL band unit). */
  readonly units?: string;
  /** Throw {@link GridEmptyError} when the band holds no valid value. Default `false`. */
  readonly requireValid?: boolean;
}

/** Header facts of a GeoTIFF, as {@link gridInfo} reports them. */
export interface GeoTiffHeader {
  readonly width: number;
  readonly height: number;
  readonly bands: number;
  /** `"float32"`, `"int16"`, ... */
  readonly sampleType: string;
  readonly bounds: Bounds;
  readonly crs: string;
  /** GDAL_NODATA value, or undefined. */
  readonly nodata?: number;
  /** Band units from GDAL_METADATA, or undefined. */
  readonly units?: string;
}

const SAMPLE_TYPES: Readonly<Record<string, string>> = {
  '1:8': 'uint8',
  '1:16': 'uint16',
  '1:32': 'uint32',
  '2:8': 'int8',
  '2:16': 'int16',
  '2:32': 'int32',
  '3:32': 'float32',
  '3:64': 'float64',
};

async function loadFile(path: string, fn: string): Promise<ArrayBuffer> {
  if (typeof path !== 'string' || path === '') throw new GridArgumentError('path', fn, 'a file path', String(path));
  let buffer: Buffer;
  try {
    buffer = await fs.readFile(path);
  } catch (error) {
    throw new GridIoError(`Cannot read ${path}: ${(error as Error).message}`, {
      file: path,
      field: 'path',
      cause: error,
    });
  }
  return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
}

function crsFromGeoKeys(keys: Record<string, unknown> | null, path: string): string {
  if (!keys)
    throw new GridCrsError(`Unknown CRS in ${path}: the file has no GeoKeyDirectory (not a GeoTIFF)`, {
      file: path,
      field: 'GeoKeyDirectory',
    });
  const projected = keys.ProjectedCSTypeGeoKey as number | undefined;
  const geographic = keys.GeographicTypeGeoKey as number | undefined;
  const model = keys.GTModelTypeGeoKey as number | undefined;
  if (model !== 2 && projected !== undefined) {
    if (projected === 3978) return EPSG_3978;
    throw new GridCrsError(
      `Unknown CRS in ${path}: ProjectedCSTypeGeoKey = ${projected}${projected === 32767 ? ' (user-defined)' : ''}; supported: EPSG:3978 and EPSG:4326`,
      { file: path, field: 'ProjectedCSTypeGeoKey' },
    );
  }
  if (geographic !== undefined && model !== 1) {
    if (geographic === 4326) return EPSG_4326;
    throw new GridCrsError(
      `Unknown CRS in ${path}: GeographicTypeGeoKey = ${geographic}${geographic === 32767 ? ' (user-defined)' : ''}; supported: EPSG:3978 and EPSG:4326`,
      { file: path, field: 'GeographicTypeGeoKey' },
    );
  }
  throw new GridCrsError(
    `Unknown CRS in ${path}: GeoKeys name no EPSG code (GTModelTypeGeoKey = ${String(model)}); supported: EPSG:3978 and EPSG:4326`,
    { file: path, field: 'GeoKeyDirectory' },
  );
}

function gdalBandUnits(xml: string | undefined, band: number): string | undefined {
  if (!xml) return undefined;
  const re = /<Item\s+([^>]*)>([^<]*)<\/Item>/g;
  for (let m = re.exec(xml); m; m = re.exec(xml)) {
    const attrs = m[1]!;
    if (/role="unittype"/.test(attrs) && new RegExp(`sample="${band}"`).test(attrs)) return m[2]!.trim();
  }
  return undefined;
}

type Image = Awaited<ReturnType<Awaited<ReturnType<typeof fromArrayBuffer>>['getImage']>>;

async function openImage(path: string, fn: string): Promise<{ image: Image; size: number }> {
  const buffer = await loadFile(path, fn);
  let image: Image;
  try {
    const tiff = await fromArrayBuffer(buffer);
    image = await tiff.getImage();
  } catch (error) {
    throw new GridFormatError(`Corrupt or truncated TIFF ${path}: ${(error as Error).message}`, {
      file: path,
      field: 'header',
      cause: error,
    });
  }
  // geotiff.js pads short reads silently; check every strip/tile lies inside the file.
  const dir = image.fileDirectory;
  const tiled = dir.hasTag('TileOffsets');
  const offsetsTag = tiled ? 'TileOffsets' : 'StripOffsets';
  const countsTag = tiled ? 'TileByteCounts' : 'StripByteCounts';
  let offsets: ArrayLike<number>;
  let counts: ArrayLike<number>;
  try {
    offsets = (await dir.loadValue(offsetsTag)) as ArrayLike<number>;
    counts = (await dir.loadValue(countsTag)) as ArrayLike<number>;
  } catch (error) {
    throw new GridFormatError(
      `Corrupt or truncated TIFF ${path}: cannot read ${offsetsTag}/${countsTag}: ${(error as Error).message}`,
      { file: path, field: offsetsTag, cause: error },
    );
  }
  if (!offsets || !counts)
    throw new GridFormatError(`TIFF ${path} has no ${offsetsTag}/${countsTag}`, { file: path, field: offsetsTag });
  for (let i = 0; i < offsets.length; i++) {
    const end = Number(offsets[i]) + Number(counts[i]);
    if (end > buffer.byteLength) {
      throw new GridFormatError(
        `TIFF ${path} is truncated: ${tiled ? 'tile' : 'strip'} ${i} ends at byte ${end} but the file has ${buffer.byteLength}`,
        { file: path, field: countsTag },
      );
    }
  }
  return { image, size: buffer.byteLength };
}

async function headerOf(image: Image, path: string, band: number): Promise<GeoTiffHeader> {
  const width = image.getWidth();
  const height = image.getHeight();
  const bands = image.getSamplesPerPixel();
  const format = image.getSampleFormat(band) ?? 1;
  const bits = image.getBitsPerSample(band);
  const sampleType = SAMPLE_TYPES[`${format}:${bits}`] ?? `format${format}/${bits}bit`;
  const crs = crsFromGeoKeys(image.getGeoKeys() as Record<string, unknown> | null, path);
  let origin: number[];
  let resolution: number[];
  try {
    origin = image.getOrigin();
    resolution = image.getResolution();
  } catch (error) {
    throw new GridFormatError(
      `GeoTIFF ${path} has no georeferencing (ModelTiepoint + ModelPixelScale or ModelTransformation)`,
      { file: path, field: 'ModelTiepointTag', cause: error },
    );
  }
  const transform = image.fileDirectory.hasTag('ModelTransformation')
    ? ((await image.fileDirectory.loadValue('ModelTransformation')) as ArrayLike<number>)
    : undefined;
  if (transform && (Number(transform[1]) !== 0 || Number(transform[4]) !== 0)) {
    throw new GridFormatError(
      `GeoTIFF ${path} is rotated or sheared (ModelTransformation); only north-up grids can be read`,
      { file: path, field: 'ModelTransformation' },
    );
  }
  let [x0, y0] = [origin[0]!, origin[1]!];
  const [dx, dy] = [resolution[0]!, resolution[1]!];
  const keys = image.getGeoKeys() as Record<string, unknown> | null;
  if (keys?.GTRasterTypeGeoKey === 2) {
    x0 -= dx / 2;
    y0 -= dy / 2;
  } // PixelIsPoint: tiepoint is a cell centre
  const xs = [x0, x0 + dx * width];
  const ys = [y0, y0 + dy * height];
  const bounds: Bounds = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
  const nodata = image.getGDALNoData();
  let units: string | undefined;
  if (image.fileDirectory.hasTag('GDAL_METADATA')) {
    units = gdalBandUnits((await image.fileDirectory.loadValue('GDAL_METADATA')) as string, band);
  }
  return {
    width,
    height,
    bands,
    sampleType,
    bounds,
    crs,
    ...(nodata !== null ? { nodata } : {}),
    ...(units ? { units } : {}),
  };
}

/**
 * Reads the header of a GeoTIFF (size, type, georeferencing, CRS, nodata, units) without decoding its pixels.
 * @throws the errors of {@link readGeoTiff} except {@link GridEmptyError}.
 * @example
 * ```ts
 * await writeGeoTiff("/tmp/twsa-example-header.tif", createGrid(new Float32Array(4), { shape: [2, 2], bounds: [-100, 50, -98, 52], crs: "EPSG:4326" }), { overwrite: true });
 * const h = await readGeoTiffHeader("/tmp/twsa-example-header.tif");
 * [h.width, h.height, h.sampleType, h.crs]; // => [2, 2, "float32", "EPSG:4326"]
 * ```
 */
export async function readGeoTiffHeader(path: string, band = 0): Promise<GeoTiffHeader> {
  const { image } = await openImage(path, 'readGeoTiffHeader');
  return headerOf(image, path, band);
}

/**
 * Reads one band of a GeoTIFF as a Float32 {@link Grid} with NaN for missing values, row 0 north.
 *
 * ## Method
 * geotiff.js decodes the band (any sample type it supports: Float32/64, Int8/16/32, UInt8/16/32, any
 * compression it knows). Values equal to the GDAL_NODATA tag (and NaN) become NaN. Georeferencing comes from
 * ModelTiepoint + ModelPixelScale or an unrotated ModelTransformation (PixelIsPoint tiepoints are shifted half
 * a cell); `bounds` are the outer cell edges; a south-up file is flipped to north-up. The CRS comes from the
 * GeoKeys (ProjectedCSTypeGeoKey 3978 → "EPSG:3978", GeographicTypeGeoKey 4326 → "EPSG:4326"). Units come from
 * the GDAL band unit type (GDAL_METADATA) when present.
 * @param path - file path.
 * @param options - see {@link ReadGeoTiffOptions}.
 * @returns the grid.
 * @throws {@link GridIoError} when the file cannot be read.
 * @throws {@link GridFormatError} when it is not a TIFF, is truncated, or is rotated.
 * @throws {@link GridCrsError} when its CRS is neither EPSG:4326 nor EPSG:3978 (the message names the file).
 * @throws {@link GridUnitsError} when `units` is requested and the file's units cannot be converted.
 * @throws {@link GridEmptyError} with `requireValid` when every value is nodata.
 * @example
 * ```ts
 * await writeGeoTiff("/tmp/twsa-example-read.tif", createGrid(new Float32Array(48 * 48).fill(2), CANADA_LCC_110KM), { overwrite: true });
 * const g = await readGeoTiff("/tmp/twsa-example-read.tif");
 * g.shape;   // => [48, 48]
 * g.crs;     // => "EPSG:3978"
 * g.bounds;  // => [-2356000, -1130000, 3020000, 4246000]
 * g.data[0]; // => 2
 * ```
 */
export async function readGeoTiff(path: string, options: ReadGeoTiffOptions = {}): Promise<Grid> {
  const band = options.band ?? 0;
  const { image } = await openImage(path, 'readGeoTiff');
  const header = await headerOf(image, path, band);
  if (!Number.isInteger(band) || band < 0 || band >= header.bands)
    throw new GridArgumentError('band', 'readGeoTiff', `an integer in [0, ${header.bands}) for ${path}`, String(band));
  let raster: ArrayLike<number>;
  try {
    const rasters = await image.readRasters({ samples: [band] });
    raster = (rasters as unknown as ArrayLike<number>[])[0]!;
  } catch (error) {
    throw new GridFormatError(`Cannot decode the pixels of ${path}: ${(error as Error).message}`, {
      file: path,
      field: 'StripOffsets',
      cause: error,
    });
  }
  const { width, height } = header;
  let factor = 1;
  let units = header.units;
  if (options.units !== undefined) {
    factor = unitScale(header.units, options.units, { file: path, field: 'band unit type' });
    units = normalizeUnits(options.units);
  }
  const southUp = image.getResolution()[1]! > 0;
  const nodata = header.nodata;
  const data = new Float32Array(width * height);
  let valid = 0;
  for (let r = 0; r < height; r++) {
    const src = (southUp ? height - 1 - r : r) * width;
    for (let c = 0; c < width; c++) {
      const v = raster[src + c]!;
      if (Number.isNaN(v) || (nodata !== undefined && (v === nodata || Math.fround(v) === Math.fround(nodata))))
        data[r * width + c] = Number.NaN;
      else {
        data[r * width + c] = v * factor;
        valid++;
      }
    }
  }
  if (options.requireValid && valid === 0)
    throw new GridEmptyError(`Band ${band} of ${path} holds no valid value (all nodata)`, {
      file: path,
      field: `band ${band}`,
    });
  return {
    data,
    shape: [height, width],
    bounds: header.bounds,
    crs: header.crs,
    nodata: Number.NaN,
    ...(units !== undefined ? { units } : {}),
  };
}

/** Options of {@link writeGeoTiff}. */
export interface WriteGeoTiffOptions extends WriteFileOptions {
  /** Value written for NaN cells and recorded in GDAL_NODATA. Default `NaN` (GDAL_NODATA "nan"). */
  readonly nodata?: number;
  /** Band unit type recorded in GDAL_METADATA. Default `grid.units`. */
  readonly units?: string;
  /** Extra dataset metadata items (GDAL_METADATA), e.g. `{ source: "...", history: "..." }`. */
  readonly metadata?: Readonly<Record<string, string | number>>;
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * Writes a {@link Grid} as a single-band Float32 GeoTIFF, atomically.
 *
 * ## Method
 * Uncompressed strips (≤ 64 KiB each), SampleFormat IEEE float, ModelPixelScale `[dx, dy, 0]` and ModelTiepoint
 * `(0, 0) → (west, north)` (PixelIsArea), GDAL_NODATA, GeoKeys: for EPSG:4326 GTModelType 2, GeographicType 4326,
 * GeogCitation "WGS 84", angular unit degree; for EPSG:3978 GTModelType 1, ProjectedCSType 3978, GTCitation
 * "NAD83 / Canada Atlas Lambert", GeogCitation "NAD83", linear unit metre. Bytes go to
 * `<path>.tmp-<pid>-<random>` and are renamed over `path` when complete.
 * @param path - output path.
 * @param grid - a grid in EPSG:4326 or EPSG:3978 (any {@link GridArray}; written as Float32).
 * @param options - see {@link WriteGeoTiffOptions}.
 * @throws {@link GridArgumentError} when `grid` is not a grid or `nodata` is not a number.
 * @throws {@link GridCrsError} for other CRSs.
 * @throws {@link GridIoError} when `path` exists (without `overwrite`), is an input, or cannot be written.
 * @example
 * ```ts
 * const grid = createGrid(new Float32Array(48 * 48).fill(Number.NaN), CANADA_LCC_110KM);
 * await writeGeoTiff("/tmp/twsa-example-write.tif", grid, { overwrite: true, nodata: -9999 });
 * (await readGeoTiffHeader("/tmp/twsa-example-write.tif")).nodata; // => -9999
 * // gdalinfo: EPSG:3978, Origin = (-2356000, 4246000), Pixel Size = (112000, -112000), NoData Value=-9999
 * ```
 */
export async function writeGeoTiff(
  path: string,
  grid: Grid<GridArray>,
  options: WriteGeoTiffOptions = {},
): Promise<void> {
  const fn = 'writeGeoTiff';
  if (!isGrid(grid))
    throw new GridArgumentError('grid', fn, 'a Grid record ({ data, shape: [rows, cols], bounds, crs })', typeof grid);
  const nodata = options.nodata ?? Number.NaN;
  if (typeof nodata !== 'number') throw new GridArgumentError('nodata', fn, 'a number or NaN', String(nodata));
  const [rows, cols] = grid.shape;
  const [west, south, east, north] = grid.bounds;
  const dx = (east - west) / cols;
  const dy = (north - south) / rows;
  const crs = grid.crs.toUpperCase();
  let keys: { geoKeys: number[]; geoAscii: string };
  if (crs === EPSG_4326) {
    keys = geoKeyDirectory(
      [
        [1024, 2],
        [1025, 1],
        [2048, 4326],
        [2054, 9102],
      ],
      [
        [1026, 'WGS 84'],
        [2049, 'WGS 84'],
      ],
    );
  } else if (crs === EPSG_3978) {
    keys = geoKeyDirectory(
      [
        [1024, 1],
        [1025, 1],
        [3072, 3978],
        [3076, 9001],
      ],
      [
        [1026, 'NAD83 / Canada Atlas Lambert'],
        [2049, 'NAD83'],
      ],
    );
  } else {
    throw new GridCrsError(
      `writeGeoTiff cannot encode CRS '${grid.crs}' for ${path}: supported are EPSG:4326 and EPSG:3978`,
      { file: path, field: 'crs' },
    );
  }
  const data = new Float32Array(rows * cols);
  const gridNodata = grid.nodata;
  for (let i = 0; i < data.length; i++) {
    const v = grid.data[i]!;
    data[i] = Number.isNaN(v) || (!Number.isNaN(gridNodata) && v === gridNodata) ? nodata : v;
  }
  const units = options.units ?? grid.units;
  const items: string[] = [];
  for (const [k, v] of Object.entries(options.metadata ?? {}))
    items.push(`  <Item name="${xmlEscape(k)}">${xmlEscape(String(v))}</Item>`);
  if (units) items.push(`  <Item name="units" sample="0" role="unittype">${xmlEscape(units)}</Item>`);
  const bytes = encodeFloat32Tiff({
    width: cols,
    height: rows,
    data,
    pixelScale: [dx, dy, 0],
    tiepoint: [0, 0, 0, west, north, 0],
    ...keys,
    ...(items.length > 0 ? { gdalMetadata: `<GDALMetadata>\n${items.join('\n')}\n</GDALMetadata>` } : {}),
    gdalNodata: Number.isNaN(nodata) ? 'nan' : String(nodata),
  });
  await writeFileAtomic(path, bytes, { overwrite: options.overwrite, inputs: options.inputs, caller: fn });
}
