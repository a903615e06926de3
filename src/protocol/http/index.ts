export { decodeInferRequestJson, encodeInferRequestJson, readInferRequestHeader, type InferRequestHeader, type InferTarget } from './json-request.js';
export { decodeInferResponseJson, encodeErrorJson, encodeInferResponseJson, readInferResponseHeader, type InferResponseHeader } from './json-response.js';
export { decodeJsonTensor, readJsonTensorHeader, type JsonTensorHeader } from './json-tensor-header.js';
export { MAX_DATA_DEPTH } from './json-tensor-decode.js';
export { INFERENCE_HEADER_CONTENT_LENGTH, parseHeaderLength, type EncodedBody } from './binary-body.js';
export { decodeInferRequestBody, encodeInferRequestBody, type RequestBodyOptions } from './binary-request.js';
export { decodeInferResponseBody, encodeInferResponseBody } from './binary-response.js';
export type { OutputEncodingRequest } from './binary-output-flags.js';
export { decodeRawBinaryRequest, type RawRequestModel } from './raw-binary-request.js';
