export {
  DATA_TYPES, allocateData, dataTypeFromConfig, dataTypeFromOnnx, dataTypeFromOrt, dataTypeInfo, isDataType,
  type DataType, type DataTypeArrays, type DataTypeInfo, type NumericDataType, type TypedArray, type TypedArrayConstructor, type ValueKind,
} from './data-type.js';
export { bfloat16BitsToNumber, float16BitsToNumber, numberToBfloat16Bits, numberToFloat16Bits } from './float16.js';
export {
  assertDataMatchesShape, assertValidShape, elementCount, formatShape, hasExpectedArray, normalizeTensorInput, reshapeKeepingBatch, resolveWildcardDims, tensorByteSize,
  type Tensor, type TensorInput,
} from './tensor.js';
export { toInferRequest, type InferInput, type InferRequest, type InferResponse, type Parameters, type RequestedOutput } from './request.js';
export type { ModelMetadata, ModelReadyState, ModelSignature, ModelVersionStatus, ServerMetadata, SignatureTensor, TensorMetadata } from './model.js';
export { findProjectFile } from './project-file.js';
export { bytesElementsSize, readBytesElements, writeBytesElements } from './bytes-elements.js';
export { coresFromCpuQuota, usableCores } from './usable-cores.js';
