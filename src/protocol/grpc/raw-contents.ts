/**
 * @module
 * Raw tensor contents (`raw_input_contents` / `raw_output_contents` entries) <-> core tensor data.
 * The layout is that of Triton's HTTP binary extension, so both use protocol/tensor-bytes.ts;
 * only the messages differ, naming the raw entry instead of binary_data_size.
 */
import type { Tensor } from '../../core/index.js';
import { decodeTensorBytes, encodeTensorBytes } from '../tensor-bytes.js';
import type { GrpcTensorHeader } from './grpc-tensor.js';

/**
 * Decodes one raw entry. Numeric data is a typed-array view into `bytes` (and so into the
 * received message) when the offset is aligned for the element size, else a copy; BYTES
 * elements are views. `entry` names the entry in messages, e.g. "raw_input_contents[1]".
 * @throws InferenceError ERR_INPUT_SHAPE when the size disagrees with the shape,
 *   ERR_INPUT_DATA for truncated BYTES elements and BOOL bytes other than 0 and 1.
 */
export function decodeRawContents(header: GrpcTensorHeader, bytes: Uint8Array, entry: string): Tensor['data'] {
  const name = `'${entry}'`;
  return decodeTensorBytes(header.datatype, header.shape, bytes, header.where, { sizeName: `${name} size`, blobName: name });
}

/** Encodes a tensor's data as one raw entry: a zero-copy Buffer over the tensor's memory for numeric types. */
export function encodeRawContents(tensor: Tensor): Buffer {
  const bytes = encodeTensorBytes(tensor);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
