/**
 * The hindcast's files for other tools, written with `@twsa/grid`: one CF NetCDF stack and optional monthly
 * GeoTIFFs, in mm, carrying the run's provenance attributes.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeGeoTiff, writeNetcdf, type Grid, type GridStack } from '@twsa/grid';

/** Writes one Float32 GeoTIFF (mm) with the provenance attributes as metadata, replacing an existing file. */
export async function writeHindcastGeoTiff(
  grid: Grid,
  file: string,
  attributes: Readonly<Record<string, string | number>>,
): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  await writeGeoTiff(file, grid, { overwrite: true, metadata: attributes, units: 'mm' });
}

/** Writes the hindcast stack as a CF NetCDF variable `twsa` (mm) with the provenance attributes. */
export async function writeHindcastNetcdf(
  stack: GridStack,
  file: string,
  attributes: Readonly<Record<string, string | number>>,
): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  await writeNetcdf(file, stack, {
    overwrite: true,
    variable: 'twsa',
    longName: 'GRACE-like terrestrial water storage anomaly',
    units: 'mm',
    title: String(attributes['title'] ?? 'twsa hindcast'),
    producer: '@twsa/reconstruct hindcast',
    attributes,
  });
}
