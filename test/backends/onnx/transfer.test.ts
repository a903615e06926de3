import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { prepareForTransfer } from '../../../src/backends/transfer.js';
import type { Tensor } from '../../../src/core/index.js';

describe('preparing tensors for a thread hop', () => {
  it('moves buffers a tensor owns whole, without copying', () => {
    const data = new Float32Array([1, 2, 3]);
    const { tensors, transfer } = prepareForTransfer([{ name: 'a', datatype: 'FP32', shape: [3], data }]);
    assert.equal(tensors[0]!.data, data);
    assert.deepEqual(transfer, [data.buffer]);
  });

  it('copies a view into a larger buffer so that only its bytes travel', () => {
    const body = new ArrayBuffer(1024);
    const view = new Int32Array(body, 16, 2);
    view.set([5, 6]);
    const { tensors, transfer } = prepareForTransfer([{ name: 'a', datatype: 'INT32', shape: [2], data: view }]);
    const moved = tensors[0]!.data as Int32Array;
    assert.notEqual(moved.buffer, body);
    assert.equal(moved.buffer.byteLength, 8);
    assert.deepEqual([...moved], [5, 6]);
    assert.deepEqual(transfer, [moved.buffer]);
  });

  it('copies the second of two tensors sharing one buffer, and leaves BYTES alone', () => {
    const shared = new Float32Array([1, 2]);
    const bytes: Tensor = { name: 's', datatype: 'BYTES', shape: [1], data: [new Uint8Array([65])] };
    const { tensors, transfer } = prepareForTransfer([
      { name: 'a', datatype: 'FP32', shape: [2], data: shared },
      { name: 'b', datatype: 'FP32', shape: [2], data: shared },
      bytes,
    ]);
    assert.equal(transfer.length, 2);
    assert.notEqual(tensors[1]!.data, shared);
    assert.equal(tensors[2], bytes);
  });
});
