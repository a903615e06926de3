import type { Tensor } from '../core/index.js';

function ownsWholeBuffer(data: ArrayBufferView): boolean {
  return data.buffer instanceof ArrayBuffer && data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
}

/**
 * Readies tensors to cross to another thread: each numeric tensor ends up owning its whole
 * buffer, which is then transferred (moved, not copied). A view into a larger buffer (a pooled
 * Buffer, a slice of a request body) is first copied to a buffer of its own: posting the view
 * would clone the entire underlying buffer, and transferring it would detach memory others use.
 */
export function prepareForTransfer(tensors: readonly Tensor[]): { tensors: Tensor[]; transfer: ArrayBuffer[] } {
  const transfer = new Set<ArrayBuffer>();
  const ready = tensors.map((tensor) => {
    if (tensor.datatype === 'BYTES' || tensor.data.byteLength === 0) return tensor;
    const owned = ownsWholeBuffer(tensor.data) && !transfer.has(tensor.data.buffer as ArrayBuffer) ? tensor : ({ ...tensor, data: tensor.data.slice() } as Tensor);
    transfer.add((owned.data as ArrayBufferView).buffer as ArrayBuffer);
    return owned;
  });
  return { tensors: ready, transfer: [...transfer] };
}
