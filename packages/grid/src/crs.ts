/**
 * Coordinate reference systems this package understands, as proj4 definition strings, and the paper's
 * target grid. Definitions are passed to proj4 on every call: nothing is registered in proj4's global
 * `defs` table.
 */
import proj4 from 'proj4';
import { GridCrsError } from './errors.js';
import type { GridSpec } from './grid.js';

/** Geographic WGS 84 (longitude, latitude in degrees). GRACE Tellus grids and GLDAS use it. */
export const EPSG_4326 = 'EPSG:4326';
/** NAD83 / Canada Atlas Lambert (Lambert Conformal Conic, standard parallels 49°N and 77°N, origin 49°N 95°W). */
export const EPSG_3978 = 'EPSG:3978';

/** proj4 definitions of the CRSs this package knows, by identifier. */
export const CRS_DEFINITIONS: Readonly<Record<string, string>> = Object.freeze({
  'EPSG:4326': '+proj=longlat +datum=WGS84 +no_defs',
  'EPSG:3978':
    '+proj=lcc +lat_0=49 +lon_0=-95 +lat_1=49 +lat_2=77 +x_0=0 +y_0=0 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs',
});

/** WKT CRS keywords proj4 reads (WKT 1 `GEOGCS`/`PROJCS`, as in a shapefile's `.prj`, and WKT 2 names). */
const WKT_START = /^\s*(GEOGCS|PROJCS|GEOGCRS|GEODCRS|PROJCRS|GEODETICCRS|PROJECTEDCRS)\s*\[/i;
const WKT_GEOGRAPHIC = /^\s*(GEOGCS|GEOGCRS|GEODCRS|GEODETICCRS)\s*\[/i;

/** True for geographic (degree) CRSs. */
export function isGeographic(crs: string): boolean {
  const def = proj4Definition(crs);
  return WKT_START.test(def) ? WKT_GEOGRAPHIC.test(def) : /\+proj=longlat/.test(def);
}

/**
 * The proj4 definition of `crs`: a known identifier (`"EPSG:4326"`, `"EPSG:3978"`), a proj4 string (`"+proj=…"`)
 * or a WKT string (`GEOGCS[…]`, `PROJCS[…]`, e.g. a shapefile's `.prj`), which proj4 parses itself.
 * @throws {@link GridCrsError} for anything else.
 */
export function proj4Definition(crs: string): string {
  const known = typeof crs === 'string' ? CRS_DEFINITIONS[crs.trim().toUpperCase()] : undefined;
  if (known) return known;
  if (typeof crs === 'string' && (crs.trim().startsWith('+proj=') || WKT_START.test(crs))) return crs.trim();
  throw new GridCrsError(
    `Unknown CRS '${String(crs).slice(0, 80)}': expected one of ${Object.keys(CRS_DEFINITIONS).join(', ')}, a proj4 string starting with '+proj=' or a WKT string`,
    { field: 'crs' },
  );
}

/** A point transform from one CRS to another: `(x, y) => [x', y']`. */
export type PointTransform = (x: number, y: number) => [number, number];

/**
 * A forward point transform between two CRSs (identity when they are equal).
 * @throws {@link GridCrsError} when either CRS is unknown.
 */
export function transformer(from: string, to: string): PointTransform {
  const a = proj4Definition(from);
  const b = proj4Definition(to);
  if (a === b) return (x, y) => [x, y];
  let converter: proj4.Converter;
  try {
    converter = proj4(a, b);
  } catch (cause) {
    throw new GridCrsError(`proj4 cannot use the CRS pair '${from.slice(0, 60)}' → '${to.slice(0, 60)}'`, {
      cause,
      field: 'crs',
    });
  }
  return (x, y) => {
    const r = converter.forward([x, y]);
    return [r[0]!, r[1]!];
  };
}

/**
 * The paper's target grid: 48 × 48 cells of 112 km in NAD83 / Canada Atlas Lambert (EPSG:3978).
 *
 * Extent `[-2 356 000, -1 130 000, 3 020 000, 4 246 000]` m. It is centred on the Natural Earth outline
 * of Canada, whose projected extent is x −2 347 079 … 3 011 135 m and y −725 060 … 3 839 738 m, so the
 * whole landmass (Yukon to Newfoundland, Lake Erie to Ellesmere Island) falls inside with ≥ 9 km to spare
 * east and west. 112 km is the smallest whole-kilometre cell (≈ 1° of latitude, the paper's "~110 km")
 * for which 48 cells span Canada's 5 358 km east–west extent.
 */
export const CANADA_LCC_110KM: GridSpec = Object.freeze({
  shape: Object.freeze([48, 48]) as unknown as readonly [number, number],
  bounds: Object.freeze([-2_356_000, -1_130_000, 3_020_000, 4_246_000]) as unknown as readonly [
    number,
    number,
    number,
    number,
  ],
  crs: EPSG_3978,
});

/** Named target grids accepted wherever a grid name is (`twsa grid reproject --to canada-lcc-110km`). */
export const NAMED_GRIDS: Readonly<Record<string, GridSpec>> = Object.freeze({ 'canada-lcc-110km': CANADA_LCC_110KM });
