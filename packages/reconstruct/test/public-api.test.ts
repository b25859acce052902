import * as api from '@twsa/reconstruct';
import { reportExportChanges } from '../../../test-support/public-api.js';

// The runtime export list of @twsa/reconstruct (types are erased). Adding or removing a name is an API change: update the
// list on purpose. On a mismatch the first check names what was added and removed.
const NAMES = [
  'BACKEND_CHOICES',
  'ConfigError',
  'HINDCAST_STEPS',
  'InputError',
  'MODEL_NAMES',
  'MODEL_PRESETS',
  'OutputExistsError',
  'OutputUnwritableError',
  'PAPER_TABLE1',
  'PROFILES',
  'PROFILE_NAMES',
  'PipelineAbortedError',
  'RECONSTRUCT_ERROR_NAMES',
  'ROW_LABELS',
  'ReconstructError',
  'RunLockedError',
  'SMOKE_WARNING',
  'STAGES',
  'SchedulerError',
  'StageOrderError',
  'TWIN_NOTE',
  'UnsafeOverwriteError',
  'basinMeans',
  'basinSeries',
  'bestModel',
  'collectEnsemble',
  'dataCommand',
  'dataSourceKind',
  'defaultEngine',
  'ensembleStatus',
  'estimateTrainingSeconds',
  'formatDuration',
  'formatProgressBar',
  'formatTable1Csv',
  'formatTable1Markdown',
  'gridInfoCommand',
  'gridReprojectCommand',
  'gridUpscaleCommand',
  'isReconstructError',
  'predictIntoRun',
  'predictPeriod',
  'readConfigFile',
  'readRunTable1',
  'resolveConfig',
  'resumeEnsemble',
  'runMember',
  'runPipeline',
  'startEnsemble',
  'writePeriodPrediction',
];

describe('@twsa/reconstruct public API', () => {
  it('exports exactly these names', () => {
    reportExportChanges('@twsa/reconstruct', api, NAMES, 'packages/reconstruct/test/public-api.test.ts');
    expect(Object.keys(api).sort()).toEqual(NAMES);
  });

  it('pins the paper numbers it quotes', () => {
    expect(api.PAPER_TABLE1['lsm']).toEqual({ rmseMm: 105, cc: 0.89 });
    expect([
      api.PAPER_TABLE1['convlstm']!.params,
      api.PAPER_TABLE1['pix2pix']!.params,
      api.PAPER_TABLE1['seunet']!.params,
      api.PAPER_TABLE1['dcae']!.params,
    ]).toEqual([1_858_049, 34_544_514, 1_964_093, 76_125_313]);
  });
});
