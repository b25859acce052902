/** @module @twsa/datasets */
export type {
  SplitLabel,
  PaperSplitOptions,
  DateRange,
  DateRangeSplitOptions,
  BlockedKFoldOptions,
  Fold,
  ValidationFromTrainOptions,
  SplitCounts,
} from './split.js';
export {
  SPLIT_LABELS,
  paperSplit,
  splitByDateRange,
  blockedKFold,
  validationFromTrain,
  splitCounts,
  splitIndices,
} from './split.js';
export type { Scaler, ScalableData, FitMinMaxOptions } from './scale.js';
export { fitMinMax, applyScaler, invertScaler, scalerToJson, scalerFromJson } from './scale.js';
export type { DihedralTransform, AugmentSamples, AugmentOptions, AugmentResult } from './augment.js';
export { DIHEDRAL_TRANSFORMS, transformFrames, composeDihedral, inverseDihedral, augmentSamples } from './augment.js';
export type {
  SequenceMode,
  GapRule,
  SequenceOptions,
  SequenceWindow,
  SequenceResult,
  SequenceArrays,
  TargetWindowOptions,
  TargetWindowResult,
} from './sequence.js';
export { makeSequences, sequenceArrays, targetWindows } from './sequence.js';
export type { DatasetsErrorName } from './errors.js';
export {
  DATASETS_ERROR_NAMES,
  DatasetsError,
  DatasetsArgumentError,
  DatasetsMismatchError,
  DatasetsCalendarError,
  DatasetsOverlapError,
  DatasetsEmptyError,
  isDatasetsError,
} from './errors.js';
export type { GraceWindow } from './grace-calendar.js';
export { GRACE_JPL_RL06_WINDOWS } from './grace-calendar.js';
export type { PairRecord, PairedSamples, SplitRule, PairMonthlyOptions, DescribePairsResult } from './pair.js';
export { pairMonthly, describePairs } from './pair.js';
export type { PrepareGraceOptions, PreparedGrace } from './prepare.js';
export { prepareGrace } from './prepare.js';
export type { PrepareLsmOptions, PreparedLsm } from './prepare-lsm.js';
export { prepareLsm } from './prepare-lsm.js';
export type { EmulateLsmOptions, EmulatorWindow, LsmDay, EmulatedLsmDaily } from './emulator.js';
export { EMULATOR_DEFAULTS, GLACIER_REGIONS, emulateLsmDaily, emulateLsm } from './emulator.js';
export type { BaselineMetricsOptions, BaselineMetricsResult } from './baseline.js';
export { baselineMetrics } from './baseline.js';
export type { SyntheticScenarioOptions, SyntheticScenario } from './synthetic.js';
export { syntheticScenario } from './synthetic.js';
