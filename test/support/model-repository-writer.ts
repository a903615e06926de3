/**
 * @module
 * Writes models into a Triton-layout repository: `<repo>/<model>/<version>/model.onnx` plus an
 * optional `<repo>/<model>/config.pbtxt`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dataTypeInfo, type SignatureTensor } from '../../src/core/index.js';

export interface WriteModelOptions {
  /** Version folder name. @defaultValue 1 */
  version?: number;
  /** config.pbtxt text, written as it is; absent: no config (the server completes one from the model). */
  config?: string;
}

export interface WrittenModel {
  name: string;
  /** `<repo>/<name>` */
  directory: string;
  /** `<repo>/<name>/<version>/model.onnx` */
  modelFile: string;
  /** `<repo>/<name>/config.pbtxt`, when one was written. */
  configFile?: string;
}

export async function writeModelFiles(repo: string, name: string, bytes: Uint8Array, options: WriteModelOptions = {}): Promise<WrittenModel> {
  const directory = join(repo, name);
  const versionDirectory = join(directory, String(options.version ?? 1));
  await mkdir(versionDirectory, { recursive: true });
  const modelFile = join(versionDirectory, 'model.onnx');
  await writeFile(modelFile, bytes);
  if (options.config === undefined) return { name, directory, modelFile };
  const configFile = join(directory, 'config.pbtxt');
  await writeFile(configFile, options.config);
  return { name, directory, modelFile, configFile };
}

export interface ConfigSpec {
  name: string;
  /** 0: no batching; the dims below are then the full shapes. */
  maxBatchSize: number;
  /** Dims without the batch dimension, as config.pbtxt states them. */
  inputs: readonly SignatureTensor[];
  outputs: readonly SignatureTensor[];
}

/** A config.pbtxt in the text format Triton documents (model_config.proto field names). */
export function configText(spec: ConfigSpec): string {
  const tensors = (list: readonly SignatureTensor[]): string => list
    .map((t) => `  {\n    name: "${t.name}"\n    data_type: ${dataTypeInfo(t.datatype).config}\n    dims: [ ${t.dims.join(', ')} ]\n  }`)
    .join(',\n');
  return [
    `name: "${spec.name}"`,
    'backend: "onnxruntime"',
    `max_batch_size: ${spec.maxBatchSize}`,
    `input [\n${tensors(spec.inputs)}\n]`,
    `output [\n${tensors(spec.outputs)}\n]`,
    '',
  ].join('\n');
}
