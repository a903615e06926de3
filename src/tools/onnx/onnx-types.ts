/**
 * @module
 * A typed view of the messages in proto/onnx.proto, in the camelCase form protobufjs uses.
 *
 * Conventions of the view:
 * - Every field is optional, as in proto2: absent means "not on the wire". decodeModel keeps
 *   presence, so a field written with its default value stays present and re-encodes the same.
 * - Repeated fields are absent rather than empty when the file has no element.
 * - int64 and uint64 fields are `bigint`, always. Numbers would lose precision on values real
 *   models hold (Slice ends of INT64_MAX, for one); builders accept numbers and convert.
 * - bytes fields are Uint8Array. After decodeModel they are views into the decoded buffer.
 * - enum fields are their numbers (see ATTRIBUTE_TYPE, DATA_LOCATION).
 */

export interface StringStringEntryProto {
  key?: string;
  value?: string;
}

export interface OperatorSetIdProto {
  /** Absent or '' is the default ONNX domain (ai.onnx). */
  domain?: string;
  version?: bigint;
}

/** AttributeProto.AttributeType values. */
export const ATTRIBUTE_TYPE = Object.freeze({
  UNDEFINED: 0, FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8,
  TENSORS: 9, GRAPHS: 10, SPARSE_TENSOR: 11, SPARSE_TENSORS: 12, TYPE_PROTO: 13, TYPE_PROTOS: 14,
});

/** TensorProto.DataLocation values. */
export const DATA_LOCATION = Object.freeze({ DEFAULT: 0, EXTERNAL: 1 });

export interface AttributeProto {
  name?: string;
  refAttrName?: string;
  docString?: string;
  type?: number;
  f?: number;
  i?: bigint;
  s?: Uint8Array;
  t?: TensorProto;
  g?: GraphProto;
  sparseTensor?: SparseTensorProto;
  tp?: TypeProto;
  floats?: number[];
  ints?: bigint[];
  strings?: Uint8Array[];
  tensors?: TensorProto[];
  graphs?: GraphProto[];
  sparseTensors?: SparseTensorProto[];
  typeProtos?: TypeProto[];
}

export interface ValueInfoProto {
  name?: string;
  type?: TypeProto;
  docString?: string;
  metadataProps?: StringStringEntryProto[];
}

export interface NodeProto {
  input?: string[];
  output?: string[];
  name?: string;
  opType?: string;
  domain?: string;
  overload?: string;
  attribute?: AttributeProto[];
  docString?: string;
  metadataProps?: StringStringEntryProto[];
  deviceConfigurations?: NodeDeviceConfigurationProto[];
}

export interface IntIntListEntryProto {
  key?: bigint;
  value?: bigint[];
}

export interface NodeDeviceConfigurationProto {
  configurationId?: string;
  shardingSpec?: ShardingSpecProto[];
  pipelineStage?: number;
}

export interface ShardingSpecProto {
  tensorName?: string;
  device?: bigint[];
  indexToDeviceGroupMap?: IntIntListEntryProto[];
  shardedDim?: ShardedDimProto[];
}

export interface ShardedDimProto {
  axis?: bigint;
  simpleSharding?: SimpleShardedDimProto[];
}

/** `dimValue` and `dimParam` are a oneof: set at most one. */
export interface SimpleShardedDimProto {
  dimValue?: bigint;
  dimParam?: string;
  numShards?: bigint;
}

export interface TrainingInfoProto {
  initialization?: GraphProto;
  algorithm?: GraphProto;
  initializationBinding?: StringStringEntryProto[];
  updateBinding?: StringStringEntryProto[];
}

export interface ModelProto {
  irVersion?: bigint;
  opsetImport?: OperatorSetIdProto[];
  producerName?: string;
  producerVersion?: string;
  domain?: string;
  modelVersion?: bigint;
  docString?: string;
  graph?: GraphProto;
  metadataProps?: StringStringEntryProto[];
  trainingInfo?: TrainingInfoProto[];
  functions?: FunctionProto[];
  configuration?: DeviceConfigurationProto[];
}

/** A decoded ONNX model file. */
export type OnnxModel = ModelProto;

export interface DeviceConfigurationProto {
  name?: string;
  numDevices?: number;
  device?: string[];
}

export interface TensorAnnotation {
  tensorName?: string;
  quantParameterTensorNames?: StringStringEntryProto[];
}

export interface GraphProto {
  node?: NodeProto[];
  name?: string;
  initializer?: TensorProto[];
  sparseInitializer?: SparseTensorProto[];
  docString?: string;
  input?: ValueInfoProto[];
  output?: ValueInfoProto[];
  valueInfo?: ValueInfoProto[];
  quantizationAnnotation?: TensorAnnotation[];
  metadataProps?: StringStringEntryProto[];
}

export interface TensorSegment {
  begin?: bigint;
  end?: bigint;
}

export interface TensorProto {
  dims?: bigint[];
  /** A TensorProto.DataType number: dataTypeInfo(datatype).onnxElementType. */
  dataType?: number;
  segment?: TensorSegment;
  floatData?: number[];
  int32Data?: number[];
  stringData?: Uint8Array[];
  int64Data?: bigint[];
  name?: string;
  docString?: string;
  /** Little-endian element bytes, whatever the host's byte order. */
  rawData?: Uint8Array;
  externalData?: StringStringEntryProto[];
  dataLocation?: number;
  doubleData?: number[];
  uint64Data?: bigint[];
  metadataProps?: StringStringEntryProto[];
}

export interface SparseTensorProto {
  values?: TensorProto;
  indices?: TensorProto;
  dims?: bigint[];
}

/** `dimValue` and `dimParam` are a oneof; neither set means an unknown, unnamed dim. */
export interface TensorShapeDimension {
  dimValue?: bigint;
  dimParam?: string;
  denotation?: string;
}

export interface TensorShapeProto {
  dim?: TensorShapeDimension[];
}

export interface TypeProtoTensor {
  elemType?: number;
  /** Absent: the rank is unknown. */
  shape?: TensorShapeProto;
}

/** The five `*Type` fields are a oneof: set exactly one. */
export interface TypeProto {
  tensorType?: TypeProtoTensor;
  sequenceType?: { elemType?: TypeProto };
  mapType?: { keyType?: number; valueType?: TypeProto };
  optionalType?: { elemType?: TypeProto };
  sparseTensorType?: TypeProtoTensor;
  denotation?: string;
}

export interface FunctionProto {
  name?: string;
  input?: string[];
  output?: string[];
  attribute?: string[];
  attributeProto?: AttributeProto[];
  node?: NodeProto[];
  docString?: string;
  opsetImport?: OperatorSetIdProto[];
  domain?: string;
  overload?: string;
  valueInfo?: ValueInfoProto[];
  metadataProps?: StringStringEntryProto[];
}
