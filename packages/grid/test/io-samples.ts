/**
 * Deterministic sample grids written by `scripts/fixtures/grid_io_write_samples.ts` (then inspected with GDAL and
 * netCDF4-python by `scripts/fixtures/grid_io_gdalinfo.py`) and re-written by the writer tests, which compare
 * the bytes' SHA-256 with the fixture so GDAL's verdict applies to the current writer.
 */
import { CANADA_LCC_110KM } from '../src/crs.js';
import type { Grid, GridStack } from '../src/grid.js';

/** A 48×48 grid on CANADA_LCC_110KM with a smooth field (mm) and a NaN corner block. */
export function lccSample(): Grid {
  const [rows, cols] = CANADA_LCC_110KM.shape;
  const data = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      data[r * cols + c] = r < 3 && c < 3 ? Number.NaN : Math.round(1000 * Math.sin(r / 7) * Math.cos(c / 5)) / 10;
    }
  return {
    data,
    shape: [rows, cols],
    bounds: CANADA_LCC_110KM.bounds,
    crs: 'EPSG:3978',
    nodata: Number.NaN,
    units: 'mm',
  };
}

/** A 1° EPSG:4326 grid over North America (60×120) with NaN "ocean" in the south-east corner. */
export function geographicSample(): Grid {
  const rows = 60;
  const cols = 120;
  const data = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      data[r * cols + c] = r > 40 && c > 90 ? Number.NaN : (r - c) / 100;
    }
  return { data, shape: [rows, cols], bounds: [-170, 25, -50, 85], crs: 'EPSG:4326', nodata: Number.NaN, units: 'm' };
}

/** A 3-frame stack on CANADA_LCC_110KM with GRACE-like windows and labels. */
export function lccStackSample(): GridStack {
  const g = lccSample();
  const size = g.data.length;
  const data = new Float32Array(3 * size);
  for (let t = 0; t < 3; t++)
    for (let i = 0; i < size; i++) data[t * size + i] = Number.isNaN(g.data[i]!) ? Number.NaN : g.data[i]! + 10 * t;
  return {
    data,
    shape: [3, 48, 48],
    bounds: g.bounds,
    crs: g.crs,
    nodata: Number.NaN,
    units: 'mm',
    times: ['2012-01-01T00:00:00Z', '2012-01-16T12:00:00Z', '2012-02-15T12:00:00Z'],
    timeBounds: [
      ['2011-12-17', '2012-01-16'],
      ['2012-01-01', '2012-02-01'],
      ['2012-02-01', '2012-03-01'],
    ],
    labels: ['2012-01a', '2012-01b', '2012-02'],
    attributes: { title: 'twsa writer sample', baseline: '2002-04..2016-12', source: 'synthetic' },
  };
}

/** Fixed history time so the written bytes are reproducible. */
export const SAMPLE_NOW = new Date(Date.UTC(2026, 10, 28, 0, 0, 0));
