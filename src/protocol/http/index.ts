export { decodeInferRequestJson, encodeInferRequestJson, readInferRequestHeader, type InferRequestHeader, type InferTarget } from './json-request.js';
export { decodeInferResponseJson, encodeErrorJson, encodeInferResponseJson } from './json-response.js';
export { decodeJsonTensor, readJsonTensorHeader, type JsonTensorHeader } from './json-tensor-header.js';
export { MAX_DATA_DEPTH } from './json-tensor-decode.js';
