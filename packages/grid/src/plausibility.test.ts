// Issue 13, failure 4: implausible values are refused at read time, naming the file, the variable and the value.
import { createGrid, createStack } from './grid.js';
import { assertPlausible, plausibilityProblems } from './plausibility.js';

const stack = (values: number[][], units = 'm') =>
  createStack(new Float32Array(values.flat()), {
    shape: [values.length, 2, 2],
    bounds: [-100, 50, -98, 52],
    crs: 'EPSG:4326',
    units,
    times: values.map((_, t) => `2003-0${t + 1}-16T00:00:00Z`),
  });
const ok = [
  [0.05, -0.02, Number.NaN, 0.1],
  [0.03, 0.01, Number.NaN, -0.2],
];
const where = { file: 'grace.nc', variable: 'lwe_thickness' };

describe('plausibility checks', () => {
  it('plausible TWSA in m passes; NaN is missing, not implausible', () => {
    expect(plausibilityProblems(stack(ok), where)).toEqual([]);
    expect(() => assertPlausible(stack(ok), where)).not.toThrow();
  });

  it('±Infinity: a GridValueError naming file, variable, value, frame, time and cell', () => {
    const s = stack([ok[0]!, [0.03, -Infinity, Number.NaN, 0.1]]);
    expect(() => assertPlausible(s, where)).toThrow(
      expect.objectContaining({
        name: 'GridValueError',
        check: 'non-finite',
        value: -Infinity,
        file: 'grace.nc',
        field: 'lwe_thickness',
        message: expect.stringMatching(
          /^grace\.nc, variable 'lwe_thickness': value -Infinity at frame 1 \(2003-02-16T00:00:00Z\), row 0, col 1 is not finite/,
        ),
      }),
    );
  });

  it('|TWSA| beyond 10 m after unit decoding; the bound follows the units', () => {
    const big = stack([ok[0]!, [1e30, 0.01, Number.NaN, 0.1]]);
    expect(plausibilityProblems(big, where).map((p) => [p.check, p.value])).toEqual([['magnitude', Math.fround(1e30)]]);
    // 11 000 mm is 11 m: too much; 11 000 in cm would be 110 m.
    expect(plausibilityProblems(stack([[11000, 1, 2, 3]], 'mm'), where)[0]?.message).toMatch(
      /value 11000 mm at frame 0 .* beyond the physical bound \|TWSA\| ≤ 10 m/,
    );
    expect(plausibilityProblems(stack([[9000, 1, 2, 3]], 'mm'), where)).toEqual([]);
    expect(plausibilityProblems(stack([[11000, 1, 2, 3]], 'mm'), { ...where, maxAbsMetres: null })).toEqual([]);
  });

  it('cm values labelled m are caught by their median, before the bound', () => {
    const cm = stack(ok.map((f) => f.map((v) => v * 100)));
    // -20 "m" is beyond the bound as well; the units finding comes first, as it says what is wrong.
    expect(plausibilityProblems(cm, where).map((p) => p.check)).toEqual(['units', 'magnitude']);
    expect(plausibilityProblems(cm, where)[0]!.message).toMatch(/look like cm or mm, not the labelled 'm'/);
  });

  it('frames entirely missing, in a stack and a single grid', () => {
    const s = stack([ok[0]!, [Number.NaN, Number.NaN, Number.NaN, Number.NaN]]);
    expect(plausibilityProblems(s, where)).toEqual([
      expect.objectContaining({ check: 'empty-frames', frame: 1, value: '2003-02-16T00:00:00Z' }),
    ]);
    const g = createGrid(new Float32Array(4).fill(Number.NaN), {
      shape: [2, 2],
      bounds: [0, 0, 2, 2],
      crs: 'EPSG:4326',
    });
    expect(plausibilityProblems(g, { file: 'a.tif' })[0]!.message).toMatch(/^a\.tif: the grid has no valid value/);
  });

  it('accepts what is declared intended: every check, or some', () => {
    const s = stack([
      [Infinity, 0.01, Number.NaN, 0.1],
      [Number.NaN, Number.NaN, Number.NaN, Number.NaN],
    ]);
    expect(plausibilityProblems(s, where).map((p) => p.check)).toEqual(['non-finite', 'empty-frames']);
    expect(plausibilityProblems(s, { ...where, accept: ['non-finite'] }).map((p) => p.check)).toEqual(['empty-frames']);
    expect(() => assertPlausible(s, { ...where, accept: true })).not.toThrow();
    expect(() => assertPlausible(s, { ...where, acceptHint: 'pass --yes' })).toThrow(/pass --yes$/);
  });
});
