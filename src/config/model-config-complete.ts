/**
 * @module
 * Completing a validated config from what the ONNX backend read in the model file, the way
 * Triton's ONNX Runtime backend auto-completes (onnxruntime.cc AutoCompleteConfig):
 *
 * - inputs (outputs) missing from the config are taken from the model file;
 * - when either list is missing and max_batch_size is not set, it becomes DEFAULT_MAX_BATCH_SIZE
 *   if every file tensor has a dynamic first dim, else 0; and with max_batch_size > 1 and no
 *   scheduler, dynamic batching is switched on;
 * - when the config lists both, nothing is inferred: an unset max_batch_size means 0;
 * - configured tensors are checked against the file (model-config-io-check.ts);
 * - platform, backend, name, version policy, instance groups and the model filename get their
 *   defaults (defaults.ts).
 */
import { dataTypeInfo, type ModelSignature, type SignatureTensor } from '../core/index.js';
import { ProblemList, throwIfProblems } from './config-problems.js';
import { deepFreeze } from './deep-freeze.js';
import {
  DEFAULT_INSTANCE_COUNT, DEFAULT_INSTANCE_KIND, DEFAULT_MAX_BATCH_SIZE, DEFAULT_MAX_BATCH_SIZE_UNBATCHED, DEFAULT_MODEL_FILENAME,
  DEFAULT_ONNX_BACKEND, DEFAULT_ONNX_PLATFORM, DEFAULT_VERSION_POLICY, defaultInstanceGroups,
} from './defaults.js';
import { checkTensorsAgainstModel, formatDims } from './model-config-io-check.js';
import type { CompletedModelConfig, ConfigDataType, ModelConfig, ModelInput, ModelInstanceGroup } from './model-config.js';
import { modelConfigSchema } from './model-config-schema.js';
import { checkModelConfigSemantics } from './model-config-semantics.js';

export interface CompletionContext {
  /** The model folder name. */
  readonly modelName: string;
  /** The config file named in errors; undefined when the model has none. */
  readonly configFile: string | undefined;
  /** The model file named in errors, e.g. `models/mlp/1/model.onnx`. */
  readonly modelFile: string;
  /** What the backend read from the model file: full dims, -1 where dynamic. */
  readonly signature: ModelSignature;
}

/**
 * Completes `config` (already validated, or undefined when the model has no config file) and checks
 * it against the model file. Pure: reads nothing but its arguments.
 * @returns a new, deeply frozen config whose name, max_batch_size, input, output, version_policy and
 *   instance_group are always set.
 * @throws InferenceError ERR_CONFIG_INVALID naming the config file, the field path and the model file.
 */
export function completeModelConfig(config: ModelConfig | undefined, context: CompletionContext): CompletedModelConfig {
  const base: ModelConfig = config ?? {};
  const problems = new ProblemList();
  const { signature, modelName } = context;
  const givenInputs = base.input ?? [];
  const givenOutputs = base.output ?? [];
  const autocomplete = givenInputs.length === 0 || givenOutputs.length === 0;

  let maxBatchSize = base.max_batch_size;
  if (autocomplete) {
    const unbatchable = [...signature.inputs, ...signature.outputs].find((t) => t.dims[0] !== -1);
    const batchable = unbatchable === undefined && signature.inputs.length + signature.outputs.length > 0;
    if (maxBatchSize === undefined) {
      maxBatchSize = batchable ? DEFAULT_MAX_BATCH_SIZE : DEFAULT_MAX_BATCH_SIZE_UNBATCHED;
    } else if (maxBatchSize > 0 && unbatchable !== undefined) {
      problems.add('max_batch_size', `${maxBatchSize} needs a batch dimension, but ${context.modelFile} declares ${unbatchable.name} as `
        + `${formatDims(unbatchable.dims)}; batching needs a dynamic (-1) first dim on every input and output. `
        + 'Use max_batch_size: 0, or export the model with a dynamic batch dimension');
    }
  }
  const mbs = maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE_UNBATCHED;
  const ioContext = { modelFile: context.modelFile, maxBatchSize: mbs };
  checkTensorsAgainstModel('input', givenInputs, signature.inputs, ioContext, problems);
  checkTensorsAgainstModel('output', givenOutputs, signature.outputs, ioContext, problems);

  const hasScheduler = base.dynamic_batching !== undefined || base.sequence_batching !== undefined || base.ensemble_scheduling !== undefined;
  const platform = completePlatform(base);
  const completed: ModelConfig = {
    ...base,
    name: base.name === undefined || base.name === '' ? modelName : base.name,
    ...platform,
    max_batch_size: mbs,
    input: givenInputs.length > 0 ? givenInputs : signature.inputs.map((t) => tensorFromModel(t, mbs)),
    output: givenOutputs.length > 0 ? givenOutputs : signature.outputs.map((t) => tensorFromModel(t, mbs)),
    version_policy: base.version_policy ?? DEFAULT_VERSION_POLICY,
    // An ensemble runs no instances of its own (Triton leaves its instance_group empty).
    instance_group: base.platform === 'ensemble' ? [] : completeInstanceGroups(base.instance_group, modelName),
    ...(autocomplete && mbs > 1 && !hasScheduler ? { dynamic_batching: {} } : {}),
    ...(isEmpty(base.default_model_filename) && platform.platform === DEFAULT_ONNX_PLATFORM ? { default_model_filename: DEFAULT_MODEL_FILENAME } : {}),
  };
  checkModelConfigSemantics(completed, { modelName }, problems);
  throwIfProblems(context.configFile ?? context.modelFile, problems);
  return deepFreeze(inSchemaOrder(completed)) as CompletedModelConfig;
}

const isEmpty = (value: string | undefined): boolean => value === undefined || value === '';

function completePlatform(config: ModelConfig): { platform?: string; backend?: string } {
  const { platform, backend } = config;
  if (isEmpty(platform) && isEmpty(backend)) return { platform: DEFAULT_ONNX_PLATFORM, backend: DEFAULT_ONNX_BACKEND };
  if (isEmpty(platform) && backend === DEFAULT_ONNX_BACKEND) return { platform: DEFAULT_ONNX_PLATFORM, backend };
  if (platform === DEFAULT_ONNX_PLATFORM && isEmpty(backend)) return { platform, backend: DEFAULT_ONNX_BACKEND };
  return { ...(platform === undefined ? {} : { platform }), ...(backend === undefined ? {} : { backend }) };
}

/**
 * Triton names unnamed groups <model>_<index>, gives count 0 the default, and resolves KIND_AUTO to
 * KIND_CPU when no GPU is available; Wharf never places instances on a GPU.
 */
function completeInstanceGroups(groups: readonly ModelInstanceGroup[] | undefined, modelName: string): readonly ModelInstanceGroup[] {
  if (groups === undefined || groups.length === 0) return defaultInstanceGroups(modelName);
  return groups.map((group, i) => ({
    ...group,
    name: isEmpty(group.name) ? `${modelName}_${i}` : group.name,
    kind: group.kind === undefined || group.kind === 'KIND_AUTO' ? DEFAULT_INSTANCE_KIND : group.kind,
    count: group.count === undefined || group.count === 0 ? DEFAULT_INSTANCE_COUNT : group.count,
  }));
}

/**
 * A config tensor for a file tensor. With batching the file's first (batch) dim is left out; a
 * tensor left with no dims is a scalar per batch entry, written dims [1] + reshape [] as Triton does.
 */
function tensorFromModel(tensor: SignatureTensor, mbs: number): ModelInput {
  const dims = mbs > 0 ? tensor.dims.slice(1) : [...tensor.dims];
  const base = { name: tensor.name, data_type: dataTypeInfo(tensor.datatype).config as ConfigDataType };
  if (dims.length > 0) return { ...base, dims };
  return mbs > 0 ? { ...base, dims: [1], reshape: { shape: [] } } : { ...base, dims: [1] };
}

function inSchemaOrder(config: ModelConfig): ModelConfig {
  const out: Record<string, unknown> = {};
  for (const field of modelConfigSchema().fields) {
    const value: unknown = config[field.name as keyof ModelConfig];
    if (value !== undefined) out[field.name] = value;
  }
  return out;
}
