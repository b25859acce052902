/**
 * @module @twsa/models
 *
 * The deep-learning models of Yu et al. (2021) for reconstructing GRACE-like TWSA from LSM output, in
 * TensorFlow.js: builders with the paper's exact parameter counts (`'paper'` preset) and small CPU variants,
 * custom training loops (masked MSE, Adam, early stopping, checkpoints, seeded), save/load without tfjs-node.
 * The tfjs backend is the application's choice (tfjs-core and tfjs-layers are peers).
 *
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { buildSeUnet, trainSupervised, predict, saveModel } from "@twsa/models";
 *
 * await tf.setBackend("cpu");
 * // Four monthly LSM anomaly maps and the GRACE maps to learn (here: a scaled copy). 16 x 16 maps and the
 * // "tiny" preset keep this example fast; the paper's maps are 48 x 48 and "cpu" (the default) trains in minutes.
 * const inputs = { data: new Float32Array(4 * 16 * 16).map((_, i) => Math.sin(i / 23)), shape: [4, 16, 16] };
 * const targets = { data: inputs.data.map((v) => 0.8 * v), shape: [4, 16, 16] };
 * const model = buildSeUnet({ preset: "tiny", inputShape: [16, 16], seed: 42 });
 * const result = await trainSupervised(model, { inputs, targets }, { profile: "tiny", epochs: 1 });
 * result.history.length; // => 1
 * const twsa = await predict(model, inputs);
 * twsa.shape; // => [4, 16, 16]
 * await saveModel(model, "/tmp/twsa-example-models/seunet");
 * ```
 */
export {
  MODELS_ERROR_NAMES,
  ModelsError,
  ModelsArgumentError,
  ModelsShapeError,
  ModelsNanError,
  ModelsCheckpointError,
  ModelsIoError,
  isModelsError,
} from './errors.js';
export type { ModelsErrorName } from './errors.js';
export type { PresetName, InitializerMode, BaseModelConfig } from './model-config.js';
export { ConvLstm2dLayer, ResizeLayer, LastStepLayer, SequenceBatchNormLayer } from './layers.js';
export type { ConvLstm2dLayerArgs, ResizeLayerArgs, SequenceBatchNormLayerArgs, LayerInitializer } from './layers.js';
export { buildSeUnet, SE_UNET_PRESETS } from './se-unet.js';
export type { SeUnetConfig } from './se-unet.js';
export { buildPix2Pix, PIX2PIX_PRESETS } from './pix2pix.js';
export type { Pix2PixConfig, Pix2PixModels } from './pix2pix.js';
export { buildDcae, DCAE_PRESETS } from './dcae.js';
export type { DcaeConfig } from './dcae.js';
export { buildConvLstm, CONV_LSTM_PRESETS } from './conv-lstm.js';
export type { ConvLstmConfig } from './conv-lstm.js';
export { describeModels, MODEL_NAMES, PAPER_PARAMETER_COUNTS } from './describe.js';
export type { ModelName, ModelDescription, DescribeModelsOptions } from './describe.js';
export { toTensor, fromTensor } from './tensor.js';
export { TRAINING_PROFILES } from './train/options.js';
export type {
  TrainingProfileName,
  SupervisedSplit,
  SupervisedData,
  SequenceData,
  EpochEvent,
  TrainLogEvent,
  TrainOptions,
  Pix2PixTrainOptions,
  ConvLstmTrainOptions,
  TrainResult,
} from './train/options.js';
export { trainSupervised } from './train/supervised.js';
export { trainPix2Pix } from './train/pix2pix.js';
export { trainConvLstm } from './train/conv-lstm.js';
export { predict } from './predict.js';
export type { PredictOptions } from './predict.js';
export { saveCheckpoint, loadCheckpoint, CHECKPOINT_FILE } from './checkpoint.js';
export type { CheckpointState, CheckpointParts, LoadedCheckpoint } from './checkpoint.js';
export { saveModel, loadModel, fileSaveHandler, fileLoadHandler, MODEL_FILES } from './io.js';
export { initBackend, BACKEND_CHOICES, BACKEND_PACKAGES } from './backend/init-backend.js';
export type { BackendChoice, BackendInfo, InitBackendOptions } from './backend/init-backend.js';
export { setupNative, DEFAULT_TENSORFLOW_VERSION } from './backend/setup-native.js';
export type { SetupNativeOptions, SetupNativeResult, SetupNativeStep } from './backend/setup-native.js';
export { createAdam, LeanAdamOptimizer } from './backend/lean-adam.js';
export type { AdamOptions, NamedGradient } from './backend/lean-adam.js';
export {
  BackendError,
  OptimizerOptionError,
  NativeSetupError,
  BACKEND_ERROR_NAMES,
  isBackendModuleError,
} from './backend/errors.js';
export type { BackendErrorName } from './backend/errors.js';
