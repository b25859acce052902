/**
 * Training checkpoints: every weight of every model (trainable and not), the optimizer state (Adam's m, v,
 * iteration count and bias-correction accumulators), the epoch, the RNG state and the best-so-far weights,
 * written atomically to a directory after each epoch so a killed run can resume exactly where it stopped.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelsCheckpointError } from './errors.js';
import { writeFileAtomic } from '@twsa/grid';

/** Saving replaces the previous files and creates the directory. */
const ATOMIC = { overwrite: true, createDirectories: true } as const;

/** Name of the JSON file that commits a checkpoint (written last). */
export const CHECKPOINT_FILE = 'checkpoint.json';
const FORMAT = 'twsa-checkpoint';
const VERSION = 1;

/** Loop state stored with the weights. */
export interface CheckpointState {
  /** Completed epochs. */
  readonly epoch: number;
  /** State of the loop's seeded RNG (shuffling, dropout seeds) after `epoch`. */
  readonly rngState: number;
  /** Best monitored loss so far (`Infinity` when none). */
  readonly bestLoss: number;
  /** Epoch (1-based) of the best loss; 0 when none. */
  readonly bestEpoch: number;
  /** Epochs since the best loss (early-stopping counter). */
  readonly wait: number;
  /** Per-epoch records of the run so far (JSON-serialisable). */
  readonly history: readonly Record<string, unknown>[];
  /** Free-form fields the loop wants back (e.g. its options, to refuse resuming with different ones). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** What a checkpoint holds besides its {@link CheckpointState}. */
export interface CheckpointParts {
  /** Models by name; all their weights are stored. */
  readonly models: Readonly<Record<string, tfl.LayersModel>>;
  /** Optimizers by name (any tfjs optimizer with getWeights/setWeights). */
  readonly optimizers: Readonly<Record<string, tf.Optimizer>>;
  /** Best-so-far weights per model name, in `model.weights` order, or null. */
  readonly best?: Readonly<Record<string, Float32Array[]>> | null;
}

interface TensorEntry {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  offset: number;
  length: number;
}
interface OptimizerEntry {
  entries: TensorEntry[];
  accBeta?: [number, number];
}
interface CheckpointJson extends CheckpointState {
  format: string;
  version: number;
  files: { weights: string; best: string | null };
  models: Record<string, TensorEntry[]>;
  optimizers: Record<string, OptimizerEntry>;
  best: Record<string, TensorEntry[]> | null;
}

class Packer {
  chunks: Float32Array[] = [];
  length = 0;
  add(
    name: string,
    shape: readonly number[],
    data: Float32Array | Int32Array | Uint8Array,
    dtype: 'float32' | 'int32',
  ): TensorEntry {
    const values = dtype === 'int32' ? new Float32Array(Int32Array.from(data as Int32Array)) : (data as Float32Array);
    const entry = { name, shape: [...shape], dtype, offset: this.length, length: values.length };
    this.chunks.push(values);
    this.length += values.length;
    return entry;
  }
  bytes(): Uint8Array {
    const out = new Float32Array(this.length);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return new Uint8Array(out.buffer);
  }
}

interface AdamLike {
  accBeta1?: unknown;
  accBeta2?: unknown;
}

function accBetas(optimizer: tf.Optimizer): [tf.Variable, tf.Variable] | null {
  const o = optimizer as unknown as AdamLike;
  return o.accBeta1 instanceof tf.Variable && o.accBeta2 instanceof tf.Variable ? [o.accBeta1, o.accBeta2] : null;
}

/**
 * Writes a checkpoint to `dir` atomically.
 *
 * ## Method
 * Packs every model weight, every optimizer weight (`optimizer.getWeights()`, plus Adam's `accBeta1/2`) and the
 * best-so-far weights into one float32 file named after the epoch, then writes `checkpoint.json` (temp file +
 * rename) that points at it, and only then deletes older weight files. A crash at any moment leaves either the
 * previous checkpoint or the new one.
 *
 * @param dir - checkpoint directory (created if missing)
 * @param state - the loop state to store
 * @param parts - models, optimizers and best weights
 * @throws {@link ModelsCheckpointError} when writing fails.
 */
export async function saveCheckpoint(dir: string, state: CheckpointState, parts: CheckpointParts): Promise<void> {
  const packer = new Packer();
  const models: Record<string, TensorEntry[]> = {};
  for (const [name, model] of Object.entries(parts.models)) {
    models[name] = [];
    for (const w of model.weights)
      models[name]!.push(
        packer.add(w.originalName, w.shape as number[], (await w.read().data()) as Float32Array, 'float32'),
      );
  }
  const optimizers: Record<string, OptimizerEntry> = {};
  for (const [name, optimizer] of Object.entries(parts.optimizers)) {
    const named = await optimizer.getWeights();
    const entries: TensorEntry[] = [];
    for (const { name: n, tensor } of named) {
      entries.push(
        packer.add(
          n,
          tensor.shape,
          (await tensor.data()) as Float32Array | Int32Array,
          tensor.dtype === 'int32' ? 'int32' : 'float32',
        ),
      );
      if (!(tensor instanceof tf.Variable)) tensor.dispose();
    }
    const betas = accBetas(optimizer);
    optimizers[name] = betas
      ? { entries, accBeta: [(await betas[0].data())[0]!, (await betas[1].data())[0]!] }
      : { entries };
  }
  let best: Record<string, TensorEntry[]> | null = null;
  if (parts.best) {
    best = {};
    for (const [name, arrays] of Object.entries(parts.best)) {
      const model = parts.models[name];
      best[name] = arrays.map((a, i) =>
        packer.add(
          model?.weights[i]?.originalName ?? `w${i}`,
          (model?.weights[i]?.shape as number[]) ?? [a.length],
          a,
          'float32',
        ),
      );
    }
  }
  const tag = `e${String(state.epoch).padStart(5, '0')}`;
  const weightsFile = `weights-${tag}.bin`;
  const json: CheckpointJson = {
    format: FORMAT,
    version: VERSION,
    ...state,
    bestLoss: Number.isFinite(state.bestLoss) ? state.bestLoss : (null as unknown as number),
    files: { weights: weightsFile, best: null },
    models,
    optimizers,
    best,
  };
  try {
    await writeFileAtomic(join(dir, weightsFile), packer.bytes(), ATOMIC);
    await writeFileAtomic(join(dir, CHECKPOINT_FILE), JSON.stringify(json), ATOMIC);
    for (const f of await readdir(dir))
      if (/^weights-e\d+\.bin$/.test(f) && f !== weightsFile) await rm(join(dir, f), { force: true });
  } catch (cause) {
    throw new ModelsCheckpointError(`Could not write the checkpoint in ${dir}: ${(cause as Error).message}`, {
      cause,
      file: dir,
    });
  }
}

/** Result of {@link loadCheckpoint}. */
export interface LoadedCheckpoint {
  readonly state: CheckpointState;
  /** Best-so-far weights per model name, or null. */
  readonly best: Record<string, Float32Array[]> | null;
}

/**
 * Reads the checkpoint in `dir` (if any) and restores it into the given models and optimizers.
 *
 * ## Method
 * Reads `checkpoint.json`, checks that every model has the same weight shapes in the same order, sets the model
 * weights, then the optimizer weights (`setWeights`) and Adam's bias-correction accumulators exactly as stored
 * (so the resumed run is bit-identical to an uninterrupted one on the same backend).
 *
 * @param dir - checkpoint directory
 * @param parts - freshly built models and optimizers of the same architecture
 * @returns the stored state and best weights, or `null` when `dir` holds no checkpoint
 * @throws {@link ModelsCheckpointError} when the checkpoint is corrupt or belongs to another architecture.
 */
export async function loadCheckpoint(
  dir: string,
  parts: Omit<CheckpointParts, 'best'>,
): Promise<LoadedCheckpoint | null> {
  let text: string;
  try {
    text = await readFile(join(dir, CHECKPOINT_FILE), 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ModelsCheckpointError(`Could not read ${join(dir, CHECKPOINT_FILE)}: ${(cause as Error).message}`, {
      cause,
      file: dir,
    });
  }
  let json: CheckpointJson;
  try {
    json = JSON.parse(text) as CheckpointJson;
  } catch (cause) {
    throw new ModelsCheckpointError(`${join(dir, CHECKPOINT_FILE)} is not valid JSON`, {
      cause,
      file: join(dir, CHECKPOINT_FILE),
    });
  }
  if (json.format !== FORMAT || json.version !== VERSION) {
    throw new ModelsCheckpointError(
      `${join(dir, CHECKPOINT_FILE)} is not a ${FORMAT} v${VERSION} file (format ${String(json.format)}, version ${String(json.version)})`,
      { file: dir },
    );
  }
  const file = join(dir, json.files.weights);
  let values: Float32Array;
  try {
    const buf = await readFile(file);
    values = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  } catch (cause) {
    throw new ModelsCheckpointError(`Could not read the checkpoint weights ${file}: ${(cause as Error).message}`, {
      cause,
      file,
    });
  }
  const view = (e: TensorEntry): Float32Array => {
    if (e.offset + e.length > values.length)
      throw new ModelsCheckpointError(
        `${file} is truncated (entry ${e.name} ends at ${e.offset + e.length}, file holds ${values.length} values)`,
        { file },
      );
    return values.subarray(e.offset, e.offset + e.length);
  };
  for (const [name, model] of Object.entries(parts.models)) {
    const entries = json.models[name];
    if (!entries || entries.length !== model.weights.length) {
      throw new ModelsCheckpointError(
        `Checkpoint in ${dir} has ${entries?.length ?? 0} weights for model '${name}', the model has ${model.weights.length}: a different architecture`,
        { file: dir, field: name },
      );
    }
    model.weights.forEach((w, i) => {
      if (entries[i]!.shape.join(',') !== w.shape.join(',')) {
        throw new ModelsCheckpointError(
          `Checkpoint weight ${i} of model '${name}' has shape [${entries[i]!.shape.join(', ')}], the model's ${w.originalName} has [${w.shape.join(', ')}]`,
          { file: dir, field: name },
        );
      }
    });
    const tensors = entries.map((e) => tf.tensor(view(e).slice(), e.shape, 'float32'));
    model.setWeights(tensors);
    tf.dispose(tensors);
  }
  for (const [name, optimizer] of Object.entries(parts.optimizers)) {
    const stored = json.optimizers[name];
    if (!stored)
      throw new ModelsCheckpointError(`Checkpoint in ${dir} has no state for optimizer '${name}'`, {
        file: dir,
        field: name,
      });
    const named = stored.entries.map((e) => ({
      name: e.name,
      tensor:
        e.dtype === 'int32'
          ? tf.tensor(Int32Array.from(view(e)), e.shape, 'int32')
          : tf.tensor(view(e).slice(), e.shape, 'float32'),
    }));
    await optimizer.setWeights(named);
    tf.dispose(named.map((n) => n.tensor));
    const betas = accBetas(optimizer);
    if (betas && stored.accBeta) {
      const [b1, b2] = stored.accBeta;
      tf.tidy(() => {
        betas[0].assign(tf.scalar(b1));
        betas[1].assign(tf.scalar(b2));
      });
    }
  }
  let best: Record<string, Float32Array[]> | null = null;
  if (json.best) {
    best = {};
    for (const [name, entries] of Object.entries(json.best)) best[name] = entries.map((e) => view(e).slice());
  }
  const { epoch, rngState, bestEpoch, wait, history, extra } = json;
  return {
    state: {
      epoch,
      rngState,
      bestLoss: json.bestLoss ?? Infinity,
      bestEpoch,
      wait,
      history,
      ...(extra ? { extra } : {}),
    },
    best,
  };
}
