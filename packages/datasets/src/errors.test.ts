import {
  DATASETS_ERROR_NAMES,
  DatasetsArgumentError,
  DatasetsCalendarError,
  DatasetsEmptyError,
  DatasetsError,
  DatasetsMismatchError,
  DatasetsOverlapError,
  isDatasetsError,
} from './errors.js';

describe('datasets errors', () => {
  it('carry a literal name, field and cause, and are recognised by name', () => {
    const cause = new Error('inner');
    const errors = [
      new DatasetsError('x'),
      new DatasetsArgumentError('a', 'f', 'b', 'c', { cause }),
      new DatasetsMismatchError('m', { field: 'lsm' }),
      new DatasetsCalendarError('c'),
      new DatasetsOverlapError('o'),
      new DatasetsEmptyError('e'),
    ];
    expect(errors.map((e) => e.name)).toEqual([...DATASETS_ERROR_NAMES]);
    for (const e of errors) {
      expect(isDatasetsError(e)).toBe(true);
      expect(isDatasetsError(e, e.name)).toBe(true);
      expect(e).toBeInstanceOf(Error);
    }
    const arg = errors[1] as DatasetsArgumentError;
    expect(arg.cause).toBe(cause);
    expect(arg.message).toBe("Argument 'a' passed to 'f' must be b, but got c");
    expect(arg.field).toBe('a');
    expect((errors[2] as DatasetsMismatchError).field).toBe('lsm');
  });
  it('isDatasetsError rejects other errors and names', () => {
    expect(isDatasetsError(new Error('x'))).toBe(false);
    expect(isDatasetsError('DatasetsError')).toBe(false);
    expect(isDatasetsError(new DatasetsEmptyError('e'), 'DatasetsOverlapError')).toBe(false);
    const lookalike = new Error('duplicate install');
    lookalike.name = 'DatasetsOverlapError';
    expect(isDatasetsError(lookalike, 'DatasetsOverlapError')).toBe(true);
  });
});
