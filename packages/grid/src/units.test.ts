import { convertUnits, normalizeUnits, unitScale, WATER_UNITS } from './units.js';
import { isGridError } from './errors.js';
import { createGrid } from './grid.js';

describe('normalizeUnits', () => {
  it.each([
    ['m', 'm'],
    ['metres', 'm'],
    ['CM', 'cm'],
    ['mm', 'mm'],
    ['kg m-2', 'kg m-2'],
    ['kg/m2', 'kg m-2'],
    ['kg m^-2', 'kg m-2'],
    ['kg m**-2', 'kg m-2'],
    [' kg  m-2 ', 'kg m-2'],
  ])('%s -> %s', (input, canonical) => {
    expect(normalizeUnits(input)).toBe(canonical);
  });
  it.each(['K', 'kg m-2 s-1', 'mm/day', '', 'degrees_north'])('rejects %s', (input) => {
    expect(normalizeUnits(input)).toBeUndefined();
  });
});

describe('unitScale', () => {
  it('gives the factors between every pair of water units', () => {
    expect(unitScale('m', 'mm')).toBe(1000);
    expect(unitScale('m', 'cm')).toBe(100);
    expect(unitScale('cm', 'm')).toBeCloseTo(0.01, 15);
    expect(unitScale('kg/m2', 'mm')).toBe(1);
    expect(unitScale('kg m-2', 'cm')).toBeCloseTo(0.1, 15);
    for (const a of Object.keys(WATER_UNITS))
      for (const b of Object.keys(WATER_UNITS)) {
        expect(unitScale(a, b) * unitScale(b, a)).toBeCloseTo(1, 12);
      }
  });
  it('throws GridUnitsError naming the file and field for unknown, incompatible or missing units', () => {
    const cases: [string | undefined, string, RegExp][] = [
      ['K', 'mm', /'K' is not a water-storage unit/],
      ['kg m-2 s-1', 'mm', /not a water-storage unit/],
      [undefined, 'mm', /no units attribute/],
      ['m', 'furlongs', /Requested units 'furlongs'/],
    ];
    for (const [from, to, message] of cases) {
      let caught: unknown;
      try {
        unitScale(from, to, { file: 'a.nc', field: 'tws:units' });
      } catch (error) {
        caught = error;
      }
      expect(isGridError(caught, 'GridUnitsError')).toBe(true);
      expect((caught as Error).message).toMatch(message);
      expect((caught as { file?: string }).file).toBe('a.nc');
    }
  });
});

describe('convertUnits', () => {
  it('multiplies values, keeps NaN and returns a new record with canonical units', () => {
    const g = createGrid(new Float32Array([0.01, Number.NaN, -0.5, 0]), {
      shape: [2, 2],
      bounds: [0, 0, 2, 2],
      crs: 'EPSG:4326',
      units: 'm',
    });
    const out = convertUnits(g, 'mm');
    expect(Array.from(out.data)).toEqual([Math.fround(10), Number.NaN, -500, 0]);
    expect(out.units).toBe('mm');
    expect(g.units).toBe('m');
    expect(g.data[0]).toBeCloseTo(0.01, 7);
  });
  it('throws when the record has no units', () => {
    const g = createGrid(new Float32Array([1]), { shape: [1, 1], bounds: [0, 0, 1, 1], crs: 'EPSG:4326' });
    expect(() => convertUnits(g, 'mm')).toThrow(/no units attribute/);
  });
});
