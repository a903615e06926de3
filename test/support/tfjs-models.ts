/**
 * @module
 * TensorFlow.js models for the converter's tests: random weights, saving to files in the layout
 * tfjs's own file handlers write (model.json + binary shards), and reference predictions from
 * the pure-JS cpu backend. Tests only: the converter itself never loads tfjs.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../../src/tools/evaluate/index.js';

export { tf };

let backendReady: Promise<boolean> | undefined;

/** The pure-JS backend: no native download, same results on every machine. */
export function useCpuBackend(): Promise<boolean> {
  backendReady ??= tf.setBackend('cpu');
  return backendReady;
}

/**
 * Replaces every weight with seeded uniform values in [-scale, scale); BatchNormalization's
 * moving variance gets values in [0.5, 1.5) so it stays positive.
 */
export function randomizeWeights(model: tf.LayersModel, seed: number, scale = 0.5): void {
  const random = seededRandom(seed);
  const values = model.weights.map((weight) => {
    const shape = weight.shape as number[];
    const size = shape.reduce((product, dim) => product * dim, 1);
    const isVariance = weight.originalName.endsWith('moving_variance');
    const data = Float32Array.from({ length: size }, () => (isVariance ? 0.5 + random() : (random() * 2 - 1) * scale));
    return tf.tensor(data, shape);
  });
  model.setWeights(values);
  for (const value of values) value.dispose();
}

export interface SaveOptions {
  /** Split the weights into shards of at most this many bytes (tfjs's default is 4 MB). */
  shardBytes?: number;
}

/**
 * Saves `model` to `dir` as tfjs's file handlers do: `model.json` with
 * `weightsManifest: [{paths, weights}]` and the weight bytes in `group1-shardNofM.bin` files.
 * Returns the shard file names.
 */
export async function saveTfjsModel(model: tf.LayersModel, dir: string, options: SaveOptions = {}): Promise<string[]> {
  let shards: string[] = [];
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const data = new Uint8Array(joinWeightData(artifacts.weightData));
    const shardBytes = options.shardBytes ?? 4 * 1024 * 1024;
    const count = Math.max(1, Math.ceil(data.length / shardBytes));
    shards = Array.from({ length: count }, (_, i) => `group1-shard${i + 1}of${count}.bin`);
    await mkdir(dir, { recursive: true });
    for (const [i, shard] of shards.entries()) await writeFile(join(dir, shard), data.subarray(i * shardBytes, (i + 1) * shardBytes));
    const modelJson = {
      modelTopology: artifacts.modelTopology,
      format: artifacts.format,
      generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy ?? null,
      weightsManifest: [{ paths: shards, weights: artifacts.weightSpecs }],
    };
    await writeFile(join(dir, 'model.json'), JSON.stringify(modelJson));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return shards;
}

function joinWeightData(data: tf.io.WeightData | undefined): ArrayBuffer {
  if (data === undefined) return new ArrayBuffer(0);
  if (!Array.isArray(data)) return data;
  return tf.io.concatenateArrayBuffers(data);
}

/** Seeded uniform inputs in [-1, 1) for a model input of `shape` (batch included). */
export function randomInput(shape: readonly number[], seed: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length: shape.reduce((product, dim) => product * dim, 1) }, () => random() * 2 - 1);
}

/** tfjs's prediction for one input array per model input; one Float32Array per model output. */
export function predict(model: tf.LayersModel, inputs: readonly { data: Float32Array; shape: readonly number[] }[]): Float32Array[] {
  return tf.tidy(() => {
    const tensors = inputs.map((input) => tf.tensor(input.data, [...input.shape]));
    const result = model.predict(tensors.length === 1 ? tensors[0]! : tensors);
    const outputs = Array.isArray(result) ? result : [result];
    return outputs.map((output) => output.dataSync() as Float32Array);
  });
}
