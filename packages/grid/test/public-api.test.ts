import * as api from '@twsa/grid';
import { reportExportChanges } from '../../../test-support/public-api.js';

// The runtime export list of @twsa/grid (types are erased). Adding or removing a name is an API change: update the
// list on purpose. On a mismatch the first check names what was added and removed.
const NAMES = [
  'CANADA_LCC_110KM',
  'CF_CALENDARS',
  'CRS_DEFINITIONS',
  'EPSG_3978',
  'EPSG_4326',
  'GRID_ERROR_NAMES',
  'GridArgumentError',
  'GridCrsError',
  'GridEmptyError',
  'GridError',
  'GridFormatError',
  'GridIoError',
  'GridMismatchError',
  'GridShapeError',
  'GridUnitsError',
  'GridVariableError',
  'NAMED_GRIDS',
  'PAPER_BASELINE',
  'WATER_UNITS',
  'aggregateDaily',
  'aggregateStack',
  'anomalies',
  'applyRemap',
  'basinWeights',
  'canadaMask',
  'canadaOutline',
  'cellAreas',
  'cellCenter',
  'cellSize',
  'convertUnits',
  'createGrid',
  'createRng',
  'createStack',
  'dayIsoDate',
  'dayNumber',
  'decodeCfTimes',
  'frameOf',
  'geoTransform',
  'geotiffFrames',
  'graceMonths',
  'gridInfo',
  'isGeographic',
  'isGrid',
  'isGridError',
  'isStack',
  'isYearMonth',
  'isoDate',
  'isoDateTime',
  'mergeCalendarMonths',
  'missingMonths',
  'monthIndex',
  'monthKey',
  'monthRange',
  'monthStartDay',
  'netcdfFrames',
  'normalizeUnits',
  'openNetcdf',
  'parseBasinOutline',
  'parseCfTimeUnit',
  'proj4Definition',
  'rasterizePolygons',
  'readBasinOutline',
  'readBasins',
  'readGeoTiff',
  'readGeoTiffHeader',
  'readNetcdf',
  'remapWeights',
  'reproject',
  'sameGrid',
  'sniffNetcdf',
  'streamWindowMeans',
  'thirtyDayWindows',
  'transformer',
  'unitScale',
  'upscale',
  'writeFileAtomic',
  'writeFileAtomicSync',
  'writeGeoTiff',
  'writeNetcdf',
  'yearMonthOf',
];

describe('@twsa/grid public API', () => {
  it('exports exactly these names', () => {
    reportExportChanges('@twsa/grid', api, NAMES, 'packages/grid/test/public-api.test.ts');
    expect(Object.keys(api).sort()).toEqual(NAMES);
  });

  it("PAPER_BASELINE is the paper's 2002-04 .. 2016-12 period and frozen", () => {
    expect(api.PAPER_BASELINE).toEqual(['2002-04-01', '2017-01-01']);
    expect(Object.isFrozen(api.PAPER_BASELINE)).toBe(true);
  });
});
