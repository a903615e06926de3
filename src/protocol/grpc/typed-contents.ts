/**
 * @module
 * InferTensorContents (the typed, per-datatype lists) <-> core tensor data.
 * Protobuf has already parsed every value, so decoding only checks what the wire types cannot:
 * that the list is the one for the datatype, its length matches the shape, and 8/16-bit values
 * (carried in int32/uint32 lists) fit their datatype.
 */
import { InferenceError } from '../../errors/index.js';
import { allocateData, dataTypeInfo, elementCount, formatShape, type DataType, type Tensor } from '../../core/index.js';
import type { GrpcTensorHeader } from './grpc-tensor.js';
import { invalid } from './grpc-fields.js';
import type { ContentsField, InferTensorContentsMessage } from './messages.js';

/**
 * The one table of datatype -> InferTensorContents field (grpc_service.proto). FP16 and BF16 have
 * none: the protocol carries them only as raw contents.
 */
export const CONTENTS_FIELDS: Readonly<Record<DataType, ContentsField | undefined>> = Object.freeze({
  BOOL: 'bool_contents',
  UINT8: 'uint_contents', UINT16: 'uint_contents', UINT32: 'uint_contents', UINT64: 'uint64_contents',
  INT8: 'int_contents', INT16: 'int_contents', INT32: 'int_contents', INT64: 'int64_contents',
  FP16: undefined, BF16: undefined,
  FP32: 'fp32_contents', FP64: 'fp64_contents',
  BYTES: 'bytes_contents',
});

type IntArray = Uint8Array | Uint16Array | Uint32Array | Int8Array | Int16Array | Int32Array;
type BigIntArray = BigInt64Array | BigUint64Array;

/**
 * Decodes a tensor's `contents`. A zero-element tensor may omit `contents`: proto3 clients
 * cannot mark an empty sub-message as present. `rawField` names the alternative in messages.
 * The result is freshly allocated (BYTES elements are views into the received message).
 * @throws InferenceError ERR_INPUT_DATA (wrong list, value out of range), ERR_INPUT_SHAPE
 *   (length differs from the shape), ERR_INVALID_REQUEST (no data at all).
 */
export function decodeTypedContents(header: GrpcTensorHeader, rawField: string): Tensor['data'] {
  const { datatype, shape, contents, where } = header;
  const field = CONTENTS_FIELDS[datatype];
  const expected = elementCount(shape);
  assertOnlyField(contents, field, datatype, where, rawField);
  if (field === undefined) {
    if (expected === 0) return allocateData(datatype, 0);
    throw new InferenceError('ERR_INPUT_DATA', `${where}: ${datatype} has no typed contents field in the protocol; send its bytes in '${rawField}'`);
  }
  if (contents === undefined && expected > 0) throw invalid(`${where}: no data; set 'contents.${field}' or send '${rawField}'`);
  const values: readonly unknown[] = contents?.[field] ?? [];
  if (values.length !== expected) {
    throw new InferenceError('ERR_INPUT_SHAPE', `${where}: shape ${formatShape(shape)} needs ${expected} elements but '${field}' has ${values.length}`);
  }
  const label = `${where} (${datatype})`;
  const info = dataTypeInfo(datatype);
  switch (info.valueKind) {
    case 'int': {
      const target = allocateData(datatype, expected) as IntArray;
      const min = Number(info.min);
      const max = Number(info.max);
      for (let i = 0; i < expected; i++) {
        const value = values[i];
        if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw elementError(label, i, value, `outside ${min}..${max}`);
        target[i] = value;
      }
      return target;
    }
    case 'bigint': {
      const target = allocateData(datatype, expected) as BigIntArray;
      const min = BigInt(info.min ?? 0);
      const max = BigInt(info.max ?? 0);
      for (let i = 0; i < expected; i++) target[i] = readBigInt(values[i], min, max, label, i);
      return target;
    }
    case 'float': {
      // Every double is storable; float32 lists arrive as doubles holding float32 values.
      const target = allocateData(datatype, expected) as Float32Array | Float64Array;
      target.set(values as readonly number[]);
      return target;
    }
    case 'bool': {
      const target = allocateData(datatype, expected) as Uint8Array;
      for (let i = 0; i < expected; i++) target[i] = values[i] === true ? 1 : 0;
      return target;
    }
    case 'bytes':
      // Plain Uint8Array views over the Buffers proto-loader made: no copy, and deep-equal to core data.
      return (values as readonly Uint8Array[]).map((element) => new Uint8Array(element.buffer, element.byteOffset, element.byteLength));
    case 'half':
      throw new Error('unreachable: half types have no contents field');
  }
}

function assertOnlyField(contents: InferTensorContentsMessage | undefined, field: ContentsField | undefined, datatype: DataType, where: string, rawField: string): void {
  if (contents === undefined) return;
  for (const [name, list] of Object.entries(contents)) {
    if (name === field || !Array.isArray(list) || list.length === 0) continue;
    const expected = field === undefined ? `${datatype} has no typed contents field; send its bytes in '${rawField}'` : `${datatype} data goes in 'contents.${field}'`;
    throw new InferenceError('ERR_INPUT_DATA', `${where}: 'contents.${name}' does not match datatype ${datatype}; ${expected}`);
  }
}

function readBigInt(value: unknown, min: bigint, max: bigint, label: string, index: number): bigint {
  let parsed: bigint;
  try {
    parsed = BigInt(value as string | number);
  } catch {
    throw elementError(label, index, value, 'expected an integer');
  }
  if (parsed < min || parsed > max) throw elementError(label, index, value, `outside ${min}..${max}`);
  return parsed;
}

function elementError(label: string, index: number, value: unknown, problem: string): InferenceError {
  return new InferenceError('ERR_INPUT_DATA', `${label}: element ${index} is ${String(value)}, ${problem}`);
}

/**
 * Encodes a tensor's data as typed contents. 64-bit integers become decimal strings (exact
 * under `longs: String`); BYTES elements become zero-copy Buffer views.
 * @throws InferenceError ERR_INPUT_DATA for FP16/BF16, which have no typed field.
 */
export function encodeTypedContents(tensor: Tensor): InferTensorContentsMessage {
  const field = CONTENTS_FIELDS[tensor.datatype];
  if (field === undefined) {
    throw new InferenceError('ERR_INPUT_DATA', `${tensor.datatype} tensor '${tensor.name}' has no typed contents field; encode it as raw contents`);
  }
  if (tensor.datatype === 'BYTES') {
    return { bytes_contents: tensor.data.map((element) => Buffer.from(element.buffer, element.byteOffset, element.byteLength)) };
  }
  switch (dataTypeInfo(tensor.datatype).valueKind) {
    case 'bool':
      return { bool_contents: Array.from(tensor.data as Uint8Array, (value) => value !== 0) };
    case 'bigint':
      return { [field]: Array.from(tensor.data as BigIntArray, (value) => value.toString()) };
    default:
      return { [field]: Array.from(tensor.data as ArrayLike<number>) };
  }
}
