/**
 * @module
 * Wharf's package entry: the embeddable server, its HTTP front end, and the types they use.
 */
export {
  InferenceServer, DEFAULT_MAX_TENSOR_BYTES, MODEL_CONTROL_MODES,
  type InferOptions, type InferenceServerOptions, type LoadModelOptions, type Logger, type ModelControlMode, type UnloadModelOptions,
} from './engine/index.js';
export { startHttpServer, buildHttpApp, DEFAULT_MAX_BODY_BYTES, type HttpServerOptions, type RunningHttpServer } from './server/http/index.js';
export { startGrpcServer, DEFAULT_GRPC_PORT, type GrpcServerOptions, type RunningGrpcServer } from './server/grpc/index.js';
export { InferenceError, ERROR_CODES, type ErrorCode, type ErrorDetail, type ErrorKind } from './errors/index.js';
export {
  DATA_TYPES, dataTypeInfo, float16BitsToNumber, numberToFloat16Bits, bfloat16BitsToNumber, numberToBfloat16Bits,
  type DataType, type DataTypeArrays, type InferInput, type InferRequest, type InferResponse, type ModelMetadata, type ModelReadyState,
  type ModelVersionStatus, type Parameters, type RequestedOutput, type ServerMetadata, type Tensor, type TensorInput, type TensorMetadata, type TypedArray,
} from './core/index.js';
export type { ModelConfig } from './config/index.js';
export type { Backend, BackendLoadSpec, ExecuteRequest, ExecuteRequestsResult, ExecuteResult, LoadedModel, RequestResult } from './backends/index.js';
export { OnnxBackend } from './backends/onnx/index.js';
export { JsBackend } from './backends/js/index.js';
export { MetricsRegistry, startMetricsServer, DEFAULT_METRICS_PORT, type MetricsCompat, type MetricsRegistryOptions, type ModelMetricsSink, type RunningMetricsServer } from './metrics/index.js';
export type { ModelStatisticsSnapshot, InferStatsSnapshot, BatchStatsSnapshot, DurationStat } from './statistics/index.js';
