import * as api from '@twsa/datasets';
import { reportExportChanges } from '../../../test-support/public-api.js';

// The runtime export list of @twsa/datasets (types are erased). Adding or removing a name is an API change: update the
// list on purpose. On a mismatch the first check names what was added and removed.
const NAMES = [
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
  'targetWindows',
  'transformFrames',
  'validationFromTrain',
];

describe('@twsa/datasets public API', () => {
  it('exports exactly these names', () => {
    reportExportChanges('@twsa/datasets', api, NAMES, 'packages/datasets/test/public-api.test.ts');
    expect(Object.keys(api).sort()).toEqual(NAMES);
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
