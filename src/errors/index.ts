export { ERROR_CODES, type ErrorCode } from './codes.js';
export { ERROR_KINDS, type ErrorKind } from './status-map.js';
export { InferenceError, isInferenceError, toInferenceError, type ErrorDetail, type InferenceErrorOptions } from './inference-error.js';
export { renderErrorDocs } from './error-docs.js';
