import * as api from '../src/index.js';

// The readers/writers/units/time-decoding part of @twsa/grid's public API. (The whole export list is pinned by
// the package's public-api test once every part has landed; this one pins the io part's names and kinds.)
const IO_EXPORTS: Record<string, 'function' | 'object'> = {
  readGeoTiff: 'function',
  readGeoTiffHeader: 'function',
  writeGeoTiff: 'function',
  sniffNetcdf: 'function',
  openNetcdf: 'function',
  readNetcdf: 'function',
  writeNetcdf: 'function',
  writeFileAtomic: 'function',
  writeFileAtomicSync: 'function',
  gridInfo: 'function',
  WATER_UNITS: 'object',
  normalizeUnits: 'function',
  unitScale: 'function',
  convertUnits: 'function',
  CF_CALENDARS: 'object',
  parseCfTimeUnit: 'function',
  decodeCfTimes: 'function',
  isoDateTime: 'function',
  isoDate: 'function',
};

describe('@twsa/grid io exports', () => {
  it('exports every reader, writer and helper by name', () => {
    const present = Object.fromEntries(
      Object.keys(IO_EXPORTS).map((k) => [k, typeof (api as Record<string, unknown>)[k]]),
    );
    expect(present).toEqual(IO_EXPORTS);
  });
  it('does not export internal io modules (encoders, backends, the writability check)', () => {
    for (const name of [
      'encodeFloat32Tiff',
      'geoKeyDirectory',
      'encodeNetcdf3',
      'openNetcdf3',
      'openHdf5',
      'openBackend',
      'assertWritable',
      'WKT',
    ]) {
      expect(name in api).toBe(false);
    }
  });
});
