import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { useTestBackend } from '../test/backend.js';
import { createGrid, createStack } from '@twsa/grid';
import { fromTensor, toTensor } from './tensor.js';
import { isModelsError } from './errors.js';

beforeAll(async () => {
  await useTestBackend();
});

describe('toTensor / fromTensor', () => {
  const grid = createGrid(new Float32Array([1, 2, 3, Number.NaN]), {
    shape: [2, 2],
    bounds: [0, 0, 2, 2],
    crs: 'EPSG:3978',
  });
  const stack = createStack(new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]), {
    shape: [2, 2, 2],
    bounds: [0, 0, 2, 2],
    crs: 'EPSG:3978',
    times: ['2003-01-16', '2003-02-15'],
  });

  it('a Grid becomes [1, rows, cols, 1] and comes back with its metadata (NaN kept)', () => {
    const t = toTensor(grid);
    expect(t.shape).toEqual([1, 2, 2, 1]);
    const back = fromTensor(t, grid);
    expect(back.crs).toBe('EPSG:3978');
    expect(back.bounds).toEqual(grid.bounds);
    expect(Array.from(back.data.slice(0, 3))).toEqual([1, 2, 3]);
    expect(Number.isNaN(back.data[3]!)).toBe(true);
    expect(back.data).not.toBe(grid.data);
    t.dispose();
  });

  it('a GridStack becomes [time, rows, cols, 1]; a plain record keeps its shape', () => {
    const t = toTensor(stack);
    expect(t.shape).toEqual([2, 2, 2, 1]);
    const doubled = tf.mul(t, 2);
    const back = fromTensor(doubled, stack);
    expect(back.times).toEqual(stack.times);
    expect(Array.from(back.data)).toEqual([2, 4, 6, 8, 10, 12, 14, 16]);
    const r = toTensor({ data: new Float32Array(6), shape: [1, 2, 3] });
    expect(r.shape).toEqual([1, 2, 3]);
    tf.dispose([t, doubled, r]);
  });

  it('size mismatches and non-records are typed errors', () => {
    const t = tf.zeros([1, 3, 3, 1]);
    expect(() => fromTensor(t, grid)).toThrow(/'t' passed to 'fromTensor'/);
    let error: unknown;
    try {
      toTensor({ data: new Float32Array(5), shape: [2, 2] });
    } catch (e) {
      error = e;
    }
    expect(isModelsError(error, 'ModelsShapeError')).toBe(true);
    expect(() => toTensor({ data: [1, 2], shape: [2] } as never)).toThrow(/'value' passed to 'toTensor'/);
    t.dispose();
  });
});
