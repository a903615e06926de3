/**
 * @module
 * TypeScript shapes of the GRPCInferenceService messages (proto/grpc_service.proto) as
 * @grpc/proto-loader hands them over and takes them back under GRPC_LOADER_OPTIONS.
 * proto-loader objects are untyped; these interfaces are what the converters narrow them to.
 * Every field is optional because proto3 omits fields that hold their default.
 */

/**
 * The proto-loader options every Wharf gRPC peer (server, client, tests) loads the protos with.
 * - `keepCase`: field names stay snake_case as in the .proto, so ModelConfig objects are the
 *   same JSON shape Triton's /config endpoint prints and our config layer produces.
 * - `longs: String`: int64/uint64 values arrive as decimal strings, exact over the full 64-bit
 *   range (numbers would round beyond 2^53); tensor contents are then read with BigInt.
 *   Strings (and safe-integer numbers) are accepted when encoding.
 * - `enums: String`: enum values by name (`TYPE_FP32`, `SERVING`), as the JSON config has them.
 * - `bytes: Buffer`: bytes fields arrive as Buffers that are views into the received message,
 *   which lets raw tensor contents be read without a copy.
 * - `defaults: false`: absent fields stay absent instead of being filled with '' / 0 / [];
 *   converters apply proto3 defaults themselves (`?? []`) and never see allocated empties.
 * - `oneofs: true`: a oneof's set member is also named in a virtual field (`parameter_choice`).
 */
export const GRPC_LOADER_OPTIONS = Object.freeze({
  keepCase: true,
  longs: String,
  enums: String,
  bytes: Buffer,
  defaults: false,
  oneofs: true,
});

/**
 * Trailing-metadata key in which a Wharf server sends its stable error code (errors/codes.ts)
 * next to the gRPC status, so Wharf's client can rebuild a typed InferenceError; other clients
 * ignore it.
 */
export const ERROR_CODE_METADATA_KEY = 'wharf-error-code';

/** An int64/uint64 field under `longs: String`: an exact decimal string. */
export type Int64String = string;

export interface InferParameterMessage {
  bool_param?: boolean;
  int64_param?: Int64String;
  string_param?: string;
  double_param?: number;
  uint64_param?: Int64String;
  parameter_choice?: 'bool_param' | 'int64_param' | 'string_param' | 'double_param' | 'uint64_param';
}

export type InferParameterMap = Record<string, InferParameterMessage>;

/** Typed tensor contents: one list per family of datatypes (see CONTENTS_FIELDS). */
export interface InferTensorContentsMessage {
  bool_contents?: boolean[];
  int_contents?: number[];
  int64_contents?: Int64String[];
  uint_contents?: number[];
  uint64_contents?: Int64String[];
  fp32_contents?: number[];
  fp64_contents?: number[];
  bytes_contents?: Uint8Array[];
}

export type ContentsField = keyof InferTensorContentsMessage;

/** InferInputTensor and InferOutputTensor have the same fields. */
export interface InferTensorMessage {
  name?: string;
  datatype?: string;
  shape?: Int64String[];
  parameters?: InferParameterMap;
  contents?: InferTensorContentsMessage;
}

export interface InferRequestedOutputMessage {
  name?: string;
  parameters?: InferParameterMap;
}

export interface ModelInferRequestMessage {
  model_name?: string;
  model_version?: string;
  id?: string;
  parameters?: InferParameterMap;
  inputs?: InferTensorMessage[];
  outputs?: InferRequestedOutputMessage[];
  raw_input_contents?: Uint8Array[];
}

export interface ModelInferResponseMessage {
  model_name?: string;
  model_version?: string;
  id?: string;
  parameters?: InferParameterMap;
  outputs?: InferTensorMessage[];
  raw_output_contents?: Uint8Array[];
}

/** ModelReady, ModelMetadata and ModelConfig requests. */
export interface ModelRefMessage {
  name?: string;
  version?: string;
}

export interface ServerMetadataResponseMessage {
  name?: string;
  version?: string;
  extensions?: string[];
}

export interface TensorMetadataMessage {
  name?: string;
  datatype?: string;
  shape?: Int64String[];
}

export interface ModelMetadataResponseMessage {
  name?: string;
  versions?: string[];
  platform?: string;
  inputs?: TensorMetadataMessage[];
  outputs?: TensorMetadataMessage[];
}

export interface RepositoryIndexRequestMessage {
  repository_name?: string;
  ready?: boolean;
}

export interface ModelIndexMessage {
  name?: string;
  version?: string;
  state?: string;
  reason?: string;
}

export interface RepositoryIndexResponseMessage {
  models?: ModelIndexMessage[];
}

/** Triton's ModelRepositoryParameter: one member of the `parameter_choice` oneof is set. */
export interface ModelRepositoryParameterMessage {
  bool_param?: boolean;
  int64_param?: Int64String;
  string_param?: string;
  bytes_param?: Uint8Array;
  parameter_choice?: 'bool_param' | 'int64_param' | 'string_param' | 'bytes_param';
}

export type ModelRepositoryParameterMap = Record<string, ModelRepositoryParameterMessage>;

/** RepositoryModelLoadRequest and RepositoryModelUnloadRequest have the same fields; both answer an empty message. */
export interface RepositoryModelControlRequestMessage {
  repository_name?: string;
  model_name?: string;
  parameters?: ModelRepositoryParameterMap;
}

/** A ModelConfig message object: Triton's JSON config shape (snake_case, enum names, maps as objects). */
export type ModelConfigMessage = Record<string, unknown>;

export interface ModelConfigResponseMessage {
  config?: ModelConfigMessage;
}

/** ModelStatisticsRequest: an empty name means every model, an empty version every version. */
export interface ModelStatisticsRequestMessage {
  name?: string;
  version?: string;
}

export interface StatisticDurationMessage {
  count?: Int64String;
  ns?: Int64String;
}

export interface InferStatisticsMessage {
  success?: StatisticDurationMessage;
  fail?: StatisticDurationMessage;
  queue?: StatisticDurationMessage;
  compute_input?: StatisticDurationMessage;
  compute_infer?: StatisticDurationMessage;
  compute_output?: StatisticDurationMessage;
  cache_hit?: StatisticDurationMessage;
  cache_miss?: StatisticDurationMessage;
}

export interface InferBatchStatisticsMessage {
  batch_size?: Int64String;
  compute_input?: StatisticDurationMessage;
  compute_infer?: StatisticDurationMessage;
  compute_output?: StatisticDurationMessage;
}

/** memory_usage and response_stats are left out: Wharf reports neither, and proto3 reads absent as empty. */
export interface ModelStatisticsMessage {
  name?: string;
  version?: string;
  last_inference?: Int64String;
  inference_count?: Int64String;
  execution_count?: Int64String;
  inference_stats?: InferStatisticsMessage;
  batch_stats?: InferBatchStatisticsMessage[];
}

export interface ModelStatisticsResponseMessage {
  model_stats?: ModelStatisticsMessage[];
}

export interface HealthCheckRequestMessage {
  service?: string;
}

export type ServingStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

export interface HealthCheckResponseMessage {
  status?: ServingStatus;
}
