/**
 * @module
 * Reading a TensorFlow.js layers model's model.json: where it is, that it parses, and that it
 * is a layers model (a Keras topology) rather than a graph model (a frozen TensorFlow GraphDef,
 * which has no layers to convert).
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** One entry of `weightsManifest[].weights`. */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number; original_dtype?: string };
}

export interface WeightGroup {
  paths: string[];
  weights: WeightSpec[];
}

export interface ModelJson {
  /** The model.json file read. */
  readonly file: string;
  /** Its folder, against which shard paths resolve. */
  readonly folder: string;
  /** The Keras model config: `{ class_name, config }`. */
  readonly topology: { class_name: string; config: unknown };
  readonly weightsManifest: readonly WeightGroup[];
  /** Who wrote it, e.g. 'tfjs-layers 4.22.0'; empty when not recorded. */
  readonly producer: string;
}

/**
 * Reads `path`, a model.json file or a folder holding one.
 * @throws Error naming the file when it is missing, not JSON, a graph model, or malformed.
 */
export async function readModelJson(path: string): Promise<ModelJson> {
  const file = (await isDirectory(path)) ? join(path, 'model.json') : path;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new Error(`cannot read the TensorFlow.js model ${file}: ${reason}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  if (!isRecord(json)) throw new Error(`${file} is not a TensorFlow.js model.json (expected a JSON object)`);
  const format = json.format;
  const rawTopology = json.modelTopology;
  const isGraphModel = format === 'graph-model' || (isRecord(rawTopology) && Array.isArray(rawTopology.node));
  if (isGraphModel) {
    throw new Error(`${file} is a TensorFlow.js graph model (a frozen TensorFlow graph); only layers models (tf.LayersModel, Keras) can be converted`);
  }
  if (format !== undefined && format !== 'layers-model') throw new Error(`${file} has format ${JSON.stringify(format)}; only 'layers-model' can be converted`);
  if (!isRecord(rawTopology)) throw new Error(`${file} has no modelTopology: it is not a TensorFlow.js layers model`);
  // Keras-converted files may wrap the model config with its training config.
  const topology = isRecord(rawTopology.model_config) ? rawTopology.model_config : rawTopology;
  if (typeof topology.class_name !== 'string') throw new Error(`${file}: modelTopology has no class_name (Sequential, Model or Functional)`);
  return {
    file,
    folder: dirname(file),
    topology: { class_name: topology.class_name, config: topology.config },
    weightsManifest: readManifest(json.weightsManifest, file),
    producer: typeof rawTopology.keras_version === 'string' ? rawTopology.keras_version : typeof json.generatedBy === 'string' ? json.generatedBy : '',
  };
}

function readManifest(manifest: unknown, file: string): WeightGroup[] {
  if (manifest === undefined) return [];
  if (!Array.isArray(manifest)) throw new Error(`${file}: weightsManifest must be an array of {paths, weights}`);
  return manifest.map((group: unknown, index) => {
    const where = `${file}: weightsManifest[${index}]`;
    if (!isRecord(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) throw new Error(`${where} must have 'paths' and 'weights' arrays`);
    if (!group.paths.every((p) => typeof p === 'string')) throw new Error(`${where}.paths must be file names`);
    const weights = group.weights.map((spec: unknown, w) => {
      if (!isRecord(spec) || typeof spec.name !== 'string' || !Array.isArray(spec.shape) || typeof spec.dtype !== 'string'
        || !spec.shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) {
        throw new Error(`${where}.weights[${w}] must be {name, shape: non-negative integers, dtype}`);
      }
      return spec as unknown as WeightSpec;
    });
    return { paths: group.paths, weights };
  });
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
