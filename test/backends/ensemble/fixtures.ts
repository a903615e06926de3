/**
 * @module
 * Configs for ensemble unit tests: composing model configs as the repository would complete
 * them, a ConfigLookup over them, and ensemble configs written step by step.
 */
import type { ConfigLookup } from '../../../src/backends/ensemble/index.js';
import type { CompletedModelConfig, ConfigDataType, EnsembleStep, ModelConfig } from '../../../src/config/index.js';
import { InferenceError } from '../../../src/errors/index.js';

export type TensorSpec = readonly [name: string, dataType: ConfigDataType, dims: readonly number[]];

const tensors = (list: readonly TensorSpec[]): { name: string; data_type: ConfigDataType; dims: number[] }[] =>
  list.map(([name, data_type, dims]) => ({ name, data_type, dims: [...dims] }));

/** A completed composing-model config. */
export function model(name: string, maxBatchSize: number, inputs: readonly TensorSpec[], outputs: readonly TensorSpec[], extra: Partial<ModelConfig> = {}): CompletedModelConfig {
  return {
    name, platform: 'onnxruntime_onnx', max_batch_size: maxBatchSize, input: tensors(inputs), output: tensors(outputs),
    version_policy: { latest: { num_versions: 1 } }, instance_group: [{ name, kind: 'KIND_CPU', count: 1 }], ...extra,
  };
}

/** add_sub of the e2e tests: INPUT0, INPUT1 -> OUTPUT0 (sum), OUTPUT1 (difference), FP32 [4], max_batch_size 8. */
export const ADD_SUB = model('add_sub', 8, [['INPUT0', 'TYPE_FP32', [4]], ['INPUT1', 'TYPE_FP32', [4]]], [['OUTPUT0', 'TYPE_FP32', [4]], ['OUTPUT1', 'TYPE_FP32', [4]]]);

/** A one-input, one-output FP32 [4] model (max_batch_size 8). */
export function vector(name: string, maxBatchSize = 8): CompletedModelConfig {
  return model(name, maxBatchSize, [['INPUT0', 'TYPE_FP32', [4]]], [['OUTPUT0', 'TYPE_FP32', [4]]]);
}

/**
 * Looks configs up as the engine does: unknown names throw ERR_MODEL_NOT_FOUND, names in
 * `notReady` throw ERR_MODEL_NOT_READY with the reason given.
 */
export function lookup(models: readonly CompletedModelConfig[], notReady: Readonly<Record<string, string>> = {}): ConfigLookup & { calls: string[] } {
  const calls: string[] = [];
  const find = (name: string, version: string | undefined): CompletedModelConfig => {
    calls.push(version === undefined ? name : `${name}@${version}`);
    const reason = notReady[name];
    if (reason !== undefined) throw new InferenceError('ERR_MODEL_NOT_READY', `model '${name}' has no ready version (${reason})`);
    const found = models.find((m) => m.name === name);
    if (!found) throw new InferenceError('ERR_MODEL_NOT_FOUND', `unknown model '${name}'`);
    if (version !== undefined && version !== '1') throw new InferenceError('ERR_MODEL_VERSION_NOT_FOUND', `model '${name}' has no version "${version}"; served versions: 1`);
    return found;
  };
  return Object.assign(find, { calls });
}

/** An ensemble config (as written) over `steps`. */
export function ensemble(maxBatchSize: number, inputs: readonly TensorSpec[], outputs: readonly TensorSpec[], steps: readonly EnsembleStep[], extra: Partial<ModelConfig> = {}): ModelConfig {
  return { platform: 'ensemble', max_batch_size: maxBatchSize, input: tensors(inputs), output: tensors(outputs), ensemble_scheduling: { step: steps }, ...extra };
}

/** A step, maps written `{ modelTensor: ensembleTensor }`. */
export function step(model_name: string, input_map: Record<string, string>, output_map: Record<string, string>, model_version?: number): EnsembleStep {
  return { model_name, input_map, output_map, ...(model_version === undefined ? {} : { model_version }) };
}

/** The diamond A -> (B, C) -> D of the tests: X = 2(a+b) + 3(a-b), Y = 2(a+b) - 3(a-b). */
export const DIAMOND = ensemble(8, [['A', 'TYPE_FP32', [4]], ['B', 'TYPE_FP32', [4]]], [['X', 'TYPE_FP32', [4]], ['Y', 'TYPE_FP32', [4]]], [
  step('add_sub', { INPUT0: 'A', INPUT1: 'B' }, { OUTPUT0: 'sum', OUTPUT1: 'diff' }, -1),
  step('scale2', { INPUT0: 'sum' }, { OUTPUT0: 's2' }),
  step('scale3', { INPUT0: 'diff' }, { OUTPUT0: 'd3' }),
  step('add_sub', { INPUT0: 's2', INPUT1: 'd3' }, { OUTPUT0: 'X', OUTPUT1: 'Y' }),
]);

export const DIAMOND_MODELS = [ADD_SUB, vector('scale2'), vector('scale3')];
