#!/bin/sh
# Grid bench: upscaling vs GDAL, GRACE-month reprojection, streaming-aggregation peak RSS. See bench/README.md.
# Usage: bash bench/grid-upscale.sh [--size 2000] [--repeats 5] [--json]
cd "$(dirname "$0")/.." && exec node --import tsx bench/grid-upscale.ts "$@"
