/**
 * Typed errors of `@twsa/reconstruct`. Each carries a literal `name`, the fields that explain it and `cause`.
 * Test them with {@link isReconstructError} (by name, so duplicate installs still match) rather than `instanceof`.
 */

/** Names of every error this package throws. */
export const RECONSTRUCT_ERROR_NAMES = [
  'ReconstructError',
  'ConfigError',
  'InputError',
  'OutputExistsError',
  'StageOrderError',
  'PipelineAbortedError',
  'RunLockedError',
  'UnsafeOverwriteError',
  'OutputUnwritableError',
  'SchedulerError',
] as const;
/** One of {@link RECONSTRUCT_ERROR_NAMES}. */
export type ReconstructErrorName = (typeof RECONSTRUCT_ERROR_NAMES)[number];

/** Base class of every `@twsa/reconstruct` error. */
export class ReconstructError extends Error {
  override readonly name: ReconstructErrorName = 'ReconstructError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
  }
}

/**
 * A configuration value is missing, of the wrong type, out of range or not a known key.
 * The message starts with the key path, e.g. `train.epochs: expected integer ≥ 1, got "x"`.
 */
export class ConfigError extends ReconstructError {
  override readonly name = 'ConfigError' as const;
  /** Dotted path of the offending key, e.g. `"train.epochs"`; `""` for the whole document. */
  readonly keyPath: string;
  constructor(keyPath: string, problem: string, options?: { cause?: unknown }) {
    super(`${keyPath === '' ? '(config)' : keyPath}: ${problem}`, options);
    this.keyPath = keyPath;
  }
}

/** An input file or directory is missing, unreadable, of an unknown format, or does not fit the run (no overlap, ...). */
export class InputError extends ReconstructError {
  override readonly name = 'InputError' as const;
  /** The file or directory involved, when there is one. */
  readonly file?: string;
  constructor(message: string, options?: { cause?: unknown; file?: string }) {
    super(message, options);
    if (options?.file !== undefined) this.file = options.file;
  }
}

/**
 * The output directory already exists and `overwrite` was not set. The message names the library option
 * (`{ overwrite: true }`); the `twsa` CLI prints its own line naming `--overwrite` instead.
 */
export class OutputExistsError extends ReconstructError {
  override readonly name = 'OutputExistsError' as const;
  readonly path: string;
  constructor(path: string, options?: { cause?: unknown }) {
    super(
      `Output directory '${path}' already exists: choose another output directory, or pass { overwrite: true } to replace it`,
      options,
    );
    this.path = path;
  }
}

/** A stage was asked to run before the stage it needs has produced its outputs in the run folder. */
export class StageOrderError extends ReconstructError {
  override readonly name = 'StageOrderError' as const;
  readonly stage: string;
  readonly missing: string;
  constructor(stage: string, missing: string, options?: { cause?: unknown }) {
    super(
      `Stage '${stage}' needs '${missing}' from an earlier stage; run the earlier stage first (or 'twsa run')`,
      options,
    );
    this.stage = stage;
    this.missing = missing;
  }
}

/** The run was stopped through its AbortSignal; a checkpoint was written when training was under way. */
export class PipelineAbortedError extends ReconstructError {
  override readonly name = 'PipelineAbortedError' as const;
  /** The run folder that holds the checkpoint (pass it to `--resume`). */
  readonly runDir: string;
  constructor(runDir: string, options?: { cause?: unknown }) {
    super(
      `Run stopped on request; its state is in '${runDir}'. Continue it with: twsa run --resume ${runDir}`,
      options,
    );
    this.runDir = runDir;
  }
}

/** Another process holds the run folder's lock (`<folder>.lock`): two runs into one folder would corrupt each other. */
export class RunLockedError extends ReconstructError {
  override readonly name = 'RunLockedError' as const;
  /** The run folder. */
  readonly path: string;
  /** The lock file. */
  readonly lockFile: string;
  /** The holder's pid and host. */
  readonly pid: number;
  readonly host: string;
  constructor(
    path: string,
    lockFile: string,
    holder: { readonly pid: number; readonly host: string; readonly started: string },
    why: string,
    options?: { cause?: unknown },
  ) {
    super(
      `Run folder '${path}' is locked by another run (pid ${holder.pid} on ${holder.host}${holder.started ? `, since ${holder.started}` : ''}; ${why}): wait for it to finish or stop it, or choose another output directory. The lock is '${lockFile}'; remove it by hand only if that process is really gone`,
      options,
    );
    this.path = path;
    this.lockFile = lockFile;
    this.pid = holder.pid;
    this.host = holder.host;
  }
}

/**
 * Replacing an existing output was asked (`overwrite`), but the path is not a twsa run folder, is an input of the
 * run or holds one: nothing is removed.
 */
export class UnsafeOverwriteError extends ReconstructError {
  override readonly name = 'UnsafeOverwriteError' as const;
  readonly path: string;
  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super(`Refusing to replace '${path}': ${reason}. Nothing was removed; choose another output directory`, options);
    this.path = path;
  }
}

/** The output directory (or its lock or working directory) cannot be created or written. */
export class OutputUnwritableError extends ReconstructError {
  override readonly name = 'OutputUnwritableError' as const;
  readonly path: string;
  /** The system error code (`EACCES`, `EPERM`, `EROFS`, `ENOTDIR`, ...). */
  readonly code?: string;
  constructor(path: string, cause: Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why =
      code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'EROFS'
          ? 'read-only file system'
          : code === 'ENOTDIR' || code === 'EEXIST'
            ? 'it or a folder above it is a file, not a directory'
            : code === 'ENOSPC'
              ? 'no space left on the device'
              : cause.message;
    super(`Cannot write the output directory '${path}': ${why}${code ? ` (${code})` : ''}; choose a writable --out`, {
      cause,
    });
    this.path = path;
    if (code !== undefined) this.code = code;
  }
}

/** A scheduler command failed: `sbatch` refused a job, `squeue` could not reach slurmctld, … */
export class SchedulerError extends ReconstructError {
  override readonly name = 'SchedulerError' as const;
  /** The command that failed (`sbatch`, `squeue`, …). */
  readonly command: string;
  constructor(command: string, message: string, options?: { cause?: unknown }) {
    super(`${command}: ${message}`, options);
    this.command = command;
  }
}

/**
 * True when `err` is a `@twsa/reconstruct` error, optionally of one given name.
 * @example
 * ```ts
 * isReconstructError(new ConfigError("train.epochs", "expected integer ≥ 1, got 0"), "ConfigError"); // => true
 * ```
 */
export function isReconstructError<N extends ReconstructErrorName>(
  err: unknown,
  name?: N,
): err is ReconstructError & { name: N } {
  if (!(err instanceof Error)) return false;
  const n = err.name as ReconstructErrorName;
  return name === undefined ? (RECONSTRUCT_ERROR_NAMES as readonly string[]).includes(n) : n === name;
}
