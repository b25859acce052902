#!/usr/bin/python3
"""GDAL side of bench/grid-upscale.sh: makes the shared input GeoTIFF and times gdalwarp -r average on it.

Usage: /usr/bin/python3 bench/grid-upscale-gdal.py <workdir> <size> <factor> <like_cols> <repeats>
Writes <workdir>/in.tif (size x size Float32, NaN nodata, ~8 % NaN holes, seed 20210102), runs gdal.Warp with
resampleAlg='average' from the opened dataset into the in-memory MEM driver (so only the warp is timed: no process
start-up, no file output), for (a) an integer factor and (b) a non-integer 'like' grid of like_cols x like_cols
cells over the same extent, and writes the outputs as raw little-endian float32 (<workdir>/gdal-factor.f32,
<workdir>/gdal-like.f32) and the timings as JSON on stdout.  Debian python3-gdal 3.6.2, numpy 1.24.
"""
import json
import sys
import time
import numpy as np
from osgeo import gdal

gdal.UseExceptions()
work, size, factor, like_cols, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
rng = np.random.default_rng(20210102)
y, x = np.mgrid[0:size, 0:size].astype(np.float32)
a = (50 * np.sin(x / 37.0) * np.cos(y / 53.0) + 5 * rng.standard_normal((size, size))).astype(np.float32)
a[rng.random((size, size)) < 0.08] = np.nan
# 5 km cells in Canada LCC, like the paper's LSM input
w, n, cell = -2_356_000.0, 4_246_000.0, 5_000.0
ds = gdal.GetDriverByName('GTiff').Create(f'{work}/in.tif', size, size, 1, gdal.GDT_Float32)
ds.SetGeoTransform((w, cell, 0, n, 0, -cell))
ds.SetProjection('EPSG:3978')
b = ds.GetRasterBand(1)
b.SetNoDataValue(float('nan'))
b.WriteArray(a)
ds = None

src = gdal.Open(f'{work}/in.tif')
src.GetRasterBand(1).ReadAsArray()  # warm the block cache so the warp does not time the disk read
bounds = (w, n - size * cell, w + size * cell, n)
cases = {
    'factor': dict(xRes=cell * factor, yRes=cell * factor, outputBounds=bounds),
    'like': dict(width=like_cols, height=like_cols, outputBounds=bounds),
}
result = {'gdal': gdal.__version__, 'size': size}
for name, kw in cases.items():
    times = []
    out = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = gdal.Warp('', src, format='MEM', resampleAlg='average', multithread=False, **kw)
        times.append(time.perf_counter() - t0)
    arr = out.GetRasterBand(1).ReadAsArray().astype('<f4')
    arr.tofile(f'{work}/gdal-{name}.f32')
    result[name] = {'seconds_median': float(np.median(times)), 'seconds_min': float(min(times)), 'shape': list(arr.shape)}
print(json.dumps(result))
