import type { Tensor } from '../../core/index.js';

/**
 * The buffers that may be transferred (moved, not copied) along with these tensors:
 * only those a tensor's data covers entirely. A view into a larger buffer (a pooled
 * Buffer, a slice of a request body) is left to be copied, since transferring it would
 * detach memory that others still use.
 */
export function ownedBuffers(tensors: readonly Tensor[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const tensor of tensors) {
    if (tensor.datatype === 'BYTES') continue;
    const { buffer, byteOffset, byteLength } = tensor.data;
    if (buffer instanceof ArrayBuffer && byteOffset === 0 && byteLength === buffer.byteLength && byteLength > 0) buffers.add(buffer);
  }
  return [...buffers];
}
