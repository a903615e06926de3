/**
 * @module
 * KServe v2 / Open Inference Protocol wire formats: pure encode/decode to and from core types, no I/O.
 */
export {
  MAX_DATA_DEPTH, decodeInferRequestJson, decodeInferResponseJson, encodeErrorJson, encodeInferRequestJson, encodeInferResponseJson,
  type InferTarget,
} from './http/index.js';
