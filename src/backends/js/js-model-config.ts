/**
 * @module
 * A js model has no file to introspect: its config is the only source of its inputs and outputs.
 * This reads the signature from the config (so completeModelConfig checks the config against
 * itself) and what the worker needs to check a handler's outputs.
 */
import { dataTypeFromConfig, type DataType, type ModelSignature, type SignatureTensor } from '../../core/index.js';
import { InferenceError, type ErrorDetail } from '../../errors/index.js';
import type { ModelConfig, ModelInput, ModelOutput } from '../../config/index.js';

/** What a handler must return for one output. */
export interface OutputSpec {
  readonly name: string;
  readonly datatype: DataType;
  /** The shape the handler produces (the config's reshape, else its dims), with -1 leading for the batch when max_batch_size > 0; -1 is any size. */
  readonly shape: readonly number[];
}

export const JS_BACKEND_NAME = 'js';

/**
 * The config, checked to list inputs and outputs with known datatypes.
 * @throws InferenceError ERR_CONFIG_INVALID when there is no config or it lacks inputs or outputs.
 */
export function requireIoConfig(config: ModelConfig | undefined, modelName: string): ModelConfig {
  const why = 'a js model has no model file to read them from, so its config (config.pbtxt or config.json) must list every input and output with name, data_type and dims';
  if (config === undefined) throw new InferenceError('ERR_CONFIG_INVALID', `model '${modelName}' has no config; ${why}`);
  const problems: ErrorDetail[] = [];
  if ((config.input ?? []).length === 0) problems.push({ path: 'input', problem: `is empty; ${why}` });
  if ((config.output ?? []).length === 0) problems.push({ path: 'output', problem: `is empty; ${why}` });
  const check = (kind: 'input' | 'output', tensors: readonly (ModelInput | ModelOutput)[]): void => {
    tensors.forEach((tensor, i) => {
      if (dataTypeFromConfig(tensor.data_type) === undefined) problems.push({ path: `${kind}[${i}].data_type`, problem: `${tensor.data_type} is not a datatype a js model can use` });
    });
  };
  check('input', config.input ?? []);
  check('output', config.output ?? []);
  if (problems.length > 0) {
    throw new InferenceError('ERR_CONFIG_INVALID', `model '${modelName}': ${problems.map((p) => `${p.path}: ${p.problem}`).join('; ')}`, { details: problems });
  }
  return config;
}

function modelShape(tensor: ModelInput | ModelOutput, batched: boolean): number[] {
  return [...(batched ? [-1] : []), ...(tensor.reshape?.shape ?? tensor.dims)];
}

function signatureTensor(tensor: ModelInput | ModelOutput, batched: boolean): SignatureTensor {
  return { name: tensor.name, datatype: dataTypeFromConfig(tensor.data_type)!, dims: modelShape(tensor, batched) };
}

/** The signature the config declares, in the form a backend reads from a model file (full dims, -1 for the batch). */
export function signatureFromConfig(config: ModelConfig): ModelSignature {
  const batched = (config.max_batch_size ?? 0) > 0;
  return {
    inputs: (config.input ?? []).map((t) => signatureTensor(t, batched)),
    outputs: (config.output ?? []).map((t) => signatureTensor(t, batched)),
  };
}

export function outputSpecs(config: ModelConfig): OutputSpec[] {
  const batched = (config.max_batch_size ?? 0) > 0;
  return (config.output ?? []).map((t) => ({ name: t.name, datatype: dataTypeFromConfig(t.data_type)!, shape: modelShape(t, batched) }));
}

/**
 * The config with `backend: "js"` when it names neither backend nor platform (a folder picked by
 * its model.js), so completion does not give it the ONNX defaults.
 */
export function withJsBackend(config: ModelConfig): ModelConfig {
  return config.backend || config.platform ? config : { ...config, backend: JS_BACKEND_NAME };
}
