/**
 * The one table of tensor datatypes. Every converter (JSON and binary codecs, the ONNX
 * backend, the config parser, the client) reads from it; nothing else switches on datatypes.
 */
export const DATA_TYPES = [
  'BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64',
  'FP16', 'BF16', 'FP32', 'FP64', 'BYTES',
] as const;

export type DataType = (typeof DATA_TYPES)[number];

/** The array each datatype's data lives in. FP16 and BF16 hold raw 16-bit patterns; BOOL holds 0/1. */
export interface DataTypeArrays {
  BOOL: Uint8Array;
  UINT8: Uint8Array;
  UINT16: Uint16Array;
  UINT32: Uint32Array;
  UINT64: BigUint64Array;
  INT8: Int8Array;
  INT16: Int16Array;
  INT32: Int32Array;
  INT64: BigInt64Array;
  FP16: Uint16Array;
  BF16: Uint16Array;
  FP32: Float32Array;
  FP64: Float64Array;
  BYTES: Uint8Array[];
}

export type NumericDataType = Exclude<DataType, 'BYTES'>;
export type TypedArray = DataTypeArrays[NumericDataType];
export type TypedArrayConstructor =
  | Uint8ArrayConstructor | Uint16ArrayConstructor | Uint32ArrayConstructor | BigUint64ArrayConstructor
  | Int8ArrayConstructor | Int16ArrayConstructor | Int32ArrayConstructor | BigInt64ArrayConstructor
  | Float32ArrayConstructor | Float64ArrayConstructor;

/** How a JSON number maps onto the datatype: range-checked integers, bigints, floats, half floats or 0/1. */
export type ValueKind = 'bool' | 'int' | 'bigint' | 'float' | 'half' | 'bytes';

export interface DataTypeInfo {
  readonly name: DataType;
  /** Bytes per element; 0 for BYTES, whose elements vary. */
  readonly byteSize: number;
  readonly array: TypedArrayConstructor | undefined;
  readonly valueKind: ValueKind;
  /** Inclusive range for integer kinds. */
  readonly min?: number | bigint;
  readonly max?: number | bigint;
  /** Triton model-config enum name (model_config.proto DataType). */
  readonly config: string;
  /** ONNX TensorProto.DataType value. */
  readonly onnxElementType: number;
  /** onnxruntime-common Tensor type name; undefined when onnxruntime-node cannot exchange it. */
  readonly ortType: string | undefined;
}

const row = (
  name: DataType, byteSize: number, array: TypedArrayConstructor | undefined, valueKind: ValueKind,
  config: string, onnxElementType: number, ortType: string | undefined, min?: number | bigint, max?: number | bigint,
): DataTypeInfo => Object.freeze({ name, byteSize, array, valueKind, config, onnxElementType, ortType, ...(min === undefined ? {} : { min, max }) });

const TABLE: Readonly<Record<DataType, DataTypeInfo>> = Object.freeze({
  BOOL: row('BOOL', 1, Uint8Array, 'bool', 'TYPE_BOOL', 9, 'bool'),
  UINT8: row('UINT8', 1, Uint8Array, 'int', 'TYPE_UINT8', 2, 'uint8', 0, 255),
  UINT16: row('UINT16', 2, Uint16Array, 'int', 'TYPE_UINT16', 4, 'uint16', 0, 65535),
  UINT32: row('UINT32', 4, Uint32Array, 'int', 'TYPE_UINT32', 12, 'uint32', 0, 4294967295),
  UINT64: row('UINT64', 8, BigUint64Array, 'bigint', 'TYPE_UINT64', 13, 'uint64', 0n, 18446744073709551615n),
  INT8: row('INT8', 1, Int8Array, 'int', 'TYPE_INT8', 3, 'int8', -128, 127),
  INT16: row('INT16', 2, Int16Array, 'int', 'TYPE_INT16', 5, 'int16', -32768, 32767),
  INT32: row('INT32', 4, Int32Array, 'int', 'TYPE_INT32', 6, 'int32', -2147483648, 2147483647),
  INT64: row('INT64', 8, BigInt64Array, 'bigint', 'TYPE_INT64', 7, 'int64', -9223372036854775808n, 9223372036854775807n),
  FP16: row('FP16', 2, Uint16Array, 'half', 'TYPE_FP16', 10, 'float16'),
  BF16: row('BF16', 2, Uint16Array, 'half', 'TYPE_BF16', 16, undefined),
  FP32: row('FP32', 4, Float32Array, 'float', 'TYPE_FP32', 1, 'float32'),
  FP64: row('FP64', 8, Float64Array, 'float', 'TYPE_FP64', 11, 'float64'),
  BYTES: row('BYTES', 0, undefined, 'bytes', 'TYPE_STRING', 8, 'string'),
});

export function isDataType(value: unknown): value is DataType {
  return typeof value === 'string' && Object.hasOwn(TABLE, value);
}

export function dataTypeInfo(datatype: DataType): DataTypeInfo {
  return TABLE[datatype];
}

const BY_CONFIG = new Map(Object.values(TABLE).map((info) => [info.config, info.name]));
const BY_ONNX = new Map(Object.values(TABLE).map((info) => [info.onnxElementType, info.name]));
const BY_ORT = new Map(Object.values(TABLE).filter((info) => info.ortType).map((info) => [info.ortType, info.name]));

/** `TYPE_FP32` -> `FP32`; undefined for names that are not Triton datatypes. */
export function dataTypeFromConfig(configName: string): DataType | undefined {
  return BY_CONFIG.get(configName);
}

/** ONNX TensorProto.DataType number -> datatype; undefined for types Wharf cannot serve (complex, float8, int4...). */
export function dataTypeFromOnnx(elementType: number): DataType | undefined {
  return BY_ONNX.get(elementType);
}

/** onnxruntime-common type name (`float32`) -> datatype. */
export function dataTypeFromOrt(ortType: string): DataType | undefined {
  return BY_ORT.get(ortType);
}

/** Allocates a zeroed array for `count` elements of `datatype`. */
export function allocateData<T extends DataType>(datatype: T, count: number): DataTypeArrays[T] {
  const info = TABLE[datatype];
  if (info.array === undefined) return Array.from({ length: count }, () => new Uint8Array(0)) as DataTypeArrays[T];
  return new info.array(count) as DataTypeArrays[T];
}
