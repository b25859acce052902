/**
 * The pipeline configuration: one namespaced record per stage, three named profiles, and a validator that
 * rejects unknown keys and wrong values up front with the key path in the message.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigError, InputError } from './errors.js';

/** The four deep-learning models of Yu et al. (2021). */
export const MODEL_NAMES = ['seunet', 'pix2pix', 'dcae', 'convlstm'] as const;
/** One of {@link MODEL_NAMES}. */
export type ModelName = (typeof MODEL_NAMES)[number];
/** Model size presets understood by `@twsa/models`. */
export const MODEL_PRESETS = ['paper', 'cpu', 'tiny'] as const;
/** One of {@link MODEL_PRESETS}. */
export type ModelPreset = (typeof MODEL_PRESETS)[number];
/** Named profiles. */
export const PROFILE_NAMES = ['smoke', 'quick', 'paper'] as const;
/** One of {@link PROFILE_NAMES}. */
export type ProfileName = (typeof PROFILE_NAMES)[number];
/** tfjs backends a run may ask for; `auto` lets `@twsa/models` pick the fastest one installed. */
export const BACKEND_CHOICES = ['auto', 'cpu', 'wasm', 'tensorflow', 'tensorflow-gpu'] as const;
/** One of {@link BACKEND_CHOICES}. */
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/**
 * Where the data come from.
 * - `synthetic`: the embedded synthetic scenario (no files needed);
 * - `emulate`: real GRACE plus an LSM emulated from it — a **twin experiment**, said so in every output;
 * - `files`: real GRACE plus the user's LSM files.
 */
export type DataSourceKind = 'synthetic' | 'emulate' | 'files';

/** `data` section: inputs and the split. */
export interface DataConfig {
  /** GRACE files or directories (Tellus granules, NetCDF-4, or the stacked NetCDF-3 file). Empty = synthetic scenario. */
  readonly grace: readonly string[];
  /** LSM files or directories (GeoTIFF series or GLDAS NetCDF-4), or `"emulate"` for the twin experiment. Empty = synthetic. */
  readonly lsm: readonly string[] | 'emulate';
  /** First month of the GRACE era used for pairing, `YYYY-MM`. Default `"2002-04"`. */
  readonly start: string;
  /** Last month of the GRACE era used for pairing, `YYYY-MM`. Default `"2016-12"`. */
  readonly end: string;
  /** Records held out for testing at each end of the record (paper: 20). */
  readonly testRecords: number;
  /** Augment training pairs with the 8 flips and rotations (paper: true). */
  readonly augment: boolean;
  /**
   * User LSM files only: `"canada"` (default) sets the LSM's source cells whose centres lie outside Canada to NaN
   * before the area-weighted regrid, so border cells average Canadian land only (no US or ocean values);
   * `"none"` regrids every valid source cell.
   */
  readonly lsmClip: 'canada' | 'none';
  /**
   * Accept implausible input values as intended (default false): ±Infinity, frames with no valid value, values
   * that look like cm in a field labelled m, |TWSA| beyond 10 m. Without it such a file is refused at prepare,
   * naming the file, the variable and the value. The CLI flag is `--accept-implausible`.
   */
  readonly acceptImplausible: boolean;
}

/** `models` section. */
export interface ModelsConfig {
  /** Which models to train and score. */
  readonly names: readonly ModelName[];
  /** Size preset passed to the builders. */
  readonly preset: ModelPreset;
  /** ConvLSTM input frames per window (months before the target; the paper uses 19). */
  readonly sequenceLength: number;
  /**
   * How the ConvLSTM orders its frames. `"records"` (the paper's): slide over the available GRACE records as if
   * they were consecutive months (missing months are not filled; the paper says itself that "the GRACE observation
   * is technically not consecutive"). `"calendar"`: one frame per calendar month; a window may hold up to
   * `maxInterpolated` missing input months, filled by linear interpolation between the window's valid inputs and
   * flagged in `models/convlstm/sequences.json` (targets are never interpolated). Every profile uses `"records"`.
   */
  readonly sequencing: 'records' | 'calendar';
  /** `sequencing: "calendar"` only: missing input months a ConvLSTM window may hold (filled, flagged). */
  readonly maxInterpolated: number;
  /**
   * What the ConvLSTM forecasts. `"none"` (the paper's): GRACE itself. `"seasonal-trend"`: GRACE's departure from a
   * per-pixel least-squares fit of mean + linear trend + annual + semiannual harmonics, fitted on the training records
   * only (`models/convlstm/seasonal-trend.json`); the fit at the target month is added back to the forecast. The
   * network then learns how departures persist and decay instead of re-learning the seasonal cycle from a few
   * frames whose calendar months it does not know (records are slid over as if consecutive). The paper profile
   * uses `"none"`, the others `"seasonal-trend"`.
   */
  readonly convlstmBaseline: 'none' | 'seasonal-trend';
}

/** `train` section. */
export interface TrainConfig {
  readonly epochs: number;
  /**
   * Epochs for the ConvLSTM alone (0 = `epochs`). One ConvLSTM epoch over its sequence windows costs 10–25× a
   * SEUNet epoch on WASM (≈ 60–100 s for the cpu preset on 2 cores), so the quick profile gives it fewer.
   */
  readonly convlstmEpochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** Stop an epoch after this many optimizer steps (0 = the whole epoch). Used by the smoke profile. */
  readonly maxStepsPerEpoch: number;
  /** Early-stopping patience in epochs on the validation loss (0 = off). */
  readonly patience: number;
  /** Pix2Pix weight λ of the MSE term beside the adversarial loss. */
  readonly pix2pixLambda: number;
}

/** `evaluate` section. */
export interface EvaluateConfig {
  /** Months drawn as map figures (Fig. 13–16), `YYYY-MM`. */
  readonly mapMonths: readonly string[];
}

/**
 * Time steps of the hindcast (and of any period predicted outside the GRACE solution windows):
 * - `calendar-month`: one frame per calendar month, time at mid-month, `time_bnds` spanning the month (default);
 * - `paper-30day`: consecutive 30-day windows from the hindcast start, as Yu et al. (2021) resampled pre-GRACE EALCO
 *   (1979-01..2002-03 gives 283 frames; some months get two, some none).
 */
export const HINDCAST_STEPS = ['calendar-month', 'paper-30day'] as const;
/** One of {@link HINDCAST_STEPS}. */
export type HindcastSteps = (typeof HINDCAST_STEPS)[number];

/** `hindcast` section. */
export interface HindcastConfig {
  readonly enabled: boolean;
  /** The model used to hindcast (paper: DCAE). */
  readonly model: ModelName;
  readonly start: string;
  readonly end: string;
  /** Time steps of the LSM fed to the hindcast, see {@link HINDCAST_STEPS}. Default `"calendar-month"`. */
  readonly steps: HindcastSteps;
  /** Write one GeoTIFF per month beside the NetCDF stack. */
  readonly geotiffs: boolean;
}

/** `report` section. */
export interface ReportConfig {
  readonly figures: boolean;
  readonly html: boolean;
}

/** The whole, resolved pipeline configuration. */
export interface PipelineConfig {
  /** Profile the defaults came from. */
  readonly profile: ProfileName;
  /** Seed for every random choice (initialisers, shuffling, emulator). */
  readonly seed: number;
  /**
   * Members per model of a seed ensemble: each model is trained `seeds` times, with seeds `seed`, `seed + 1`, …,
   * on the same prepared data (prepared once with `seed`). Table 1 then gives mean ± sd over seeds and the scores of
   * the ensemble-mean prediction. Default 1 (a single run).
   */
  readonly seeds: number;
  /** tfjs backend. */
  readonly backend: BackendChoice;
  readonly data: DataConfig;
  readonly models: ModelsConfig;
  readonly train: TrainConfig;
  readonly evaluate: EvaluateConfig;
  readonly hindcast: HindcastConfig;
  readonly report: ReportConfig;
}

/** A partial configuration as a user writes it (every key optional, sections partial). */
export type PipelineConfigInput = {
  readonly [K in keyof PipelineConfig]?: PipelineConfig[K] extends readonly unknown[] | string | number | boolean
    ? PipelineConfig[K]
    : Partial<PipelineConfig[K]>;
};

const BASE: Omit<PipelineConfig, 'profile'> = {
  seed: 42,
  seeds: 1,
  backend: 'auto',
  data: {
    grace: [],
    lsm: [],
    start: '2002-04',
    end: '2016-12',
    testRecords: 20,
    augment: true,
    lsmClip: 'canada',
    acceptImplausible: false,
  },
  models: {
    names: [...MODEL_NAMES],
    preset: 'cpu',
    sequenceLength: 6,
    sequencing: 'records',
    maxInterpolated: 2,
    convlstmBaseline: 'seasonal-trend',
  },
  train: {
    epochs: 20,
    convlstmEpochs: 0,
    batchSize: 8,
    learningRate: 0.001,
    maxStepsPerEpoch: 0,
    patience: 5,
    pix2pixLambda: 100,
  },
  evaluate: { mapMonths: ['2003-01', '2003-07', '2014-10', '2015-04'] },
  hindcast: { enabled: true, model: 'dcae', start: '1979-01', end: '2002-03', steps: 'calendar-month', geotiffs: true },
  report: { figures: true, html: true },
};

/** The defaults of each profile. */
export const PROFILES: Readonly<Record<ProfileName, PipelineConfig>> = Object.freeze({
  smoke: {
    ...BASE,
    profile: 'smoke',
    models: { ...BASE.models, preset: 'tiny', sequenceLength: 3 },
    train: { ...BASE.train, epochs: 1, batchSize: 4, maxStepsPerEpoch: 3, patience: 0 },
    data: { ...BASE.data, augment: false },
  },
  // quick: the cpu presets, 40 epochs over the 118 training records without the ×8 augmentation (which multiplies
  // the epoch time by 8: measured 195 s per augmented SEUNet epoch on a loaded 2-core machine). The ConvLSTM trains
  // two networks (forecast, and hindcast on the reversed records) of 4 epochs each (≈ 60–100 s per epoch on 2 idle
  // cores); it slides over the GRACE records as the paper does (models.sequencing "records") and forecasts departures
  // from the seasonal-and-trend fit (models.convlstmBaseline, from BASE): on raw GRACE it scored the CC of
  // persistence (0.771 against the LSM's 0.900), with the fit 0.907. Pix2Pix: λ = 1000 on
  // its MSE term: with λ = 100 (the tutorial's weight on an L1 term, ≈ 10× larger than our MSE) the adversarial
  // term dominated, D won (loss 0.03), and the generator's MSE rose from 0.0028 at epoch 7 to 0.009 at epoch 12.
  quick: {
    ...BASE,
    profile: 'quick',
    data: { ...BASE.data, augment: false },
    train: {
      ...BASE.train,
      epochs: 40,
      convlstmEpochs: 4,
      batchSize: 8,
      learningRate: 0.001,
      patience: 8,
      pix2pixLambda: 1000,
    },
  },
  paper: {
    ...BASE,
    profile: 'paper',
    models: { ...BASE.models, preset: 'paper', sequenceLength: 19, convlstmBaseline: 'none' },
    train: { ...BASE.train, epochs: 100, batchSize: 1, learningRate: 0.01, patience: 0 },
  },
} satisfies Record<ProfileName, PipelineConfig>);

type Check = (value: unknown, path: string) => unknown;

const show = (v: unknown): string =>
  typeof v === 'string'
    ? JSON.stringify(v)
    : v === undefined
      ? 'nothing'
      : Array.isArray(v)
        ? `[${v.map(show).join(', ')}]`
        : typeof v === 'object' && v !== null
          ? 'an object'
          : String(v);

const integer =
  (min: number, max = Number.MAX_SAFE_INTEGER): Check =>
  (v, p) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
      throw new ConfigError(
        p,
        `expected integer ≥ ${min}${max < Number.MAX_SAFE_INTEGER ? ` and ≤ ${max}` : ''}, got ${show(v)}`,
      );
    return v;
  };
const positive: Check = (v, p) => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
    throw new ConfigError(p, `expected a finite number > 0, got ${show(v)}`);
  return v;
};
const nonNegative: Check = (v, p) => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
    throw new ConfigError(p, `expected a finite number ≥ 0, got ${show(v)}`);
  return v;
};
const boolean: Check = (v, p) => {
  if (typeof v !== 'boolean') throw new ConfigError(p, `expected true or false, got ${show(v)}`);
  return v;
};
const oneOf =
  (values: readonly string[]): Check =>
  (v, p) => {
    if (typeof v !== 'string' || !values.includes(v))
      throw new ConfigError(p, `expected one of ${values.map((x) => `"${x}"`).join(', ')}, got ${show(v)}`);
    return v;
  };
const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const month: Check = (v, p) => {
  if (typeof v !== 'string' || !MONTH.test(v)) throw new ConfigError(p, `expected a month "YYYY-MM", got ${show(v)}`);
  return v;
};
const listOf =
  (item: Check, minLength = 0): Check =>
  (v, p) => {
    if (!Array.isArray(v)) throw new ConfigError(p, `expected a list, got ${show(v)}`);
    if (v.length < minLength) throw new ConfigError(p, `expected at least ${minLength} item(s), got ${v.length}`);
    return v.map((x, i) => item(x, `${p}[${i}]`));
  };
const path: Check = (v, p) => {
  if (typeof v !== 'string' || v.trim() === '')
    throw new ConfigError(p, `expected a file or directory path, got ${show(v)}`);
  return v;
};
const lsmCheck: Check = (v, p) => (v === 'emulate' ? v : listOf(path)(v, p));

const SCHEMA: Record<string, Check | Record<string, Check>> = {
  profile: oneOf(PROFILE_NAMES),
  seed: integer(0, 2 ** 31 - 1),
  seeds: integer(1, 1000),
  backend: oneOf(BACKEND_CHOICES),
  data: {
    grace: listOf(path),
    lsm: lsmCheck,
    start: month,
    end: month,
    testRecords: integer(1),
    augment: boolean,
    lsmClip: oneOf(['canada', 'none']),
    acceptImplausible: boolean,
  },
  models: {
    names: listOf(oneOf(MODEL_NAMES), 1),
    preset: oneOf(MODEL_PRESETS),
    sequenceLength: integer(1, 60),
    sequencing: oneOf(['records', 'calendar']),
    maxInterpolated: integer(0, 59),
    convlstmBaseline: oneOf(['none', 'seasonal-trend']),
  },
  train: {
    epochs: integer(1),
    convlstmEpochs: integer(0),
    batchSize: integer(1),
    learningRate: positive,
    maxStepsPerEpoch: integer(0),
    patience: integer(0),
    pix2pixLambda: nonNegative,
  },
  evaluate: { mapMonths: listOf(month) },
  hindcast: {
    enabled: boolean,
    model: oneOf(MODEL_NAMES),
    start: month,
    end: month,
    steps: oneOf(HINDCAST_STEPS),
    geotiffs: boolean,
  },
  report: { figures: boolean, html: boolean },
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Options of {@link resolveConfig}. */
export interface ResolveConfigOptions {
  /** Profile whose defaults fill the keys `input` leaves out; `input.profile` wins over it. Default `"quick"`. */
  readonly profile?: ProfileName;
}

/**
 * Validates a user configuration and fills every missing key from a profile's defaults.
 *
 * ## Method
 * Every key of `input` is checked against the schema of {@link PipelineConfig}: unknown keys, wrong types,
 * out-of-range numbers and badly formed months throw at once, before any work starts. Then the
 * profile (`input.profile`, else `options.profile`, else `"quick"`) supplies the rest, section by section.
 * Cross-field rules: `data.start ≤ data.end`, `hindcast.start ≤ hindcast.end`, `data.lsm` given only with
 * `data.grace`, and `hindcast.model` among `models.names` when the hindcast is enabled.
 *
 * @param input - a parsed JSON/YAML document (`unknown`: it is checked).
 * @returns the complete configuration.
 * @throws {@link ConfigError} naming the key path, e.g. `train.epochs: expected integer ≥ 1, got "x"`.
 * @example
 * ```ts
 * resolveConfig({ profile: "smoke", train: { epochs: 2 } }).train.epochs; // => 2
 * ```
 */
export function resolveConfig(input: unknown, options: ResolveConfigOptions = {}): PipelineConfig {
  if (input === undefined || input === null) input = {};
  if (!isRecord(input))
    throw new ConfigError(
      '',
      `expected a mapping of sections (data, models, train, evaluate, hindcast, report), got ${show(input)}`,
    );
  const checked: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    const rule = SCHEMA[key];
    if (rule === undefined)
      throw new ConfigError(key, `unknown key; expected one of ${Object.keys(SCHEMA).join(', ')}`);
    if (typeof rule === 'function') {
      checked[key] = rule(value, key);
      continue;
    }
    if (!isRecord(value)) throw new ConfigError(key, `expected a mapping, got ${show(value)}`);
    const section: Record<string, unknown> = {};
    for (const [sub, subValue] of Object.entries(value)) {
      const subRule = rule[sub];
      if (subRule === undefined)
        throw new ConfigError(`${key}.${sub}`, `unknown key; expected one of ${Object.keys(rule).join(', ')}`);
      section[sub] = subRule(subValue, `${key}.${sub}`);
    }
    checked[key] = section;
  }
  const profileName = (checked['profile'] as ProfileName | undefined) ?? options.profile ?? 'quick';
  const base = PROFILES[profileName];
  const merged = {
    ...base,
    ...(checked['seed'] !== undefined ? { seed: checked['seed'] as number } : {}),
    ...(checked['seeds'] !== undefined ? { seeds: checked['seeds'] as number } : {}),
    ...(checked['backend'] !== undefined ? { backend: checked['backend'] as BackendChoice } : {}),
    profile: profileName,
    data: { ...base.data, ...(checked['data'] as object | undefined) },
    models: { ...base.models, ...(checked['models'] as object | undefined) },
    train: { ...base.train, ...(checked['train'] as object | undefined) },
    evaluate: { ...base.evaluate, ...(checked['evaluate'] as object | undefined) },
    hindcast: { ...base.hindcast, ...(checked['hindcast'] as object | undefined) },
    report: { ...base.report, ...(checked['report'] as object | undefined) },
  } as PipelineConfig;
  if (merged.data.start > merged.data.end)
    throw new ConfigError('data.end', `expected a month ≥ data.start (${merged.data.start}), got "${merged.data.end}"`);
  if (merged.hindcast.start > merged.hindcast.end)
    throw new ConfigError(
      'hindcast.end',
      `expected a month ≥ hindcast.start (${merged.hindcast.start}), got "${merged.hindcast.end}"`,
    );
  const lsmGiven = merged.data.lsm === 'emulate' || merged.data.lsm.length > 0;
  if (lsmGiven && merged.data.grace.length === 0)
    throw new ConfigError(
      'data.lsm',
      'needs data.grace: an LSM (or the emulator) is paired with real GRACE; leave both empty for the embedded synthetic scenario',
    );
  if (merged.data.grace.length > 0 && !lsmGiven)
    throw new ConfigError('data.lsm', 'expected LSM files or "emulate" beside data.grace, got nothing');
  if (merged.hindcast.enabled && !merged.models.names.includes(merged.hindcast.model)) {
    throw new ConfigError(
      'hindcast.model',
      `expected one of the trained models (${merged.models.names.join(', ')}), got "${merged.hindcast.model}"`,
    );
  }
  const dupe = merged.models.names.find((n, i) => merged.models.names.indexOf(n) !== i);
  if (dupe !== undefined) throw new ConfigError('models.names', `lists "${dupe}" twice`);
  return merged;
}

/** The data source a configuration describes. */
export function dataSourceKind(config: PipelineConfig): DataSourceKind {
  if (config.data.grace.length === 0) return 'synthetic';
  return config.data.lsm === 'emulate' ? 'emulate' : 'files';
}

/**
 * Reads a configuration file (`.json`, `.yaml` or `.yml`) and returns its parsed, unchecked content;
 * pass it to {@link resolveConfig}.
 *
 * @throws {@link InputError} when the file is missing, unreadable or not valid JSON/YAML.
 */
export function readConfigFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new InputError(`Cannot read config file '${file}': ${(cause as Error).message}`, { cause, file });
  }
  const ext = extname(file).toLowerCase();
  try {
    if (ext === '.json') return JSON.parse(text) as unknown;
    if (ext === '.yaml' || ext === '.yml') return parseYaml(text) as unknown;
  } catch (cause) {
    throw new InputError(
      `Config file '${file}' is not valid ${ext === '.json' ? 'JSON' : 'YAML'}: ${(cause as Error).message}`,
      { cause, file },
    );
  }
  throw new InputError(`Config file '${file}' must end in .json, .yaml or .yml`, { file });
}
