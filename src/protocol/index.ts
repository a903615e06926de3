/**
 * @module
 * KServe v2 / Open Inference Protocol wire formats: pure encode/decode to and from core types.
 * The one file access is loading the gRPC .proto files (grpc/service-definition.ts).
 */
export {
  INFERENCE_HEADER_CONTENT_LENGTH, MAX_DATA_DEPTH,
  decodeInferRequestBody, decodeInferRequestJson, decodeInferResponseBody, decodeInferResponseJson,
  encodeErrorJson, encodeInferRequestBody, encodeInferRequestJson, encodeInferResponseBody, encodeInferResponseJson,
  parseHeaderLength,
  decodeRawBinaryRequest, type RawRequestModel,
  decodeModelLoadBody, decodeModelUnloadBody, decodeRepositoryIndexBody, encodeModelLoadBody, encodeModelUnloadBody,
  type EncodedBody, type InferTarget, type OutputEncodingRequest, type RequestBodyOptions,
} from './http/index.js';
export * from './grpc/index.js';
export { bearerAuthorization, checkBearerToken, readBearerToken, type BearerToken } from './bearer-token.js';
export {
  LOAD_CONFIG_PARAMETER, UNLOAD_DEPENDENTS_PARAMETER, readModelLoadParameters, readModelUnloadParameters,
  type ModelLoadParameters, type ModelUnloadParameters,
} from './repository-parameters.js';
