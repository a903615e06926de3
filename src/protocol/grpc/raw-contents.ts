/**
 * @module
 * Raw tensor contents (`raw_input_contents` / `raw_output_contents` entries) <-> core tensor data.
 * Layout (grpc_service.proto; the same as Triton's HTTP binary extension): elements flattened
 * row-major, little-endian, no padding; BOOL one byte 0/1; BYTES each element as a 4-byte
 * unsigned little-endian length followed by its bytes.
 *
 * The checks, codes and layout are those of the HTTP binary codec (protocol/http/binary-tensor.ts);
 * only the messages differ, naming the raw entry instead of binary_data_size.
 *
 * Typed arrays read memory in the host's byte order and decoding hands out views, so this needs
 * a little-endian host (every platform Node ships for except s390x, where importing throws
 * rather than silently byte-swapping every tensor).
 */
import { InferenceError } from '../../errors/index.js';
import { dataTypeInfo, elementCount, formatShape, type Tensor, type TypedArray, type TypedArrayConstructor } from '../../core/index.js';
import type { GrpcTensorHeader } from './grpc-tensor.js';

const LENGTH_PREFIX_BYTES = 4;

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error('Wharf\'s gRPC raw tensor codec requires a little-endian host: the wire format is little-endian and tensors are decoded as views without byte swapping');
}

/**
 * Decodes one raw entry. Numeric data is a typed-array view into `bytes` (and so into the
 * received message) when the offset is aligned for the element size, else a copy; BYTES
 * elements are views. `entry` names the entry in messages, e.g. "raw_input_contents[1]".
 * @throws InferenceError ERR_INPUT_SHAPE when the size disagrees with the shape,
 *   ERR_INPUT_DATA for truncated BYTES elements and BOOL bytes other than 0 and 1.
 */
export function decodeRawContents(header: GrpcTensorHeader, bytes: Uint8Array, entry: string): Tensor['data'] {
  const { datatype, shape, where } = header;
  const info = dataTypeInfo(datatype);
  const expected = elementCount(shape);
  if (info.array === undefined) return decodeRawBytes(bytes, expected, header, entry);
  const needed = expected * info.byteSize;
  if (bytes.byteLength !== needed) {
    throw new InferenceError('ERR_INPUT_SHAPE', `${where}: shape ${formatShape(shape)} of ${datatype} needs ${needed} bytes (${expected} elements of ${info.byteSize}) but '${entry}' has ${bytes.byteLength}`);
  }
  const data = viewOrCopy(info.array, bytes, expected, info.byteSize);
  if (info.valueKind === 'bool') {
    const flags = data as Uint8Array;
    for (let i = 0; i < flags.length; i++) {
      if (flags[i]! > 1) throw new InferenceError('ERR_INPUT_DATA', `${where} (BOOL): element ${i} is byte ${flags[i]}, expected 0 (false) or 1 (true)`);
    }
  }
  return data;
}

function viewOrCopy(array: TypedArrayConstructor, bytes: Uint8Array, count: number, byteSize: number): TypedArray {
  // A typed array view needs its byte offset aligned to the element size; protobuf gives no such promise.
  // The cast only satisfies the union of constructor signatures; views of a SharedArrayBuffer work the same.
  if (bytes.byteOffset % byteSize === 0) return new array(bytes.buffer as ArrayBuffer, bytes.byteOffset, count);
  const copy = new array(count);
  new Uint8Array(copy.buffer).set(bytes);
  return copy;
}

/**
 * Splits a BYTES entry into element views. Only the first `expected` elements are kept; past that
 * the loop only counts, so millions of empty elements sent for shape [1] cost no memory.
 */
function decodeRawBytes(bytes: Uint8Array, expected: number, header: GrpcTensorHeader, entry: string): Uint8Array[] {
  // Each element takes at least its prefix, which bounds the allocation by the entry size.
  const elements = new Array<Uint8Array>(Math.min(expected, Math.floor(bytes.byteLength / LENGTH_PREFIX_BYTES)));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.byteLength;
  let offset = 0;
  let count = 0;
  while (offset < end) {
    if (end - offset < LENGTH_PREFIX_BYTES) {
      throw new InferenceError('ERR_INPUT_DATA', `${header.where}: '${entry}' is truncated: BYTES element ${count} at byte ${offset} needs a 4-byte length but only ${end - offset} bytes remain`);
    }
    const size = view.getUint32(offset, true);
    const start = offset + LENGTH_PREFIX_BYTES;
    if (size > end - start) {
      throw new InferenceError('ERR_INPUT_DATA', `${header.where}: '${entry}' is truncated: BYTES element ${count} at byte ${offset} declares ${size} bytes but only ${end - start} follow`);
    }
    if (count < expected) elements[count] = new Uint8Array(bytes.buffer, bytes.byteOffset + start, size);
    count++;
    offset = start + size;
  }
  if (count !== expected) {
    throw new InferenceError('ERR_INPUT_SHAPE', `${header.where}: shape ${formatShape(header.shape)} needs ${expected} elements but '${entry}' holds ${count} BYTES elements`);
  }
  return elements;
}

/**
 * Encodes a tensor's data as one raw entry: a zero-copy Buffer over the tensor's memory for
 * numeric types; BYTES elements are gathered with their length prefixes into one new Buffer.
 * BOOL is copied only when it holds bytes other than 0/1 (a backend may write any nonzero byte
 * for true), because decoders, ours included, refuse them.
 */
export function encodeRawContents(tensor: Tensor): Buffer {
  if (tensor.datatype !== 'BYTES') {
    const bytes = Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
    return tensor.datatype === 'BOOL' && bytes.some((b) => b > 1) ? Buffer.from(bytes.map((b) => (b === 0 ? 0 : 1)).buffer) : bytes;
  }
  let total = 0;
  for (const element of tensor.data) total += LENGTH_PREFIX_BYTES + element.byteLength;
  const out = Buffer.allocUnsafe(total);
  let offset = 0;
  for (const element of tensor.data) {
    offset = out.writeUInt32LE(element.byteLength, offset);
    out.set(element, offset);
    offset += element.byteLength;
  }
  return out;
}
