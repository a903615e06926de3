/**
 * @module
 * One tensor's raw bytes <-> the array its datatype uses (core DataTypeArrays). Both binary
 * forms share this layout: Triton's HTTP binary tensor data extension and gRPC's
 * raw_input_contents / raw_output_contents. The wire is little-endian, row-major, without
 * padding; BOOL is one byte 0/1; BYTES elements are length-prefixed (core/bytes-elements.ts).
 *
 * Typed arrays read memory in the host's byte order, and this codec hands out views into the
 * body instead of converting, so it requires a little-endian host. Node's x64, arm64, ppc64le and
 * riscv64 builds are; on big-endian hosts (s390x, AIX) importing this module throws rather than
 * silently returning byte-swapped tensors.
 */
import { InferenceError } from '../errors/index.js';
import { dataTypeInfo, elementCount, formatShape, type DataType, type Tensor, type TypedArray } from '../core/index.js';
import { bytesElementsSize, readBytesElements, writeBytesElements } from '../core/index.js';

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error('Wharf\'s binary tensor codecs require a little-endian host: the wire format is little-endian and tensors are decoded as views without byte swapping');
}

/** Where a tensor's bytes came from, for messages: `sizeName` is what announced their size. */
export interface BlobSource {
  /** e.g. `binary_data_size`, `'raw_input_contents[1]'` */
  readonly sizeName: string;
  /** e.g. `binary data`, `'raw_input_contents[1]'` */
  readonly blobName: string;
}

/**
 * Decodes the blob of one tensor. `where` names it ("input 'x'"); `blob` is a view into the body.
 * Numeric data is a view into the same memory when its address is a multiple of the element
 * size (typed arrays cannot be unaligned); otherwise it is copied once into a fresh buffer.
 * Either way there is no per-element work, except BOOL, whose bytes must be 0 or 1.
 * @throws InferenceError ERR_INPUT_SHAPE when the size disagrees with the shape,
 *   ERR_INPUT_DATA for a BOOL byte other than 0/1 or malformed BYTES elements.
 */
export function decodeTensorBytes(datatype: DataType, shape: readonly number[], blob: Uint8Array, where: string, source: BlobSource): Tensor['data'] {
  const info = dataTypeInfo(datatype);
  const count = elementCount(shape);
  const label = `${where} (${datatype} ${formatShape(shape)})`;
  if (info.array === undefined) return readBytesElements(blob, count, label, `the ${blob.byteLength}-byte ${source.blobName}`);
  const needed = count * info.byteSize;
  if (blob.byteLength !== needed) {
    throw new InferenceError('ERR_INPUT_SHAPE', `${label}: ${source.sizeName} is ${blob.byteLength} but ${count} elements take ${needed} bytes`);
  }
  let aligned = blob;
  if ((blob.byteOffset % info.byteSize) !== 0) {
    aligned = new Uint8Array(blob.byteLength);
    aligned.set(blob);
  }
  // The cast only satisfies the union of constructor signatures; views of a SharedArrayBuffer work the same.
  const data = new info.array(aligned.buffer as ArrayBuffer, aligned.byteOffset, count);
  if (info.valueKind === 'bool') assertBoolBytes(data as Uint8Array, label);
  return data;
}

/** Triton's binary BOOL is 1 = true, 0 = false; anything else is more likely a wrong datatype or offset than a truth value. */
function assertBoolBytes(data: Uint8Array, label: string): void {
  for (let i = 0; i < data.length; i++) {
    if (data[i]! > 1) throw new InferenceError('ERR_INPUT_DATA', `${label}: element ${i} is byte ${data[i]}, expected 0 (false) or 1 (true)`);
  }
}

/** Bytes the tensor's blob takes: what `binary_data_size` announces. */
export function tensorBytesSize(tensor: Tensor): number {
  return tensor.datatype === 'BYTES' ? bytesElementsSize(tensor.data) : tensor.data.byteLength;
}

/**
 * The tensor's blob. Numeric data is a view of the tensor's own memory (no copy), so the caller
 * must not change the tensor until the body is written. BOOL is copied only when it holds bytes
 * other than 0/1 (a backend may write any nonzero byte for true), because decoders, ours
 * included, refuse them.
 */
export function encodeTensorBytes(tensor: Tensor): Uint8Array {
  if (tensor.datatype === 'BYTES') return writeBytesElements(tensor.data);
  const data: TypedArray = tensor.data;
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return tensor.datatype === 'BOOL' && !isZeroOne(bytes) ? bytes.map((b) => (b === 0 ? 0 : 1)) : bytes;
}

function isZeroOne(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! > 1) return false;
  return true;
}
