import * as api from '@twsa/datasets';

describe('@twsa/datasets public API', () => {
  it('exports exactly these names (adding or removing one is an API change: update this list on purpose)', () => {
    expect(Object.keys(api).sort()).toEqual([
      'DATASETS_ERROR_NAMES',
      'DIHEDRAL_TRANSFORMS',
      'DatasetsArgumentError',
      'DatasetsCalendarError',
      'DatasetsEmptyError',
      'DatasetsError',
      'DatasetsMismatchError',
      'DatasetsOverlapError',
      'EMULATOR_DEFAULTS',
      'GLACIER_REGIONS',
      'GRACE_JPL_RL06_WINDOWS',
      'SPLIT_LABELS',
      'applyScaler',
      'augmentSamples',
      'baselineMetrics',
      'blockedKFold',
      'composeDihedral',
      'describePairs',
      'emulateLsm',
      'emulateLsmDaily',
      'fitMinMax',
      'inverseDihedral',
      'invertScaler',
      'isDatasetsError',
      'makeSequences',
      'pairMonthly',
      'paperSplit',
      'prepareGrace',
      'prepareLsm',
      'scalerFromJson',
      'scalerToJson',
      'sequenceArrays',
      'splitByDateRange',
      'splitCounts',
      'splitIndices',
      'syntheticScenario',
      'transformFrames',
      'validationFromTrain',
    ]);
  });
  it("the embedded GRACE calendar holds the paper's 158 records in 2002-04..2016-12", () => {
    expect(api.GRACE_JPL_RL06_WINDOWS).toHaveLength(180);
    expect(api.GRACE_JPL_RL06_WINDOWS.filter((w) => w.yearMonth <= '2016-12')).toHaveLength(158);
    expect(api.GRACE_JPL_RL06_WINDOWS.filter((w) => w.mission === 'GRACE-FO')).toHaveLength(17);
    expect(api.GRACE_JPL_RL06_WINDOWS[0]).toEqual({
      yearMonth: '2002-04',
      mid: '2002-04-17',
      start: '2002-04-04',
      end: '2002-05-01',
      mission: 'GRACE',
    });
  });
});
