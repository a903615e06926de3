/**
 * @module
 * ONNX model files as data: decode/encode over proto/onnx.proto, a graph builder, and the
 * signature (inputs/outputs) a model declares. Pure functions; no runtime, no I/O except loading
 * the schema file once.
 */
export { attr, makeAttribute, TypedAttribute, type AttributeValue, type Attributes } from './attributes.js';
export { GraphBuilder, type ModelOptions, type NodeOptions } from './graph-builder.js';
export { decodeModel, encodeModel } from './model-io.js';
export {
  checkExternalLocation, externalDataRef, externalizeData, hasExternalData, inlineExternalData, modelTensors,
  type ExternalDataReader, type ExternalDataRef, type ExternalizedModel, type ExternalizeOptions, type TensorSite,
} from './external-data.js';
export { readModelFile, writeModelFile, type WriteModelOptions } from './model-file.js';
export { describeElementType, findSchemaFile } from './onnx-proto.js';
export {
  ATTRIBUTE_TYPE, DATA_LOCATION,
  type AttributeProto, type DeviceConfigurationProto, type FunctionProto, type GraphProto, type IntIntListEntryProto,
  type ModelProto, type NodeDeviceConfigurationProto, type NodeProto, type OnnxModel, type OperatorSetIdProto,
  type ShardedDimProto, type ShardingSpecProto, type SimpleShardedDimProto, type SparseTensorProto,
  type StringStringEntryProto, type TensorAnnotation, type TensorProto, type TensorSegment, type TensorShapeDimension,
  type TensorShapeProto, type TrainingInfoProto, type TypeProto, type TypeProtoTensor, type ValueInfoProto,
} from './onnx-types.js';
export { modelSignature, readModelSignature } from './signature.js';
export { makeTensor, readTensor, toTypedArray, type TensorValues } from './tensor-proto.js';
export { makeDimension, makeValueInfo, type Dim } from './value-info.js';
