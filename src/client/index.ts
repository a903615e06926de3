/**
 * @module
 * Wharf's client library (`wharf/client`): KServe v2 over HTTP (binary tensors by default) and gRPC,
 * behind one interface. Works against Wharf, Triton and other KServe v2 servers.
 */
export { createClient, type ClientProtocol } from './create-client.js';
export { GrpcClient, type GrpcClientOptions } from './grpc-client.js';
export { HttpClient } from './http-client.js';
export {
  DEFAULT_CLIENT_TIMEOUT_MS, type CallOptions, type ClientOptions, type InferCallOptions, type InferenceClient, type LoadModelCallOptions,
  type RepositoryIndexCallOptions, type UnloadModelCallOptions,
} from './inference-client.js';
export { parseServerAddress, type ServerAddress } from './server-address.js';
export { SplitModel, type SplitInferInput, type SplitModelOptions } from './split-model.js';
export { InferenceError, type ErrorCode } from '../errors/index.js';
export type { DataType, InferInput, InferResponse, ModelMetadata, ModelVersionStatus, ServerMetadata, Tensor, TensorInput } from '../core/index.js';
