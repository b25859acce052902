import * as api from '@twsa/models';
import { reportExportChanges } from '../../../test-support/public-api.js';

// The runtime export list of @twsa/models (types are erased). Adding or removing a name is an API change: update the
// list on purpose. On a mismatch the first check names what was added and removed.
const NAMES = [
  'BACKEND_CHOICES',
  'BACKEND_ERROR_NAMES',
  'BACKEND_PACKAGES',
  'BackendError',
  'CHECKPOINT_FILE',
  'CONV_LSTM_PRESETS',
  'ConvLstm2dLayer',
  'DCAE_PRESETS',
  'DEFAULT_TENSORFLOW_VERSION',
  'LastStepLayer',
  'LeanAdamOptimizer',
  'MODELS_ERROR_NAMES',
  'MODEL_FILES',
  'MODEL_NAMES',
  'ModelsArgumentError',
  'ModelsCheckpointError',
  'ModelsError',
  'ModelsIoError',
  'ModelsNanError',
  'ModelsShapeError',
  'NativeSetupError',
  'OptimizerOptionError',
  'PAPER_PARAMETER_COUNTS',
  'PIX2PIX_PRESETS',
  'ResizeLayer',
  'SE_UNET_PRESETS',
  'SequenceBatchNormLayer',
  'TRAINING_PROFILES',
  'buildConvLstm',
  'buildDcae',
  'buildPix2Pix',
  'buildSeUnet',
  'createAdam',
  'describeModels',
  'fileLoadHandler',
  'fileSaveHandler',
  'fromTensor',
  'initBackend',
  'isBackendModuleError',
  'isModelsError',
  'loadCheckpoint',
  'loadModel',
  'predict',
  'saveCheckpoint',
  'saveModel',
  'setupNative',
  'toTensor',
  'trainConvLstm',
  'trainPix2Pix',
  'trainSupervised',
];

describe('@twsa/models public API', () => {
  it('exports exactly these names', () => {
    reportExportChanges('@twsa/models', api, NAMES, 'packages/models/test/public-api.test.ts');
    expect(Object.keys(api).sort()).toEqual(NAMES);
  });
});
