/**
 * @module
 * The TensorFlow.js layers-model parser: model.json + weight shards -> IR. It reads the files
 * itself and never loads TensorFlow.js.
 */
import { IrGraphBuilder, type IrGraph } from '../ir/index.js';
import { convertLayer, SUPPORTED_LAYERS, weightsForLayer } from './layers.js';
import { readModelJson } from './model-json.js';
import { readTopology } from './topology.js';
import { readWeights } from './weights.js';

export { SUPPORTED_ACTIVATIONS } from './activations.js';
export { SUPPORTED_LAYERS } from './layers.js';

export interface ParseProgress {
  /** Called after each layer call is converted. */
  (done: number, total: number, layer: string): void;
}

/**
 * Parses `path` (a model.json file or the folder holding it).
 * @throws Error naming the file, the layer or the weight that could not be read or converted.
 */
export async function parseTfjsModel(path: string, progress?: ParseProgress): Promise<IrGraph> {
  const model = await readModelJson(path);
  const topology = readTopology(model);
  // Check every layer is supported before reading possibly large shards.
  const unsupported = topology.calls.find((call) => !SUPPORTED_LAYERS.includes(call.layer.className));
  if (unsupported !== undefined) {
    throw new Error(`unsupported layer ${unsupported.layer.className} (layer '${unsupported.layer.name}'); supported layers: ${SUPPORTED_LAYERS.join(', ')}`);
  }
  const weights = await readWeights(model.folder, model.weightsManifest);
  const builder = new IrGraphBuilder(topology.name, `tfjs layers-model${model.producer === '' ? '' : ` (${model.producer})`}`);
  for (const input of topology.inputs) builder.input(input.name, input.shape);
  topology.calls.forEach((call, index) => {
    convertLayer(builder, call, weightsForLayer(weights, call.layer.name));
    progress?.(index + 1, topology.calls.length, call.layer.name);
  });
  return builder.build(topology.outputs);
}
