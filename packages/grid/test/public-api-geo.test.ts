import * as api from '../src/index.js';

// The geometry and time part of @twsa/grid's public API (upscale, reprojection, cell areas, masks, GRACE month
// windows, daily aggregation, anomalies): pins the names and kinds of its value exports.
const GEO_EXPORTS: Record<string, 'function' | 'object'> = {
  upscale: 'function',
  remapWeights: 'function',
  applyRemap: 'function',
  reproject: 'function',
  cellAreas: 'function',
  rasterizePolygons: 'function',
  canadaMask: 'function',
  canadaOutline: 'function',
  parseBasinOutline: 'function',
  readBasinOutline: 'function',
  graceMonths: 'function',
  missingMonths: 'function',
  thirtyDayWindows: 'function',
  streamWindowMeans: 'function',
  aggregateDaily: 'function',
  aggregateStack: 'function',
  anomalies: 'function',
  PAPER_BASELINE: 'object',
  netcdfFrames: 'function',
  geotiffFrames: 'function',
};

describe('@twsa/grid geometry and time exports', () => {
  it('exports every function by name', () => {
    const present = Object.fromEntries(
      Object.keys(GEO_EXPORTS).map((k) => [k, typeof (api as Record<string, unknown>)[k]]),
    );
    expect(present).toEqual(GEO_EXPORTS);
  });
  it('does not export internals (argument checks, clipping, authalic helper, ISO parser)', () => {
    for (const name of [
      'assertGrid',
      'assertSpec',
      'assertStack',
      'isStackLike',
      'floatArrayFor',
      'authalicQ',
      'parseIsoUtc',
      'Clipper',
      'footprints',
      'kernel',
    ]) {
      expect(name in api).toBe(false);
    }
  });
  it("PAPER_BASELINE is the paper's 2002-04 .. 2016-12 period and frozen", () => {
    expect(api.PAPER_BASELINE).toEqual(['2002-04-01', '2017-01-01']);
    expect(Object.isFrozen(api.PAPER_BASELINE)).toBe(true);
  });
});
