/**
 * @module
 * BYTES tensors in binary form (Triton binary tensor data extension, extension_binary_data.md;
 * tritonclient `serialize_byte_tensor`): each element is a 4-byte unsigned little-endian length
 * followed by that many bytes, elements concatenated with no padding.
 */
import { InferenceError } from '../errors/index.js';

const PREFIX_BYTES = 4;

/** Bytes `elements` take on the wire: each element's length plus its prefix. */
export function bytesElementsSize(elements: readonly Uint8Array[]): number {
  let total = 0;
  for (const element of elements) total += PREFIX_BYTES + element.byteLength;
  return total;
}

/**
 * Serializes `elements` into one new buffer. Elements are usually short strings, so one copy
 * beats handing the HTTP layer a chunk per prefix and per element.
 */
export function writeBytesElements(elements: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(bytesElementsSize(elements));
  const view = new DataView(out.buffer);
  let position = 0;
  for (const element of elements) {
    view.setUint32(position, element.byteLength, true);
    out.set(element, position + PREFIX_BYTES);
    position += PREFIX_BYTES + element.byteLength;
  }
  return out;
}

/**
 * Splits a blob into its elements in one pass. The elements are views into `blob` (no copy),
 * so they live as long as the body does. `label` names the tensor in messages
 * ("input 's' (BYTES [3])"), `blobName` the bytes ("the 7-byte binary data", "'raw_input_contents[0]'").
 *
 * Only the first `expected` elements are kept; past that the loop only counts, so a blob of
 * millions of empty elements sent for a shape [1] costs no memory before it is refused.
 * @throws InferenceError ERR_INPUT_DATA for a truncated length prefix or an element that runs
 *   past the blob; ERR_INPUT_SHAPE when the element count differs from `expected`.
 */
export function readBytesElements(blob: Uint8Array, expected: number, label: string, blobName: string): Uint8Array[] {
  // Each element takes at least its prefix, so this bounds the allocation by the blob size.
  const elements = new Array<Uint8Array>(Math.min(expected, Math.floor(blob.byteLength / PREFIX_BYTES)));
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  // Plain Uint8Array views rather than blob.subarray(): when the body is a Node Buffer, subarray
  // would make every element a Buffer, and measured about twice as slow per element.
  const { buffer, byteOffset: base } = blob;
  const size = blob.byteLength;
  let position = 0;
  let count = 0;
  while (position < size) {
    if (size - position < PREFIX_BYTES) {
      throw new InferenceError('ERR_INPUT_DATA', `${label}: element ${count}'s 4-byte length prefix is truncated: ${size - position} bytes left at offset ${position} of ${blobName}`);
    }
    const length = view.getUint32(position, true);
    const start = position + PREFIX_BYTES;
    if (length > size - start) {
      throw new InferenceError('ERR_INPUT_DATA', `${label}: element ${count} at offset ${position} claims ${length} bytes but only ${size - start} remain in ${blobName}`);
    }
    if (count < expected) elements[count] = new Uint8Array(buffer, base + start, length);
    count++;
    position = start + length;
  }
  if (count !== expected) {
    throw new InferenceError('ERR_INPUT_SHAPE', `${label}: ${blobName} holds ${count} elements, shape needs ${expected}`);
  }
  return elements;
}
