/**
 * @module
 * The model configuration as the server uses it: Triton's ModelConfig in its JSON form, with
 * Triton's snake_case field names, so the object can be echoed by GET /v2/models/{m}/config
 * unchanged. Fields Wharf reads are typed precisely; the others are kept as plain JSON objects
 * and passed through. Objects returned by this folder are deeply frozen.
 * @see {@link https://github.com/triton-inference-server/server/blob/main/docs/user_guide/model_configuration.md}
 */
import { dataTypeFromConfig, type DataType } from '../core/index.js';
import { InferenceError } from '../errors/index.js';

/** A message Wharf keeps without interpreting it. */
export type ConfigObject = Readonly<Record<string, unknown>>;

/** Triton's model-config datatype names (model_config.proto DataType). */
export type ConfigDataType =
  | 'TYPE_INVALID' | 'TYPE_BOOL' | 'TYPE_UINT8' | 'TYPE_UINT16' | 'TYPE_UINT32' | 'TYPE_UINT64'
  | 'TYPE_INT8' | 'TYPE_INT16' | 'TYPE_INT32' | 'TYPE_INT64' | 'TYPE_FP16' | 'TYPE_FP32' | 'TYPE_FP64'
  | 'TYPE_STRING' | 'TYPE_BF16';

export interface TensorReshape {
  readonly shape: readonly number[];
}

export interface ModelInput {
  readonly name: string;
  readonly data_type: ConfigDataType;
  readonly format?: 'FORMAT_NONE' | 'FORMAT_NHWC' | 'FORMAT_NCHW';
  /** Shape a client sends; excludes the batch dimension when max_batch_size > 0; -1 is variable. */
  readonly dims: readonly number[];
  /** Shape the model receives instead of `dims`. */
  readonly reshape?: TensorReshape;
  readonly is_shape_tensor?: boolean;
  readonly allow_ragged_batch?: boolean;
  /** An optional input may be left out of a request. */
  readonly optional?: boolean;
  readonly is_non_linear_format_io?: boolean;
}

export interface ModelOutput {
  readonly name: string;
  readonly data_type: ConfigDataType;
  readonly dims: readonly number[];
  readonly reshape?: TensorReshape;
  /** Labels for classification outputs, relative to the model folder. */
  readonly label_filename?: string;
  readonly is_shape_tensor?: boolean;
  readonly is_non_linear_format_io?: boolean;
}

/** Which version folders are served; exactly one member is set. */
export type VersionPolicy =
  | { readonly latest: { readonly num_versions: number } }
  | { readonly all: Readonly<Record<string, never>> }
  | { readonly specific: { readonly versions: readonly number[] } };

export type InstanceGroupKind = 'KIND_AUTO' | 'KIND_GPU' | 'KIND_CPU' | 'KIND_MODEL';

export interface ModelInstanceGroup {
  readonly name?: string;
  readonly kind?: InstanceGroupKind;
  /** Instances in the group; 0 in a user config means the default of 1. */
  readonly count?: number;
  readonly gpus?: readonly number[];
  readonly rate_limiter?: ConfigObject;
  readonly secondary_devices?: readonly ConfigObject[];
  readonly profile?: readonly string[];
  readonly passive?: boolean;
  readonly host_policy?: string;
}

export interface ModelQueuePolicy {
  readonly timeout_action?: 'REJECT' | 'DELAY';
  /** 0 means no timeout. */
  readonly default_timeout_microseconds?: number;
  readonly allow_timeout_override?: boolean;
  /** 0 means unbounded. */
  readonly max_queue_size?: number;
}

export interface ModelDynamicBatching {
  readonly preferred_batch_size?: readonly number[];
  readonly max_queue_delay_microseconds?: number;
  readonly preserve_ordering?: boolean;
  /** Number of priority levels; 1 is the highest level. 0 disables priorities. */
  readonly priority_levels?: number;
  readonly default_priority_level?: number;
  readonly default_queue_policy?: ModelQueuePolicy;
  /** Keyed by priority level, written as a decimal string. */
  readonly priority_queue_policy?: Readonly<Record<string, ModelQueuePolicy>>;
}

export interface EnsembleStep {
  readonly model_name: string;
  /** -1 (or unset) follows the step model's version policy. */
  readonly model_version?: number;
  /** Step model input name -> ensemble tensor name. */
  readonly input_map?: Readonly<Record<string, string>>;
  /** Step model output name -> ensemble tensor name. */
  readonly output_map?: Readonly<Record<string, string>>;
  readonly model_namespace?: string;
}

export interface ModelEnsembling {
  readonly step: readonly EnsembleStep[];
  readonly max_inflight_requests?: number;
}

export interface ModelWarmupInput {
  readonly data_type: ConfigDataType;
  /** Without the batch dimension. */
  readonly dims?: readonly number[];
  readonly zero_data?: boolean;
  readonly random_data?: boolean;
  /** File under <model>/warmup/ holding the raw data. */
  readonly input_data_file?: string;
}

export interface ModelWarmup {
  readonly name?: string;
  readonly batch_size: number;
  readonly inputs?: Readonly<Record<string, ModelWarmupInput>>;
  /** 0 runs the sample once. */
  readonly count?: number;
}

export interface ModelParameter {
  readonly string_value: string;
}

export interface ModelConfig {
  readonly name?: string;
  readonly platform?: string;
  readonly backend?: string;
  readonly runtime?: string;
  readonly version_policy?: VersionPolicy;
  /** 0: no batching, dims are full shapes. N > 0: requests carry a leading batch dimension of at most N. */
  readonly max_batch_size?: number;
  readonly input?: readonly ModelInput[];
  readonly output?: readonly ModelOutput[];
  readonly batch_input?: readonly ConfigObject[];
  readonly batch_output?: readonly ConfigObject[];
  readonly optimization?: ConfigObject;
  readonly dynamic_batching?: ModelDynamicBatching;
  readonly sequence_batching?: ConfigObject;
  readonly ensemble_scheduling?: ModelEnsembling;
  readonly instance_group?: readonly ModelInstanceGroup[];
  readonly default_model_filename?: string;
  readonly cc_model_filenames?: Readonly<Record<string, string>>;
  readonly metric_tags?: Readonly<Record<string, string>>;
  readonly parameters?: Readonly<Record<string, ModelParameter>>;
  readonly model_warmup?: readonly ModelWarmup[];
  readonly model_operations?: ConfigObject;
  readonly model_transaction_policy?: { readonly decoupled?: boolean };
  readonly model_repository_agents?: ConfigObject;
  readonly response_cache?: { readonly enable?: boolean };
  readonly model_metrics?: ConfigObject;
}

/** A config after completeModelConfig(): the fields the server relies on are always present. */
export type CompletedModelConfig = ModelConfig & {
  readonly name: string;
  readonly max_batch_size: number;
  readonly input: readonly ModelInput[];
  readonly output: readonly ModelOutput[];
  readonly version_policy: VersionPolicy;
  readonly instance_group: readonly ModelInstanceGroup[];
};

/**
 * The KServe datatype of a config tensor: `TYPE_FP32` -> `FP32`, `TYPE_STRING` -> `BYTES`.
 * @throws InferenceError ERR_CONFIG_INVALID for TYPE_INVALID, which a validated config never holds.
 */
export function inputDataType(tensor: { readonly name: string; readonly data_type: string }): DataType {
  const datatype = dataTypeFromConfig(tensor.data_type);
  if (datatype === undefined) {
    throw new InferenceError('ERR_CONFIG_INVALID', `tensor "${tensor.name}" has data_type ${tensor.data_type}, which is not a datatype`);
  }
  return datatype;
}

/** The string value of a `parameters` entry, or undefined when the config does not set it. */
export function modelConfigParameter(config: ModelConfig, key: string): string | undefined {
  const parameters = config.parameters;
  if (parameters === undefined || !Object.hasOwn(parameters, key)) return undefined;
  return parameters[key]?.string_value;
}
