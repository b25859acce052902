/**
 * Saving and loading models as a directory `model.json` + `weights.bin` (the tfjs layers-model format) with
 * node's fs, without tfjs-node.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelsIoError } from './errors.js';
import { writeFileAtomic } from '@twsa/grid';
import './layers.js';

/** Saving replaces the previous files and creates the directory. */
const ATOMIC = { overwrite: true, createDirectories: true } as const;

/** File names inside a saved-model directory. */
export const MODEL_FILES = { topology: 'model.json', weights: 'weights.bin' } as const;

function weightBytes(data: tf.io.WeightData | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  const buffer = Array.isArray(data) ? tf.io.CompositeArrayBuffer.join(data) : data;
  return new Uint8Array(buffer);
}

/**
 * An IO handler that writes a model to `dir` as `model.json` + `weights.bin` (each atomically).
 *
 * @param dir - target directory (created if missing)
 * @returns a `tf.io.IOHandler` for `model.save(handler)`
 */
export function fileSaveHandler(dir: string): tf.io.IOHandler {
  return {
    save: async (artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> => {
      const bytes = weightBytes(artifacts.weightData);
      const json = {
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tfl.version_layers}`,
        convertedBy: '@twsa/models saveModel',
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [`./${MODEL_FILES.weights}`], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
      };
      try {
        await writeFileAtomic(join(dir, MODEL_FILES.weights), bytes, ATOMIC);
        await writeFileAtomic(join(dir, MODEL_FILES.topology), JSON.stringify(json), ATOMIC);
      } catch (cause) {
        throw new ModelsIoError(`Could not save the model to ${dir}: ${(cause as Error).message}`, {
          cause,
          file: dir,
        });
      }
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: JSON.stringify(artifacts.modelTopology).length,
          weightSpecsBytes: JSON.stringify(artifacts.weightSpecs ?? []).length,
          weightDataBytes: bytes.byteLength,
        },
      };
    },
  };
}

/**
 * An IO handler that reads `model.json` and its weight files from `dir`, for `tf.loadLayersModel(handler)`.
 *
 * @param dir - a directory written by {@link saveModel} (or any tfjs layers-model directory)
 * @returns a `tf.io.IOHandler` with `load()`
 */
export function fileLoadHandler(dir: string): tf.io.IOHandler {
  return {
    load: async (): Promise<tf.io.ModelArtifacts> => {
      const topologyFile = join(dir, MODEL_FILES.topology);
      let json: tf.io.ModelJSON;
      try {
        json = JSON.parse(await readFile(topologyFile, 'utf8')) as tf.io.ModelJSON;
      } catch (cause) {
        throw new ModelsIoError(`Could not read ${topologyFile}: ${(cause as Error).message}`, {
          cause,
          file: topologyFile,
        });
      }
      if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
        throw new ModelsIoError(
          `${topologyFile} is not a tfjs layers-model file (no modelTopology or weightsManifest)`,
          { file: topologyFile },
        );
      }
      const parts: Uint8Array[] = [];
      for (const group of json.weightsManifest) {
        for (const p of group.paths) {
          const file = join(dir, p);
          try {
            parts.push(await readFile(file));
          } catch (cause) {
            throw new ModelsIoError(`Could not read the weights file ${file}: ${(cause as Error).message}`, {
              cause,
              file,
            });
          }
        }
      }
      const total = parts.reduce((a, b) => a + b.byteLength, 0);
      const weightData = new Uint8Array(total);
      let o = 0;
      for (const p of parts) {
        weightData.set(p, o);
        o += p.byteLength;
      }
      const expected = json.weightsManifest
        .flatMap((g) => g.weights)
        .reduce(
          (a, w) =>
            a +
            w.shape.reduce((x, y) => x * y, 1) *
              (w.dtype === 'float32' || w.dtype === 'int32' || w.dtype === undefined ? 4 : 1),
          0,
        );
      if (expected !== total)
        throw new ModelsIoError(`Weights in ${dir} hold ${total} bytes, the manifest expects ${expected}`, {
          file: dir,
        });
      return {
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
        weightData: weightData.buffer,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        ...(json.userDefinedMetadata ? { userDefinedMetadata: json.userDefinedMetadata } : {}),
      };
    },
  };
}

/**
 * Saves a model to `dir` as `model.json` + `weights.bin` (tfjs layers-model format), atomically per file.
 *
 * ## Method
 * `model.save(fileSaveHandler(dir))`: tfjs serialises the topology (custom layers of this package by their
 * registered class names) and the weights; the handler writes them with node fs.
 *
 * @param model - the model to save
 * @param dir - target directory (created if missing)
 * @throws {@link ModelsIoError} when writing fails.
 * @example
 * ```ts
 * const model = buildDcae({ preset: "tiny", seed: 1 });
 * await saveModel(model, "/tmp/twsa-example-models/dcae");
 * const again = await loadModel("/tmp/twsa-example-models/dcae"); // same weights, same predictions
 * again.countParams() === model.countParams(); // => true
 * ```
 */
export async function saveModel(model: tfl.LayersModel, dir: string): Promise<void> {
  await model.save(fileSaveHandler(dir));
}

/**
 * Loads a model saved by {@link saveModel} (or any tfjs layers-model directory with local weight files).
 *
 * @param dir - the directory
 * @returns the model; the caller disposes it
 * @throws {@link ModelsIoError} when files are missing or inconsistent.
 */
export async function loadModel(dir: string): Promise<tfl.LayersModel> {
  try {
    return await tfl.loadLayersModel(fileLoadHandler(dir));
  } catch (cause) {
    if (cause instanceof ModelsIoError) throw cause;
    throw new ModelsIoError(`Could not load the model in ${dir}: ${(cause as Error).message}`, { cause, file: dir });
  }
}
