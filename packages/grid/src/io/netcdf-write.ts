/**
 * Writing {@link GridStack}s (or single {@link Grid}s) as CF-1.8 NetCDF-3 files with this package's encoder.
 */
import * as nodePath from 'node:path';
import { EPSG_3978, EPSG_4326 } from '../crs.js';
import { GridArgumentError, GridCrsError } from '../errors.js';
import type { Grid, GridArray, GridStack } from '../grid.js';
import { isGrid, isStack } from '../grid.js';
import { writeFileAtomic } from './atomic.js';
import type { WriteFileOptions } from './atomic.js';
import { WKT } from './crs-wkt.js';
import { encodeNetcdf3 } from './netcdf3-encoder.js';
import type { Nc3Attribute, Nc3Variable } from './netcdf3-encoder.js';

/** Options of {@link writeNetcdf}. */
export interface WriteNetcdfOptions extends WriteFileOptions {
  /** Name of the data variable. Default `"lwe_thickness"`. */
  readonly variable?: string;
  /** `long_name` of the data variable. Default `attributes.long_name` of the stack, else the variable name. */
  readonly longName?: string;
  /** `standard_name` of the data variable, when there is one. */
  readonly standardName?: string;
  /** `units` of the data variable. Default the record's `units`; omitted when neither is set. */
  readonly units?: string;
  /** `_FillValue` written for NaN cells (float32). Default `-99999`. */
  readonly fillValue?: number;
  /** Global `title`. Default the stack's `title` attribute, else "@twsa/grid output". */
  readonly title?: string;
  /** What produced the data, appended to the `history` line (e.g. `"twsa grid reproject --to canada-lcc-110km"`). */
  readonly producer?: string;
  /** Extra global attributes; they override the stack's attributes (not Conventions/history). */
  readonly attributes?: Readonly<Record<string, string | number>>;
  /** The time stamped into `history`. Default now. */
  readonly now?: Date;
}

const DAY_MS = 86_400_000;

function attr(
  name: string,
  value: string | number | readonly number[],
  type: 'double' | 'float' | 'int' = 'double',
): Nc3Attribute {
  return typeof value === 'string'
    ? { name, type: 'char', value }
    : { name, type, value: typeof value === 'number' ? [value] : value };
}

function crsVariable(crs: string, geoTransform: string): Nc3Variable {
  const common = [attr('crs_wkt', WKT[crs]!), attr('spatial_ref', WKT[crs]!), attr('GeoTransform', geoTransform)];
  if (crs === EPSG_3978) {
    return {
      name: 'crs',
      dims: [],
      type: 'int',
      data: [0],
      attributes: [
        attr('grid_mapping_name', 'lambert_conformal_conic'),
        attr('standard_parallel', [49, 77]),
        attr('longitude_of_central_meridian', -95),
        attr('latitude_of_projection_origin', 49),
        attr('false_easting', 0),
        attr('false_northing', 0),
        attr('semi_major_axis', 6378137),
        attr('inverse_flattening', 298.257222101),
        attr('long_name', 'NAD83 / Canada Atlas Lambert (EPSG:3978)'),
        ...common,
      ],
    };
  }
  return {
    name: 'crs',
    dims: [],
    type: 'int',
    data: [0],
    attributes: [
      attr('grid_mapping_name', 'latitude_longitude'),
      attr('longitude_of_prime_meridian', 0),
      attr('semi_major_axis', 6378137),
      attr('inverse_flattening', 298.257223563),
      attr('long_name', 'WGS 84 (EPSG:4326)'),
      ...common,
    ],
  };
}

function epochOf(iso: string, index: number, field: string): number {
  const t = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(iso) || iso.length <= 10 ? iso : `${iso}Z`);
  if (!Number.isFinite(t))
    throw new GridArgumentError(`stack.${field}[${index}]`, 'writeNetcdf', 'an ISO 8601 date', JSON.stringify(iso));
  return t;
}

/**
 * Writes a {@link GridStack} (or one {@link Grid}) as a CF-1.8 NetCDF-3 file (64-bit offset format), atomically.
 *
 * ## Method
 * Dimensions `time`, `nv` (when time bounds exist), `lat`/`lon` for EPSG:4326 or `y`/`x` for EPSG:3978 (rows
 * north first, as in the record), each with a `<name>_bnds` cell-edge variable. Variables: `time` (double, "days since 1970-01-01", calendar standard,
 * `bounds = "time_bnds"`), `time_bnds`, cell-centre coordinates with `units`, `standard_name` and `axis`, `label`
 * (char) when the stack has labels, other per-frame variables when the record carries `frameVariables`, a
 * scalar `crs` grid-mapping variable (lambert_conformal_conic with standard parallels 49/77, central meridian
 * −95, origin 49, GRS80; or latitude_longitude; both with `crs_wkt`, `spatial_ref` and `GeoTransform`), and the
 * float32 data variable with `_FillValue`, `units`, `long_name` and `grid_mapping = "crs"`. Global attributes:
 * Conventions "CF-1.8", title, `history` (a new ISO-stamped line first, then the stack's previous history), the
 * stack's attributes and `options.attributes`. A {@link Grid} is written without a time dimension.
 * @param path - output path.
 * @param stack - a {@link GridStack} or {@link Grid} in EPSG:4326 or EPSG:3978.
 * @param options - see {@link WriteNetcdfOptions}.
 * @throws {@link GridArgumentError} when the record is malformed or a time is not ISO 8601.
 * @throws {@link GridCrsError} for other CRSs.
 * @throws {@link GridIoError} when `path` exists (without `overwrite`), is an input, or cannot be written.
 * @example
 * ```ts
 * const stack = createStack(new Float32Array(2 * 48 * 48), { ...CANADA_LCC_110KM, shape: [2, 48, 48], units: "mm",
 *   times: ["2003-01-16T12:00:00Z", "2003-02-15T00:00:00Z"], timeBounds: [["2003-01-01", "2003-02-01"], ["2003-02-01", "2003-03-01"]] });
 * await writeNetcdf("/tmp/twsa-example-write.nc", stack, { variable: "twsa", producer: "my-script.ts", overwrite: true });
 * (await readNetcdf("/tmp/twsa-example-write.nc")).timeBounds; // => [["2003-01-01", "2003-02-01"], ["2003-02-01", "2003-03-01"]]
 * // ncdump -h: float twsa(time, y, x); twsa:grid_mapping = "crs"; crs:grid_mapping_name = "lambert_conformal_conic"; :Conventions = "CF-1.8"
 * ```
 */
export async function writeNetcdf(
  path: string,
  stack: GridStack<GridArray> | Grid<GridArray>,
  options: WriteNetcdfOptions = {},
): Promise<void> {
  const fn = 'writeNetcdf';
  const isS = isStack(stack);
  if (!isS && !isGrid(stack)) throw new GridArgumentError('stack', fn, 'a GridStack or Grid record', typeof stack);
  const crs = stack.crs.toUpperCase();
  if (crs !== EPSG_4326 && crs !== EPSG_3978) {
    throw new GridCrsError(
      `writeNetcdf cannot encode CRS '${stack.crs}' for ${path}: supported are EPSG:4326 and EPSG:3978`,
      { file: path, field: 'crs' },
    );
  }
  const geographic = crs === EPSG_4326;
  const [frames, rows, cols] = isS ? (stack as GridStack<GridArray>).shape : [1, ...(stack as Grid<GridArray>).shape];
  const s = isS ? (stack as GridStack<GridArray>) : undefined;
  const [west, south, east, north] = stack.bounds;
  const dx = (east - west) / cols;
  const dy = (north - south) / rows;
  const xName = geographic ? 'lon' : 'x';
  const yName = geographic ? 'lat' : 'y';
  const variable = options.variable ?? 'lwe_thickness';
  const fillValue = Math.fround(options.fillValue ?? -99999);
  if (!Number.isFinite(fillValue))
    throw new GridArgumentError('fillValue', fn, 'a finite number', String(options.fillValue));
  const reserved = new Set([
    'time',
    'time_bnds',
    'nv',
    xName,
    yName,
    `${xName}_bnds`,
    `${yName}_bnds`,
    'crs',
    'label',
    variable,
  ]);
  if (
    [
      'time',
      'time_bnds',
      'nv',
      'lat',
      'lon',
      'x',
      'y',
      'lat_bnds',
      'lon_bnds',
      'x_bnds',
      'y_bnds',
      'crs',
      'label',
    ].includes(variable)
  ) {
    throw new GridArgumentError(
      'variable',
      fn,
      'a name other than the coordinate and helper variables',
      JSON.stringify(variable),
    );
  }

  const dimensions: { name: string; size: number }[] = [];
  const variables: Nc3Variable[] = [];
  if (s) {
    dimensions.push({ name: 'time', size: frames });
    if (s.times.some((t) => t !== '')) {
      const days = s.times.map((t, i) => epochOf(t, i, 'times') / DAY_MS);
      variables.push({
        name: 'time',
        dims: ['time'],
        type: 'double',
        data: days,
        attributes: [
          attr('units', 'days since 1970-01-01 00:00:00'),
          attr('calendar', 'standard'),
          attr('standard_name', 'time'),
          attr('long_name', 'time'),
          attr('axis', 'T'),
          ...(s.timeBounds ? [attr('bounds', 'time_bnds')] : []),
        ],
      });
      if (s.timeBounds) {
        dimensions.push({ name: 'nv', size: 2 });
        const b = new Float64Array(frames * 2);
        s.timeBounds.forEach(([start, end], i) => {
          b[2 * i] = epochOf(start, i, 'timeBounds') / DAY_MS;
          b[2 * i + 1] = epochOf(end, i, 'timeBounds') / DAY_MS;
        });
        variables.push({
          name: 'time_bnds',
          dims: ['time', 'nv'],
          type: 'double',
          data: b,
          attributes: [
            attr('units', 'days since 1970-01-01 00:00:00'),
            attr('calendar', 'standard'),
            attr('long_name', 'time window [start, end) of each frame'),
          ],
        });
      }
    }
  }
  dimensions.push({ name: yName, size: rows }, { name: xName, size: cols });
  if (!dimensions.some((d) => d.name === 'nv')) dimensions.push({ name: 'nv', size: 2 });
  const ys = Float64Array.from({ length: rows }, (_, r) => north - (r + 0.5) * dy);
  const xs = Float64Array.from({ length: cols }, (_, c) => west + (c + 0.5) * dx);
  // Cell edges (CF bounds): north→south for y, west→east for x.
  const yBounds = Float64Array.from({ length: rows * 2 }, (_, k) => north - (Math.floor(k / 2) + (k % 2)) * dy);
  const xBounds = Float64Array.from({ length: cols * 2 }, (_, k) => west + (Math.floor(k / 2) + (k % 2)) * dx);
  const [yUnits, xUnits] = geographic ? ['degrees_north', 'degrees_east'] : ['m', 'm'];
  const [yStandard, xStandard] = geographic
    ? ['latitude', 'longitude']
    : ['projection_y_coordinate', 'projection_x_coordinate'];
  const [yLong, xLong] = geographic
    ? ['latitude of cell centre', 'longitude of cell centre']
    : ['y coordinate of cell centre', 'x coordinate of cell centre'];
  variables.push({
    name: yName,
    dims: [yName],
    type: 'double',
    data: ys,
    attributes: [
      attr('units', yUnits),
      attr('standard_name', yStandard),
      attr('long_name', yLong),
      attr('axis', 'Y'),
      attr('bounds', `${yName}_bnds`),
    ],
  });
  variables.push({
    name: `${yName}_bnds`,
    dims: [yName, 'nv'],
    type: 'double',
    data: yBounds,
    attributes: [attr('units', yUnits)],
  });
  variables.push({
    name: xName,
    dims: [xName],
    type: 'double',
    data: xs,
    attributes: [
      attr('units', xUnits),
      attr('standard_name', xStandard),
      attr('long_name', xLong),
      attr('axis', 'X'),
      attr('bounds', `${xName}_bnds`),
    ],
  });
  variables.push({
    name: `${xName}_bnds`,
    dims: [xName, 'nv'],
    type: 'double',
    data: xBounds,
    attributes: [attr('units', xUnits)],
  });
  variables.push(crsVariable(crs, [west, dx, 0, north, 0, -dy].join(' ')));
  if (s?.labels) {
    const width = Math.max(1, ...s.labels.map((l) => Buffer.byteLength(l, 'utf8')));
    dimensions.push({ name: 'label_len', size: width });
    variables.push({
      name: 'label',
      dims: ['time', 'label_len'],
      type: 'char',
      data: s.labels,
      attributes: [attr('long_name', 'label of each frame')],
    });
  }
  const frameVariables =
    s && 'frameVariables' in s
      ? ((s as { frameVariables?: Record<string, readonly (string | number)[]> }).frameVariables ?? {})
      : {};
  for (const [name, values] of Object.entries(frameVariables)) {
    if (reserved.has(name) || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || values.length !== frames) continue;
    if (values.every((v) => typeof v === 'number')) {
      variables.push({
        name,
        dims: ['time'],
        type: 'double',
        data: values as number[],
        attributes: [attr('long_name', `${name} of each frame`)],
      });
    } else {
      const strings = values.map(String);
      const width = Math.max(1, ...strings.map((l) => Buffer.byteLength(l, 'utf8')));
      dimensions.push({ name: `${name}_len`, size: width });
      variables.push({
        name,
        dims: ['time', `${name}_len`],
        type: 'char',
        data: strings,
        attributes: [attr('long_name', `${name} of each frame`)],
      });
    }
  }
  const data = new Float32Array(stack.data.length);
  const nodata = stack.nodata;
  for (let i = 0; i < data.length; i++) {
    const v = stack.data[i]!;
    data[i] = Number.isNaN(v) || (!Number.isNaN(nodata) && v === nodata) ? fillValue : v;
  }
  const stackAttributes = (s?.attributes ?? {}) as Readonly<Record<string, string | number>>;
  const units = options.units ?? stack.units;
  const longName =
    options.longName ?? (typeof stackAttributes.long_name === 'string' ? stackAttributes.long_name : variable);
  variables.push({
    name: variable,
    dims: s ? ['time', yName, xName] : [yName, xName],
    type: 'float',
    data,
    attributes: [
      attr('_FillValue', fillValue, 'float'),
      ...(units !== undefined ? [attr('units', units)] : []),
      attr('long_name', longName),
      ...(options.standardName ? [attr('standard_name', options.standardName)] : []),
      attr('grid_mapping', 'crs'),
    ],
  });

  const now = options.now ?? new Date();
  const line = `${now.toISOString().replace(/\.\d{3}Z$/, 'Z')}: @twsa/grid writeNetcdf wrote ${variable} [${s ? `${frames}, ` : ''}${rows}, ${cols}] ${crs} to ${nodePath.basename(path)}${options.producer ? ` (${options.producer})` : ''}`;
  const previous =
    typeof stackAttributes.history === 'string' && stackAttributes.history !== '' ? `\n${stackAttributes.history}` : '';
  const merged: Record<string, string | number> = { ...stackAttributes, ...(options.attributes ?? {}) };
  delete merged.Conventions;
  delete merged.history;
  delete merged.title;
  delete merged._NCProperties;
  delete merged.long_name;
  const title =
    options.title ?? (typeof stackAttributes.title === 'string' ? stackAttributes.title : '@twsa/grid output');
  const globals: Nc3Attribute[] = [
    attr('Conventions', 'CF-1.8'),
    attr('title', title),
    attr('history', line + previous),
  ];
  for (const [k, v] of Object.entries(merged)) {
    if (/^[A-Za-z_][A-Za-z0-9_.\-+@]*$/.test(k)) globals.push(attr(k, v));
  }
  const bytes = encodeNetcdf3({ dimensions, attributes: globals, variables });
  await writeFileAtomic(path, bytes, { overwrite: options.overwrite, inputs: options.inputs, caller: fn });
}
