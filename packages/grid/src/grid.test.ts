import { createGrid, createStack, frameOf, isGridError, sameGrid, CANADA_LCC_110KM, cellSize } from '@twsa/grid';

describe('createGrid', () => {
  it('builds a record and rejects a wrong data length', () => {
    const g = createGrid(new Float32Array([1, 2, 3, 4]), { shape: [2, 2], bounds: [0, 0, 2, 2], crs: 'EPSG:4326' });
    expect(g.shape).toEqual([2, 2]);
    expect(Number.isNaN(g.nodata)).toBe(true);
    let err: unknown;
    try {
      createGrid(new Float32Array(3), { shape: [2, 2], bounds: [0, 0, 2, 2], crs: 'EPSG:4326' });
    } catch (e) {
      err = e;
    }
    expect(isGridError(err, 'GridShapeError')).toBe(true);
  });
  it('frameOf returns a view of one time step', () => {
    const s = createStack(new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]), {
      shape: [2, 2, 2],
      bounds: [0, 0, 2, 2],
      crs: 'EPSG:4326',
      times: ['2002-04-16', '2002-05-16'],
    });
    expect(Array.from(frameOf(s, 1).data)).toEqual([5, 6, 7, 8]);
  });
  it('the Canada grid has 112 km cells', () => {
    expect(cellSize(CANADA_LCC_110KM)).toEqual([112000, 112000]);
    expect(sameGrid(CANADA_LCC_110KM, { ...CANADA_LCC_110KM })).toBe(true);
  });
});
