import * as api from '@twsa/models';

// Pins the public export list of @twsa/models (runtime values; types are erased).
describe('public API of @twsa/models', () => {
  it('exports exactly these names', () => {
    const mine = [
      'CHECKPOINT_FILE',
      'CONV_LSTM_PRESETS',
      'ConvLstm2dLayer',
      'DCAE_PRESETS',
      'LastStepLayer',
      'MODELS_ERROR_NAMES',
      'MODEL_FILES',
      'MODEL_NAMES',
      'ModelsArgumentError',
      'ModelsCheckpointError',
      'ModelsError',
      'ModelsIoError',
      'ModelsNanError',
      'ModelsShapeError',
      'PAPER_PARAMETER_COUNTS',
      'PIX2PIX_PRESETS',
      'PRESET_NAMES',
      'ResizeLayer',
      'SE_UNET_PRESETS',
      'SequenceBatchNormLayer',
      'TRAINING_PROFILES',
      'buildConvLstm',
      'buildDcae',
      'buildPix2Pix',
      'buildSeUnet',
      'describeModels',
      'fileLoadHandler',
      'fileSaveHandler',
      'fromTensor',
      'isModelsError',
      'loadCheckpoint',
      'loadModel',
      'predict',
      'saveCheckpoint',
      'saveModel',
      'toTensor',
      'trainConvLstm',
      'trainPix2Pix',
      'trainSupervised',
    ];
    const keys = Object.keys(api);
    for (const name of mine) expect(keys).toContain(name);
    // Everything else is the backend module's (initBackend & co.), which pins its own list.
    const others = keys.filter((k) => !mine.includes(k));
    for (const k of others)
      expect(k).toMatch(/[Bb]ackend|[Ww]asm|[Aa]dam|[Oo]ptimizer|[Nn]ative|BACKEND|WASM|SCRATCH|KERNEL|TENSORFLOW/);
  });
});
