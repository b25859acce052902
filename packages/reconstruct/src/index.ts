/**
 * @module `@twsa/reconstruct`
 *
 * The whole Yu et al. (2021) workflow in one call, and the `twsa` command line: prepare GRACE and LSM TWSA on
 * the 48×48 Canada grid, train SEUNet, Pix2Pix, DCAE and ConvLSTM, score Table 1 against the LSM baseline,
 * hindcast 1979–2002 (one frame per calendar month), predict any other period with `predictPeriod` (e.g. the
 * GRACE/GRACE-FO gap, scoring unseen GRACE-FO months), and write the figures and a self-contained HTML report into one run folder.
 *
 * ```ts
 * // not run: a whole smoke-profile pipeline run (a minute or more on 2 cores); npm test runs the same as its `twsa run --profile smoke` check
 * import { runPipeline, resolveConfig } from "@twsa/reconstruct";
 * const result = await runPipeline(resolveConfig({ profile: "smoke" }), { out: "runs/smoke" });
 * console.log(result.table1?.rows.map((r) => `${r.label}: ${r.rmseMm.toFixed(1)} mm`));
 * ```
 */
export type {
  ModelName,
  ModelPreset,
  ProfileName,
  BackendChoice,
  DataSourceKind,
  DataConfig,
  ModelsConfig,
  TrainConfig,
  EvaluateConfig,
  HindcastConfig,
  HindcastSteps,
  ReportConfig,
  PipelineConfig,
  PipelineConfigInput,
  ResolveConfigOptions,
} from './config.js';
export {
  MODEL_NAMES,
  MODEL_PRESETS,
  PROFILE_NAMES,
  BACKEND_CHOICES,
  HINDCAST_STEPS,
  PROFILES,
  resolveConfig,
  readConfigFile,
  dataSourceKind,
} from './config.js';
export type { ReconstructErrorName } from './errors.js';
export {
  RECONSTRUCT_ERROR_NAMES,
  ReconstructError,
  ConfigError,
  InputError,
  OutputExistsError,
  StageOrderError,
  PipelineAbortedError,
  RunLockedError,
  UnsafeOverwriteError,
  OutputUnwritableError,
  SchedulerError,
  isReconstructError,
} from './errors.js';
export type { RunPipelineOptions, RunRecord, RunResult } from './pipeline.js';
export { runPipeline, readRunTable1 } from './pipeline.js';
export { TWIN_NOTE } from './stages/hindcast.js';
export type { StageName, PipelineEvent } from './progress.js';
export { STAGES, formatDuration, formatProgressBar } from './progress.js';
export type {
  SplitName,
  PreparedData,
  TrainProgress,
  TrainRequest,
  TrainedModel,
  Engine,
  TrainingProbe,
  TrainingProbeOptions,
} from './seam.js';
export { defaultEngine } from './seam.js';
export type { PeriodData } from './seam.js';
export type { PredictPeriodOptions, PeriodPrediction, FrameRole, PredictIntoRunResult } from './predict.js';
export { predictPeriod, writePeriodPrediction, predictIntoRun, bestModel } from './predict.js';
export type { PredictScores } from './predict-report.js';
export type { FrameKind } from './period.js';
export type {
  EnsembleRecord,
  EnsembleRunOptions,
  EnsembleRunResult,
  EnsembleStatus,
  ExecutorName,
  RunMemberOptions,
  SlurmSubmission,
} from './ensemble-run.js';
export { startEnsemble, resumeEnsemble, runMember, collectEnsemble, ensembleStatus } from './ensemble-run.js';
export type { MemberId, MemberRecord, MemberState, MemberStatus } from './ensemble.js';
export type { EnsembleStats, EnsembleTable1, EnsembleTable1Row } from './ensemble-table1.js';
export type { SlurmOptions, TwsaCommand } from './slurm.js';
export type { Table1, Table1Row } from './table1.js';
export { PAPER_TABLE1, ROW_LABELS, SMOKE_WARNING, formatTable1Markdown, formatTable1Csv } from './table1.js';
export type { TrainingEstimate, ModelEstimate, EstimateMethod, EstimateOptions } from './estimate.js';
export { estimateTrainingSeconds } from './estimate.js';
export type { GridUpscaleCommandOptions, GridReprojectCommandOptions } from './grid-commands.js';
export { gridInfoCommand, gridUpscaleCommand, gridReprojectCommand } from './grid-commands.js';
export type { DataPairsResult, DataBaselineResult } from './data-commands.js';
export { dataCommand } from './data-commands.js';
export type { BasinMeanSeries, BasinMeansOptions, BasinSeriesOptions, BasinSeriesResult } from './basin-series.js';
export { basinMeans, basinSeries } from './basin-series.js';
