/**
 * @module
 * Tensors as they cross between the server thread and a handler worker. Numeric data is moved
 * (transferred), never copied, once each tensor owns its whole buffer (see prepareForTransfer).
 * BYTES elements are packed into one buffer that is moved too: posting the elements themselves
 * would clone each one, and clone the whole request body behind elements that are views into it.
 */
import type { Tensor } from '../../core/index.js';
import { prepareForTransfer } from '../transfer.js';

type NumericTensor = Exclude<Tensor, { datatype: 'BYTES' }>;

/** BYTES data packed: element i is `packed[ends[i-1] ?? 0 .. ends[i]]`. */
export interface PackedBytesTensor {
  readonly name: string;
  readonly datatype: 'BYTES';
  readonly shape: number[];
  readonly packed: Uint8Array;
  readonly ends: Uint32Array;
}

export type WireTensor = NumericTensor | PackedBytesTensor;

function packBytes(tensor: Extract<Tensor, { datatype: 'BYTES' }>): PackedBytesTensor {
  let total = 0;
  const ends = new Uint32Array(tensor.data.length);
  tensor.data.forEach((element, i) => {
    total += element.byteLength;
    ends[i] = total;
  });
  const packed = new Uint8Array(total);
  tensor.data.forEach((element, i) => packed.set(element, i === 0 ? 0 : ends[i - 1]));
  return { name: tensor.name, datatype: 'BYTES', shape: tensor.shape, packed, ends };
}

/**
 * Readies tensors (of one or several requests) to be posted to another thread.
 * Ownership moves: numeric data that owns its whole buffer is detached here once posted.
 * @returns the tensors in the same nesting, and the buffers to list as transferable.
 */
export function toWire(groups: readonly (readonly Tensor[])[]): { groups: WireTensor[][]; transfer: ArrayBuffer[] } {
  const numeric = groups.flatMap((group) => group.filter((t): t is NumericTensor => t.datatype !== 'BYTES'));
  const prepared = prepareForTransfer(numeric);
  const ready = new Map(numeric.map((tensor, i) => [tensor, prepared.tensors[i] as NumericTensor]));
  const transfer = prepared.transfer;
  const wire = groups.map((group) => group.map((tensor): WireTensor => {
    if (tensor.datatype !== 'BYTES') return ready.get(tensor)!;
    const packed = packBytes(tensor);
    transfer.push(packed.packed.buffer as ArrayBuffer, packed.ends.buffer as ArrayBuffer);
    return packed;
  }));
  return { groups: wire, transfer };
}

/** The tensor a WireTensor carries; BYTES elements are views into the packed buffer. */
export function fromWire(tensor: WireTensor): Tensor {
  if (tensor.datatype !== 'BYTES') return tensor;
  const { packed, ends } = tensor;
  const data = Array.from(ends, (end, i) => packed.subarray(i === 0 ? 0 : ends[i - 1], end));
  return { name: tensor.name, datatype: 'BYTES', shape: tensor.shape, data };
}
