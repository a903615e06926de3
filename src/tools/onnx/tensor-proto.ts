/**
 * @module
 * Core tensors <-> ONNX TensorProto. Numeric data is written as raw_data (little-endian, as
 * the ONNX IR requires), BYTES as string_data: raw_data cannot hold variable-length elements.
 */
import {
  dataTypeFromOnnx, dataTypeInfo, elementCount, numberToBfloat16Bits, numberToFloat16Bits,
  type DataType, type Tensor, type TypedArray,
} from '../../core/index.js';
import { describeElementType } from './onnx-proto.js';
import { DATA_LOCATION, type TensorProto } from './onnx-types.js';

/**
 * Values makeTensor accepts: the datatype's own array (see core DataTypeArrays: FP16/BF16 as
 * Uint16Array bit patterns), plain numbers/bigints/booleans converted to it, or for BYTES
 * strings (encoded as UTF-8) and byte arrays.
 */
export type TensorValues = TypedArray | readonly number[] | readonly bigint[] | readonly boolean[] | readonly (string | Uint8Array)[];

const utf8 = new TextEncoder();
const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Plain JS value -> element of the datatype's array, by value kind. */
const FROM_PLAIN: Record<'bool' | 'int' | 'bigint' | 'float', (value: number | bigint | boolean) => number | bigint> = {
  bool: (value) => (value ? 1 : 0),
  int: (value) => Number(value),
  bigint: (value) => BigInt(value),
  float: (value) => Number(value),
};

/** The two half-precision types share a value kind but not an encoding. */
const HALF_BITS: Partial<Record<DataType, (value: number) => number>> = { FP16: numberToFloat16Bits, BF16: numberToBfloat16Bits };

/** Builds an initializer or attribute tensor. Copies the data, so later changes to `values` do not leak in. */
export function makeTensor(name: string, datatype: DataType, dims: readonly number[], values: TensorValues): TensorProto {
  const info = dataTypeInfo(datatype);
  const count = elementCount(dims);
  if (values.length !== count) {
    throw new RangeError(`tensor '${name}': dims [${dims.join(',')}] need ${count} elements but ${values.length} were given`);
  }
  const proto: TensorProto = { dims: dims.map((dim) => BigInt(dim)), dataType: info.onnxElementType, name };
  if (info.array === undefined) {
    proto.stringData = Array.from(values as readonly unknown[], (value) => {
      if (typeof value === 'string') return utf8.encode(value);
      if (value instanceof Uint8Array) return value.slice();
      throw new TypeError(`tensor '${name}': BYTES elements must be strings or Uint8Array`);
    });
    return proto;
  }
  proto.rawData = littleEndianBytes(toTypedArray(datatype, values), info.byteSize);
  return proto;
}

/** Converts plain values to the datatype's array; an array of the right kind is used as it is. */
export function toTypedArray(datatype: DataType, values: TensorValues): TypedArray {
  const info = dataTypeInfo(datatype);
  if (info.array === undefined) throw new TypeError(`${datatype} has no typed array`);
  if (values instanceof info.array) return values;
  const half = HALF_BITS[datatype];
  const convert = half === undefined
    ? FROM_PLAIN[info.valueKind as keyof typeof FROM_PLAIN]
    : (value: number | bigint | boolean): number => half(Number(value));
  const converted = Array.from(values as readonly (number | bigint | boolean)[], (value) => convert(value));
  return arrayConstructor(datatype).from(converted);
}

/**
 * The datatype's array constructor, seen through one signature: the ten constructors differ only
 * in element type, and callers pass elements already converted to it (bigints for 64-bit ints).
 */
function arrayConstructor(datatype: DataType): { from(items: readonly (number | bigint)[]): TypedArray; fromBuffer(buffer: ArrayBufferLike, length: number): TypedArray } {
  const array = dataTypeInfo(datatype).array as unknown as (new (buffer: ArrayBufferLike, offset: number, length: number) => TypedArray) & { from(items: readonly (number | bigint)[]): TypedArray };
  return { from: (items) => array.from(items), fromBuffer: (buffer, length) => new array(buffer, 0, length) };
}

function littleEndianBytes(array: TypedArray, byteSize: number): Uint8Array {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength).slice();
  if (!HOST_IS_LITTLE_ENDIAN && byteSize > 1) {
    for (let offset = 0; offset < bytes.length; offset += byteSize) bytes.subarray(offset, offset + byteSize).reverse();
  }
  return bytes;
}

/**
 * Where a TensorProto keeps its elements when it does not use raw_data (onnx.proto comments
 * on each *_data field). Half floats and small integers travel widened in int32_data.
 */
const TYPED_FIELD: Record<DataType, 'floatData' | 'int32Data' | 'int64Data' | 'doubleData' | 'uint64Data' | 'stringData'> = {
  BOOL: 'int32Data', UINT8: 'int32Data', UINT16: 'int32Data', INT8: 'int32Data', INT16: 'int32Data', INT32: 'int32Data',
  FP16: 'int32Data', BF16: 'int32Data', UINT32: 'uint64Data', UINT64: 'uint64Data', INT64: 'int64Data',
  FP32: 'floatData', FP64: 'doubleData', BYTES: 'stringData',
};

/**
 * Reads a TensorProto into a core tensor (shape from dims, data in the datatype's array).
 * @throws TypeError for element types Wharf has no datatype for and for external data.
 */
export function readTensor(proto: TensorProto): Tensor {
  const datatype = dataTypeFromOnnx(proto.dataType ?? 0);
  const name = proto.name ?? '';
  if (datatype === undefined) throw new TypeError(`tensor '${name}' has ${describeElementType(proto.dataType)}, which Wharf has no datatype for`);
  if (proto.dataLocation === DATA_LOCATION.EXTERNAL) throw new TypeError(`tensor '${name}' keeps its data in an external file, which readTensor cannot read; read the model with readModelFile, which loads external data`);
  const shape = (proto.dims ?? []).map(Number);
  const count = elementCount(shape);
  const info = dataTypeInfo(datatype);
  if (info.array === undefined) {
    return { name, datatype: 'BYTES', shape, data: (proto.stringData ?? []).map((element) => element.slice()) };
  }
  let data: TypedArray;
  if (proto.rawData !== undefined) {
    const bytes = littleEndianBytes(proto.rawData, info.byteSize); // a copy, swapped on big-endian hosts
    data = arrayConstructor(datatype).fromBuffer(bytes.buffer, bytes.byteLength / info.byteSize);
  } else {
    // Elements are stored widened (FP16 as its bit pattern in an int32): narrow them, do not convert.
    const wide = (proto[TYPED_FIELD[datatype]] ?? []) as readonly (number | bigint)[];
    const narrow = Array.from(wide, (value) => (info.valueKind === 'bigint' ? BigInt(value) : Number(value)));
    data = arrayConstructor(datatype).from(narrow);
  }
  if (data.length !== count) throw new RangeError(`tensor '${name}': dims [${shape.join(',')}] need ${count} elements but the data holds ${data.length}`);
  return { name, datatype, shape, data } as Tensor;
}
