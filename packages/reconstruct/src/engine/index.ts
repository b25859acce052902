/**
 * The tfjs {@link Engine}: data preparation with `@twsa/datasets`, training and prediction with `@twsa/models`.
 */
import type { Engine } from '../seam.js';
import { prepare } from './prepare.js';
import { countParams, initBackend, load, train } from './train.js';
import { measureFlopsPerSecond, memoryLimit, probeTrainingStep, trainingFlops } from './probe.js';

/** The engine {@link runPipeline} uses unless given another. */
export const TFJS_ENGINE: Engine = Object.freeze({
  initBackend,
  prepare,
  train,
  load,
  countParams,
  probeTrainingStep,
  trainingFlops,
  measureFlopsPerSecond,
  memoryLimit,
});
