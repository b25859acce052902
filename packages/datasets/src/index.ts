/** @module @twsa/datasets */
export type { SplitLabel, PaperSplitOptions, DateRange, DateRangeSplitOptions, BlockedKFoldOptions, Fold, ValidationFromTrainOptions, SplitCounts } from './split.js';
export { SPLIT_LABELS, paperSplit, splitByDateRange, blockedKFold, validationFromTrain, splitCounts, splitIndices } from './split.js';
export type { Scaler, ScalableData, FitMinMaxOptions } from './scale.js';
export { fitMinMax, applyScaler, invertScaler, scalerToJson, scalerFromJson } from './scale.js';
export type { DihedralTransform, FrameArray, FrameStack, AugmentSamples, AugmentOptions, AugmentResult } from './augment.js';
export { DIHEDRAL_TRANSFORMS, transformFrames, composeDihedral, inverseDihedral, augmentSamples } from './augment.js';
export type { SequenceMode, GapRule, SequenceOptions, SequenceWindow, SequenceResult, SequenceData } from './sequence.js';
export { makeSequences, sequenceData } from './sequence.js';
