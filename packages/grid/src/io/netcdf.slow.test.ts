// Slow lane: openNetcdf reads a NetCDF-3 stack far larger than the memory it uses. The file (40 frames of
// 1000 × 1000 float32, 160 MB) is streamed to disk frame by frame from an encoded header, then read back one
// frame at a time while the resident set size is sampled.
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { openNetcdf } from './netcdf.js';
import { encodeNetcdf3Header } from './netcdf3-encoder.js';

const FRAMES = 40;
const SIZE = 1000;

function beBytes(values: ArrayLike<number>, type: 'float' | 'double'): Buffer {
  const b = Buffer.alloc(values.length * (type === 'float' ? 4 : 8));
  const view = new DataView(b.buffer, b.byteOffset, b.length);
  if (type === 'float') for (let i = 0; i < values.length; i++) view.setFloat32(4 * i, values[i]!, false);
  else for (let i = 0; i < values.length; i++) view.setFloat64(8 * i, values[i]!, false);
  return b;
}

describe('openNetcdf on a 160 MB NetCDF-3 stack', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(nodePath.join(tmpdir(), 'twsa-big-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads every frame with bounded memory and correct values', async () => {
    const path = nodePath.join(dir, 'big.nc');
    const text = (name: string, value: string) => ({ name, type: 'char' as const, value });
    const layout = encodeNetcdf3Header({
      dimensions: [
        { name: 'time', size: FRAMES },
        { name: 'lat', size: SIZE },
        { name: 'lon', size: SIZE },
      ],
      attributes: [text('Conventions', 'CF-1.8')],
      variables: [
        { name: 'time', dims: ['time'], type: 'double', attributes: [text('units', 'days since 2000-01-01')] },
        { name: 'lat', dims: ['lat'], type: 'double', attributes: [text('units', 'degrees_north')] },
        { name: 'lon', dims: ['lon'], type: 'double', attributes: [text('units', 'degrees_east')] },
        {
          name: 'swe',
          dims: ['time', 'lat', 'lon'],
          type: 'float',
          attributes: [text('units', 'mm'), { name: '_FillValue', type: 'float', value: [-9999] }],
        },
      ],
    });
    const fd = openSync(path, 'w');
    try {
      writeSync(fd, layout.header, 0, layout.header.length, 0);
      writeSync(
        fd,
        beBytes(
          Array.from({ length: FRAMES }, (_, t) => t),
          'double',
        ),
        0,
        undefined,
        layout.begins[0],
      );
      writeSync(
        fd,
        beBytes(
          Array.from({ length: SIZE }, (_, r) => 40 + (r + 0.5) * 0.01),
          'double',
        ),
        0,
        undefined,
        layout.begins[1],
      );
      writeSync(
        fd,
        beBytes(
          Array.from({ length: SIZE }, (_, c) => -100 + (c + 0.5) * 0.01),
          'double',
        ),
        0,
        undefined,
        layout.begins[2],
      );
      const frame = new Float32Array(SIZE * SIZE);
      for (let t = 0; t < FRAMES; t++) {
        for (let i = 0; i < frame.length; i++) frame[i] = i % 1000 === 0 ? -9999 : t + (i % 7);
        writeSync(fd, beBytes(frame, 'float'), 0, undefined, layout.begins[3]! + t * SIZE * SIZE * 4);
      }
    } finally {
      closeSync(fd);
    }
    expect(statSync(path).size).toBe(layout.total);
    globalThis.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const h = await openNetcdf(path);
    try {
      expect(h.spec.shape).toEqual([SIZE, SIZE]);
      for (let t = 0; t < FRAMES; t++) {
        const g = h.readFrame(t);
        let sum = 0;
        let valid = 0;
        for (let i = 0; i < g.data.length; i++)
          if (!Number.isNaN(g.data[i]!)) {
            sum += g.data[i]!;
            valid++;
          }
        expect(valid).toBe(SIZE * SIZE - SIZE);
        // Rows are flipped (lat ascending on disk) but the row pattern is symmetric in the mean.
        expect(sum / valid).toBeCloseTo(t + 3, 1);
        peak = Math.max(peak, process.memoryUsage().rss);
      }
    } finally {
      h.close();
    }
    const growthMb = (peak - baseline) / 2 ** 20;
    expect(growthMb).toBeLessThan(80); // the file is 160 MB
  });
});
